"""JAX (jax + jaxlib, CPU), in float64.

JAX is functional: arrays are immutable values, and a gradient is a transformation of a
function, not a method of an object. So this adapter maps

    leaf      jax.numpy.asarray (x64 on, so float64 input stays float64)
    value     the jax Array itself (np.asarray reads it)
    square    jax.numpy.square
    exp       jax.numpy.exp
    grad      gy None: jax.value_and_grad(fn), JAX's own seed of 1 for a scalar output;
              gy given: jax.vjp(fn, x), whose pullback takes gy as the output's cotangent

Importing this module turns on `jax_enable_x64`, JAX's documented switch for 64-bit types;
without it JAX computes float64 input in float32.

Why each ABSENT entry holds is its value below; every one is about JAX's design, not a
defect. The DeZero-API clauses (S1-S3, S7, S10, S12-S14) are skipped with those reasons.
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


def grad(fn, x, gy=None):
    if gy is None:
        return jax.value_and_grad(fn)(jnp.asarray(x))
    y, pullback = jax.vjp(fn, jnp.asarray(x))
    (gx,) = pullback(jnp.asarray(gy))
    return y, gx
