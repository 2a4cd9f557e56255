"""Chainer (PyPI `chainer`), define-by-run, on the CPU (numpy arrays).

Mapped: Variable is chainer.Variable (it keeps the very array given and raises TypeError on
anything but an array or None); square and exp are chainer.functions.square and .exp; a preset
output gradient is set as y.grad, as in the book.

Stage 2: add is chainer.functions.add; mul, sub, div, neg and pow are Variable's own operators
(* - / unary - **), as Chainer documents them (it has no public mul or sub functions); grads
makes a Variable per input as grad does; backward(v, retain_grad) is
Variable.backward(retain_grad=...), the switch DeZero took from Chainer, and cleargrad is
Variable.cleargrad(), as in DeZero. Config is chainer.config, Chainer's thread-local
configuration (enable_backprop reads the current setting), using_config is chainer.using_config
and no_grad is chainer.no_backprop_mode(): the book's Config, using_config and no_grad are
modelled on these, and they are the same concept. creator_of(v) is Variable.creator, the
FunctionNode that made v (None for a leaf and under no_backprop_mode), which is all no_grad and
config need. Variable takes name= (keyword only) and has .name, .shape, .ndim, .size, .dtype
and len(); its repr is Chainer's own `variable(...)`, written with numpy's repr (commas) and
the name when set.

Stage 3: sin, cos and tanh are chainer.functions.sin, cos and tanh. Double backprop is
Chainer's enable_double_backprop, the switch the book's create_graph is modelled on:
backward(v, retain_grad, create_graph) is Variable.backward(retain_grad=...,
enable_double_backprop=...), and grad_variable(v) is Variable.grad_var, the gradient as the
Variable Chainer holds (.grad is its array). gradient(fn, gy) is chainer.grad([y], [x],
grad_outputs, enable_double_backprop=True), Chainer's function for a gradient as a Variable
(it leaves x.grad_var alone); with gy None its grad_outputs is None, which chainer.grad fills
with ones for an output of any shape ("If an element is set to None, an array filled with 1
is used"), gy otherwise as a Variable.

Stage 4: reshape, transpose, sum, broadcast_to, sum_to, matmul, mean_squared_error, linear
and sigmoid are chainer.functions' own (the book's F.* are modelled on them). Chainer's
mean_squared_error divides by the number of elements, the book's by the rows (len). A
Variable has reshape, transpose and T, and no sum method (tensor_methods is present: the
clauses' x.sum fails, a difference). linear(x, W, b) is F.linear(x, W.T, b): Chainer's linear
function takes its W as (out, in) (y = x W^T + b), the protocol's W is (in, out), and Chainer
has no fused op that takes that layout (F.matmul and an addition are two); W.T is
F.transpose, a node whose backward transposes the gradient exactly, so x W + b and its
gradients are those of the book. set_value(v, a) is `v.array[...] = a`, an in-place write of
the array outside any graph, as Chainer's own optimizers update parameters.

Layers are Chainer's Links: Parameter(data) is chainer.Parameter(data) (an array is its
initial value), Layer is chainer.Chain (the Link that holds Parameters and Links; Chainer
registers them only when they are assigned inside `with self.init_scope():`, so a Layer
written as the book writes one, attributes assigned in __init__, registers nothing: the
clauses show that difference), Linear(out_size, nobias) is L.Linear(None, out_size,
nobias=nobias): in_size None makes W on the first call, from x.shape[1], as the book's. W is
made in Chainer's default dtype (config.dtype, float32) by LeCun-normal initialization (scale
sqrt(1/in)), b zeros. params(layer) is list(layer.params()), cleargrads(layer)
layer.cleargrads(); weights(linear) reads W.array (stored (out, in): returned transposed)
and b.array, None for W before the first call or b with nobias; set_weights writes them with
`.array[...] =`, W transposed. Model is chainer.Chain too (Chainer's models are Chains).
chainer.Sequential holds Links and plain functions alike, so MLP(sizes, activation) is
chainer.Sequential(L.Linear(None, s0), activation, L.Linear(None, s1), ...) (Chainer has no
MLP class; its examples write one as a Chain); activation None is F.sigmoid, the book's (a
Sequential has no default). mlp_layers(model) is the model's L.Linear links in order.

register(layer, name, value) (the protocol's optional way to attach a Parameter or Layer
as the engine ordinarily does, used by the clauses after S57) assigns it inside `with
layer.init_scope():`, Chainer's documented way.

Optimizers are chainer.optimizers.SGD and MomentumSGD themselves (the book's are modelled on
them: setup(link) returns the optimizer, update() steps, momentum v = mu v - lr g, p += v). A
hook added by add_hook(f) is called with the optimizer (hook(optimizer)), not with the list of
parameters.

Absent:
- integers: functions accept floating-point arrays only (their type check expects
  x.dtype.kind == 'f'), so integer arrays are neither computed nor differentiated.
- implicit_seed: backward() seeds only one-element outputs; on any other shape it leaves the
  output grad None and the backward pass fails.
- retains_grads: backward(retain_grad=False), the default, drops the grad of every
  intermediate variable and of the output itself.
- function_classes: operations are FunctionNodes applied with .apply((x,)), which returns a
  tuple; they are not called on a Variable.
- graph_links: a FunctionNode links to VariableNodes, not to the Variables themselves: a
  Variable's creator is there (creator_of), but no input_of or output_of gives Variables.
- as_array: utils.force_array is not as_array (it leaves Python scalars alone).
- numerical_diff: gradient_check.numerical_grad(f, inputs, grad_outputs, eps=1e-3) has another
  signature and default eps.

Install (Python 3.9-3.11): chainer imports numpy.distutils, which needs numpy<2, Python < 3.12
and setuptools<74 (74 dropped distutils.msvccompiler); then `pip install --no-build-isolation
chainer==7.8.1` (its setup.py needs the environment's setuptools).
"""
import operator

