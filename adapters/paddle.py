"""PaddlePaddle (PyPI `paddlepaddle`, the CPU build), in dynamic-graph mode (its default).

Paddle's Tensor records operations as they run and has .backward() and .grad, as in PyTorch.
This adapter maps

    leaf      paddle.to_tensor(a): float64 input stays float64, 0-d stays 0-d
    value     the paddle Tensor itself (np.asarray reads it)
    square    paddle.square
    exp       paddle.exp
    grad      x = paddle.to_tensor(x, stop_gradient=False), y = fn(x), then y.backward() or
              y.backward(paddle.to_tensor(gy)), and x.grad; with no gradient given, Paddle
              seeds ones shaped like y itself, for any shape
    grads     the same with a stop_gradient=False tensor per input, then each one's .grad
              (None for an input y does not use)
    add, mul, sub, div, neg, pow
              paddle.add, multiply, subtract, divide, neg and pow

Why each ABSENT entry holds is its value below.
"""
import paddle

NAME = "paddle"
ABSENT = {
    "variable": "a Tensor is not a box around the given ndarray: Tensor.data is a Tensor",
    "type_check": "paddle.to_tensor accepts Python scalars and lists by design",
    "retains_grads": "non-leaf tensors keep .grad only after .retain_grads()",
    "function_classes": "operations are functions; paddle.autograd.PyLayer is applied with "
                        ".apply, not called",
    "graph_links": "the graph holds grad nodes (grad_fn), not Functions with Variables",
    "as_array": "Paddle has no as_array",
    "numerical_diff": "Paddle has no numerical_diff",
    "cleargrad": "Tensor.clear_grad() sets the grad to zeros, not None (clear_gradient(False) "
                 "is needed for that), and a Tensor is no Variable box (see variable)",
    "retain_grad": "backward() has no switch that keeps every grad: a non-leaf keeps .grad only "
                   "after .retain_grads() on that tensor (retain_graph keeps the graph)",
    "no_grad": "paddle.no_grad() exists, but the graph holds grad nodes with no creator links "
               "(see graph_links) to show that none was built",
    "config": "grad mode is a flag (paddle.is_grad_enabled, paddle.set_grad_enabled), not a "
              "Config class with settings read and set by name",
    "array_like": "paddle.to_tensor takes no name (a Tensor gets a generated one), its dtype is "
                  "a paddle dtype and its repr is Tensor(shape=..., ...)",
}


def version():
    return paddle.__version__


def leaf(a):
    return paddle.to_tensor(a)


def value(v):
    return v


square = paddle.square
exp = paddle.exp
add = paddle.add
mul = paddle.multiply
sub = paddle.subtract
div = paddle.divide
neg = paddle.neg
pow = paddle.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)


def grad(fn, x, gy=None):
    x = paddle.to_tensor(x, stop_gradient=False)
    y = fn(x)
    y.backward(None if gy is None else paddle.to_tensor(gy))
    return y, x.grad


def grads(fn, xs, gy=None):
    leaves = [paddle.to_tensor(x, stop_gradient=False) for x in xs]
    y = fn(*leaves)
    y.backward(None if gy is None else paddle.to_tensor(gy))
    return y, [t.grad for t in leaves]
