"""tinygrad (its CPU device, which compiles kernels with clang).

tinygrad's Tensor is lazy: operations build a graph of UOps that runs when data is read. Its
README teaches the PyTorch-like path: make Tensors, call y.backward(), read x.grad. This
adapter maps

    leaf, Variable  tinygrad.Tensor(a): a float64 ndarray stays float64 (dtypes.double)
    value           Tensor.numpy(), which realizes the graph and reads its data
    square, exp     Tensor.square, Tensor.exp
    grad            y.backward() (y.backward(Tensor(gy)) when gy is given), then x.grad
    grads           the same, then each input's .grad
    grad_of         v.grad as an ndarray (None while it is None)
    cleargrad       v.grad = None, tinygrad's own reset (its Optimizer.zero_grad does that)
    add, mul, sub, div, neg, pow
                    Tensor.add, Tensor.mul, Tensor.sub, Tensor.div, Tensor.neg, Tensor.pow
    sin, cos, tanh  Tensor.sin, Tensor.cos, Tensor.tanh
    gradient        the same path, twice: y.backward() (y.backward(Tensor(gy)) when gy is
                    given, Tensor.ones_like(y) for a non-0-d y when it is not, since backward()
                    seeds only a 0-d output), then x.grad, cleared from x. tinygrad has no
                    create_graph switch because it needs none: a gradient is a lazy Tensor, a
                    UOp graph built from the forward's UOps, so its own backward() gives the
                    second derivative

Stage 4 (tinygrad's Tensor methods, as its docs teach them):
    reshape         Tensor.reshape
    transpose       Tensor.permute(order), the axes reversed when none are given (tinygrad's
                    own transpose(dim0=1, dim1=0) swaps two dims, so a Tensor has the book's
                    methods in tinygrad's form: tensor_methods is present)
    sum             Tensor.sum(axis=axis, keepdim=keepdims) (tinygrad's keepdim, no s)
    matmul          Tensor.matmul
    linear, sigmoid Tensor.linear(weight, bias) (x.dot(weight) + bias, weight (in, out) as the
                    book's; nn.Linear keeps its weight (out, in) and passes weight.T) and
                    Tensor.sigmoid
    set_value       Tensor.assign(Tensor(a)), tinygrad's in-place write (its optimizers
                    update parameters with assign)
Absent, each for the reason in ABSENT: sum_to (so broadcast), a mean squared error, and
layers, models and optimizers as the protocol has them.

What this path shows (conformance/expected/tinygrad.txt): tinygrad turns a 0-d ndarray into a
constant with no device, and backward() fills .grad only for tensors with a device, so a 0-d
leaf's .grad stays None: the contract's scalar inputs get no gradient. (Tensor.gradient(x)
would return one, but it is not the path the README teaches, and the kit uses none other.)
The same holds for higher derivatives of a 0-d input: the first gradient is already None.

backward(v, **options) passes the options on to Tensor.backward and grad_variable(v) is
v.grad, so that C1 can probe retain_grad and create_graph, which tinygrad refuses.

On a machine where tinygrad finds no device (its CPU device needs clang), importing this
adapter stops the run with one line saying so.

Why each ABSENT entry holds is its value below.
"""
from tinygrad import Device, Tensor

from dezero_conformance import adapters

try:
    Device.DEFAULT  # noqa: B018 (reading it makes tinygrad find a device, or raise RuntimeError)
except RuntimeError as exc:
    raise adapters.EngineUnavailable(
        f"tinygrad found no usable device ({exc}); its CPU device compiles kernels with clang: "
        f"install it (`apt-get install -y clang`) and run again") from None

