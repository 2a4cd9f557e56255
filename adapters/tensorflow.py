"""TensorFlow (PyPI `tensorflow-cpu`), eager mode (its default in TF 2).

TensorFlow records operations on a tf.GradientTape and differentiates the recording. This
adapter maps

    leaf      tf.convert_to_tensor(a): float64 input stays float64, 0-d stays 0-d
    value     the EagerTensor itself (np.asarray reads it)
    square    tf.math.square
    exp       tf.math.exp
    grad      a GradientTape that watches x while y = fn(x) runs, then tape.gradient(y, x) or
              tape.gradient(y, x, output_gradients=gy); with no output_gradients TensorFlow
              seeds ones shaped like y itself, for any shape
    grads     the same tape watching every input, then tape.gradient(y, xs): a list, None for an
              input y does not depend on (TensorFlow's default, unconnected_gradients=NONE)
    add, mul, sub, div, neg, pow
              tf.math.add, multiply, subtract, divide, negative and pow

Why each ABSENT entry holds is its value below.
"""
import tensorflow as tf

NAME = "tensorflow"
ABSENT = {
    "integers": "a GradientTape differentiates floating-point sources only: an integer "
                "source's gradient is None",
    "variable": "tf.Variable is a mutable tensor with no .data box, .grad or .backward(); "
                "gradients come from a GradientTape",
    "type_check": "there is no Variable class that rejects non-arrays (tf.Variable and "
                  "tf.constant accept Python scalars and lists by design)",
    "retains_grads": "gradients are returned by tape.gradient, not stored on tensors",
    "function_classes": "operations are functions (tf.math.square); tf.custom_gradient "
                        "decorates functions, there are no Function classes",
    "graph_links": "the tape's recording is internal: tensors expose no creator links",
    "as_array": "TensorFlow has no as_array",
    "numerical_diff": "TensorFlow has no numerical_diff (tf.test.compute_gradient returns "
                      "whole Jacobians, theoretical and numerical, for comparison)",
    "cleargrad": "there is no Variable holding a gradient to reset: tape.gradient returns them",
    "retain_grad": "there is no Variable and no backward(): tape.gradient returns the gradients "
                   "of the sources asked for and stores none",
    "no_grad": "only a GradientTape records (tape.stop_recording() pauses one), and tensors "
               "expose no creator links to show that nothing was recorded",
    "config": "tf.config configures devices and threads, with no enable_backprop, and there is "
              "no using_config",
    "array_like": "there is no Variable with a name: an EagerTensor's dtype is a tf.DType, its "
                  "shape a TensorShape and its repr tf.Tensor(...)",
}


def version():
    return tf.__version__


def leaf(a):
    return tf.convert_to_tensor(a)


def value(v):
    return v


square = tf.math.square
exp = tf.math.exp
add = tf.math.add
mul = tf.math.multiply
sub = tf.math.subtract
div = tf.math.divide
neg = tf.math.negative
pow = tf.math.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)


def grad(fn, x, gy=None):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    gx = tape.gradient(y, x, output_gradients=None if gy is None else tf.convert_to_tensor(gy))
    return y, gx


def grads(fn, xs, gy=None):
    xs = [tf.convert_to_tensor(x) for x in xs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    gxs = tape.gradient(y, xs, output_gradients=None if gy is None else tf.convert_to_tensor(gy))
    return y, gxs
