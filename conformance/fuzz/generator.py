"""Drawing a random graph: generate(adapter, seed, index, order), a pure function of the seed,
the index and the engine's operations (and kinds of call), kept in the domain and well
conditioned. An engine with tensor operations (stage 4) gets tensor graphs (_draw_tensor):
values of many shapes, each operation's constant (a shape, axes, an axis) drawn among those
its operand's shape takes (shapes.py); any other engine the graphs of one shape it always
got (_draw), the same for the same seed."""
import functools
import math

import numpy as np

from dezero_conformance.conformance.fuzz.graph import Graph, _prune, _uses_ok, sharing
from dezero_conformance.conformance.fuzz.interpreter import F64_EPS, OP_ULPS, _conditioned
from dezero_conformance.conformance.fuzz.ops import (
    CURVES,
    ELEMENTWISE_PAIRS,
    LINEAR,
    OPS,
    TENSOR_OPS,
    _in_domain,
    has,
    operations,
)
from dezero_conformance.conformance.fuzz.shapes import (
    INPUT_SHAPES,
    MAX_ELEMENTS,
    PERMUTATIONS,
    SUM_AXES,
    constant_shapes,
    joins,
    narrowings,
    related,
    reshapes,
    widenings,
)

MAX_NODES = 8
REUSE = 0.3  # how often a node repeats an operation already in the graph
MAX_INPUTS = 3
CONSTANTS = (2.0, 0.5, 3.0, -1.5, 1.25, -2.0, 0.75)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5, 2.5)
SHAPES = ((), (1,), (3,), (2, 3))  # an engine without `vector` gets 0-d inputs only
GRID = 1024.0  # inputs and array constants are multiples of 1/GRID: exact in float32
# the operations a graph of one shape is drawn from: those before stage 4, in their order
UNIVERSE = tuple(n for n in OPS if n not in TENSOR_OPS)
# a tensor graph's: all of them, the tensor operations twice and matmul (which needs a pair of
# values whose inner axes match, and fails for want of one most often) four times
TENSOR_UNIVERSE = tuple(OPS) + tuple(n for n in OPS if n in TENSOR_OPS) + ("matmul",) * 2


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

    def grid_at(self, at, low, high, shape, dtype):
        """grid() of the numbers from `at` on, taken (skipped) before."""
        size = math.prod(shape)
        return _on_grid(low + (high - low) * self.block[at:at + size].reshape(shape), dtype)

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
    tensor = vector and any(n in TENSOR_OPS for n in ops)
    rng = np.random.default_rng([seed, index, order, 46])
    alt = np.random.default_rng([seed, index, order, 47])
    while True:
        with np.errstate(all="ignore"):  # whatever error state the engine set for numpy
            if tensor:
                graph = _draw_tensor(rng, alt, ops, many, order, seeds, share)
            else:
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


# A tensor draw takes, after x0's shape, the dtype and the counts: per input a shape and its
# elements; per attempt at a node 11 numbers (reuse, operation, two operands, their order,
# the first's kind, exponent, scalar, the constant's choice among its operand's shapes or
# axes, its flag: keepdims or a packed shape, an ndarray constant's shape) and the elements
# of an ndarray constant; per input the output does not depend on, two (the operation joining
# it, their order); two for a curve (its operation, its constant); gy and gv.
TENSOR_DRAW_NUMBERS = (6 + MAX_INPUTS * (3 + MAX_ELEMENTS) + 8 * MAX_NODES * (11 + MAX_ELEMENTS)
                       + 2 * 2 * MAX_ELEMENTS)


def _draw_tensor(rng, alt, ops, many, order, seeds, share):
    """A tensor graph: x0 of a shape of INPUT_SHAPES, other inputs of shapes related to it;
    each node's operands and constant chosen among those its first operand's shape takes (an
    attempt that finds none is skipped, its numbers taken all the same); an input the output
    does not depend on then joined to it by + - * / (or add ... div) where their shapes join,
    else left out."""
    u, spare = _Uniforms(rng, TENSOR_DRAW_NUMBERS), _Uniforms(alt, 8 * MAX_NODES)
    broadcast = "broadcast_to" in ops or "sum_to" in ops
    shape = INPUT_SHAPES[u.below(len(INPUT_SHAPES))]
    dtype = np.float32 if u.next() < 0.25 else np.float64
    k = 1 + u.below(MAX_INPUTS) if many else 1
    pool = related(shape, broadcast, "matmul" in ops)
    shapes = [shape] + [pool[u.below(len(pool))] for _ in range(k - 1)]
    inputs = [u.grid(-2.0, 2.0, s, dtype) for s in shapes]
    values = [x.astype(np.float64) for x in inputs]
    nodes, used, want = [], [], 1 + u.below(MAX_NODES)
    for _ in range(8 * want):
        if len(nodes) == want:
            break
        reuse, which = u.next(), u.below(len(TENSOR_UNIVERSE))
        if used and reuse < REUSE:  # the same operation used twice
            name = used[which % len(used)]
        else:
            name = TENSOR_UNIVERSE[which]
            if name not in ops:  # replaced from the second stream: the first goes on alike
                name = ops[spare.below(len(ops))]
        op = OPS[name]
        pick, other, swap = u.below(len(values)), u.next(), u.next()
        first = len(values) - 1 if u.next() < 0.5 else pick
        draws = (EXPONENTS[u.below(len(EXPONENTS))], CONSTANTS[u.below(len(CONSTANTS))],
                 u.next(), u.next(), u.next(), u.at)
        u.skip((MAX_ELEMENTS,))  # an ndarray constant's elements, taken from draws[-1] on
        unused = [r for r in range(k) if all(r not in refs for _, refs, _ in nodes)] \
            if op.arity == 2 else ()
        refs, c = _operands(op, first, shapes, unused, other, swap, broadcast, u, dtype, *draws)
        if refs is not None:
            _add(nodes, used, values, shapes, op, refs, c, k, share)
    if not nodes:
        return None
    _join(u, ops, nodes, used, values, shapes, k, share, broadcast)
    _curve(u, ops, nodes, used, values, shapes, k, share, order)
    # an input the output still does not depend on is left out (not drawn again, as a graph
    # of one shape is: most of those the join kept)
    graph = _prune(Graph(inputs, nodes, order=order, share=share, tensor=True,
                         broadcast=broadcast))
    if graph is None:
        return None
    if seeds:
        gy, gv = u.with_sign(shapes[-1], dtype), u.with_sign(graph.shape, dtype)
        graph.gy, graph.gv = gy, gv if order == 2 else None
    return graph