NAME = "tinygrad"
ABSENT = {
    "array_operands": ("a Tensor takes no ndarray operands: Tensor * ndarray raises "
                       "RuntimeError (Could not infer dtype), and ndarray * Tensor is "
                       "numpy's own product, an ndarray"),
    "integers": "only float Tensors have gradients (RuntimeError for an integer leaf)",
    "implicit_seed": "backward() with no gradient seeds only a 0-d output (it asserts "
                     "otherwise); any other output needs gradient= given",
    "function_classes": "operations are Tensor methods lowered to UOps with pattern-matched "
                        "derivatives, not Function classes with forward/backward on arrays",
    "graph_links": "no creator/input/output links: the graph is made of UOps, not Functions",
    "as_array": "tinygrad has no as_array",
    "numerical_diff": "tinygrad has no numerical_diff",
    "retain_grad": "backward(gradient) has no switch: it fills .grad of every float tensor in "
                   "the graph that has a device, intermediates included",
    "no_grad": "every operation builds UOps, which are the computation itself (it is lazy): "
               "there is no mode that builds none",
    "config": "tinygrad.Context sets context variables (DEBUG, BEAM, ...), none of them "
              "enable_backprop; there is no Config class",
    "array_like": "a Tensor takes no name, its dtype is a tinygrad DType and its repr is "
                  "<Tensor ...> (tinygrad.Variable is a symbolic size, not a value box)",
    "retains_grads": "backward() fills the intermediates' .grad too, but the contract from "
                     "step 18 asks for backward(retain_grad=True), which tinygrad lacks "
                     "(see retain_grad)",
    "create_graph": ("Tensor.backward(gradient) has no create_graph switch (TypeError: "
                     "Tensor.backward() got an unexpected keyword argument 'create_graph'), and a "
                     "Tensor has no creator to say whether its gradient has a graph: every "
                     "gradient is a lazy UOp graph, always differentiable (see higher_order)"),
    "broadcast": "tinygrad has expand (broadcast_to) but no sum_to: summing a gradient back to "
                 "an operand's shape is internal to its derivative rules",
    "mse": "tinygrad has no mean squared error (its Tensor losses: binary and sparse "
           "categorical cross-entropy, cross_entropy, nll_loss)",
    "layers": "tinygrad has no Layer base class and no Parameter: a model is any Python "
              "object, nn.state.get_parameters(obj) collects every Tensor reachable from its "
              "attributes (none is registered, a parameter is any tensor), and nn.Linear(in, "
              "out) needs in_features",
    "models": "tinygrad has no Model class and no MLP: a model is any Python object (see "
              "layers)",
    "optimizers": "the protocol's optimizer is set up on a Layer, which tinygrad lacks (see "
                  "layers): nn.optim.SGD(params, lr, momentum) takes a list of tensors at "
                  "construction, and has no hooks",
}

def version():
    from importlib.metadata import version as dist_version
    return dist_version("tinygrad")


def leaf(a):
    return Tensor(a)


def Variable(data, **keywords):  # noqa: N802 (the protocol's name; keywords go to Tensor)
    return Tensor(data, **keywords)


def value(v):
    return v.numpy()


def grad_of(v):
    return None if v.grad is None else v.grad.numpy()


def cleargrad(v):
    v.grad = None


square = Tensor.square
exp = Tensor.exp
add = Tensor.add
mul = Tensor.mul
sub = Tensor.sub
div = Tensor.div
neg = Tensor.neg
pow = Tensor.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)
sin = Tensor.sin
cos = Tensor.cos
tanh = Tensor.tanh
reshape = Tensor.reshape
matmul = Tensor.matmul
linear = Tensor.linear
sigmoid = Tensor.sigmoid


def transpose(v, axes=None):
    return v.permute(tuple(reversed(range(v.ndim))) if axes is None else axes)


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return v.sum(axis=axis, keepdim=keepdims)


def set_value(v, a):
    v.assign(Tensor(a))


def grad(fn, x, gy=None):
    y, (gx,) = grads(fn, [x], gy)
    return y, gx


def grads(fn, xs, gy=None):
    leaves = [Tensor(x) for x in xs]
    y = fn(*leaves)
    y.backward(None if gy is None else Tensor(gy))
    return y.numpy(), [grad_of(t) for t in leaves]


def backward(v, retain_grad=None, create_graph=None):
    """Tensor.backward with the options given passed on (tinygrad refuses both)."""
    options = {k: o for k, o in (("retain_grad", retain_grad), ("create_graph", create_graph))
               if o is not None}
    v.backward(**options)


def grad_variable(v):
    return v.grad


def gradient(fn, gy=None):
    """y.backward() and x.grad, as grad does; x.grad is a lazy Tensor with a graph of its own."""
    def dfn(x):
        x.grad = None
        y = fn(x)
        seed = Tensor(gy) if gy is not None else None if y.shape == () else Tensor.ones_like(y)
        y.backward(seed)
        gx = x.grad
        x.grad = None
        return gx
    return dfn
