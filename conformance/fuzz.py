"""Random computation graphs, the kit's own exact oracle, and the smallest failing graph.

Public API (for engine authors as well as for clauses S44 and S45):

    operations(adapter) -> the names of the operations the engine has (OPS, by capability)
    generate(adapter, seed, index, order=1) -> Graph, deterministic for (seed, index, the ops)
    check(adapter, graph) -> None, or a Failure saying what the engine got wrong
    shrink(adapter, graph, failure) -> (a smallest Graph that still fails, its Failure, runs)
    search(adapter, count, seed, order=1) -> Search (every graph's outcome, the first failure
                                             shrunk, and Python that reproduces it)
    code(graph, spec) -> Python over the adapter `E` that rebuilds and runs the graph

A Graph has inputs x0..xk (float64 or float32 arrays, one shape from 0-d to (2, 3)) and
nodes, each an operation applied to earlier values (inputs or nodes: shared by several later
nodes at different depths) and, for the operators, a constant (a Python number on either
side, or an ndarray on either side of + and *). The last node is the output y. order 1
checks y and every input's gradient, backpropagated from gy (E.grads, or E.grad for an
engine without many inputs); order 2 (one input) checks the engine's own gradient g =
E.gradient(f, gy) and its backward seeded by gv, E.grad(g, x, gv), a Hessian-vector product.

The oracle is the kit's small interpreter of the graph: the forward and each operation's
derivative (reverse mode), in float64, written once over any number type with + - * / ** and
exp, sin, cos, tanh. Run on arrays it gives y and the gradients; on Dual numbers (forward mode
over the reverse pass) the Hessian-vector product; on Bound numbers a first-order bound on the
rounding error of an engine that computes the same graph, each operation within OP_ULPS of
exact, in whatever order it sums (sums are bounded by the magnitudes of their terms). The
allowed error of each element is SAFETY times that bound: derived per graph, never a fixed
tolerance. A graph's oracle is cross-checked against its own central difference
(oracle_agrees) wherever it would judge the engine wrong; the engine's numbers are never the
judge.

Generation keeps every operation where it is finite and well conditioned (DOMAIN): exp and
tanh of arguments up to 3, divisors and negative powers' bases at least 0.5 in magnitude,
fractional powers of values at least 0.25, every value at most 100 and 0 or at least 1e-6,
and graphs whose error bound exceeds COND_MAX ulps of their values' scale are drawn again.
Inputs and constants are exact in float32 (multiples of 1/1024), so the engine is given
exactly what the oracle uses.

Shrinking is the kit's own (the core is numpy-only; hypothesis is not used): greedy, to a
fixed point, each candidate kept only if it is still in the domain and still fails: an earlier
node as the output, a node bypassed by one of its operands, a node's operand replaced by an
input, unused inputs dropped, a smaller shape, simpler values (1, 0.5, a value rounded),
ones for gy and gv, float64 for float32, order 1 for order 2.
"""
import functools
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field, replace

import numpy as np

from dezero_conformance.adapters import LAST_STEP  # an adapter without STEP is judged there

FUZZ_VAR = "CONFORMANCE_FUZZ"
LOG_VAR = "CONFORMANCE_FUZZ_LOG"  # a file the clauses append each graph's outcome to
# Each operation of an engine, given exact operands, is within this many ulps of the exact
# result: + - * / round correctly (0.5 ulp), exp, sin, cos, tanh and ** are within 1-2 ulps in
# libm and numpy and within 4 in the vector libraries other engines use.
OP_ULPS = 4.0
# Margin over the first-order error bound: an engine may build a derivative from more
# operations than the oracle does (x**c / x for x**(c-1), two products for one).
SAFETY = 4.0
# A graph whose error bound exceeds this many ulps of its values' scale is drawn again: its
# tolerance would be too loose to say anything.
COND_MAX = 1e3
# The oracle's own central difference (oracle_agrees): step h = ORACLE_STEP * max(1, |x|) and
# allowed disagreement ORACLE_RTOL * (1 + |g|): truncation h^2 |f'''| and rounding eps/h stay
# below 1e-7 over the domain, while a wrong derivative rule is off by O(1).
ORACLE_STEP = 1e-5
ORACLE_RTOL = 1e-5
MAX_NODES = 8
REUSE = 0.3  # how often a node repeats an operation already in the graph
MAX_INPUTS = 3
SHRINK_RUNS = 400  # engine runs a shrink may take
SHRUNK_KINDS = 4  # ways of failing shrunk and shown, in the order met
# Wall-clock seconds all the shrinks of one search may take (a slow engine runs a graph in
# half a second): a shrink stops where it is, with a graph that still fails.
SHRINK_SECONDS = 60.0
EXP_MAX, TANH_MAX, TRIG_MAX = 3.0, 3.0, 10.0
DIVISOR_MIN, ROOT_MIN, VALUE_MAX = 0.5, 0.25, 100.0
VALUE_MIN = 1e-6  # every value is 0 or at least this: far from float32's underflow
CONSTANTS = (2.0, 0.5, 3.0, -1.5, 1.25, -2.0, 0.75)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5, 2.5)
SHAPES = ((), (1,), (3,), (2, 3))  # an engine without `vector` gets 0-d inputs only
# Which values a graph may use more than once, by the engine's book step: none before step 14
# (the book's step-13 backward sets grads rather than accumulating them), the inputs alone
# before step 16 (accumulation, but a plain stack: a shared intermediate value is passed back
# before all its grads have arrived until generations, step 16), any value from step 16.
SHARE_NONE, SHARE_INPUTS, SHARE_ANY = 0, 1, 2
GRID = 1024.0  # inputs and array constants are multiples of 1/GRID: exact in float32
F64_EPS = float(np.finfo(np.float64).eps)


