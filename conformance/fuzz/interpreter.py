"""The oracle: the kit's small interpreter of a graph, in float64. evaluate and backpropagate
run it over any of the number types (arrays: the values and gradients; Dual: Hessian-vector
products; Bound: the rounding an engine may have), oracle and bounds give what an engine is
judged against, valid and oracle_agrees say whether a graph may judge one at all."""
import functools
from dataclasses import replace

import numpy as np

from dezero_conformance.conformance.fuzz.arith import Bound, Dual
from dezero_conformance.conformance.fuzz.graph import _shared_ok
from dezero_conformance.conformance.fuzz.ops import OPS, _in_domain, has

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
F64_EPS = float(np.finfo(np.float64).eps)


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
