"""PyTorch (PyPI `torch`), on the CPU.

Mapped: leaf(a) is torch.from_numpy(a) with requires_grad set (the tensor shares a's memory,
so a write by the engine would show in S16); square and exp are torch.square and torch.exp;
grad runs y.backward() or y.backward(gy) and reads x.grad.

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
"""
import torch

NAME = "torch"
ABSENT = {
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
}

square = torch.square
exp = torch.exp


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
