"""Shrinking: a failing graph reduced, greedily and to a fixed point, to a smallest graph
that still fails the same way. A tensor graph's shapes shrink by cutting axes (every axis of
one length at once, the shapes its nodes take alike, or one input's axis alone), and a
candidate's gy is made ones of its output's shape where that changed; valid() refuses the
candidates whose shapes an operation does not take."""
import time
from dataclasses import replace

import numpy as np

from dezero_conformance.conformance.fuzz.engine import check
from dezero_conformance.conformance.fuzz.graph import _key, _prune
from dezero_conformance.conformance.fuzz.interpreter import evaluate, valid
from dezero_conformance.conformance.fuzz.ops import OPS

SHRINK_RUNS = 400  # engine runs a shrink may take
SHRUNK_KINDS = 4  # ways of failing shrunk and shown, in the order met
# Wall-clock seconds all the shrinks of one search may take (a slow engine runs a graph in
# half a second): a shrink stops where it is, with a graph that still fails.
SHRINK_SECONDS = 60.0


def shrink(adapter, graph, failure, budget=SHRINK_RUNS, deadline=None):
    """A smallest graph (Graph.size) that still fails the same way (Failure.kind), its Failure
    and the engine runs taken: greedy, each candidate kept if it is in the domain and fails
    so, until none is smaller."""
    runs = 0
    seen = set()
    improved = True
    while improved and runs < budget and not _late(deadline):
        improved = False
        for candidate in _candidates(graph):
            if candidate is None or candidate.size() >= graph.size():
                continue
            key = _key(candidate)
            if key in seen:
                continue
            seen.add(key)
            if not valid(candidate):
                continue
            runs += 1
            found = check(adapter, candidate)
            if found is not None and found.kind == failure.kind:
                graph, failure, improved = candidate, found, True
                break
            if runs >= budget or _late(deadline):
                break
    return graph, failure, runs


def _late(deadline):
    return deadline is not None and time.monotonic() > deadline


def _candidates(graph):
    found = _reductions(graph)
    return map(_refit, found) if graph.tensor else found


def _reductions(graph):
    n, nodes = len(graph.inputs), graph.nodes
    if graph.order == 2:
        yield replace(graph, order=1, gv=None)
    for k in range(len(nodes) - 1):  # an earlier node as the output
        yield _prune(replace(graph, nodes=nodes[:k + 1]))
    for k, (_name, refs, _c) in enumerate(nodes):  # a node bypassed by one of its operands
        for r in dict.fromkeys(refs):
            yield _bypass(graph, n + k, r)
    if graph.tensor:  # two at once: transposes that cancel out in pairs (x.T.T), reshapes
        yield from _bypassed_pairs(graph)
    for k, (name, refs, c) in enumerate(nodes):  # an operand replaced by an input
        for j, r in enumerate(refs):
            for i in range(n):
                if r != i:
                    new = list(nodes)
                    new[k] = (name, refs[:j] + (i,) + refs[j + 1:], c)
                    yield _prune(replace(graph, nodes=new))
    for k, (name, refs, c) in enumerate(nodes):  # a simpler operation
        for simpler in _simpler_ops(graph, name):
            new = list(nodes)
            new[k] = (simpler, refs[:OPS[simpler].arity], _simpler_constant(OPS[simpler], c,
                                                                             graph))
            yield _prune(replace(graph, nodes=new))
    if graph.tensor:
        yield from _narrowed(graph)
    else:
        for shape, start in _smaller_shapes(graph.shape):
            yield _reshaped(graph, shape, start)
    if graph.dtype != np.float64:
        yield _retyped(graph, np.float64)
    for which in ("gy", "gv"):
        a = getattr(graph, which)
        if a is not None and not np.all(a == 1):
            yield replace(graph, **{which: np.ones_like(a)})
    yield from _simpler_values(graph)


def _bypass(graph, k, r):
    """Every use of value k replaced by value r; k then falls out (pruned)."""
    n = len(graph.inputs)
    nodes = list(graph.nodes)
    last = k == n + len(nodes) - 1
    if last:
        if r < n:
            return None
        return _prune(replace(graph, nodes=nodes[:r - n + 1]))
    nodes = [(name, tuple(r if q == k else q for q in refs), c) for name, refs, c in nodes]
    return _prune(replace(graph, nodes=nodes))


def _bypassed_pairs(graph):
    """Two nodes of one operand each bypassed at once, the later first (so that the earlier
    keeps its place): where the failure needs an odd number of them, one alone won't do."""
    n, nodes = len(graph.inputs), graph.nodes
    single = [k for k, (_, refs, _) in enumerate(nodes) if len(refs) == 1]
    for late in reversed(single):
        shorter = _bypass(graph, n + late, nodes[late][1][0])
        if shorter is None or len(shorter.nodes) != len(nodes) - 1:
            continue
        for early in single:
            if early < late:
                yield _bypass(shorter, n + early, nodes[early][1][0])


