"""MLX (mlx.core on its CPU device; on Linux it needs the extra `mlx[cpu]`).

MLX is functional and lazy, like JAX: arrays are values, gradients are function transforms,
and work runs when data is read. This adapter maps

    leaf      mlx.core.array(a), MLX's own conversion (it turns float64 input into float32)
    value     the mlx array itself (np.asarray evaluates and reads it)
    square    mlx.core.square
    exp       mlx.core.exp
    grad      gy None: mlx.core.value_and_grad(fn), MLX's own seed of 1 for a scalar output;
              gy given: mlx.core.vjp(fn, [x], [gy]), gy converted by mlx.core.array too
    grads     the same over every argument: value_and_grad(fn, argnums=[0, ..., n-1]) or
              mlx.core.vjp(fn, xs, [gy]); an input fn does not use gets zeros, as MLX gives
              (for one argnum MLX returns the gradient alone, not in a tuple)
    add, mul, sub, div, neg, pow
              mlx.core.add, multiply, subtract, divide, negative and power

Why each ABSENT entry holds is its value below. float64 is absent, so the suite compares
exp-derived values with float32 tolerances.
"""
import mlx.core as mx

NAME = "mlx"
ABSENT = {
    "float64": "mx.array converts float64 input to float32, and even an explicit float64 "
               "array (CPU only) gets exp at float32 accuracy: 3e8 float64 ulp measured",
    "implicit_seed": "mx.grad seeds only scalar outputs (ValueError otherwise); a non-scalar "
                     "output needs its cotangent given to mx.vjp",
    "variable": "functional: an mlx array is a value with no .grad or .backward()",
    "type_check": "there is no Variable class to reject non-arrays",
    "retains_grads": "there are no Variable objects to keep intermediate gradients on",
    "function_classes": "operations are plain functions (mx.square, mx.exp), not Function "
                        "classes with forward/backward",
    "graph_links": "no creator/input/output links are exposed on arrays",
    "as_array": "MLX has no as_array",
    "numerical_diff": "MLX has no numerical_diff",
    "cleargrad": "there is no Variable holding a gradient to reset",
    "retain_grad": "there is no Variable and no backward(): a transform returns the gradients "
                   "it was asked for and keeps none",
    "no_grad": "nothing is recorded outside a transform, so there is no graph to switch off "
               "(mx.stop_gradient cuts one value, not a mode)",
    "config": "MLX has no Config with enable_backprop and no using_config",
    "array_like": "there is no Variable: an mlx array has .shape, .ndim, .size, .dtype and len() "
                  "but takes no name, its dtype is an mlx Dtype and its repr is array(...)",
}


def version():
    return mx.__version__


def leaf(a):
    return mx.array(a)


def value(v):
    return v


square = mx.square
exp = mx.exp
add = mx.add
mul = mx.multiply
sub = mx.subtract
div = mx.divide
neg = mx.negative
pow = mx.power  # noqa: A001 (the protocol's name; shadows the builtin here only)


def grad(fn, x, gy=None):
    if gy is None:
        return mx.value_and_grad(fn)(mx.array(x))
    (y,), (gx,) = mx.vjp(fn, [mx.array(x)], [mx.array(gy)])
    return y, gx


def grads(fn, xs, gy=None):
    args = [mx.array(x) for x in xs]
    if gy is None:
        y, gxs = mx.value_and_grad(fn, argnums=list(range(len(args))))(*args)
        return y, list(gxs) if len(args) > 1 else [gxs]  # one argnum: MLX gives it bare
    (y,), gxs = mx.vjp(fn, args, [mx.array(gy)])
    return y, list(gxs)