# ---------------------------------------------------------------- number types of the oracle

def _fn(name, a):
    """exp, sin, cos or tanh of a number of any of the oracle's types."""
    return getattr(a, name)() if isinstance(a, (Dual, Bound)) else getattr(np, name)(a)


class Dual:
    """a + d*eps, eps^2 = 0: carries the derivative along one direction (forward mode)."""
    __array_priority__ = 1000  # ndarray (op) Dual defers to Dual's reflected operator

    def __init__(self, a, d):
        self.a, self.d = a, d

    @staticmethod
    def _parts(b):
        return (b.a, b.d) if isinstance(b, Dual) else (b, None)

    def __add__(self, b):
        b, db = self._parts(b)
        return Dual(self.a + b, self.d if db is None else self.d + db)

    __radd__ = __add__

    def __sub__(self, b):
        b, db = self._parts(b)
        return Dual(self.a - b, self.d if db is None else self.d - db)

    def __rsub__(self, b):
        return Dual(b - self.a, -self.d)

    def __mul__(self, b):
        b, db = self._parts(b)
        return Dual(self.a * b, self.d * b if db is None else self.d * b + self.a * db)

    __rmul__ = __mul__

    def __truediv__(self, b):
        b, db = self._parts(b)
        y = self.a / b
        return Dual(y, self.d / b if db is None else (self.d - y * db) / b)

    def __rtruediv__(self, b):
        y = b / self.a
        return Dual(y, -(y * self.d) / self.a)

    def __neg__(self):
        return Dual(-self.a, -self.d)

    def __pow__(self, c):
        return Dual(self.a ** c, c * self.a ** (c - 1) * self.d)

    def exp(self):
        y = _fn("exp", self.a)
        return Dual(y, y * self.d)

    def sin(self):
        return Dual(_fn("sin", self.a), _fn("cos", self.a) * self.d)

    def cos(self):
        return Dual(_fn("cos", self.a), -(_fn("sin", self.a) * self.d))

    def tanh(self):
        y = _fn("tanh", self.a)
        return Dual(y, (1.0 - y * y) * self.d)


def _defer(method):
    """A Bound operation with a Dual operand is the Dual's (Dual over Bound)."""
    @functools.wraps(method)
    def op(self, b):
        return NotImplemented if isinstance(b, Dual) else method(self, b)
    return op


