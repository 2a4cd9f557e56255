"""micrograd (PyPI `micrograd`, Karpathy): a scalar-valued autograd engine.

Mapped: a leaf is micrograd.engine.Value of the 0-d input as a Python float (micrograd's
number type); square(v) is `v ** 2`, Value's own power operation; grad runs y.backward() and
reads x.grad.

Absent:
- vector: a Value holds one Python number; there are no arrays.
- exp: Value has only +, *, ** and relu; no exponential (none is written here).
- seed_grad: backward() always sets the output's grad to 1; there is no way to give another
  output gradient.
- variable, type_check, retains_grads: Value's grad starts at 0, not None, and Value takes
  any number; the Variable clauses do not apply.
- function_classes, graph_links: an operation is a method; a Value keeps its operands in
  _prev (a set) and the operator as a string, with no Function objects.
- as_array, numerical_diff: micrograd has neither.

Expected failure (matrix/expected/micrograd.txt): backward builds its topological order by
recursion, so a deep chain raises RecursionError (S9).
"""
from importlib import metadata

from micrograd.engine import Value

NAME = "micrograd"
ABSENT = {
    "vector": "a Value holds one Python number; micrograd has no arrays",
    "exp": "Value has only +, *, ** and relu: no exponential",
    "seed_grad": "backward() always sets the output grad to 1; no output gradient can be given",
    "variable": "Value's grad starts at 0, not None, and Value takes any number",
    "type_check": "Value takes any Python number by design",
    "retains_grads": "the Variable clauses do not apply to Value (see variable)",
    "function_classes": "operations are Value methods; there are no Function objects",
    "graph_links": "a Value keeps its operands in a set (_prev) and its operator as a string",
    "as_array": "micrograd has no as_array",
    "numerical_diff": "micrograd has no numerical_diff",
}


def version():
    return metadata.version("micrograd")


def square(v):
    return v ** 2


def leaf(a):
    return Value(float(a))


def value(v):
    return v.data


def grad(fn, x, gy=None):
    if gy is not None:
        raise NotImplementedError("micrograd's backward() takes no output gradient "
                                  "(seed_grad is absent)")
    xv = leaf(x)
    y = fn(xv)
    y.backward()
    return y.data, xv.grad