def _add(nodes, used, values, shapes, op, refs, c, k, share):
    """Node (op, refs, c) added where its value is in the domain, of at most MAX_ELEMENTS, and
    the sharing allowed; whether it was."""
    args = [values[r] for r in refs]
    wide = c.astype(np.float64) if isinstance(c, np.ndarray) else c  # whatever numpy's version
    y = np.asarray(op.forward(*args, wide), dtype=np.float64)
    node = (op.name, refs, c)
    if not (y.size <= MAX_ELEMENTS and _in_domain(op, args, c, y)
            and _uses_ok(nodes + [node], k, share)):
        return False
    nodes.append(node)
    used.append(op.name)
    values.append(y)
    shapes.append(y.shape)
    return True


def _join(u, ops, nodes, used, values, shapes, k, share, broadcast):
    """Each input the output does not depend on joined to it, y op x or x op y, by an
    operation of two values the engine has (where their shapes join): so that most graphs
    drawn with several inputs keep them, and one input broadcasts against the others."""
    pairs = [n for n in ops if n in ELEMENTWISE_PAIRS]
    for i in range(k):
        which, swap = u.next(), u.next()
        if not pairs or i in _live(nodes, k):
            continue
        y = len(values) - 1
        if joins(shapes[i], shapes[y], broadcast):
            refs = (i, y) if swap < 0.5 else (y, i)
            _add(nodes, used, values, shapes, OPS[pairs[int(which * len(pairs))]], refs, None, k,
                 share)


def _curve(u, ops, nodes, used, values, shapes, k, share, order):
    """At order 2, an output of linear operations alone (reshape, sum, +, ... of which S45
    has no second derivative to judge, and which are most of the tensor operations) curved
    by one more operation that is not linear."""
    which, constant = u.next(), u.next()
    curves = [n for n in CURVES if n in ops]
    if order != 2 or not curves or any(nodes[j - k][0] not in LINEAR
                                        for j in _live(nodes, k) if j >= k):
        return
    op = OPS[curves[int(which * len(curves))]]
    c = {"exponent": EXPONENTS, "scalar": CONSTANTS}.get(op.const)
    _add(nodes, used, values, shapes, op, (len(values) - 1,),
         c and c[int(constant * len(c))], k, share)


def _live(nodes, n):
    """The values (n inputs, then nodes) the last node depends on."""
    live = {n + len(nodes) - 1}
    for j in range(n + len(nodes) - 1, n - 1, -1):
        if j in live:
            live.update(nodes[j - n][1])
    return live


def _operands(op, first, shapes, unused, other, swap, broadcast, u, dtype, exponent, scalar,
              choice, flag, which, at):
    """(refs, constant) of a node of op whose first operand is value `first`, or (None, None)
    where its shape takes none: a second operand among the values whose shapes join it (an
    input not used yet for one draw in two), a constant among those its shape takes. matmul
    takes a pair of 2-d values whose inner axes are equal, one of them `first` if it can."""
    a = shapes[first]
    if op.name == "matmul":
        pairs = [(i, j) for i, s in enumerate(shapes) if len(s) == 2
                 for j, t in enumerate(shapes) if len(t) == 2 and s[1] == t[0]]
        pairs = [p for p in pairs if first in p] or pairs
        return (pairs[int(other * len(pairs))] if pairs else None), None
    if op.arity == 2:
        fits = [r for r, s in enumerate(shapes) if joins(s, a, broadcast)]
        fresh = [r for r in unused if r in fits and r != first]
        if fresh and other < 0.5:
            second = fresh[int(2 * other * len(fresh))]
        else:
            second = fits[int(other * len(fits))]
        return ((second, first) if swap < 0.5 else (first, second)), None
    const = op.const
    if const == "exponent":
        return (first,), exponent
    if const == "scalar":
        return (first,), scalar
    if const == "array":
        pool = constant_shapes(a, broadcast)
        s = pool[int(which * len(pool))]
        return (first,), u.grid_at(at, -2.0, 2.0, s, dtype)
    if const == "axes":
        pool = PERMUTATIONS[len(a)]
        return (first,), pool[int(choice * len(pool))]
    if const == "axis":
        pool = SUM_AXES[len(a)]
        return (first,), (pool[int(choice * len(pool))], flag < 1 / 3)  # keepdims=True: 1 in 3
    if const is not None:  # a shape: reshape's, broadcast_to's, sum_to's
        pool = {"wider": widenings, "narrower": narrowings}.get(const, reshapes)(a)
        if not pool:
            return None, None
        target = pool[int(choice * len(pool))]
        return (first,), (target, flag < 0.5) if const == "packed_shape" else target
    return (first,), None