class Bound:
    """A value v, a bound e on the error an engine may have in it, and m >= |v|, the sum of
    the magnitudes of the terms that make v (what a sum's rounding is relative to, whatever
    order it is summed in). Every operation adds u * m of its own rounding."""
    __array_priority__ = 1000

    def __init__(self, v, e, m, u):
        self.v, self.e, self.m, self.u = v, e, m, u

    def _of(self, b):
        if isinstance(b, Bound):
            return b
        b = np.asarray(b, dtype=np.float64)
        return Bound(b, 0.0, np.abs(b), self.u)

    @_defer
    def __add__(self, b):
        b = self._of(b)
        m = self.m + b.m
        return Bound(self.v + b.v, self.e + b.e + self.u * m, m, self.u)

    __radd__ = __add__

    @_defer
    def __sub__(self, b):
        return self + (-self._of(b))

    @_defer
    def __rsub__(self, b):
        return self._of(b) + (-self)

    @_defer
    def __mul__(self, b):
        b = self._of(b)
        m = self.m * b.m
        e = self.e * np.abs(b.v) + np.abs(self.v) * b.e + self.e * b.e
        return Bound(self.v * b.v, e + self.u * m, m, self.u)

    __rmul__ = __mul__

    @_defer
    def __truediv__(self, b):
        b = self._of(b)
        v = self.v / b.v
        room = np.abs(b.v) - b.e  # the domain keeps divisors far from zero: room > 0
        e = (self.e + np.abs(v) * b.e) / room
        m = self.m / np.abs(b.v)
        return Bound(v, e + self.u * m, m, self.u)

    @_defer
    def __rtruediv__(self, b):
        return self._of(b) / self

    def __neg__(self):
        return Bound(-self.v, self.e, self.m, self.u)

    def __pow__(self, c):
        v = self.v ** c
        # the slope |c a^(c-1)| at its worst over a +- e: at the smaller |a| for c < 1
        near = np.abs(self.v) + (-self.e if c < 1 else self.e)
        slope = np.abs(c) * np.maximum(near, 0.0) ** (c - 1)
        m = np.abs(v)
        return Bound(v, slope * self.e + self.u * m, m, self.u)

    def _unary(self, v, slope, curve):
        m = np.abs(v)
        return Bound(v, slope * self.e + curve * self.e * self.e + self.u * m, m, self.u)

    def exp(self):
        v = np.exp(self.v)
        return Bound(v, v * np.expm1(self.e) + self.u * v, v, self.u)

    def sin(self):
        return self._unary(np.sin(self.v), np.abs(np.cos(self.v)), 0.5)

    def cos(self):
        return self._unary(np.cos(self.v), np.abs(np.sin(self.v)), 0.5)

    def tanh(self):
        v = np.tanh(self.v)
        return self._unary(v, 1.0 - v * v, 1.0)


# ---------------------------------------------------------------- operations

@dataclass(frozen=True)
class Op:
    """An operation: arity (engine values taken), the capability it needs, how the engine is
    called (a format over the operands' and the constant's Python text), the oracle's forward
    and reverse rule (given the output gradient g, the operands, the output and the
    constant), and the constant it takes: None, "scalar", "array" or "exponent"."""
    name: str
    arity: int
    capability: object
    text: str
    forward: object
    backward: object
    const: object = None


def _ops():
    sq = lambda a: a * a  # noqa: E731
    table = [
        ("square", 1, None, "E.square({0})", lambda a, c: sq(a), lambda g, a, y, c: [2.0 * a * g]),
        ("exp", 1, "exp", "E.exp({0})", lambda a, c: _fn("exp", a), lambda g, a, y, c: [y * g]),
        ("add", 2, "add", "E.add({0}, {1})", lambda a, b, c: a + b, lambda g, a, b, y, c: [g, g]),
        ("mul", 2, "arithmetic", "E.mul({0}, {1})", lambda a, b, c: a * b,
         lambda g, a, b, y, c: [g * b, g * a]),
        ("sub", 2, "arithmetic", "E.sub({0}, {1})", lambda a, b, c: a - b,
         lambda g, a, b, y, c: [g, -g]),
        ("div", 2, "arithmetic", "E.div({0}, {1})", lambda a, b, c: a / b,
         lambda g, a, b, y, c: [g / b, -(g * a) / (b * b)]),
        ("neg", 1, "arithmetic", "E.neg({0})", lambda a, c: -a, lambda g, a, y, c: [-g]),
        ("pow", 1, "arithmetic", "E.pow({0}, {c})", lambda a, c: a ** c,
         lambda g, a, y, c: [c * a ** (c - 1) * g], "exponent"),
        ("sin", 1, "sin_cos", "E.sin({0})", lambda a, c: _fn("sin", a),
         lambda g, a, y, c: [_fn("cos", a) * g]),
        ("cos", 1, "sin_cos", "E.cos({0})", lambda a, c: _fn("cos", a),
         lambda g, a, y, c: [-(_fn("sin", a) * g)]),
        ("tanh", 1, "tanh", "E.tanh({0})", lambda a, c: _fn("tanh", a),
         lambda g, a, y, c: [(1.0 - y * y) * g]),
        # the operators (step 20-22): between engine values, and with a constant either side
        ("+", 2, "operators", "{0} + {1}", lambda a, b, c: a + b, lambda g, a, b, y, c: [g, g]),
        ("-", 2, "operators", "{0} - {1}", lambda a, b, c: a - b, lambda g, a, b, y, c: [g, -g]),
        ("*", 2, "operators", "{0} * {1}", lambda a, b, c: a * b,
         lambda g, a, b, y, c: [g * b, g * a]),
        ("/", 2, "operators", "{0} / {1}", lambda a, b, c: a / b,
         lambda g, a, b, y, c: [g / b, -(g * a) / (b * b)]),
        ("-x", 1, "operators", "-{0}", lambda a, c: -a, lambda g, a, y, c: [-g]),
        ("x**c", 1, "operators", "{0} ** {c}", lambda a, c: a ** c,
         lambda g, a, y, c: [c * a ** (c - 1) * g], "exponent"),
        ("c+x", 1, "operators", "{c} + {0}", lambda a, c: c + a, lambda g, a, y, c: [g], "scalar"),
        ("x+c", 1, "operators", "{0} + {c}", lambda a, c: a + c, lambda g, a, y, c: [g], "scalar"),
        ("c-x", 1, "operators", "{c} - {0}", lambda a, c: c - a, lambda g, a, y, c: [-g], "scalar"),
        ("x-c", 1, "operators", "{0} - {c}", lambda a, c: a - c, lambda g, a, y, c: [g], "scalar"),
        ("c*x", 1, "operators", "{c} * {0}", lambda a, c: c * a,
         lambda g, a, y, c: [c * g], "scalar"),
        ("x*c", 1, "operators", "{0} * {c}", lambda a, c: a * c,
         lambda g, a, y, c: [g * c], "scalar"),
        ("c/x", 1, "operators", "{c} / {0}", lambda a, c: c / a,
         lambda g, a, y, c: [-(g * c) / (a * a)], "scalar"),
        ("x/c", 1, "operators", "{0} / {c}", lambda a, c: a / c,
         lambda g, a, y, c: [g / c], "scalar"),
        # an ndarray on either side of + and * (step 21)
        ("A+x", 1, "array_operands", "{c} + {0}", lambda a, c: c + a,
         lambda g, a, y, c: [g], "array"),
        ("x+A", 1, "array_operands", "{0} + {c}", lambda a, c: a + c,
         lambda g, a, y, c: [g], "array"),
        ("A*x", 1, "array_operands", "{c} * {0}", lambda a, c: c * a,
         lambda g, a, y, c: [c * g], "array"),
        ("x*A", 1, "array_operands", "{0} * {c}", lambda a, c: a * c,
         lambda g, a, y, c: [g * c], "array"),
    ]
    return {row[0]: Op(*row) for row in table}


