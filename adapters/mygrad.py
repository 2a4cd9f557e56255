"""MyGrad (PyPI `mygrad`): numpy with a Tensor that records operations for backprop.

Mapped: Variable is mygrad.Tensor (it has .data, .grad, .creator and .backward()); square and
exp are mygrad.square and mygrad.exp; an output gradient is given as y.backward(gy), MyGrad's
own way to seed one (it has no preset y.grad).

Stage 2: add, mul, sub, div, neg and pow are mygrad.add, multiply, subtract, divide, negative
and power; grads makes a Tensor per input and calls y.backward(gy) as grad does; cleargrad is
Tensor.null_grad(), MyGrad's own reset. no_grad() gives mygrad.no_autodiff, the object MyGrad
uses as its no-graph context manager (it is not called: calling it decorates a function), and
creator_of(v) is Tensor.creator, the Operation that made v (None for a leaf and under
no_autodiff), which is all no_grad needs. as_array is mygrad.asarray, MyGrad's conversion to
a numpy array.

Stage 3: sin, cos and tanh are mygrad.sin, mygrad.cos and mygrad.tanh. MyGrad has no double
backprop: x.grad is a numpy array ("dℒ/dx: numpy.ndarray"), computed by each Operation's
backward on numpy arrays, and backward() clears the graph it ran on ("the preceding graph is
cleared"). So higher_order and create_graph are absent; for C1 to probe them the adapter
names MyGrad's own constructs: gradient(fn, gy) is y.backward(gy) and x.grad (an ndarray, on
which the backward of a gradient fails), backward(v, **options) passes the options to
Tensor.backward (which refuses retain_grad and create_graph), and grad_variable(v) is v.grad.

Stage 4: reshape, transpose, sum and matmul are MyGrad's own functions
(mg.reshape, mg.transpose, mg.sum, mg.matmul); transpose(v, axes) passes the axes order as
numpy's transpose takes it, none for the reversal. A Tensor has reshape, transpose, T and sum
of numpy's form (tensor_methods). set_value(v, a) is `v[...] = a` under mg.no_autodiff:
MyGrad's own in-place write (its docs: "Do not modify this underlying array", .data; in-place
operations on a Tensor are supported, and under no_autodiff are not recorded), outside any
graph. Absent, each for the reason in ABSENT: sum_to (so broadcast), a mean squared error, a
linear function, layers, models and optimizers (MyNN, another package, has dense layers,
losses and optimizers on MyGrad).

Why each ABSENT entry holds is its value below: each names what MyGrad lacks.

Present, and different by design (conformance/expected/mygrad.txt):
- integers: MyGrad computes on integer Tensors but makes them constants ("Integer-valued
  tensors are treated as constants"): square of int 3 is 9 and x.grad stays None (S11, S19).
  Asked for a non-constant one, Tensor(3, constant=False), it raises ValueError.
- type_check: Tensor takes any array-like (Python and numpy scalars, lists, tuples, range, a
  Tensor) without TypeError, and raises TypeError for None (S12).
- as_array: mygrad.asarray is numpy's asarray extended to Tensors: scalars and arrays as the
  contract asks, but a list, None or any other object is converted, not returned (S13).
- Tensor(a) copies a unless copy=False, so S1 (`Variable(a).data is a`) fails; a second
  backward on a new graph replaces a leaf's grad instead of adding to it (S19).
"""
from importlib import metadata

import mygrad as mg

NAME = "mygrad"
ABSENT = {
    "function_classes": "MyGrad's API has no Function classes (Square, Exp) to call on a "
                        "Tensor: its operations are functions (mg.square, mg.exp), built on "
                        "internal Operation graph nodes that mg.execute_op applies",
    "graph_links": "an Operation has no link to its output Tensor: it keeps only its inputs "
                   "(.variables), and a Tensor its .creator",
    "numerical_diff": "MyGrad has no numerical differentiation function",
    "retain_grad": "Tensor.backward(grad) has no retain_grad switch: every Tensor of the graph "
                   "always keeps its gradient",
    "config": "MyGrad has no Config of named settings and no using_config: no_autodiff is its "
              "only graph switch",
    "array_like": "a Tensor has no name: Tensor(data, name='v') raises TypeError (unexpected "
                  "keyword argument 'name'); it has .shape, .ndim, .size, .dtype and len(), "
                  "and its repr is Tensor(...)",
    "higher_order": "MyGrad has no double backprop: x.grad is a numpy array (its docs: "
                    "'dℒ/dx: numpy.ndarray'), computed on arrays, and backward() clears the "
                    "graph ('the preceding graph is cleared'), so a gradient cannot be "
                    "differentiated again",
    "create_graph": "Tensor.backward(grad) has no create_graph: backward(y, create_graph=True) "
                    "raises TypeError (Tensor.backward() got an unexpected keyword argument "
                    "'create_graph'), and x.grad is a numpy array, not a Tensor",
    "broadcast": "MyGrad has broadcast_to but no sum_to: summing a gradient back to an "
                 "operand's shape is internal to its operations' backward",
    "mse": "MyGrad has no mean squared error (mygrad.nnet.losses: softmax cross-entropy, focal, "
           "margin ranking, hinge and negative log-likelihood losses only)",
    "linear": "MyGrad has no linear function (mygrad.nnet.layers: conv, pooling, batchnorm, gru; "
              "dense layers are MyNN's, another package)",
    "layers": "MyGrad has no Layer or Parameter classes (MyNN, another package, adds layers)",
    "models": "MyGrad has no Model class and no MLP (see layers)",
    "optimizers": "MyGrad has no optimizers (MyNN, another package, has them); a step is "
                  "written as an update of each Tensor",
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
as_array = mg.asarray
sin = mg.sin
cos = mg.cos
tanh = mg.tanh
reshape = mg.reshape
sum = mg.sum  # noqa: A001 (the protocol's name; shadows the builtin here only)
matmul = mg.matmul


def transpose(v, axes=None):
    return mg.transpose(v) if axes is None else mg.transpose(v, axes)


def set_value(v, a):
    with mg.no_autodiff:
        v[...] = a


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


def backward(v, retain_grad=None, create_graph=None):
    """Tensor.backward with the options given passed on (MyGrad refuses both)."""
    options = {k: o for k, o in (("retain_grad", retain_grad), ("create_graph", create_graph))
               if o is not None}
    v.backward(**options)


def grad_variable(v):
    return v.grad


def gradient(fn, gy=None):
    """MyGrad's own gradient: y.backward(gy), then x.grad, a numpy array with no graph."""
    def dfn(x):
        y = fn(x)
        y.backward(gy)
        return x.grad
    return dfn
