"""PyTorch (PyPI `torch`), on the CPU.

Mapped: leaf(a) is torch.from_numpy(a) with requires_grad set (the tensor shares a's memory,
so a write by the engine would show in S16); square and exp are torch.square and torch.exp;
grad runs y.backward() or y.backward(gy) and reads x.grad. Stage 2: add, mul, sub, div, neg
and pow are torch.add, torch.mul, torch.sub, torch.div, torch.neg and torch.pow; grads makes a
leaf per input as grad does and reads each one's .grad (None for an input y does not use).

Variable: a leaf tensor is torch's variable: it holds data, has .grad (None before backward)
and .backward(). Variable is a class whose instances are torch's Tensors (isinstance(v,
Variable) is isinstance(v, torch.Tensor)), and Variable(data) is built as leaf() is,
torch.from_numpy(data) with requires_grad set, except that an integer or bool array gives a
tensor without it: torch lets only floating-point and complex tensors require gradients
(requires_grad_ raises "only Tensors of floating point dtype can require gradients"), so such a
Variable is a constant. torch.from_numpy takes only an ndarray (TypeError "expected np.ndarray
(got float)" for anything else, None included). grad_of(v) is v.grad.detach().numpy() (it
shares the grad tensor's memory; detach because after backward(create_graph=True) the grad
requires grad and .numpy() refuses it), None while v.grad is None. cleargrad(v) is `v.grad =
None`, the reset torch documents (Optimizer.zero_grad(set_to_none=True) and Module.zero_grad do
just this per tensor); Tensor has no reset method of its own, so the same assignment is the
`cleargrad` capability too. no_grad is torch.no_grad and creator_of(v) is v.grad_fn, the
autograd node that made v (None for a leaf and for a result computed under torch.no_grad()).
as_array is torch.asarray, torch's conversion to its array type: a scalar becomes a 0-d Tensor,
a Tensor comes back as itself, and an ndarray or a list becomes a Tensor too.

Stage 3: sin, cos and tanh are torch.sin, torch.cos and torch.tanh. gradient(fn, gy) is
torch.autograd.grad(y, x, gy, create_graph=True), what torch's autograd docs teach for
higher-order derivatives (its gradient is a tensor with a grad_fn of its own, differentiable
again); gy None passes no grad_outputs for a one-element y, which torch seeds itself, and
torch.ones_like(y) for any other shape, the ones torch asks to be given for a non-scalar
output ("grad can be implicitly created only for scalar outputs"). backward(v, retain_grad,
create_graph) is v.backward(), with create_graph passed on when given, and retain_grad passed
on too: Tensor.backward has no such keyword and refuses it with its own TypeError (see
retain_grad below). grad_variable(v) is v.grad, a Tensor (with a grad_fn after
backward(create_graph=True)).

Stage 4: reshape is torch.reshape, transpose(v, axes) torch.permute(v, axes) (torch's
transpose with an axes order; torch.transpose swaps two dims only), the book's axes None
(reverse them all, numpy's default) given to permute as that reversed order, since permute
takes no default. sum(v, axis, keepdims) is torch.sum(v, dim=axis, keepdim=keepdims) (dim None
sums everything), broadcast_to torch.broadcast_to, sum_to(v, shape) Tensor.sum_to_size(shape)
(torch's own sum of a tensor down to a shape it broadcasts to, as the book's sum_to),
matmul torch.matmul, sigmoid torch.sigmoid. mean_squared_error is
torch.nn.functional.mse_loss with its default reduction 'mean', which divides by the number
of elements where the book divides by the rows (len) (a difference its clause shows).
tensor_methods is present: a Tensor has reshape, transpose, T and sum (sum takes numpy's
axis and keepdims as aliases of dim and keepdim); Tensor.transpose(dim0, dim1) swaps two dims
and takes no axes order nor none (TypeError), a difference, not an absence.
set_value(v, a) is `with torch.no_grad(): v.copy_(torch.from_numpy(a))`, torch's in-place
write to a leaf outside the graph (what its optimizers and load_state_dict do).

linear(x, W, b) is torch.addmm(b, x, W), and torch.matmul(x, W) with no b: the protocol's W is
(in, out), as the book's, and a value the clause differentiates. torch.nn.functional.linear
fixes the other layout, weight (out, in) (y = x W^T + b), so calling it would need W.T, a
transpose node the adapter would add between the clause's W and the operation. addmm is
torch's fused "b + x @ W" (what functional.linear itself runs for a 2-d input, on weight.t()),
and it takes W as given.

Layers are torch.nn's: Parameter(data) is torch.nn.Parameter(torch.from_numpy(data)) (a
Parameter needs a Tensor), Layer is torch.nn.Module (it registers the Parameters and Modules
assigned as attributes, not plain tensors, and calls forward), Linear(out_size, nobias) is
torch.nn.LazyLinear(out_size, bias=not nobias): lazy as the book's, in_features from the
first input. params(layer) is list(layer.parameters()) and cleargrads(layer)
layer.zero_grad(set_to_none=True) (None, as the book's cleargrad). weights and set_weights
translate the layout only: torch stores weight (out, in), so weights(linear) returns
weight.T as an array, and set_weights writes W.T with copy_ under torch.no_grad(); a
parameter LazyLinear has not made yet (an UninitializedParameter) reads as None. LazyLinear
makes its weight and its bias on the first call, in torch's default dtype (float32), both
drawn uniform from +-1/sqrt(in): the bias is not zeros and does not exist before the call.

Models: Model is torch.nn.Module (torch's base class for models as for layers). torch.nn has
no MLP class (torchvision.ops.MLP is another package, with ReLU and dropout); an MLP in torch
is what its docs teach users to write, a torch.nn.Sequential of Linear layers and activation
modules: MLP(sizes, activation) is nn.Sequential(LazyLinear(s0), act, LazyLinear(s1), ...,
LazyLinear(sn)). A Sequential holds Modules only, so the activation is torch's module of
that function: torch.sigmoid (and None: torch has no default, so the book's sigmoid) is
nn.Sigmoid(), torch.tanh nn.Tanh(), torch.relu nn.ReLU(); an nn.Module is used as given, and
any other function is given to Sequential, which refuses it with its own TypeError.
mlp_layers(model) is the model's nn.Linear modules in order.

Optimizers: torch.optim.SGD(params, lr) and SGD(params, lr, momentum), in a thin object
that gives them the book's calling shape: setup(target) makes the torch optimizer over
target.parameters() and returns the object, update() is its step(), and add_hook(f)
registers f on it with register_step_pre_hook, called before each step with the list of
parameters the step updates (those with a gradient: torch's step skips a None grad, as the
book's update does). SGD's lr defaults to torch's own (0.001; the book's is 0.01);
MomentumSGD's momentum to the book's 0.9, torch's SGD having no momentum unless given one.
torch's momentum is b = mu b + g, p -= lr b (the book's v = mu v - lr g, p += v): the same
parameters while lr is constant, up to rounding.

Expected differences (conformance/expected/torch.txt): Tensor.data is a Tensor, not the given
ndarray (S1, S14), torch.from_numpy(None) raises TypeError (S12), and torch.asarray gives
Tensors, not ndarrays, and converts ndarrays and lists instead of passing them through (S13).

Absent:
- integers: only floating-point (and complex) tensors can require gradients.
- implicit_seed: y.backward() with no gradient works only for a one-element output; any
  other shape raises "grad can be implicitly created only for scalar outputs".
- retains_grads: a non-leaf tensor keeps its .grad only after .retain_grad() (from step 18
  the book's own backward drops them too).
- function_classes: operations are functions; torch.autograd.Function subclasses have static
  forward(ctx, ...)/backward(ctx, ...) and are applied with .apply, never instantiated and
  called on a tensor; there is no Square or Exp class.
- graph_links: grad_fn nodes link to the next nodes (next_functions), not to their input and
  output tensors, so there is no input_of or output_of.
- numerical_diff: torch's public API has no numerical derivative of a function at a point;
  its finite differences run only inside gradcheck (torch.autograd.gradcheck.
  get_numerical_jacobian is still importable, but warns that it "was part of PyTorch's private
  API" and is deprecated, and returns a Jacobian matrix per input).
- retain_grad: backward() has no switch that keeps every grad; a non-leaf keeps its .grad only
  if .retain_grad() was called on that tensor (backward's retain_graph keeps the graph's saved
  buffers, not grads). backward(v, retain_grad=...) passes the keyword on, and torch refuses
  it: "Tensor.backward() got an unexpected keyword argument 'retain_grad'".
- config: grad mode is a thread-local flag read with torch.is_grad_enabled() and set with
  torch.set_grad_enabled(mode); there is no settings object (Config) and no setting by name.
- array_like: no tensor can be named: no constructor takes a name (torch.tensor raises
  TypeError "unexpected keyword argument 'name'", torch.from_numpy takes no keywords), and
  Tensor.name is an undocumented read-only attribute that stays None ("not writable").
- array_operands: ndarrays must be made Tensors first (either order of a mixed operator raises).
"""
import torch