OPS = _ops()


# The operators come one step at a time: + and * between Variables at step 20, with a Python
# number on either side at 21, and -, /, ** and unary - at 22 (an engine at step 20 or 21 need
# not have them).
OP_STEP = {"+": 20, "*": 20, "c+x": 21, "x+c": 21, "c*x": 21, "x*c": 21, "-": 22, "/": 22,
           "-x": 22, "x**c": 22, "c-x": 22, "x-c": 22, "c/x": 22, "x/c": 22}


def operations(adapter):
    """The names of OPS the engine has (its capabilities present, not missing), in OPS order,
    as far as the step it is judged at has them."""
    missing = getattr(adapter, "MISSING", None) or {}
    retired = getattr(adapter, "RETIRED", None) or {}
    step = getattr(adapter, "STEP", LAST_STEP)

    def has(cap):
        return cap is None or (cap not in adapter.ABSENT and cap not in missing
                               and cap not in retired)
    return tuple(n for n, op in OPS.items()
                 if has(op.capability) and OP_STEP.get(n, 1) <= step)


def has(adapter, cap):
    return cap not in adapter.ABSENT and cap not in (getattr(adapter, "MISSING", None) or {})


# ---------------------------------------------------------------- graphs

@dataclass
class Graph:
    """inputs: arrays of one shape and dtype; nodes: (op name, operand refs, constant), a ref
    being an index into inputs + nodes; the last node is y. gy seeds y's gradient (None: the
    engine seeds ones); order 2 differentiates the gradient again, seeded by gv."""
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
        return (len(self.nodes), len(self.inputs), int(np.prod(self.shape)), len(self.shape),
                self.order, int(self.dtype != np.float64), odd)

    def _arrays(self):
        arrays = list(self.inputs) + [c for _, _, c in self.nodes if isinstance(c, np.ndarray)]
        return arrays + [a for a in (self.gy, self.gv) if a is not None]

    def describe(self):
        inputs = f"{len(self.inputs)} input{'s' * (len(self.inputs) > 1)}"
        return (f"{len(self.nodes)} node{'s' * (len(self.nodes) > 1)} over {inputs} of shape "
                f"{self.shape} {self.dtype}" + (", second order" if self.order == 2 else ""))


def _simple(v):
    return float(v) in (0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0)


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


def _in_domain(op, args, c, y):
    """Whether op is finite and well conditioned at these float64 operands (see DOMAIN); the
    caller holds numpy's error state off (a nan compares False, as intended here)."""
    a = np.abs(args[0]) if args else None
    name = op.name
    if name == "exp" and a.max() > EXP_MAX:
        return False
    if name == "tanh" and a.max() > TANH_MAX:
        return False
    if (name == "sin" or name == "cos") and a.max() > TRIG_MAX:
        return False
    if (name == "div" or name == "/") and np.abs(args[1]).min() < DIVISOR_MIN:
        return False
    if name == "c/x" and a.min() < DIVISOR_MIN:
        return False
    if op.const == "exponent":
        if c != int(c) and args[0].min() < ROOT_MIN:
            return False
        if c < 0 and a.min() < DIVISOR_MIN:
            return False
    m = np.abs(y)
    # m.max() is nan where y has one, and nan <= VALUE_MAX is False: finite, and in range
    return bool(m.max() <= VALUE_MAX and ((m >= VALUE_MIN) | (y == 0)).all())


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


