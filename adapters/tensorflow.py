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
}


def version():
    return tf.__version__


def leaf(a):
    return tf.convert_to_tensor(a)


def value(v):
    return v


square = tf.math.square
exp = tf.math.exp


def grad(fn, x, gy=None):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    gx = tape.gradient(y, x, output_gradients=None if gy is None else tf.convert_to_tensor(gy))
    return y, gx