def _simpler_ops(graph, name):
    """Operations to try in name's place, simplest first (those the graph's engine has)."""
    order = ("square", "neg", "add", "mul", "sub", "exp", "sin", "cos")
    mine = [o for o in order if o in graph.ops and o != name]
    if OPS[name].const == "array":
        mine = [o for o in ("x+c", "x*c", "c+x", "c*x") if o in graph.ops] + mine
    return [o for o in mine if OPS[o].arity <= OPS[name].arity]


def _simpler_constant(op, c, graph):
    if op.const == "exponent":
        return 2
    if op.const == "scalar":
        return 2.0
    if op.const == "array":
        return np.full(np.shape(c) if isinstance(c, np.ndarray) else graph.shape, 2.0,
                       dtype=graph.dtype)
    return None


def _smaller_shapes(shape):
    """(shape, first element kept) to try: each single element, then the first three."""
    size = int(np.prod(shape))
    small = [(s, j) for s in ((), (1,)) if size > 1 or s != shape for j in range(size)
             if s != shape]
    return small + [((3,), 0)] * (size > 3)


def _reshaped(graph, shape, start=0):
    def cut(a):
        return None if a is None else np.ravel(a)[start:start + int(np.prod(shape))].reshape(
            shape).copy()  # (np.ascontiguousarray would make a 0-d array 1-d)
    nodes = [(n, r, cut(c) if isinstance(c, np.ndarray) else c) for n, r, c in graph.nodes]
    return replace(graph, inputs=[cut(x) for x in graph.inputs], nodes=nodes,
                   gy=cut(graph.gy), gv=cut(graph.gv))


def _retyped(graph, dtype):
    def cast(a):
        return None if a is None else a.astype(dtype)
    nodes = [(n, r, cast(c) if isinstance(c, np.ndarray) else c) for n, r, c in graph.nodes]
    return replace(graph, inputs=[cast(x) for x in graph.inputs], nodes=nodes,
                   gy=cast(graph.gy), gv=cast(graph.gv))


def _simpler_values(graph):
    """Each input element made 1.0, 0.5, -1.0, then rounded to a quarter."""
    for i, x in enumerate(graph.inputs):
        for j in range(x.size):
            old = float(x.ravel()[j])
            for v in (1.0, 0.5, -1.0, -0.5, 2.0, np.round(old * 4) / 4):
                if v == old:
                    continue
                y = x.copy()
                y.ravel()[j] = v  # x is contiguous: ravel is a view
                inputs = list(graph.inputs)
                inputs[i] = y
                yield replace(graph, inputs=inputs)


def _refit(graph):
    """A tensor graph's candidate with gy made ones where its output's shape is not gy's (an
    earlier node as the output, an operation replaced); None stays None, and a graph whose
    shapes numpy refuses is left to valid()."""
    if graph is None or graph.gy is None:
        return graph
    try:
        with np.errstate(all="ignore"):
            y = evaluate(graph, [x.astype(np.float64) for x in graph.inputs], True)[-1]
    except ValueError:
        return graph
    shape = np.shape(y)
    return graph if graph.gy.shape == shape else replace(graph, gy=np.ones(shape, graph.gy.dtype))


# the constants that are shapes, cut as the axes are
_SHAPE_CONSTANTS = ("shape", "wider", "narrower")


def _narrowed(graph):
    """A tensor graph's smaller shapes: every axis of one length L cut to 1 .. L - 1 at once,
    in the inputs, the ndarray constants, gy, gv and the shapes the nodes take (so that the
    graph still fits together wherever the lengths alone made it); then each input's axis
    alone cut to 1 (a value broadcasting where it did not)."""
    lengths = sorted({n for x in graph.inputs for n in x.shape if n > 1}, reverse=True)
    for length in lengths:
        for to in range(1, length):
            yield _cut(graph, length, to)
    for i, x in enumerate(graph.inputs):
        for axis, n in enumerate(x.shape):
            if n > 1:
                inputs = list(graph.inputs)
                inputs[i] = np.take(x, [0], axis=axis)
                gv = graph.gv
                if i == 0 and gv is not None:
                    gv = np.take(gv, [0], axis=axis)
                yield replace(graph, inputs=inputs, gv=gv)


def _cut(graph, length, to):
    def cut(a):
        if a is None:
            return None
        index = tuple(slice(0, to) if n == length else slice(None) for n in a.shape)
        return np.array(a[index], dtype=a.dtype)  # a 0-d array stays one (a[()] is a scalar)

    def constant(name, c):
        if isinstance(c, np.ndarray):
            return cut(c)
        const = OPS[name].const
        if const in _SHAPE_CONSTANTS:
            return tuple(to if n == length else n for n in c)
        if const == "packed_shape":
            return tuple(to if n == length else n for n in c[0]), c[1]
        return c
    nodes = [(name, refs, constant(name, c)) for name, refs, c in graph.nodes]
    return replace(graph, inputs=[cut(x) for x in graph.inputs], nodes=nodes, gy=cut(graph.gy),
                   gv=cut(graph.gv))
