"""A random graph (Graph), which values it may use more than once (sharing), and what is
common to drawing and shrinking one: pruning what the output does not depend on, a key."""
from dataclasses import dataclass, field, replace

import numpy as np

from dezero_conformance.adapters import LAST_STEP  # an adapter without STEP is judged there

# Which values a graph may use more than once, by the engine's book step: none before step 14
# (the book's step-13 backward sets grads rather than accumulating them), the inputs alone
# before step 16 (accumulation, but a plain stack: a shared intermediate value is passed back
# before all its grads have arrived until generations, step 16), any value from step 16.
SHARE_NONE, SHARE_INPUTS, SHARE_ANY = 0, 1, 2


@dataclass
class Graph:
    """inputs: arrays of one dtype, of one shape (of several in a tensor graph); nodes: (op
    name, operand refs, constant), a ref being an index into inputs + nodes; the last node is
    y. gy seeds y's gradient (None: the engine seeds ones), in y's shape; order 2
    differentiates the gradient again, seeded by gv, in the input's shape."""
    inputs: list
    nodes: list
    gy: object = None
    gv: object = None
    order: int = 1
    seed: int = 0
    index: int = 0
    ops: tuple = ()
    many: bool = False  # run through E.grads (many inputs), else E.grad
    share: int = SHARE_ANY  # which values may be used more than once (sharing())
    # drawn for an engine with the tensor operations (stage 4): values of many shapes, and
    # with broadcast (step 40) the operands of add ... / and of an ndarray constant broadcast
    tensor: bool = False
    broadcast: bool = False
    # what the oracle said of this graph (pure functions of it); replace() starts afresh
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def shape(self):
        return self.inputs[0].shape

    @property
    def dtype(self):
        return self.inputs[0].dtype

    def size(self):
        """What shrinking makes smaller: nodes first, then inputs, elements, odd values."""
        odd = sum(int(not _simple(v)) for x in self._arrays() for v in np.ravel(x))
        if self.tensor:  # the inputs' elements and axes, all of them
            elements = sum(x.size for x in self.inputs)
            axes = sum(x.ndim for x in self.inputs)
        else:
            elements, axes = int(np.prod(self.shape)), len(self.shape)
        return (len(self.nodes), len(self.inputs), elements, axes, self.order,
                int(self.dtype != np.float64), odd)

    def _arrays(self):
        arrays = list(self.inputs) + [c for _, _, c in self.nodes if isinstance(c, np.ndarray)]
        return arrays + [a for a in (self.gy, self.gv) if a is not None]

    def describe(self):
        inputs = f"{len(self.inputs)} input{'s' * (len(self.inputs) > 1)}"
        shapes = [x.shape for x in self.inputs]
        if self.tensor and len(set(shapes)) > 1:
            shape = f"of shapes {', '.join(map(str, shapes))}"
        else:
            shape = f"of shape {self.shape}"
        return (f"{len(self.nodes)} node{'s' * (len(self.nodes) > 1)} over {inputs} {shape} "
                f"{self.dtype}" + (", second order" if self.order == 2 else ""))


def _simple(v):
    return float(v) in (0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0)


def sharing(adapter):
    """SHARE_NONE, SHARE_INPUTS or SHARE_ANY for the engine's book step (its STEP; an
    adapter without one is judged at the last step the kit covers)."""
    step = getattr(adapter, "STEP", None) or LAST_STEP
    return SHARE_NONE if step < 14 else SHARE_INPUTS if step < 16 else SHARE_ANY


def _shared_ok(graph):
    """No value used more often than graph.share allows."""
    return _uses_ok(graph.nodes, len(graph.inputs), graph.share)


def _uses_ok(nodes, n, share):
    """No value (n inputs, then nodes) used more often than share allows."""
    if share == SHARE_ANY:
        return True
    uses = {}
    for _, refs, _ in nodes:
        for r in refs:
            uses[r] = uses.get(r, 0) + 1
    return all(count == 1 or (share == SHARE_INPUTS and r < n) for r, count in uses.items())


def _prune(graph):
    """The graph without nodes y does not depend on and without unused inputs (None if y is
    an input)."""
    n = len(graph.inputs)
    live = {n + len(graph.nodes) - 1}
    for k in range(n + len(graph.nodes) - 1, n - 1, -1):
        if k in live:
            live.update(graph.nodes[k - n][1])
    keep = [i for i in range(n + len(graph.nodes)) if i in live]
    if not keep or keep[-1] < n:
        return None
    new = {old: i for i, old in enumerate(keep)}
    inputs = [graph.inputs[i] for i in keep if i < n]
    nodes = [(graph.nodes[i - n][0], tuple(new[r] for r in graph.nodes[i - n][1]),
              graph.nodes[i - n][2]) for i in keep if i >= n]
    return replace(graph, inputs=inputs, nodes=nodes)


def _key(graph):
    parts = [graph.order, str(graph.dtype)]
    parts += [a.tobytes() + str(a.shape).encode() for a in graph.inputs]
    parts += [(n, r, c.tobytes() if isinstance(c, np.ndarray) else c) for n, r, c in graph.nodes]
    parts += [None if a is None else a.tobytes() for a in (graph.gy, graph.gv)]
    if graph.tensor:  # constants and seeds of many shapes
        parts += [c.shape for _, _, c in graph.nodes if isinstance(c, np.ndarray)]
        parts += [np.shape(graph.gy), graph.broadcast]
    return repr(parts)
