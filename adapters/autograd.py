"""autograd (PyPI `autograd`, HIPS): functional differentiation of numpy code.

Mapped: values are plain numpy arrays (leaf and value are the identity); square and exp are
autograd.numpy.square and autograd.numpy.exp. grad(fn, x, gy) is the vector-Jacobian product
from autograd.make_vjp; with no gy, autograd.elementwise_grad, which seeds ones shaped like the
output itself.

Absent (a functional engine has no objects to inspect):
- variable, type_check, retains_grads: no Variable class; gradients are returned, not stored.
- function_classes, graph_links: operations are plain functions; the traced graph is internal.
- as_array, numerical_diff: autograd has neither.
- integers: grad differentiates floating-point inputs only.
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
}

square = anp.square
exp = anp.exp


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