UNIVERSE = tuple(OPS)
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


# ---------------------------------------------------------------- the oracle

def evaluate(graph, xs):
    """Every value of the graph (inputs, then nodes) from inputs xs of any number type."""
    values = list(xs)
    for name, refs, c in graph.nodes:
        op = OPS[name]
        values.append(op.forward(*[values[r] for r in refs], c))
    return values


def backpropagate(graph, values, gy):
    """The gradient of <gy, y> with respect to each input, by the graph's reverse rules."""
    n = len(graph.inputs)
    grads = [None] * len(values)
    grads[-1] = gy
    for k in range(len(values) - 1, n - 1, -1):
        if grads[k] is None:
            continue
        name, refs, c = graph.nodes[k - n]
        op = OPS[name]
        for r, g in zip(refs, op.backward(grads[k], *[values[r] for r in refs], values[k], c)):
            grads[r] = g if grads[r] is None else grads[r] + g
    return grads[:n]


def _parts(g, zero):
    """(value, [derivative]) of a Dual; a gradient that is not a Dual does not depend on x."""
    return (g.a, [g.d]) if isinstance(g, Dual) else (g, [zero])


def _seed(graph, which):
    a = graph.gy if which == "gy" else graph.gv
    return np.ones(graph.shape) if a is None else a.astype(np.float64)


def _memoized(name):
    """Cache a pure function of a graph (and its other arguments) on the graph, and of the
    rules in OPS (a test that patches one gets its own answers)."""
    def wrap(fn):
        @functools.wraps(fn)
        def memo(graph, *args):
            key = (name, *args, tuple(map(id, OPS.values())))
            if key not in graph.memo:
                graph.memo[key] = fn(graph, *args)
            return graph.memo[key]
        return memo
    return wrap


@_memoized("oracle")
def oracle(graph):
    """The kit's float64 values: order 1, (y, [gradient of each input]); order 2,
    (g, [Hessian-vector product]) with g the gradient of <gy, y>."""
    xs = [x.astype(np.float64) for x in graph.inputs]
    gy = _seed(graph, "gy")
    if graph.order == 1:
        with np.errstate(all="ignore"):
            values = evaluate(graph, xs)
            return np.asarray(values[-1]), [np.asarray(g) for g in backpropagate(graph, values, gy)]
    with np.errstate(all="ignore"):
        values = evaluate(graph, [Dual(xs[0], _seed(graph, "gv"))])
        (g,) = backpropagate(graph, values, gy)
    return _parts(g, np.zeros(graph.shape))


@_memoized("bounds")
def bounds(graph, u):
    """The error allowed to an engine in each value oracle() gives, elementwise, for an engine
    whose operations are each within u (relative) of exact: SAFETY times the Bound."""
    xs = [Bound(x.astype(np.float64), 0.0, np.abs(x.astype(np.float64)), u) for x in graph.inputs]
    gy = Bound(_seed(graph, "gy"), 0.0, np.abs(_seed(graph, "gy")), u)
    with np.errstate(all="ignore"):
        if graph.order == 1:
            values = evaluate(graph, xs)
            out = [values[-1]] + backpropagate(graph, values, gy)
            return [SAFETY * np.broadcast_to(b.e, graph.shape) for b in out]
        gv = Bound(_seed(graph, "gv"), 0.0, np.abs(_seed(graph, "gv")), u)
        values = evaluate(graph, [Dual(xs[0], gv)])
        (g,) = backpropagate(graph, values, gy)
    g, hvp = _parts(g, Bound(np.zeros(graph.shape), 0.0, 0.0, u))
    return [SAFETY * np.broadcast_to(g.e, graph.shape),
            SAFETY * np.broadcast_to(hvp[0].e, graph.shape)]


def _unit(adapter, graph):
    """u: OP_ULPS of the dtype the engine computes this graph in."""
    wide = graph.dtype == np.float64 and has(adapter, "float64")
    return OP_ULPS * float(np.finfo(np.float64 if wide else np.float32).eps)


