"""micrograd (PyPI `micrograd`, Karpathy): a scalar-valued autograd engine.

Mapped: a leaf is micrograd.engine.Value of the 0-d input's Python number (`a.item()`: an
int stays an int, as Value keeps it); square(v) is `v ** 2`, Value's own power operation;
grad runs y.backward() and reads x.grad. Stage 2: micrograd has no arithmetic functions, only
Value's operators, so add, mul, sub, div, neg and pow are + * - / unary - and ** (operator.add
and so on); grads makes a Value per input and reads each one's grad (0, not None, for an input
y does not use: a Value's grad starts at 0).

Absent:
- vector: a Value holds one Python number; there are no arrays.
- exp: Value has only +, *, ** and relu; no exponential (none is written here).
- seed_grad: backward() always sets the output's grad to 1; there is no way to give another
  output gradient.
- variable, type_check, retains_grads: a Value boxes one Python number, not an ndarray, so
  there is no array box for the Variable clauses to inspect (see vector).
- function_classes, graph_links: an operation is a method; a Value keeps its operands in
  _prev (a set) and the operator as a string, with no Function objects.
- as_array, numerical_diff: micrograd has neither.
- cleargrad: Value has no reset method; a grad is reset by assigning 0 (as Module.zero_grad does).
- retain_grad: there is no Variable, and backward() takes no arguments: every Value of the
  graph keeps its grad.
- no_grad, config: every operation records its operands; micrograd has no switch to turn that
  off and no configuration.
- array_like: a Value holds one Python number, with no name, shape or dtype.
- sin_cos, tanh: Value has only +, *, ** and relu (micrograd/engine.py); the package has no
  sine, cosine or tanh (its nn.Neuron's nonlinearity is relu), and none is written here.
- higher_order: a Value's grad is a plain Python number (`self.grad = 0`, accumulated with
  `+=` by closures that read `.data`), so a gradient has no graph to differentiate again.
  So that C1 can probe it, gradient(fn) is micrograd's own construct, y.backward() then
  x.grad: a float, whose own backward fails.
- create_graph: backward() takes no arguments, and there is no Variable (see variable).

Stage 4 needs tensors, which micrograd does not have (see vector): tensor_shape,
tensor_methods, sum, broadcast, matmul, mse, linear, layers and models are absent for that
reason (its nn.Layer and nn.MLP map a list of Values to a list, one sample at a time, with
weights in Python lists; it has no sigmoid), and optimizers because it has none (its README's
training loop updates `p.data += -lr * p.grad` by hand). That update is the one stage-4
concept it has: set_value(v, a) is `v.data = a.item()`, the 0-d array's Python number, as
leaf makes a Value.

Expected failure (conformance/expected/micrograd.txt): backward builds its topological order by
recursion, so a deep chain raises RecursionError (S9).
"""
import operator
from importlib import metadata

from micrograd.engine import Value

NAME = "micrograd"
NO_TENSORS = "a Value holds one Python number: micrograd has no tensors (see vector)"
ABSENT = {
    "vector": "a Value holds one Python number; micrograd has no arrays",
    "exp": "Value has only +, *, ** and relu: no exponential",
    "seed_grad": "backward() always sets the output grad to 1; no output gradient can be given",
    "variable": "a Value boxes one Python number, not an ndarray: there is no array box",
    "type_check": "there is no array box to reject non-arrays: a Value boxes one number",
    "retains_grads": "the Variable clauses do not apply to Value (see variable)",
    "function_classes": "operations are Value methods; there are no Function objects",
    "graph_links": "a Value keeps its operands in a set (_prev) and its operator as a string",
    "as_array": "micrograd has no as_array",
    "numerical_diff": "micrograd has no numerical_diff",
    "cleargrad": "Value has no reset method: a grad is reset by assigning 0 (Module.zero_grad)",
    "retain_grad": "backward() takes no arguments: every Value of the graph keeps its grad",
    "no_grad": "every operation records its operands; micrograd has no switch to turn that off",
    "config": "micrograd has no configuration and no using_config",
    "array_like": "a Value holds one Python number, with no name, shape or dtype",
    "sin_cos": "Value has only +, *, ** and relu: no sine or cosine",
    "tanh": "Value has only +, *, ** and relu: no tanh (nn.Neuron's nonlinearity is relu)",
    "higher_order": "a Value's grad is a plain Python number (self.grad = 0, accumulated with "
                    "+= from .data): a gradient has no graph to differentiate again",
    "create_graph": "backward() takes no arguments and grads are Python numbers, not Values; "
                    "there is no Variable (see variable)",
    "tensor_shape": NO_TENSORS,
    "tensor_methods": NO_TENSORS,
    "sum": NO_TENSORS,
    "broadcast": NO_TENSORS,
    "matmul": NO_TENSORS,
    "mse": NO_TENSORS + " (and no loss functions: a loss is written with Value's operators)",
    "linear": NO_TENSORS + " (and Value has no sigmoid: only +, *, ** and relu)",
    "layers": "micrograd has no tensors: its nn.Layer(nin, nout) maps one sample, a list of "
              "Values, to a list, its weights Python lists of Values, and nn.Module has no "
              "registration (each class writes its own parameters())",
    "models": "micrograd has no tensors: its nn.MLP(nin, nouts) maps one sample, a list of "
              "Values, with relu between its layers (see layers)",
    "optimizers": "micrograd has no optimizers: its README's training loop updates each "
                  "parameter by hand (p.data += -lr * p.grad)",
}


def version():
    return metadata.version("micrograd")


add = operator.add
mul = operator.mul
sub = operator.sub
div = operator.truediv
neg = operator.neg
pow = operator.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)


def square(v):
    return v ** 2


def leaf(a):
    return Value(a.item())  # the 0-d array's Python number, int or float as it is


def value(v):
    return v.data


def set_value(v, a):
    v.data = a.item()  # the 0-d array's Python number, as leaf makes a Value


def grad(fn, x, gy=None):
    if gy is not None:
        raise NotImplementedError("micrograd's backward() takes no output gradient "
                                  "(seed_grad is absent)")
    xv = leaf(x)
    y = fn(xv)
    y.backward()
    return y.data, xv.grad


def gradient(fn, gy=None):
    """micrograd's own gradient: y.backward(), then x.grad, a Python number (no graph)."""
    if gy is not None:
        raise NotImplementedError("micrograd's backward() takes no output gradient "
                                  "(seed_grad is absent)")

    def dfn(x):
        y = fn(x)
        y.backward()
        return x.grad
    return dfn


def grads(fn, xs, gy=None):
    if gy is not None:
        raise NotImplementedError("micrograd's backward() takes no output gradient "
                                  "(seed_grad is absent)")
    leaves = [leaf(x) for x in xs]
    y = fn(*leaves)
    y.backward()
    return y.data, [v.grad for v in leaves]
