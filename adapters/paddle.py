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
}


def version():
    return paddle.__version__


def leaf(a):
    return paddle.to_tensor(a)


def value(v):
    return v


square = paddle.square
exp = paddle.exp


def grad(fn, x, gy=None):
    x = paddle.to_tensor(x, stop_gradient=False)
    y = fn(x)
    y.backward(None if gy is None else paddle.to_tensor(gy))
    return y, x.grad
