"""MyGrad (PyPI `mygrad`): numpy with a Tensor that records operations for backprop.

Mapped: Variable is mygrad.Tensor (it has .data, .grad, .creator and .backward()); square and
exp are mygrad.square and mygrad.exp; an output gradient is given as y.backward(gy), MyGrad's
own way to seed one (it has no preset y.grad).

Stage 2: add, mul, sub, div, neg and pow are mygrad.add, multiply, subtract, divide, negative
and power; grads makes a Tensor per input and calls y.backward(gy) as grad does; cleargrad is
Tensor.null_grad(), MyGrad's own reset. no_grad() gives mygrad.no_autodiff, the object MyGrad
uses as its no-graph context manager (it is not called: calling it decorates a function), and
creator_of(v) is Tensor.creator, the Operation that made v (None for a leaf and under
no_autodiff), which is all no_grad needs.

Absent:
- integers: integer-valued Tensors are constants by design: no gradient flows to or from them,
  so backward() on an int y leaves y.grad None and an int x gets no x.grad.
- type_check: Tensor accepts Python scalars, lists and numpy scalars by design.
- function_classes: operations are Operation classes applied through Tensor._op, not
  callables returning Tensors.
- graph_links: an Operation keeps its inputs (.variables) but no link to its output.
- as_array, numerical_diff: MyGrad has neither as public API.
- retain_grad: Tensor.backward(grad) has no switch; every Tensor of the graph keeps its gradient.
- config: MyGrad has no Config and no using_config; no_autodiff is its only graph switch.
- array_like: a Tensor is array-like (.shape, .ndim, .size, .dtype, len()) but takes no name
  (TypeError for name=) and its repr is Tensor(...).

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
    "retain_grad": "Tensor.backward(grad) has no switch: every Tensor of the graph keeps its "
                   "gradient",
    "config": "MyGrad has no Config or using_config; no_autodiff is its only graph switch",
    "array_like": "a Tensor takes no name (TypeError: unexpected keyword argument 'name') and "
                  "its repr is Tensor(...)",
}

Variable = mg.Tensor
square = mg.square
exp = mg.exp
add = mg.add
mul = mg.multiply
sub = mg.subtract
div = mg.divide
neg = mg.negative
pow = mg.power  # noqa: A001 (the protocol's name; shadows the builtin here only)


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


def grads(fn, xs, gy=None):
    leaves = [mg.Tensor(x) for x in xs]
    y = fn(*leaves)
    y.backward(gy)
    return y.data, [t.grad for t in leaves]


def no_grad():
    return mg.no_autodiff


def creator_of(v):
    return v.creator