NAME = "torch"
ABSENT = {
    "array_operands": ("a Tensor takes ndarray operands only after torch.from_numpy: "
                       "ndarray * tensor raises TypeError (unsupported operand types), "
                       "tensor * ndarray RuntimeError (Can't call numpy() on Tensor that "
                       "requires grad)"),
    "integers": "only floating-point (and complex) tensors can require gradients "
                "(RuntimeError for an integer leaf)",
    "implicit_seed": "backward() seeds only one-element outputs; any other shape needs an "
                     "explicit gradient (RuntimeError: grad can be implicitly created only "
                     "for scalar outputs)",
    "retains_grads": "non-leaf tensors keep .grad only after .retain_grad()",
    "function_classes": "operations are functions; an autograd.Function has static "
                        "forward(ctx, ...) and backward(ctx, ...) and is applied with .apply, "
                        "never instantiated and called; there is no Square or Exp class",
    "graph_links": "grad_fn nodes link to the next nodes (next_functions), not to their input "
                   "and output tensors",
    "numerical_diff": "torch's public API has no numerical derivative: finite differences run "
                      "only inside gradcheck (gradcheck.get_numerical_jacobian warns it was "
                      "private API, deprecated, and gives a Jacobian matrix)",
    "retain_grad": "backward() has no switch that keeps every grad (TypeError: Tensor.backward() "
                   "got an unexpected keyword argument 'retain_grad'): a non-leaf keeps .grad "
                   "only after .retain_grad() on that tensor (retain_graph keeps buffers, not "
                   "grads)",
    "config": "grad mode is a thread-local flag (torch.is_grad_enabled, torch.set_grad_enabled), "
              "not a Config object with settings read and set by name",
    "array_like": "no tensor can be named: no constructor takes a name (torch.tensor: "
                  "unexpected keyword argument 'name') and Tensor.name is read-only, None",
}

