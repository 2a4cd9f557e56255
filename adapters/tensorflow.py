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
    sin, cos, tanh
              tf.math.sin, cos and tanh
    gradient  nested tapes, TensorFlow's way to higher-order gradients (tf.GradientTape's
              docstring: "GradientTapes can be nested to compute higher-order derivatives"):
              gradient(fn, gy)(x) runs y = fn(x) on a tape of its own that watches x, then
              tape.gradient(y, x, output_gradients=gy), ones for any shape of y when gy is
              None. It is called inside the tape of the adapter's grad (or of an enclosing
              gradient), which watches the same x and so records the gradient computation:
              the outer tape differentiates the returned tensor again

Stage 4:
    reshape   tf.reshape
    transpose tf.transpose(v, perm=axes): perm None reverses the axes, as the book's
    sum       tf.math.reduce_sum(v, axis=axis, keepdims=keepdims), TensorFlow's sum
    matmul    tf.linalg.matmul
    set_value v.assign(a), tf.Variable's in-place write, which a leaf (an immutable tf.Tensor)
              does not have: defined so that C1 can probe the absence of assign
The rest is absent, each for the reason in ABSENT: a tf.Tensor has no reshape, transpose, T or
sum methods, TensorFlow has no sum_to, and its mean squared error, Dense layers, models and
optimizers are Keras's (tf.keras is Keras 3, a separate multi-backend package that TensorFlow
installs; it computes float64 input in its float32 floatx) over tf.Variables that hold no
gradient (see variable).

Why each ABSENT entry holds is its value below: each names what TensorFlow lacks.

Present, and different by design (conformance/expected/tensorflow.txt):
    integers  TensorFlow computes on integer tensors (square of int 3 is 9), but a
              GradientTape differentiates floating-point sources only: the gradient for an
              int64 source is None, with the warning "The dtype of the watched tensor must be
              floating (e.g. tf.float32), got tf.int64" (S19)
"""
import tensorflow as tf

NAME = "tensorflow"
ABSENT = {
    "variable": "TensorFlow has no Variable that holds its gradient: tf.Variable is a mutable "
                "tensor with no .grad or .backward(); gradients come from a GradientTape",
    "type_check": "there is no Variable (see variable) whose constructor could reject "
                  "non-arrays",
    "retains_grads": "tensors hold no gradients: tape.gradient returns them",
    "function_classes": "operations are functions (tf.math.square); tf.custom_gradient "
                        "decorates functions, there are no Function classes",
    "graph_links": "the tape's recording is internal: tensors expose no creator links",
    "as_array": "TensorFlow has no as_array: its conversions (tf.convert_to_tensor) make "
                "tensors, not numpy arrays",
    "numerical_diff": "TensorFlow has no numerical derivative of f at x: its finite differences "
                      "are only inside the gradient checker tf.test.compute_gradient(f, [x]), "
                      "which returns whole Jacobians, theoretical and numerical",
    "cleargrad": "there is no Variable holding a gradient to reset: tape.gradient returns them",
    "retain_grad": "there is no Variable and no backward(): tape.gradient returns the gradients "
                   "of the sources asked for and stores none",
    "no_grad": "there is no graph-building mode to switch off (only a GradientTape records, "
               "and tape.stop_recording() pauses that tape), and tensors have no creator "
               "links to show that nothing was recorded",
    "config": "tf.config configures devices and threads, with no enable_backprop, and there is "
              "no using_config",
    "array_like": "there is no Variable (see variable) to carry a name and the array's "
                  "attributes (tf.Variable(a, name='v') is named 'v:0', with no .ndim or "
                  "len())",
    "create_graph": "there is no Variable and no backward() to pass create_graph to: "
                    "tape.gradient returns the gradient, and an enclosing tape records its "
                    "computation (nested tapes, see gradient)",
    "tensor_methods": "a tf.Tensor has no reshape, transpose, T or sum methods (tf.reshape, "
                      "tf.transpose and tf.reduce_sum are functions), and there is no Variable "
                      "(see variable)",
    "broadcast": "TensorFlow has tf.broadcast_to but no sum_to: summing a gradient back to an "
                 "operand's shape is internal to its gradient functions",
    "mse": "TensorFlow itself has no mean squared error: tf.keras.losses is Keras 3, a "
           "separate multi-backend package (which computes in its float32 floatx)",
    "assign": "a leaf is a tf.Tensor, immutable (no assign, no item assignment); only a "
              "tf.Variable, TF's mutable state, takes assign, and it holds no gradient (see "
              "variable)",
    "linear": "TensorFlow has no linear function in its TF 2 API (tf.compat.v1.nn.xw_plus_b is "
              "TF 1's; Dense layers are Keras's): x W + b is written with tf.linalg.matmul",
    "layers": "no Layer with Parameters that hold their gradients: tf.Module tracks tf.Variables, "
              "whose gradients a GradientTape returns (nothing to clear, see variable); Dense "
              "layers are Keras's, a separate package",
    "models": "no Model class of TensorFlow's own and no MLP (keras.Model and keras.Sequential "
              "are Keras's; see layers)",
    "optimizers": "TensorFlow has no optimizers of its own (tf.keras.optimizers is Keras's), and "
                  "they apply the gradients given to them (apply_gradients(grads_and_vars)): a "
                  "tf.Variable holds no gradient for update() to read (see variable)",
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
sin = tf.math.sin
cos = tf.math.cos
tanh = tf.math.tanh
reshape = tf.reshape
matmul = tf.linalg.matmul


def transpose(v, axes=None):
    return tf.transpose(v, perm=axes)


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return tf.math.reduce_sum(v, axis=axis, keepdims=keepdims)


def set_value(v, a):
    """tf.Variable's assign, which a leaf lacks (C1 probes the absence of assign with it)."""
    v.assign(a)


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


def gradient(fn, gy=None):
    def dfn(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return tape.gradient(y, x, output_gradients=None if gy is None
                             else tf.convert_to_tensor(gy))
    return dfn