def valid(graph, u=OP_ULPS * F64_EPS):
    """In the domain (every operation) and well conditioned (bounds within COND_MAX ulps).
    The bounds are linear in u, so the verdict is the same for every engine's precision, and
    engines with the same operations run the same graphs."""
    if not _shared_ok(graph):
        return False
    xs = [x.astype(np.float64) for x in graph.inputs]
    with np.errstate(all="ignore"):  # whatever error state the engine set for numpy
        values = evaluate(graph, xs)
        for (name, refs, c), y in zip(graph.nodes, values[len(xs):]):
            if not _in_domain(OPS[name], [values[r] for r in refs], c, np.asarray(y)):
                return False
    return _conditioned(graph, u)


def _conditioned(graph, u):
    """The oracle's values finite and nonzero, and their bounds within COND_MAX ulps."""
    want = oracle(graph)
    for got, bound in zip([want[0]] + want[1], bounds(graph, u)):
        scale = np.max(np.abs(got)) if np.size(got) else 0.0
        if not (np.all(np.isfinite(got)) and np.all(np.isfinite(bound))):
            return False
        if scale == 0 or np.max(bound) > COND_MAX * u * scale:
            return False
    return True


@_memoized("agrees")
def oracle_agrees(graph):
    """None if the oracle's derivatives match its own central difference along a seeded
    direction, else why not: a fault in the kit, never the engine's."""
    if graph.order == 2:  # the gradient g that S45 judges too, then its derivative
        first = oracle_agrees(replace(graph, order=1, gv=None))
        if first is not None:
            return first
    rng = np.random.default_rng([graph.seed, graph.index, 7])
    xs = [x.astype(np.float64) for x in graph.inputs]
    ws = [rng.uniform(0.5, 1.5, graph.shape) * rng.choice((-1.0, 1.0), graph.shape) for _ in xs]
    hs = [ORACLE_STEP * np.maximum(1.0, np.abs(x)) for x in xs]
    want, got = oracle(graph)
    gy = _seed(graph, "gy")

    def phi(t):
        shifted = [x + t * h * w for x, h, w in zip(xs, hs, ws)]
        if graph.order == 1:
            return float(np.sum(gy * evaluate(graph, shifted)[-1]))
        values = evaluate(graph, shifted)
        (g,) = backpropagate(graph, values, gy)
        return float(np.sum(_seed(graph, "gv") * g))
    with np.errstate(all="ignore"):
        numeric = (phi(1.0) - phi(-1.0)) / 2
    analytic = float(sum(np.sum(g * h * w) for g, h, w in zip(got, hs, ws)))
    scale = float(sum(np.sum(np.abs(g * h * w)) for g, h, w in zip(got, hs, ws)))
    step = float(sum(np.sum(h * np.abs(w)) for h, w in zip(hs, ws)))
    if abs(numeric - analytic) <= ORACLE_RTOL * (step + scale):
        return None
    return (f"the kit's oracle gives {analytic / step!r} along a direction where its own central "
            f"difference gives {numeric / step!r}: a fault in the kit, not in the engine; "
            f"report it with this graph")


# ---------------------------------------------------------------- the engine

@dataclass
class Failure:
    what: str  # one line: what the engine got wrong
    # how: "wrong value", "wrong dtype", "wrong shape", "None gradient", "wrong count",
    # "not an array", "wrote to its input" or "raised <exception type>";
    # a shrunk graph must fail the same way
    kind: str = "wrong value"


def build(adapter, graph):
    """The graph as a function of engine values, over the adapter's operations."""
    E = adapter

    def f(*xs):
        values = list(xs)
        for name, refs, c in graph.nodes:
            values.append(_apply(E, name, [values[r] for r in refs], c))
        return values[-1]
    return f


def _apply(E, name, args, c):
    if isinstance(c, np.ndarray):
        c = c.copy()  # an engine that writes to an operand must not change the graph
    if name == "square":
        return E.square(args[0])
    if name in ("exp", "sin", "cos", "tanh", "neg"):
        return getattr(E, name)(args[0])
    if name in ("add", "mul", "sub", "div"):
        return getattr(E, name)(*args)
    if name == "pow":
        return E.pow(args[0], c)
    a = args[0]
    b = args[1] if len(args) > 1 else None
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "-x": lambda: -a, "x**c": lambda: a ** c,
            "c+x": lambda: c + a, "x+c": lambda: a + c, "c-x": lambda: c - a,
            "x-c": lambda: a - c, "c*x": lambda: c * a, "x*c": lambda: a * c,
            "c/x": lambda: c / a, "x/c": lambda: a / c, "A+x": lambda: c + a,
            "x+A": lambda: a + c, "A*x": lambda: c * a, "x*A": lambda: a * c}[name]()