import chainer as _chainer
import chainer.functions as F
import chainer.links as L

NAME = "chainer"
ABSENT = {
    "integers": "functions accept floating-point arrays only (type check: x.dtype.kind == 'f')",
    "implicit_seed": "backward() seeds only one-element outputs; other shapes need y.grad set",
    "retains_grads": "backward(retain_grad=False), the default, drops the grads of the "
                     "intermediate variables and of the output",
    "function_classes": "FunctionNodes are applied with .apply((x,)) returning a tuple, not "
                        "called on a Variable",
    "graph_links": "a FunctionNode links to VariableNodes, not to the Variables",
    "as_array": "chainer has no as_array (utils.force_array differs)",
    "numerical_diff": "gradient_check.numerical_grad(f, inputs, grad_outputs, eps=1e-3) "
                      "has another signature and default eps",
}

Variable = _chainer.Variable
square = F.square
exp = F.exp
add = F.add
mul = operator.mul
sub = operator.sub
div = operator.truediv
neg = operator.neg
pow = operator.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)
Config = _chainer.config
using_config = _chainer.using_config
no_grad = _chainer.no_backprop_mode
sin = F.sin
cos = F.cos
tanh = F.tanh
reshape = F.reshape
transpose = F.transpose
sum = F.sum  # noqa: A001 (the protocol's name; shadows the builtin here only)
broadcast_to = F.broadcast_to
sum_to = F.sum_to
matmul = F.matmul
mean_squared_error = F.mean_squared_error
sigmoid = F.sigmoid
Parameter = _chainer.Parameter
Layer = _chainer.Chain
Model = _chainer.Chain
SGD = _chainer.optimizers.SGD
MomentumSGD = _chainer.optimizers.MomentumSGD


def version():
    return _chainer.__version__


def leaf(a):
    return Variable(a)


def value(v):
    return v.data


def grad_of(v):
    return v.grad


def cleargrad(v):
    v.cleargrad()


def grad(fn, x, gy=None):
    xv = Variable(x)
    y = fn(xv)
    if gy is not None:
        y.grad = gy
    y.backward()
    return y.data, xv.grad


def grads(fn, xs, gy=None):
    leaves = [Variable(x) for x in xs]
    y = fn(*leaves)
    if gy is not None:
        y.grad = gy
    y.backward()
    return y.data, [v.grad for v in leaves]


def backward(v, retain_grad=None, create_graph=None):
    options = {}
    if retain_grad is not None:
        options["retain_grad"] = retain_grad
    if create_graph is not None:
        options["enable_double_backprop"] = create_graph
    v.backward(**options)


def grad_variable(v):
    return v.grad_var


def gradient(fn, gy=None):
    """chainer.grad with enable_double_backprop=True: dy/dx as a Variable with its graph."""
    def dfn(x):
        y = fn(x)
        gx, = _chainer.grad([y], [x], None if gy is None else [Variable(gy)],
                            enable_double_backprop=True)
        return gx
    return dfn


def creator_of(v):
    return v.creator


def linear(x, W, b=None):  # noqa: N803 (the book's name for the weight)
    return F.linear(x, F.transpose(W), b)


def set_value(v, a):
    v.array[...] = a


def Linear(out_size, nobias=False):  # noqa: N802 (the protocol's name)
    return L.Linear(None, out_size, nobias=nobias)


def register(layer, name, value):
    with layer.init_scope():
        setattr(layer, name, value)


def params(layer):
    return list(layer.params())


def cleargrads(layer):
    layer.cleargrads()


def weights(linear):
    W = linear.W.array  # noqa: N806 (the book's name)
    return None if W is None else W.T, None if linear.b is None else linear.b.array


def set_weights(linear, W, b=None):  # noqa: N803 (the book's name for the weight)
    linear.W.array[...] = W.T
    if b is not None:
        linear.b.array[...] = b


def MLP(sizes, activation=None):  # noqa: N802 (the protocol's name)
    activation = F.sigmoid if activation is None else activation
    layers = []
    for size in sizes:
        if layers:
            layers.append(activation)
        layers.append(L.Linear(None, size))
    return _chainer.Sequential(*layers)


def mlp_layers(model):
    return [link for link in model if isinstance(link, L.Linear)]
