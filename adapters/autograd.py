"""autograd (PyPI `autograd`, HIPS): functional differentiation of numpy code.

Mapped: values are plain numpy arrays (leaf and value are the identity); square and exp are
autograd.numpy.square and autograd.numpy.exp. grad(fn, x, gy) is the vector-Jacobian product
from autograd.make_vjp; with no gy, autograd.elementwise_grad, which seeds ones shaped like the
output itself. That is autograd's own user-facing construct for a non-scalar output with no
seed (its README plots egrad(tanh)(x) over an array x), so implicit_seed is present; jax,
torch, mlx, tinygrad and chainer have no such construct (their grad or backward() raises for
a non-scalar output with no seed), and C1's probe confirms their absence. grads(fn, xs, gy)
is the same over every argument (argnum=(0, ..., n-1)); add, mul, sub, div, neg and pow are
autograd.numpy.add, multiply, subtract, divide, negative and power.

Stage 3: sin, cos and tanh are autograd.numpy.sin, cos and tanh. gradient(fn, gy) is
autograd's own nesting of its grad functions (grad(grad(f)), elementwise_grad(
elementwise_grad(f)), the higher-order derivatives its README plots for tanh): with no gy,
elementwise_grad(fn), which seeds ones shaped like the output, as grad does; with gy, x -> the
vjp of autograd.make_vjp(fn)(x) applied to gy. Either traces its own graph inside the outer
one, so the gradient it returns is differentiated again by the next grad function.

Stage 4: reshape, transpose, sum and matmul are autograd.numpy's (numpy's own functions,
traced); sum(v, axis, keepdims) passes them by name (numpy's third parameter is dtype).
set_value(v, a) is `v[...] = a`: a leaf is a plain numpy array, and autograd's own tutorial
(its README's logistic regression) updates it in place, `weights -= training_gradient_fun(
weights) * 0.01`; so assign is present. The rest of stage 4 is absent, each for the reason in
ABSENT: no sum_to (broadcast), no loss functions (mse), no linear function, and no layers,
models or optimizer objects (autograd.misc.optimizers.sgd(grad, x, callback, num_iters,
step_size, mass) is a function that runs a whole descent). tensor_methods is present: a leaf
is a numpy array, and an ArrayBox, the array autograd traces, has reshape, transpose, T and
sum too (autograd.numpy's functions, set on ArrayBox as methods; its transpose takes the axes
as one tuple only, a defect: conformance/expected/autograd.txt, S48).

Absent (a functional engine has no objects to inspect):
- variable, type_check, retains_grads: no Variable class; gradients are returned, not stored.
- function_classes, graph_links: operations are plain functions; the traced graph is internal.
- as_array, numerical_diff: autograd has neither.
- integers: grad differentiates floating-point inputs only.
- cleargrad, retain_grad, no_grad, config, array_like: these are about Variable objects and a
  recorded graph; autograd traces only inside a grad call and has neither.
- create_graph: no Variable, no backward() and no .grad to hold a gradient with a graph of its
  own; a gradient is a grad function's return value, differentiated again by nesting grad
  functions (gradient above).
"""
from importlib import metadata

import autograd
import autograd.numpy as anp

NAME = "autograd"
ABSENT = {
    "integers": "grad differentiates floating-point inputs only (TypeError: Can't "
                "differentiate w.r.t. type numpy.int64)",
    "variable": "functional: plain arrays, no Variable objects",
    "type_check": "no Variable class to reject non-arrays",
    "retains_grads": "gradients are returned by grad functions, not stored on values",
    "function_classes": "operations are plain functions (autograd.numpy)",
    "graph_links": "the traced graph is internal to each grad call",
    "as_array": "autograd has no as_array",
    "numerical_diff": "autograd has no numerical_diff",
    "cleargrad": "no Variable objects hold a gradient to reset",
    "retain_grad": "no Variable objects and no backward(): a grad function returns the "
                   "gradients it was asked for and keeps none",
    "no_grad": "nothing is recorded outside a grad call, so there is no graph to switch off",
    "config": "autograd has no configuration and no using_config",
    "array_like": "values are plain numpy arrays: no Variable class, no name, repr array(...)",
    "create_graph": "no Variable objects and no backward(): a gradient is a grad function's "
                    "return value, differentiated again by nesting grad functions "
                    "(grad(grad(f))), never a stored .grad with a graph of its own",
    "broadcast": "autograd.numpy has broadcast_to but no sum_to: summing a gradient back to an "
                 "operand's shape (unbroadcast) is internal to its vjps",
    "mse": "autograd has no loss functions: a loss is written in autograd.numpy",
    "linear": "autograd has no linear function: x W + b is written with autograd.numpy",
    "layers": "functional: autograd has no Layer objects or Parameters; parameters are arrays "
              "passed to functions",
    "models": "functional: autograd has no Model class and no MLP (see layers)",
    "optimizers": "autograd has no optimizer objects: autograd.misc.optimizers.sgd(grad, x, "
                  "callback, num_iters, step_size, mass) is a function that runs a whole "
                  "descent, with no setup, update or hooks",
}

square = anp.square
exp = anp.exp
add = anp.add
mul = anp.multiply
sub = anp.subtract
div = anp.divide
neg = anp.negative
pow = anp.power  # noqa: A001 (the protocol's name; shadows the builtin here only)
sin = anp.sin
cos = anp.cos
tanh = anp.tanh
reshape = anp.reshape
transpose = anp.transpose
matmul = anp.matmul


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return anp.sum(v, axis=axis, keepdims=keepdims)


def set_value(v, a):
    v[...] = a


def version():
    return metadata.version("autograd")


def leaf(a):
    return a


def value(v):
    return v


def grad(fn, x, gy=None):
    if gy is None:
        return fn(x), autograd.elementwise_grad(fn)(x)
    vjp, y = autograd.make_vjp(fn)(x)
    return y, vjp(gy)


def grads(fn, xs, gy=None):
    argnum = tuple(range(len(xs)))
    if gy is None:
        return fn(*xs), list(autograd.elementwise_grad(fn, argnum)(*xs))
    vjp, y = autograd.make_vjp(fn, argnum)(*xs)
    return y, list(vjp(gy))


def gradient(fn, gy=None):
    if gy is None:
        return autograd.elementwise_grad(fn)

    def dfn(x):
        vjp, _ = autograd.make_vjp(fn)(x)
        return vjp(gy)
    return dfn
