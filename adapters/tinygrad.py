"""tinygrad (its CPU device, which compiles kernels with clang).

tinygrad's Tensor is lazy: operations build a graph of UOps that runs when data is read. This
adapter maps

    leaf      tinygrad.Tensor(a): a float64 ndarray stays float64 (dtypes.double) on CPU
    value     Tensor.numpy(), which realizes the graph and reads its data
    square    Tensor.square
    exp       Tensor.exp
    grad      y.gradient(x) (gradient=Tensor(gy) when gy is given), tinygrad's own backward
              over the UOp graph, seeded with 1 by tinygrad itself for a 0-d output
    grads     y.gradient(*xs) the same way, one gradient per input (zeros for an input y does
              not use, as tinygrad gives)
    add, mul, sub, div, neg, pow
              Tensor.add, Tensor.mul, Tensor.sub, Tensor.div, Tensor.neg and Tensor.pow

It uses Tensor.gradient, not y.backward() and x.grad: tinygrad turns a 0-d ndarray into a
constant with no device, and backward() fills .grad only for tensors that have a device, so
x.grad stays None for a 0-d x (Tensor.gradient returns it all the same).

Why each ABSENT entry holds is its value below.
- array_operands: a Tensor takes no ndarray operands (make a Tensor of the array first).
"""
from tinygrad import Tensor

NAME = "tinygrad"
ABSENT = {
    "array_operands": ("a Tensor takes no ndarray operands: Tensor * ndarray raises "
                       "RuntimeError (Could not infer dtype), and ndarray * Tensor is "
                       "numpy's own product, an ndarray"),
    "integers": "only float Tensors have gradients (RuntimeError for an integer leaf)",
    "implicit_seed": "Tensor.gradient and Tensor.backward seed only a 0-d output (they assert "
                     "otherwise); any other output needs gradient= given",
    "variable": "Tensor keeps no .data box around the given ndarray (Tensor.data() is a method "
                "returning a memoryview of realized data)",
    "type_check": "there is no Variable class to reject non-arrays",
    "retains_grads": "backward() fills .grad of leaf and intermediate tensors alike, but there "
                     "is no Variable with .data to check it through",
    "function_classes": "operations are Tensor methods lowered to UOps with pattern-matched "
                        "derivatives, not Function classes with forward/backward on arrays",
    "graph_links": "no creator/input/output links: the graph is made of UOps, not Functions",
    "as_array": "tinygrad has no as_array",
    "numerical_diff": "tinygrad has no numerical_diff",
    "cleargrad": "Tensor has no reset method for its .grad, and there is no Variable",
    "retain_grad": "backward(gradient) has no switch: it fills .grad of every float tensor in "
                   "the graph that has a device, intermediates included",
    "no_grad": "every operation builds UOps, which are the computation itself (it is lazy): "
               "there is no mode that builds none",
    "config": "tinygrad.Context sets context variables (DEBUG, BEAM, ...), none of them "
              "enable_backprop; there is no Config class",
    "array_like": "there is no Variable: a Tensor takes no name, its dtype is a tinygrad "
                  "DType and its repr is <Tensor ...> (tinygrad.Variable is a symbolic size)",
}


def version():
    from importlib.metadata import version as dist_version
    return dist_version("tinygrad")


def leaf(a):
    return Tensor(a)


def value(v):
    return v.numpy()


square = Tensor.square
exp = Tensor.exp
add = Tensor.add
mul = Tensor.mul
sub = Tensor.sub
div = Tensor.div
neg = Tensor.neg
pow = Tensor.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)


def grad(fn, x, gy=None):
    x = Tensor(x)
    y = fn(x)
    (gx,) = y.gradient(x, gradient=None if gy is None else Tensor(gy))
    return y.numpy(), gx.numpy()


def grads(fn, xs, gy=None):
    leaves = [Tensor(x) for x in xs]
    y = fn(*leaves)
    gxs = y.gradient(*leaves, gradient=None if gy is None else Tensor(gy))
    return y.numpy(), [g.numpy() for g in gxs]
