"""MyGrad (PyPI `mygrad`): numpy with a Tensor that records operations for backprop.

Mapped: Variable is mygrad.Tensor (it has .data, .grad, .creator and .backward()); square and
exp are mygrad.square and mygrad.exp; an output gradient is given as y.backward(gy), MyGrad's
own way to seed one (it has no preset y.grad).

Absent:
- integers: integer-valued Tensors are constants by design: no gradient flows to or from them,
  so backward() on an int y leaves y.grad None and an int x gets no x.grad.
- type_check: Tensor accepts Python scalars, lists and numpy scalars by design.
- function_classes: operations are Operation classes applied through Tensor._op, not
  callables returning Tensors.
- graph_links: an Operation keeps its inputs (.variables) but no link to its output.
- as_array, numerical_diff: MyGrad has neither as public API.

Expected difference (matrix/expected/mygrad.txt): Tensor(a) copies a unless copy=False, so
S1 (`Variable(a).data is a`) fails.
"""
from importlib import metadata

import mygrad as mg

NAME = "mygrad"
ABSENT = {
    "integers": "integer-valued Tensors are constants by design: no gradient flows to or "
                "from them",
    "type_check": "Tensor accepts Python scalars, lists and numpy scalars by design",
    "function_classes": "operations are Operation classes applied via Tensor._op, not "
                        "callables returning Tensors",
    "graph_links": "an Operation keeps its inputs (.variables) but no link to its output",
    "as_array": "MyGrad has no as_array",
    "numerical_diff": "MyGrad has no public numerical_diff",
}

Variable = mg.Tensor
square = mg.square
exp = mg.exp


def version():
    return metadata.version("mygrad")


def leaf(a):
    return mg.Tensor(a)


def value(v):
    return v.data


def grad_of(v):
    return v.grad


def cleargrad(v):
    v.null_grad()


def grad(fn, x, gy=None):
    xt = mg.Tensor(x)
    y = fn(xt)
    y.backward(gy)
    return y.data, xt.grad
