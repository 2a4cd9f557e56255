"""Real DeZero (PyPI `dezero`, the book's own engine in its final form, steps 1-60).

Mapped: Variable, Function, exp, Exp and as_array are DeZero's own. `square(v)` is `v ** 2`,
DeZero's own Pow operation: the engine has no square. A gradient is a DeZero Variable, so
grad_of reads its .data, and an output gradient gy is given to the engine as Variable(gy).
Links are DeZero's later-step spellings: Function.inputs and Function.outputs (weak refs).

Stage 2 is all DeZero's own: add, mul, sub, div, neg and pow are the functions of dezero.core
(the ones its operators are bound to), grads makes a Variable per input and backpropagates as
grad does, backward(v, retain_grad) is v.backward(retain_grad=...), cleargrad is
Variable.cleargrad(), and Config, using_config and no_grad are dezero's. Variable(data,
name=None) has .name, .shape, .ndim, .size, .dtype, len() and the book's repr.

Stage 3 is DeZero's own too: sin, cos and tanh are dezero.functions.sin, cos and tanh;
backward(v, retain_grad, create_graph) is v.backward(retain_grad=..., create_graph=...), and
grad_variable(v) is v.grad, a Variable (with a creator of its own after
backward(create_graph=True)). gradient(fn, gy) is the book's step 33: clear x's grad, y =
fn(x), y.grad = Variable(gy) when gy is given, y.backward(create_graph=True), take x.grad and
clear it from x, so that the backward of the gradient starts afresh.

Stage 4 is DeZero's own, every name the one the book's steps 37-46 import: reshape,
transpose, sum, broadcast_to, sum_to, matmul, mean_squared_error, linear and sigmoid are
dezero.functions' (F.*); a Variable has reshape, transpose, T and sum of its own.
set_value(v, a) is `v.data = a`, the book's own assignment. Parameter is dezero.Parameter,
Layer dezero.layers.Layer, Linear dezero.layers.Linear (its W made on the first call, in_size
from x.shape[1]); params(layer) is list(layer.params()), cleargrads(layer) layer.cleargrads();
weights(linear) reads linear.W.data and linear.b.data (b None with nobias), set_weights sets
them with `.data =`, as the book does by hand. Model is dezero.models.Model, MLP is
dezero.models.MLP (activation None gives it no activation argument, so its default, F.sigmoid,
applies), mlp_layers(model) is model.layers, its list of Linear layers. SGD and MomentumSGD
are dezero.optimizers', with setup, update and add_hook of their own.

Absent:
- retains_grads: backward(retain_grad=False), the default, sets the grad of every Function
  output to None once it is used, the final output included: only leaves keep a gradient.
- function_classes: there is no Square class (x ** 2 is Pow(2)); Square, Exp and Function are
  needed together.
- numerical_diff: DeZero has utils.numerical_grad(f, x, *args) instead, with a fixed eps of
  1e-4 and extra arguments passed on to f, so numerical_diff(f, x, eps) has no counterpart.

Needs matplotlib (imported by dezero.utils, not declared by the package), and np.int, used by
dezero.transforms at import: numpy < 1.24 up to Python 3.11; on 3.12+ (no such numpy) the
tox env puts matrix/shims/dezero on PYTHONPATH, restoring the removed alias np.int = int.
"""
from importlib import metadata

import dezero
import dezero.core
import dezero.functions
import dezero.layers
import dezero.models
import dezero.optimizers

NAME = "dezero"
ABSENT = {
    "retains_grads": "backward(retain_grad=False), the default, clears the grad of every "
                     "Function output (the final output too); only leaves keep theirs",
    "function_classes": "DeZero has no Square class: x ** 2 is Pow(2)",
    "numerical_diff": "DeZero has utils.numerical_grad(f, x, *args) with a fixed eps=1e-4 "
                      "(extra arguments go to f), not numerical_diff(f, x, eps)",
}

Variable = dezero.Variable
Function = dezero.Function
Exp = dezero.functions.Exp
exp = dezero.functions.exp
as_array = dezero.as_array
add = dezero.core.add
mul = dezero.core.mul
sub = dezero.core.sub
div = dezero.core.div
neg = dezero.core.neg
sin = dezero.functions.sin
cos = dezero.functions.cos
tanh = dezero.functions.tanh
pow = dezero.core.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)
Config = dezero.Config
using_config = dezero.using_config
no_grad = dezero.no_grad
reshape = dezero.functions.reshape
transpose = dezero.functions.transpose
sum = dezero.functions.sum  # noqa: A001 (the protocol's name; shadows the builtin here only)
broadcast_to = dezero.functions.broadcast_to
sum_to = dezero.functions.sum_to
matmul = dezero.functions.matmul
mean_squared_error = dezero.functions.mean_squared_error
linear = dezero.functions.linear
sigmoid = dezero.functions.sigmoid
Parameter = dezero.Parameter
Layer = dezero.layers.Layer
Linear = dezero.layers.Linear
Model = dezero.models.Model
SGD = dezero.optimizers.SGD
MomentumSGD = dezero.optimizers.MomentumSGD


def version():
    return metadata.version("dezero")


def square(v):
    return v ** 2


def leaf(a):
    return Variable(a)


def value(v):
    return v.data


def grad_of(v):
    g = v.grad
    return g.data if isinstance(g, Variable) else g


def cleargrad(v):
    v.cleargrad()


def grad(fn, x, gy=None):
    xv = Variable(x)
    y = fn(xv)
    if gy is not None:
        y.grad = Variable(gy)
    y.backward()
    return y.data, grad_of(xv)


def grads(fn, xs, gy=None):
    leaves = [Variable(x) for x in xs]
    y = fn(*leaves)
    if gy is not None:
        y.grad = Variable(gy)
    y.backward()
    return y.data, [grad_of(v) for v in leaves]


def backward(v, retain_grad=None, create_graph=None):
    options = {}
    if retain_grad is not None:
        options["retain_grad"] = retain_grad
    if create_graph is not None:
        options["create_graph"] = create_graph
    v.backward(**options)


def grad_variable(v):
    return v.grad


def gradient(fn, gy=None):
    """The book's step 33: y.backward(create_graph=True), then x.grad, cleared from x."""
    def dfn(x):
        x.cleargrad()
        y = fn(x)
        if gy is not None:
            y.grad = Variable(gy)
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        return gx
    return dfn


def creator_of(v):
    return v.creator


def input_of(f):
    return f.inputs[0]


def output_of(f):
    return f.outputs[0]()


def set_value(v, a):
    v.data = a


def params(layer):
    return list(layer.params())


def cleargrads(layer):
    layer.cleargrads()


def weights(linear):
    return linear.W.data, None if linear.b is None else linear.b.data


def set_weights(linear, W, b=None):  # noqa: N803 (the book's name for the weight)
    linear.W.data = W
    if b is not None:
        linear.b.data = b


def MLP(sizes, activation=None):  # noqa: N802 (the protocol's name)
    if activation is None:  # DeZero's own default, F.sigmoid
        return dezero.models.MLP(sizes)
    return dezero.models.MLP(sizes, activation)


def mlp_layers(model):
    return list(model.layers)
