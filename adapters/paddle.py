"""PaddlePaddle (PyPI `paddlepaddle`, the CPU build), in dynamic-graph mode (its default).

Paddle's Tensor records operations as they run and has .backward() and .grad, as in PyTorch.
A tensor takes gradients only with stop_gradient=False (paddle.to_tensor's default is True,
a constant). This adapter maps

    leaf      paddle.to_tensor(a, stop_gradient=False): float64 input stays float64, 0-d
              stays 0-d
    value     the paddle Tensor itself (np.asarray reads it)
    square    paddle.square
    exp       paddle.exp
    grad      x = leaf(x), y = fn(x), then y.backward() or y.backward(paddle.to_tensor(gy)),
              and x.grad; with no gradient given, Paddle seeds ones shaped like y itself, for
              any shape
    grads     the same with a leaf per input, then each one's .grad (None for an input y does
              not use)
    add, mul, sub, div, neg, pow
              paddle.add, multiply, subtract, divide, neg and pow
    Variable  Variable(data, name=None) is paddle.to_tensor(data, stop_gradient=False), as
              leaf; a name given is set as the tensor's documented, writable .name (to_tensor
              takes no name; without one Paddle generates one, "generated_tensor_0")
    grad_of   v.grad (a Tensor, or None before backward)
    cleargrad v.clear_gradient(False): Tensor.clear_gradient(set_to_zero=True) is Paddle's
              own reset, and set_to_zero=False is its documented way to set the grad to None
              as the book's cleargrad() does; its alias clear_grad() takes no argument and
              sets the grad to zeros
    no_grad   paddle.no_grad (a class; an instance is the context manager)
    creator_of
              v.grad_fn, the grad node that made v (None for a result computed under
              paddle.no_grad(); a leaf has a GradNodeAccumulation, not None)
    as_array  paddle.asarray, Paddle's conversion to its array type: it builds a new Tensor
              from a scalar, list, tuple, ndarray or Tensor (a Tensor is copied too)
    sin, cos, tanh
              paddle.sin, cos and tanh
    gradient  paddle.grad(y, x, grad_outputs, create_graph=True)[0] for y = fn(x): Paddle's
              documented double backprop ("create_graph ... When it is True, higher order
              derivatives are supported to compute"); with grad_outputs None Paddle seeds
              "Tensors filled with 1" shaped like y itself, for any shape. The gradient is a
              Tensor with a grad node of its own, which the adapter's grad (y.backward()) or
              another gradient differentiates again
    backward, grad_variable
              v.backward(...) with each keyword given passed on as named (the book's
              retain_grad and create_graph; Paddle's Tensor.backward(grad_tensor=None,
              retain_graph=False) takes neither and refuses both with its own TypeError, see
              retain_grad and create_graph), and v.grad: the names C1 probes the absences with

Expected failures (conformance/expected/paddle.txt): Tensor.data is a Tensor (S1, S14), a given
output gradient takes the output's dtype (S11: 2.5 for an int64 y is truncated to 2),
to_tensor accepts Python scalars, lists and numpy scalars (S12), asarray builds Tensors from
ndarrays and lists instead of passing them through (S13), a Tensor's default name, shape,
size, dtype and repr are Paddle's own (S27); S9 and S19 are engine defects, and so is S41:
paddle.grad(create_graph=True) takes sin and cos to their third derivative only (the op
sin_triple_grad "doesn't have any grad op").

Why each ABSENT entry holds is its value below.
"""
import paddle

NAME = "paddle"
ABSENT = {
    "retains_grads": "non-leaf tensors keep .grad only after .retain_grads()",
    "function_classes": "operations are functions; a paddle.autograd.PyLayer (alias Function) "
                        "has static forward(ctx, ...) and backward(ctx, ...) and is applied "
                        "with .apply, never instantiated and called; there is no Square or Exp "
                        "class",
    "graph_links": "grad nodes (grad_fn) link to the next nodes (next_functions), not to their "
                   "input and output tensors",
    "numerical_diff": "Paddle has no numerical differentiation (paddle.autograd has jacobian "
                      "and hessian, both by autodiff)",
    "retain_grad": "backward() has no switch that keeps every grad: a non-leaf keeps .grad only "
                   "after .retain_grads() on that tensor (retain_graph keeps the graph)",
    "config": "grad mode is a flag (paddle.is_grad_enabled, paddle.set_grad_enabled), not a "
              "Config object with settings read and set by name (paddle.set_flags has no "
              "backprop setting)",
    "create_graph": "Tensor.backward(grad_tensor=None, retain_graph=False) has no create_graph "
                    "(TypeError: ...backward() got an unexpected keyword argument "
                    "'create_graph'): .grad never holds a gradient with a graph; higher "
                    "derivatives come from paddle.grad(..., create_graph=True), which returns "
                    "them (see gradient)",
}


def version():
    return paddle.__version__


def leaf(a):
    return paddle.to_tensor(a, stop_gradient=False)


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
no_grad = paddle.no_grad
as_array = paddle.asarray
sin = paddle.sin
cos = paddle.cos
tanh = paddle.tanh


def Variable(data, name=None):  # noqa: N802 (the protocol's name)
    t = paddle.to_tensor(data, stop_gradient=False)
    if name is not None:
        t.name = name
    return t


def grad_of(v):
    return v.grad


def cleargrad(v):
    v.clear_gradient(False)  # set_to_zero=False (the parameter is positional-only)


def creator_of(v):
    return v.grad_fn


def grad(fn, x, gy=None):
    x = leaf(x)
    y = fn(x)
    y.backward(None if gy is None else paddle.to_tensor(gy))
    return y, x.grad


def grads(fn, xs, gy=None):
    leaves = [leaf(x) for x in xs]
    y = fn(*leaves)
    y.backward(None if gy is None else paddle.to_tensor(gy))
    return y, [t.grad for t in leaves]


def backward(v, retain_grad=None, create_graph=None):
    options = {name: flag for name, flag in (("retain_grad", retain_grad),
                                             ("create_graph", create_graph)) if flag is not None}
    v.backward(**options)


def grad_variable(v):
    return v.grad


def gradient(fn, gy=None):
    def dfn(x):
        y = fn(x)
        return paddle.grad(y, x, None if gy is None else paddle.to_tensor(gy),
                           create_graph=True)[0]
    return dfn
