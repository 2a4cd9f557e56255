"""PyTorch (PyPI `torch`), on the CPU.

Mapped: leaf(a) is torch.from_numpy(a) with requires_grad set (the tensor shares a's memory,
so a write by the engine would show in S16); square and exp are torch.square and torch.exp;
grad runs y.backward() or y.backward(gy) and reads x.grad. Stage 2: add, mul, sub, div, neg
and pow are torch.add, torch.mul, torch.sub, torch.div, torch.neg and torch.pow; grads makes a
leaf per input as grad does and reads each one's .grad (None for an input y does not use).

Absent:
- integers: only floating-point tensors can require gradients.
- implicit_seed: y.backward() with no gradient works only for a one-element output; any
  other shape raises "grad can be implicitly created only for scalar outputs".
- variable, type_check: a Tensor is not a box around the given ndarray (.data is a Tensor),
  and torch.tensor accepts Python scalars and lists.
- retains_grads: a non-leaf tensor keeps its .grad only after .retain_grad().
- function_classes, graph_links: operations are functions; the graph is of autograd nodes
  (grad_fn), not of Function objects holding Variables.
- as_array, numerical_diff: torch has neither.
- cleargrad: with no Variable (above) there is no reset method either: a tensor's grad is
  cleared by assigning None to .grad.
- retain_grad: backward() has no switch that keeps every grad; a non-leaf keeps its .grad only
  if .retain_grad() was called on that tensor (backward's retain_graph keeps the graph's saved
  buffers, not grads).
- no_grad, config: torch.no_grad() exists, but without graph links (above) the kit cannot see
  that no graph was built; grad mode is a thread-local flag (torch.is_grad_enabled,
  torch.set_grad_enabled), not a Config class read by name.
- array_like: a Tensor takes no name, its dtype is a torch.dtype, size() is a method, and its
  repr is tensor(...).
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
    "variable": "a Tensor is not a box around the given ndarray: Tensor.data is a Tensor",
    "type_check": "torch.tensor accepts Python scalars and lists by design",
    "retains_grads": "non-leaf tensors keep .grad only after .retain_grad()",
    "function_classes": "operations are functions; autograd.Function is applied with .apply",
    "graph_links": "the graph holds autograd nodes (grad_fn), not Functions with Variables",
    "as_array": "torch has no as_array",
    "numerical_diff": "torch has no numerical_diff (autograd.gradcheck only compares)",
    "cleargrad": "Tensor has no reset method: its grad is cleared by assigning None to .grad",
    "retain_grad": "backward() has no switch that keeps every grad: a non-leaf keeps .grad only "
                   "after .retain_grad() on that tensor (retain_graph keeps buffers, not grads)",
    "no_grad": "torch.no_grad() exists, but the graph holds grad_fn nodes with no creator links "
               "(see graph_links) to show that none was built",
    "config": "grad mode is a thread-local flag (torch.is_grad_enabled, torch.set_grad_enabled), "
              "not a Config class with settings read and set by name",
    "array_like": "a Tensor takes no name, its dtype is a torch.dtype, size() is a method and "
                  "its repr is tensor(...)",
}

square = torch.square
exp = torch.exp
add = torch.add
mul = torch.mul
sub = torch.sub
div = torch.div
neg = torch.neg
pow = torch.pow  # noqa: A001 (the protocol's name; shadows the builtin here only)


def version():
    return torch.__version__


def leaf(a):
    return torch.from_numpy(a).requires_grad_(True)


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
