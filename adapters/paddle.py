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

Stage 4 (Paddle's own names):
    reshape   paddle.reshape
    transpose paddle.transpose(v, perm): perm is required, so the book's axes None is given as
              the reversed order
    sum       paddle.sum(v, axis=axis, keepdim=keepdims)
    matmul    paddle.matmul
    mean_squared_error
              paddle.nn.functional.mse_loss, its default reduction 'mean', over the elements
              (the book divides by the rows)
    linear, sigmoid
              paddle.nn.functional.linear(x, weight, bias) (weight (in, out), as the book's)
              and paddle.nn.functional.sigmoid
    set_value Tensor.set_value(a), Paddle's own in-place replacement of a tensor's value
    tensor_methods
              present: a Tensor has reshape, transpose(perm), T and sum(axis, keepdim)
    SGD, MomentumSGD
              paddle.optimizer.SGD(learning_rate, parameters) and paddle.optimizer.Momentum(
              learning_rate, momentum, parameters), in a thin object giving them the book's
              calling shape: setup(target) makes the optimizer over target.parameters() (a
              paddle.nn.Layer: Layer and Model below), update() is its step(); lr and
              momentum default to Paddle's own (0.001, 0.9).
              Paddle's optimizers have no hooks: add_hook raises NotImplementedError saying so.
              Momentum is v = mu v + g, p -= lr v
    Absent: broadcast (Paddle has broadcast_to but no sum_to), and layers and models: Paddle
    has no lazy Linear (paddle.nn.Linear(in_features, out_features) refuses to be made
    without its input size, TypeError), where the book's makes W on its first call, in_size
    from the input, and its MLP is made of those. For C1 to probe them, the adapter names
    Paddle's own constructs: Parameter is paddle.create_parameter(shape, dtype,
    default_initializer=Assign(data)), Paddle's documented way to make a parameter of given
    values; Layer and Model are paddle.nn.Layer (it registers Parameters and Layers assigned
    as attributes, not plain tensors); Linear(out_size, nobias) is paddle.nn.Linear(
    out_features=out_size, bias_attr=False with nobias), which Paddle refuses; params and
    cleargrads are layer.parameters() and layer.clear_gradients(False) (None, as the book's);
    weights and set_weights read weight (stored (in, out)) and bias as arrays and set them
    with set_value; MLP is paddle.nn.Sequential(Linear, activation's Layer (nn.Sigmoid for
    F.sigmoid and None, nn.Tanh, nn.ReLU), Linear, ...), the way Paddle's docs build one;
    mlp_layers its nn.Linear layers in order.

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
import paddle.nn.functional as F

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
    "broadcast": "Paddle has broadcast_to (and expand) but no sum_to: summing a gradient back "
                 "to an operand's shape is internal to its grad ops",
    "layers": "Paddle has no lazy Linear: paddle.nn.Linear(in_features, out_features) needs its "
              "input size when made (TypeError without it), where the book's makes W on its "
              "first call from the input",
    "models": "an MLP is made of Linear layers of output sizes only, which Paddle cannot make "
              "(see layers); paddle.nn.Sequential of Linear(in, out) layers needs every input "
              "size",
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
reshape = paddle.reshape
matmul = paddle.matmul
mean_squared_error = F.mse_loss
linear = F.linear
sigmoid = F.sigmoid
Layer = paddle.nn.Layer
Model = paddle.nn.Layer


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


def transpose(v, axes=None):
    return paddle.transpose(v, tuple(reversed(range(v.ndim))) if axes is None else axes)


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return paddle.sum(v, axis=axis, keepdim=keepdims)


def set_value(v, a):
    v.set_value(a)


def Parameter(data):  # noqa: N802 (the protocol's name)
    return paddle.create_parameter(shape=data.shape, dtype=str(data.dtype),
                                   default_initializer=paddle.nn.initializer.Assign(data))


def Linear(out_size, nobias=False):  # noqa: N802 (the protocol's name)
    return paddle.nn.Linear(out_features=out_size, bias_attr=False if nobias else None)


def params(layer):
    return list(layer.parameters())


def cleargrads(layer):
    layer.clear_gradients(False)  # set_to_zero=False: None, as the book's


def weights(linear):
    return (linear.weight.numpy(), None if linear.bias is None else linear.bias.numpy())


def set_weights(linear, W, b=None):  # noqa: N803 (the book's name for the weight)
    linear.weight.set_value(W)
    if b is not None:
        linear.bias.set_value(b)


_ACTIVATIONS = {F.sigmoid: paddle.nn.Sigmoid, F.tanh: paddle.nn.Tanh, F.relu: paddle.nn.ReLU}


def MLP(sizes, activation=None):  # noqa: N802 (the protocol's name)
    if activation is None:
        activation = F.sigmoid  # Paddle has no default activation: the book's
    make = _ACTIVATIONS.get(activation)
    layers = []
    for size in sizes:
        if layers:
            layers.append(make() if make is not None else activation)
        layers.append(Linear(size))
    return paddle.nn.Sequential(*layers)


def mlp_layers(model):
    return [m for m in model if isinstance(m, paddle.nn.Linear)]


class _Optimizer:
    """A paddle.optimizer with the book's setup(target) and update()."""

    def __init__(self, make, **options):
        self.make = make
        self.options = options
        self.optimizer = None

    def setup(self, target):
        self.optimizer = self.make(parameters=target.parameters(), **self.options)
        return self

    def update(self):
        self.optimizer.step()

    def add_hook(self, f):
        raise NotImplementedError("Paddle's optimizers have no hooks")


def SGD(lr=None):  # noqa: N802 (the protocol's name)
    return _Optimizer(paddle.optimizer.SGD, **({} if lr is None else {"learning_rate": lr}))


def MomentumSGD(lr=None, momentum=None):  # noqa: N802 (the protocol's name)
    options = {} if lr is None else {"learning_rate": lr}
    if momentum is not None:
        options["momentum"] = momentum
    return _Optimizer(paddle.optimizer.Momentum, **options)