def run(adapter, graph, given=None):
    """What the engine gives for the graph, as oracle() does: (y, [grads]) or (g, [hvp]).
    The engine gets copies of the graph's arrays; given (a list) gets (name, copy, original)
    for each, to see afterwards whether the engine wrote to them."""
    E, f = adapter, build(adapter, graph)
    gy = None if graph.gy is None else graph.gy.copy()
    gv = None if graph.gv is None else graph.gv.copy()
    xs = [x.copy() for x in graph.inputs]
    if given is not None:
        given += [(f"x{i}", x, graph.inputs[i]) for i, x in enumerate(xs)]
        given += [(name, a, b) for name, a, b in (("gy", gy, graph.gy), ("gv", gv, graph.gv))
                  if a is not None]
    if graph.order == 2:
        g = E.gradient(f, gy)
        y, gx = E.grad(g, xs[0], gv)
        return y, [gx]
    if graph.many:
        y, gxs = E.grads(f, xs, gy)
        return y, list(gxs)
    y, gx = E.grad(f, xs[0], gy)
    return y, [gx]


def check(adapter, graph):
    """None if the engine's values match the oracle's within the graph's bounds, else a
    Failure naming the first value that does not (or what the engine raised)."""
    want_y, want_gs = oracle(graph)
    allowed = bounds(graph, _unit(adapter, graph))
    given = []
    try:
        got_y, got_gs = run(adapter, graph, given)
    except Exception as exc:  # the engine's error is the finding
        text = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return Failure(f"the engine raised {text}", f"raised {type(exc).__name__}")
    for name, passed, original in given:
        if not np.array_equal(passed, original):
            return Failure(f"the engine wrote to the array given as {name}: it holds "
                           f"{_literal(passed)}, was given {_literal(original)}",
                           "wrote to its input")
    first, rest = ("g", "hvp") if graph.order == 2 else ("y", "gx")
    names = [first] + [f"{rest}{i}" if graph.order == 1 else rest for i in range(len(want_gs))]
    if len(got_gs) != len(want_gs):
        return Failure(f"the engine gave {len(got_gs)} gradients for {len(want_gs)} inputs",
                       "wrong count")
    wide = graph.dtype == np.float64 and has(adapter, "float64")
    for name, got, want, bound in zip(names, [got_y] + got_gs, [want_y] + want_gs, allowed):
        if got is None:
            return Failure(f"the engine left {name} None", "None gradient")
        try:
            got = np.asarray(got)
        except Exception as exc:
            return Failure(f"{name} is not array-like: {type(exc).__name__}: {exc}"[:300],
                           "not an array")
        if got.shape != graph.shape:
            return Failure(f"{name} has shape {got.shape}, must have the inputs' shape "
                           f"{graph.shape}", "wrong shape")
        if wide and got.dtype != np.float64 or not np.issubdtype(got.dtype, np.floating):
            return Failure(f"{name} has dtype {got.dtype}, must be "
                           f"{'float64' if wide else 'floating'} like the inputs", "wrong dtype")
        with np.errstate(all="ignore"):
            error = np.abs(got.astype(np.float64) - want)
        bad = ~(error <= bound)
        if np.any(bad):
            i = tuple(int(j) for j in np.argwhere(bad)[0]) if got.ndim else ()
            where = f"{name}[{', '.join(map(str, i))}]" if i else name
            return Failure(f"{where} = {float(got[i])!r}, the kit's float64 oracle gives "
                           f"{float(want[i])!r} (error {float(error[i]):.3g}, allowed "
                           f"{float(bound[i]):.3g}: {SAFETY:g} x the graph's rounding bound)")
    return None


# ---------------------------------------------------------------- shrinking

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


def _key(graph):
    parts = [graph.order, str(graph.dtype)]
    parts += [a.tobytes() + str(a.shape).encode() for a in graph.inputs]
    parts += [(n, r, c.tobytes() if isinstance(c, np.ndarray) else c) for n, r, c in graph.nodes]
    parts += [None if a is None else a.tobytes() for a in (graph.gy, graph.gv)]
    return repr(parts)


def _candidates(graph):
    n, nodes = len(graph.inputs), graph.nodes
    if graph.order == 2:
        yield replace(graph, order=1, gv=None)
    for k in range(len(nodes) - 1):  # an earlier node as the output
        yield _prune(replace(graph, nodes=nodes[:k + 1]))
    for k, (_name, refs, _c) in enumerate(nodes):  # a node bypassed by one of its operands
        for r in dict.fromkeys(refs):
            yield _bypass(graph, n + k, r)
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
        return np.full(graph.shape, 2.0, dtype=graph.dtype)
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


# ---------------------------------------------------------------- Python for a graph

def _literal(a):
    a = np.asarray(a)
    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype}"
    return f"np.array({a.tolist()!r}{dtype})"


def _const_text(c):
    return _literal(c) if isinstance(c, np.ndarray) else repr(c)


