"""JAX (jax + jaxlib, CPU), in float64.

JAX is functional: arrays are immutable values, and a gradient is a transformation of a
function, not a method of an object. So this adapter maps

    leaf      jax.numpy.asarray (x64 on, so float64 input stays float64)
    value     the jax Array itself (np.asarray reads it)
    square    jax.numpy.square
    exp       jax.numpy.exp
    grad      gy None: jax.value_and_grad(fn), JAX's own seed of 1 for a scalar output;
              gy given: jax.vjp(fn, x), whose pullback takes gy as the output's cotangent
    grads     the same over every argument: value_and_grad(fn, argnums=(0, ..., n-1)) or
              jax.vjp(fn, *xs); an input fn does not use gets zeros, as JAX gives
    add, mul, sub, div, neg, pow
              jax.numpy.add, multiply, subtract, divide, negative and power
    sin, cos, tanh
              jax.numpy.sin, cos and tanh
    gradient  JAX's own nesting of transformations: x -> the pullback of jax.vjp(fn, x)
              applied to gy, or with gy None to jnp.ones_like(y) (what jax.grad gives a
              scalar output, and the cotangent JAX asks to be given for any other shape). It
              is a function of jax Arrays that grad and vjp transform again (jax.grad(
              jax.grad(f)), the higher-order derivatives its docs teach).

Stage 4: reshape is jax.numpy.reshape, transpose jax.numpy.transpose (axes None reverses
them, as numpy's), sum(v, axis, keepdims) jax.numpy.sum, matmul jax.numpy.matmul. A jax
Array, and the tracer that stands for it inside a transform, has numpy's methods (reshape,
transpose, T, sum), so tensor_methods is present: the clauses call them on the values. JAX's
operators broadcast as numpy's, and their vjps sum a gradient back to each operand's shape,
but JAX has no sum_to, so the broadcast capability (broadcast_to and sum_to, each the other's
backward) is absent, and so are the rest of stage 4, each for the reason in ABSENT: JAX itself
has no loss functions, no linear function, no layers, models or optimizers (flax and optax are
other libraries, built on JAX), and its arrays are immutable. set_value(v, a) is the in-place
write `v[...] = a` that JAX refuses with its own TypeError ("JAX arrays are immutable"),
defined so that C1 can probe the absence of assign.

Importing this module turns on `jax_enable_x64`, JAX's documented switch for 64-bit types;
without it JAX computes float64 input in float32.

Why each ABSENT entry holds is its value below; every one is about JAX's design, not a
defect. The DeZero-API clauses (S1-S3, S7, S10, S12-S14; from stage 3, S36 and the book's
Variable form in S43) are skipped with those reasons.
"""
import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (after the x64 switch, which must come first)

NAME = "jax"
ABSENT = {
    "integers": "grad and vjp differentiate floating-point inputs only (TypeError: grad "
                "requires real- or complex-valued inputs)",
    "implicit_seed": "jax.grad seeds only scalar outputs (TypeError otherwise); a non-scalar "
                     "output needs its cotangent passed to the vjp pullback",
    "variable": "functional: a jax Array is an immutable value with no .grad or .backward()",
    "type_check": "there is no Variable class to reject non-arrays",
    "retains_grads": "there are no Variable objects to keep intermediate gradients on",
    "function_classes": "operations are plain functions (jnp.square, jnp.exp), not Function "
                        "classes with forward/backward",
    "graph_links": "no graph objects: vjp traces the function into a closed pullback",
    "as_array": "JAX has no as_array (jnp.asarray always builds a jax Array)",
    "numerical_diff": "JAX has no numerical_diff (jax.test_util.check_grads is a checker "
                      "that returns nothing)",
    "cleargrad": "there is no Variable holding a gradient to reset",
    "retain_grad": "there is no Variable and no backward(): a transform returns the gradients "
                   "it was asked for and keeps none",
    "no_grad": "nothing is recorded outside a transform, so there is no graph to switch off "
               "(lax.stop_gradient cuts one value, not a mode)",
    "config": "jax.config holds flags such as jax_enable_x64, none of them enable_backprop, and "
              "there is no using_config",
    "array_like": "there is no Variable: a jax Array has .shape, .ndim, .size, .dtype and len() "
                  "but takes no name and its repr is Array(...)",
    "create_graph": "there is no Variable and no backward(): a gradient is the value a "
                    "transform returns, differentiable again by transforming the transform "
                    "(jax.grad(jax.grad(f))), never a .grad with a graph of its own",
    "broadcast": "JAX has jnp.broadcast_to but no sum_to: summing a gradient back to an "
                 "operand's shape happens inside its vjps, with no function of its own",
    "mse": "JAX has no loss functions (jax.nn holds activations; losses are optax's, another "
           "library)",
    "assign": "JAX arrays are immutable: x[...] = a raises TypeError, x.at[...].set(a) returns "
              "a new array; there is no leaf whose data can be replaced in place",
    "linear": "JAX has no linear function (x W + b is written with jnp.matmul; Dense layers are "
              "flax's, another library)",
    "layers": "functional: JAX has no Layer objects or Parameters (flax and equinox, other "
              "libraries, add them); parameters are arrays passed to functions",
    "models": "functional: JAX has no Model class and no MLP (see layers)",
    "optimizers": "functional: JAX has no optimizer objects (optax, another library, has "
                  "them, as pure update functions); a step is written as params - lr * grads",
}


def version():
    import jaxlib
    return f"{jax.__version__} (jaxlib {jaxlib.__version__})"


def leaf(a):
    return jnp.asarray(a)


def value(v):
    return v


square = jnp.square
exp = jnp.exp
add = jnp.add
mul = jnp.multiply
sub = jnp.subtract
div = jnp.divide
neg = jnp.negative
pow = jnp.power  # noqa: A001 (the protocol's name; shadows the builtin here only)
sin = jnp.sin
cos = jnp.cos
tanh = jnp.tanh
reshape = jnp.reshape
transpose = jnp.transpose
matmul = jnp.matmul


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return jnp.sum(v, axis=axis, keepdims=keepdims)


def set_value(v, a):
    """The in-place write JAX refuses (C1 probes the absence of assign with it)."""
    v[...] = a


def grad(fn, x, gy=None):
    if gy is None:
        return jax.value_and_grad(fn)(jnp.asarray(x))
    y, pullback = jax.vjp(fn, jnp.asarray(x))
    (gx,) = pullback(jnp.asarray(gy))
    return y, gx


def grads(fn, xs, gy=None):
    args = [jnp.asarray(x) for x in xs]
    if gy is None:
        y, gxs = jax.value_and_grad(fn, argnums=tuple(range(len(args))))(*args)
        return y, list(gxs)
    y, pullback = jax.vjp(fn, *args)
    return y, list(pullback(jnp.asarray(gy)))


def gradient(fn, gy=None):
    def dfn(x):
        y, pullback = jax.vjp(fn, x)
        (gx,) = pullback(jnp.ones_like(y) if gy is None else jnp.asarray(gy))
        return gx
    return dfn
