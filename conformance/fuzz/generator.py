"""Drawing a random graph: generate(adapter, seed, index, order), a pure function of the seed,
the index and the engine's operations (and kinds of call), kept in the domain and well
conditioned."""
import functools
import math

import numpy as np

from dezero_conformance.conformance.fuzz.graph import Graph, _prune, _uses_ok, sharing
from dezero_conformance.conformance.fuzz.interpreter import F64_EPS, OP_ULPS, _conditioned
from dezero_conformance.conformance.fuzz.ops import OPS, _in_domain, has, operations

MAX_NODES = 8
REUSE = 0.3  # how often a node repeats an operation already in the graph
MAX_INPUTS = 3
CONSTANTS = (2.0, 0.5, 3.0, -1.5, 1.25, -2.0, 0.75)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5, 2.5)
SHAPES = ((), (1,), (3,), (2, 3))  # an engine without `vector` gets 0-d inputs only
GRID = 1024.0  # inputs and array constants are multiples of 1/GRID: exact in float32
UNIVERSE = tuple(OPS)


def _on_grid(a, dtype):
    return np.array(np.round(a * GRID) / GRID, dtype=dtype)


class _Uniforms:
    """A draw's random numbers, uniform on [0, 1), taken in order from one block drawn at
    once: a graph takes a few hundred, and numpy's cost per call is most of the cost of
    drawing them one at a time. Every draw takes the block's numbers at the same places,
    whatever the engine's operations, so engines with the same operations get the same
    graphs and an engine lacking some still shares most of them."""

    def __init__(self, rng, count):
        self.block = rng.random(count)
        self.numbers = self.block.tolist()
        self.at = 0

    def next(self):
        self.at += 1
        return self.numbers[self.at - 1]

    def below(self, n):
        """An int uniform on 0 .. n - 1."""
        return int(self.next() * n)

    def uniform(self, low, high, shape):
        size = math.prod(shape)
        self.at += size
        return low + (high - low) * self.block[self.at - size:self.at].reshape(shape)

    def skip(self, shape):
        self.at += math.prod(shape)

    def grid(self, low, high, shape, dtype):
        return _on_grid(self.uniform(low, high, shape), dtype)

    def with_sign(self, shape, dtype):
        """Seed values: magnitudes in [0.5, 1.5], random signs, exact in float32."""
        m = self.grid(0.5, 1.5, shape, np.float64)
        return np.array(np.where(self.uniform(0.0, 1.0, shape) < 0.5, -m, m), dtype=dtype)


def generate(adapter, seed, index, order=1, ops=None):
    """Graph number `index` of the run seeded by `seed`, over the engine's operations (or
    `ops`). Every draw comes from one stream that does not depend on the engine: each node's
    operation is drawn from all of OPS, and only one the engine lacks is replaced, from a
    second stream; so engines with the same operations run the same graphs, and an engine
    lacking some runs the same graphs wherever none of those was drawn. Drawn again (from
    the same streams) until it is in the domain and well conditioned."""
    ops = tuple(ops or operations(adapter))
    return _generate(seed, index, order, ops, has(adapter, "many_inputs"),
                     has(adapter, "vector"), has(adapter, "seed_grad"), sharing(adapter))


@functools.lru_cache(maxsize=4096)
def _generate(seed, index, order, ops, many_inputs, vector, seeds, share):
    """generate(), for what of the engine it depends on: the same graph object for the same
    arguments, so a process judging many engines draws each graph once (it is never
    changed: shrinking builds new graphs)."""
    many = order == 1 and many_inputs and any(OPS[n].arity == 2 for n in ops)
    rng = np.random.default_rng([seed, index, order, 46])
    alt = np.random.default_rng([seed, index, order, 47])
    while True:
        with np.errstate(all="ignore"):  # whatever error state the engine set for numpy
            graph = _draw(rng, alt, ops, many, vector, order, seeds, share)
        # _draw kept each node in the domain and the sharing allowed: what valid() adds
        if graph is not None and _conditioned(graph, OP_ULPS * F64_EPS):
            graph.seed, graph.index, graph.ops = seed, index, ops
            graph.many = order == 1 and many_inputs
            return graph


# The most numbers one draw takes: a shape, a dtype, a count of inputs and of nodes; the
# inputs; per attempt at a node, 8 numbers (reuse, operation, two operands, their order, the
# first's kind, exponent, scalar) and an array constant; gy and gv, each magnitudes and
# signs (an element is one number; a shape has up to 6 elements).
_ELEMENTS = max(math.prod(s) for s in SHAPES)
DRAW_NUMBERS = (4 + MAX_INPUTS * _ELEMENTS + 8 * MAX_NODES * (8 + _ELEMENTS)
                + 2 * 2 * _ELEMENTS)


def _draw(rng, alt, ops, many, vector, order, seeds, share):
    u, spare = _Uniforms(rng, DRAW_NUMBERS), _Uniforms(alt, 8 * MAX_NODES)
    shape = SHAPES[u.below(len(SHAPES))] if vector else ()
    dtype = np.float32 if u.next() < 0.25 else np.float64
    k = 1 + u.below(MAX_INPUTS) if many else 1
    inputs = [u.grid(-2.0, 2.0, shape, dtype) for _ in range(k)]
    values = [x.astype(np.float64) for x in inputs]
    nodes, used, want = [], [], 1 + u.below(MAX_NODES)
    for _ in range(8 * want):
        if len(nodes) == want:
            break
        reuse, which = u.next(), u.below(len(UNIVERSE))
        if used and reuse < REUSE:  # the same operation used twice
            name = used[which % len(used)]
        else:
            name = UNIVERSE[which]
            if name not in ops:  # replaced from the second stream: the first goes on alike
                name = ops[spare.below(len(ops))]
        op = OPS[name]
        last, pick, other, swap = (len(values) - 1, u.below(len(values)), u.below(len(values)),
                                   u.next())
        first = last if u.next() < 0.5 else pick
        refs = (first,) if op.arity == 1 else (first, other)[::-1 if swap < 0.5 else 1]
        # every kind of constant takes its numbers each time, so the stream goes on alike
        exponent = EXPONENTS[u.below(len(EXPONENTS))]
        scalar = CONSTANTS[u.below(len(CONSTANTS))]
        if op.const == "array":
            c = u.grid(-2.0, 2.0, shape, dtype)
        else:
            u.skip(shape)
            c = exponent if op.const == "exponent" else scalar if op.const == "scalar" else None
        args = [values[r] for r in refs]
        y = np.asarray(op.forward(*args, c), dtype=np.float64)
        node = (name, refs, c)
        if _in_domain(op, args, c, y) and _uses_ok(nodes + [node], k, share):
            nodes.append(node)
            used.append(name)
            values.append(y)
    if not nodes:
        return None
    graph = _prune(Graph(inputs, nodes, order=order, share=share))
    if graph is None or len(graph.inputs) < k:
        return None  # an input the output does not depend on: draw again
    if seeds:
        gy, gv = u.with_sign(shape, dtype), u.with_sign(shape, dtype)
        graph.gy, graph.gv = gy, gv if order == 2 else None
    return graph