def code(graph, spec=None):
    """Python over `E` (the engine's adapter, which only renames its operations) that builds
    and runs the graph as the check does, then prints what the engine gives and what the kit's
    oracle says it must give; with spec, first the lines that load the engine as E."""
    n = len(graph.inputs)
    names = [f"x{i}" for i in range(n)] + [f"t{k + 1}" for k in range(len(graph.nodes))]
    lines = ["import numpy as np", "from dezero_conformance import adapters",
             f"E = adapters.load({spec!r})"] if spec is not None else []
    lines.append(f"def f({', '.join(names[:n])}):")
    for k, (name, refs, c) in enumerate(graph.nodes):
        expr = OPS[name].text.format(*[names[r] for r in refs], c=_const_text(c))
        lines.append(f"    {names[n + k]} = {expr}")
    lines.append(f"    return {names[-1]}")
    gy = "" if graph.gy is None else f", {_literal(graph.gy)}"
    xs = [_literal(x) for x in graph.inputs]
    want, wants = oracle(graph)
    if graph.order == 2:
        gv = "" if graph.gv is None else f", {_literal(graph.gv)}"
        lines += [f"g = E.gradient(f{gy})", f"gx, hvp = E.grad(g, {xs[0]}{gv})",
                  "print(gx, hvp)", f"# the kit's oracle: gx = {_literal(want)}, "
                                    f"hvp = {_literal(wants[0])}"]
    elif graph.many:
        lines += [f"y, gxs = E.grads(f, [{', '.join(xs)}]{gy})", "print(y, gxs)",
                  f"# the kit's oracle: y = {_literal(want)}, "
                  f"gxs = [{', '.join(_literal(g) for g in wants)}]"]
    else:
        lines += [f"y, gx = E.grad(f, {xs[0]}{gy})", "print(y, gx)",
                  f"# the kit's oracle: y = {_literal(want)}, gx = {_literal(wants[0])}"]
    return "\n".join(lines)


# ---------------------------------------------------------------- a search

@dataclass
class Search:
    """The outcome of search(): the graphs run, the indices of those that failed, and for
    each way they failed (Failure.kind, in the order met) how many, the first such graph and
    that graph shrunk; first and shrunk are those of the first way met."""
    count: int
    seed: int
    order: int
    failed: list = field(default_factory=list)
    kinds: dict = field(default_factory=dict)  # kind: {"count", "first", "shrunk"}
    oracle_faults: list = field(default_factory=list)

    @property
    def first(self):  # (graph, Failure) as generated
        return next(iter(self.kinds.values()))["first"] if self.kinds else None

    @property
    def shrunk(self):  # (graph, Failure, runs)
        return next(iter(self.kinds.values()))["shrunk"] if self.kinds else None

    @property
    def ok(self):
        return not self.failed and not self.oracle_faults


def budget(default):
    """CONFORMANCE_FUZZ, the number of graphs to run, else default."""
    raw = os.environ.get(FUZZ_VAR, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{FUZZ_VAR}={raw!r} is not a positive number of graphs; set it to "
                         f"e.g. 10000 for a long search, or unset it")
    return value


def key(graph):
    """A graph's identity across engines: a hash of its Python (code()), the same for every
    engine that runs it."""
    return hashlib.sha1(code(graph).encode()).hexdigest()[:12]


def search(adapter, count, seed, order=1, shrink_budget=SHRINK_RUNS, start=0, log=None,
           progress=None):
    """Run graphs start .. start+count-1 of seed; shrink the first of each way they fail
    (up to SHRUNK_KINDS ways). With log (a
    path; the clauses take CONFORMANCE_FUZZ_LOG), append a JSON line per graph: its key,
    index, order, and what failed (None if it passed). progress(done, count, failed) is
    called after each graph, if given."""
    result = Search(count, seed, order)
    lines = []
    for index in range(start, start + count):
        graph = generate(adapter, seed, index, order)
        failure = check(adapter, graph)
        # The oracle is cross-checked where it would judge the engine wrong: a disagreement
        # there is the kit's fault, never reported as the engine's.
        fault = None if failure is None else oracle_agrees(graph)
        if fault is not None:
            result.oracle_faults.append((index, fault))
            continue
        if log:
            lines.append(json.dumps({"key": key(graph), "index": index, "order": order,
                                     "seed": seed, "failure": failure and failure.what}))
        if failure is not None:
            result.failed.append(index)
            way = result.kinds.setdefault(failure.kind, {"count": 0, "first": (graph, failure),
                                                         "shrunk": None})
            way["count"] += 1
        if progress is not None:
            progress(index - start + 1, count, len(result.failed))
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    deadline = time.monotonic() + SHRINK_SECONDS
    for way in list(result.kinds.values())[:SHRUNK_KINDS]:
        way["shrunk"] = shrink(adapter, *way["first"], shrink_budget, deadline)
    return result