square = torch.square
exp = torch.exp
add = torch.add
mul = torch.mul
sub = torch.sub
div = torch.div
neg = torch.neg
pow = torch.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)
sin = torch.sin
cos = torch.cos
tanh = torch.tanh
no_grad = torch.no_grad
as_array = torch.asarray
reshape = torch.reshape
broadcast_to = torch.broadcast_to
matmul = torch.matmul
sigmoid = torch.sigmoid
mean_squared_error = torch.nn.functional.mse_loss
Layer = torch.nn.Module
Model = torch.nn.Module


def version():
    return torch.__version__


def leaf(a):
    return torch.from_numpy(a).requires_grad_(True)


class _TensorType(type):
    """Variable's type: torch's Variable is its Tensor, so isinstance(v, Variable) is
    isinstance(v, torch.Tensor) (a Parameter is one)."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, torch.Tensor)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, torch.Tensor)


class Variable(metaclass=_TensorType):
    """Variable(data) makes a torch.Tensor, as leaf does (see the module's docstring)."""

    def __new__(cls, data, **keywords):  # keywords go to torch
        t = torch.from_numpy(data, **keywords)
        if t.is_floating_point() or t.is_complex():
            t.requires_grad_(True)
        return t


def grad_of(v):
    return None if v.grad is None else v.grad.detach().numpy()


def cleargrad(v):
    v.grad = None


def backward(v, retain_grad=None, create_graph=None):
    options = {}
    if retain_grad is not None:  # not torch's keyword: Tensor.backward raises TypeError
        options["retain_grad"] = retain_grad
    if create_graph is not None:
        options["create_graph"] = create_graph
    v.backward(**options)


def grad_variable(v):
    return v.grad


def gradient(fn, gy=None):
    def dfn(x):
        y = fn(x)
        if gy is not None:
            seed = torch.from_numpy(gy)
        else:  # torch seeds a one-element y itself; any other shape is given its ones
            seed = None if y.numel() == 1 else torch.ones_like(y)
        (gx,) = torch.autograd.grad(y, x, seed, create_graph=True)
        return gx
    return dfn


def creator_of(v):
    return v.grad_fn


def value(v):
    return v.detach().numpy()


def grad(fn, x, gy=None):
    xt = leaf(x)
    y = fn(xt)
    if gy is None:
        y.backward()
    else:
        y.backward(torch.from_numpy(gy))
    return value(y), xt.grad.numpy() if xt.grad is not None else None


def grads(fn, xs, gy=None):
    leaves = [leaf(x) for x in xs]
    y = fn(*leaves)
    if gy is None:
        y.backward()
    else:
        y.backward(torch.from_numpy(gy))
    return value(y), [t.grad.numpy() if t.grad is not None else None for t in leaves]


def transpose(v, axes=None):
    return torch.permute(v, tuple(reversed(range(v.dim()))) if axes is None else axes)


def sum(v, axis=None, keepdims=False):  # noqa: A001 (the protocol's name)
    return torch.sum(v, dim=axis, keepdim=keepdims)


def sum_to(v, shape):
    return v.sum_to_size(shape)


def linear(x, W, b=None):  # noqa: N803 (the book's name for the weight)
    return torch.matmul(x, W) if b is None else torch.addmm(b, x, W)


def set_value(v, a):
    with torch.no_grad():
        v.copy_(torch.from_numpy(a))


def Parameter(data):  # noqa: N802 (the protocol's name)
    return torch.nn.Parameter(torch.from_numpy(data))


def Linear(out_size, nobias=False):  # noqa: N802 (the protocol's name)
    return torch.nn.LazyLinear(out_size, bias=not nobias)


def params(layer):
    return list(layer.parameters())


def cleargrads(layer):
    layer.zero_grad(set_to_none=True)


def _array(p):
    if p is None or isinstance(p, torch.nn.parameter.UninitializedParameter):
        return None
    return p.detach().numpy()


def weights(linear):
    W = _array(linear.weight)  # noqa: N806 (the book's name)
    return None if W is None else W.T, _array(linear.bias)


def set_weights(linear, W, b=None):  # noqa: N803 (the book's name for the weight)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(W).T)
        if b is not None:
            linear.bias.copy_(torch.from_numpy(b))


_ACTIVATIONS = {torch.sigmoid: torch.nn.Sigmoid, torch.tanh: torch.nn.Tanh,
                torch.relu: torch.nn.ReLU}


def MLP(sizes, activation=None):  # noqa: N802 (the protocol's name)
    if activation is None:
        activation = torch.sigmoid  # torch has no default activation: the book's
    make = _ACTIVATIONS.get(activation)
    layers = []
    for size in sizes:
        if layers:
            layers.append(make() if make is not None else activation)
        layers.append(torch.nn.LazyLinear(size))
    return torch.nn.Sequential(*layers)


def mlp_layers(model):
    return [m for m in model if isinstance(m, torch.nn.Linear)]


class _Optimizer:
    """torch.optim.SGD with the book's setup(target), update() and add_hook(f)."""

    def __init__(self, **options):
        self.options = options
        self.hooks = []
        self.optimizer = None

    def setup(self, target):
        self.optimizer = torch.optim.SGD(target.parameters(), **self.options)
        for f in self.hooks:
            self._register(f)
        return self

    def update(self):
        self.optimizer.step()

    def add_hook(self, f):
        self.hooks.append(f)
        if self.optimizer is not None:
            self._register(f)

    def _register(self, f):
        def hook(optimizer, args, kwargs):
            f([p for group in optimizer.param_groups for p in group["params"]
               if p.grad is not None])
        self.optimizer.register_step_pre_hook(hook)


def SGD(lr=None):  # noqa: N802 (the protocol's name)
    return _Optimizer(**({} if lr is None else {"lr": lr}))


def MomentumSGD(lr=None, momentum=0.9):  # noqa: N802 (the protocol's name)
    return _Optimizer(momentum=momentum, **({} if lr is None else {"lr": lr}))
