"""Chainer (PyPI `chainer`), define-by-run, on the CPU (numpy arrays).

Mapped: Variable is chainer.Variable (it keeps the very array given and raises TypeError on
anything but an array or None); square and exp are chainer.functions.square and .exp; a preset
output gradient is set as y.grad, as in the book.

Absent:
- integers: functions accept floating-point arrays only (their type check expects
  x.dtype.kind == 'f'), so integer arrays are neither computed nor differentiated.
- implicit_seed: backward() seeds only one-element outputs; on any other shape it leaves the
  output grad None and the backward pass fails.
- retains_grads: backward(retain_grad=False), the default, drops the grad of every
  intermediate variable and of the output itself.
- function_classes: operations are FunctionNodes applied with .apply((x,)), which returns a
  tuple; they are not called on a Variable.
- graph_links: a FunctionNode links to VariableNodes, not to the Variables themselves.
- as_array: utils.force_array is not as_array (it leaves Python scalars alone).
- numerical_diff: gradient_check.numerical_grad(f, inputs, grad_outputs, eps=1e-3) has another
  signature and default eps.

Install (Python 3.9-3.11): chainer imports numpy.distutils, which needs numpy<2, Python < 3.12
and setuptools<74 (74 dropped distutils.msvccompiler); then `pip install --no-build-isolation
chainer==7.8.1` (its setup.py needs the environment's setuptools).
"""
import chainer as _chainer
import chainer.functions as F

NAME = "chainer"
ABSENT = {
    "integers": "functions accept floating-point arrays only (type check: x.dtype.kind == 'f')",
    "implicit_seed": "backward() seeds only one-element outputs; other shapes need y.grad set",
    "retains_grads": "backward(retain_grad=False), the default, drops the grads of the "
                     "intermediate variables and of the output",
    "function_classes": "FunctionNodes are applied with .apply((x,)) returning a tuple, not "
                        "called on a Variable",
    "graph_links": "a FunctionNode links to VariableNodes, not to the Variables",
    "as_array": "chainer has no as_array (utils.force_array differs)",
    "numerical_diff": "gradient_check.numerical_grad(f, inputs, grad_outputs, eps=1e-3) "
                      "has another signature and default eps",
}

Variable = _chainer.Variable
square = F.square
exp = F.exp


def version():
    return _chainer.__version__


def leaf(a):
    return Variable(a)


def value(v):
    return v.data


def grad_of(v):
    return v.grad


def cleargrad(v):
    v.cleargrad()


def grad(fn, x, gy=None):
    xv = Variable(x)
    y = fn(xv)
    if gy is not None:
        y.grad = gy
    y.backward()
    return y.data, xv.grad
