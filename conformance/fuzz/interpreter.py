"""The oracle: the kit's small interpreter of a graph, in float64. evaluate and backpropagate
run it over any of the number types (arrays: the values and gradients; Dual: Hessian-vector
products; Bound: the rounding an engine may have), oracle and bounds give what an engine is
judged against, valid and oracle_agrees say whether a graph may judge one at all."""
import functools
from dataclasses import replace

import numpy as np

from dezero_conformance.conformance.fuzz.arith import Bound, Dual, _shape, _sum_to, _to
from dezero_conformance.conformance.fuzz.graph import _shared_ok
from dezero_conformance.conformance.fuzz.ops import ELEMENTWISE_PAIRS, OPS, _in_domain, has

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


def evaluate(graph, xs, wide=False):
    """Every value of the graph (inputs, then nodes) from inputs xs of any number type; wide,
    with its ndarray constants in float64 (the oracle's: numpy before 2.0 computes a 0-d
    float64 value with a float32 array of more axes in float32)."""
    values = list(xs)
    for name, refs, c in graph.nodes:
        op = OPS[name]
        values.append(op.forward(*[values[r] for r in refs], _widen(c) if wide else c))
    return values


def _widen(c):
    return c.astype(np.float64) if isinstance(c, np.ndarray) and c.dtype != np.float64 else c


def backpropagate(graph, values, gy, wide=False):
    """The gradient of <gy, y> with respect to each input, by the graph's reverse rules; in a
    tensor graph each operand's gradient summed to its shape where the operation broadcast
    it (the rules of the elementwise operations give the output's shape)."""
    n = len(graph.inputs)
    grads = [None] * len(values)
    grads[-1] = gy
    for k in range(len(values) - 1, n - 1, -1):
        if grads[k] is None:
            continue
        name, refs, c = graph.nodes[k - n]
        op = OPS[name]
        fit = graph.tensor and (name in ELEMENTWISE_PAIRS or isinstance(c, np.ndarray))
        c = _widen(c) if wide else c
        for r, g in zip(refs, op.backward(grads[k], *[values[r] for r in refs], values[k], c)):
            if fit:  # an operation that broadcasts its operands
                g = _sum_to(g, _shape(values[r]))
            grads[r] = g if grads[r] is None else grads[r] + g
    return grads[:n]


def _parts(g, zero):
    """(value, [derivative]) of a Dual; a gradient that is not a Dual does not depend on x."""
    return (g.a, [g.d]) if isinstance(g, Dual) else (g, [zero])


def _seed(graph, which, like):
    """gy (or gv) in float64, ones shaped like `like` (y, or the input) where not given."""
    a = graph.gy if which == "gy" else graph.gv
    return np.ones(_shape(like)) if a is None else a.astype(np.float64)


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
    if graph.order == 1:
        with np.errstate(all="ignore"):
            values = evaluate(graph, xs, True)
            gy = _seed(graph, "gy", values[-1])
            grads = backpropagate(graph, values, gy, True)
            return np.asarray(values[-1]), [np.asarray(g) for g in grads]
    with np.errstate(all="ignore"):
        values = evaluate(graph, [Dual(xs[0], _seed(graph, "gv", xs[0]))], True)
        (g,) = backpropagate(graph, values, _seed(graph, "gy", values[-1]), True)
    return _parts(g, np.zeros(graph.shape))


@_memoized("bounds")
def bounds(graph, u):
    """The error allowed to an engine in each value oracle() gives, elementwise, for an engine
    whose operations are each within u (relative) of exact: SAFETY times the Bound."""
    xs = [Bound(x.astype(np.float64), 0.0, np.abs(x.astype(np.float64)), u) for x in graph.inputs]

    def exact(a):
        return Bound(a, 0.0, np.abs(a), u)
    with np.errstate(all="ignore"):
        if graph.order == 1:
            values = evaluate(graph, xs, True)
            gy = exact(_seed(graph, "gy", values[-1]))
            out = [values[-1]] + backpropagate(graph, values, gy, True)
            shapes = [_shape(values[-1])] + [x.shape for x in graph.inputs]
            return [SAFETY * _to(b.e, shape) for b, shape in zip(out, shapes)]
        values = evaluate(graph, [Dual(xs[0], exact(_seed(graph, "gv", graph.inputs[0])))], True)
        (g,) = backpropagate(graph, values, exact(_seed(graph, "gy", values[-1])), True)
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
    engines with the same operations run the same graphs. A tensor graph's shapes must be
    what its operations take (shrinking changes them), and gy and gv in y's and x0's."""
    if not _shared_ok(graph):
        return False
    xs = [x.astype(np.float64) for x in graph.inputs]
    with np.errstate(all="ignore"):  # whatever error state the engine set for numpy
        try:
            values = evaluate(graph, xs, True)
        except ValueError:  # shapes an operation does not take (numpy's AxisError too)
            return False
        for (name, refs, c), y in zip(graph.nodes, values[len(xs):]):
            args = [values[r] for r in refs]
            if graph.tensor and not _shapes_taken(graph, name, args, c):
                return False
            if not _in_domain(OPS[name], args, c, np.asarray(y)):
                return False
    if graph.tensor and not (
            (graph.gy is None or graph.gy.shape == np.shape(values[-1]))
            and (graph.gv is None or graph.gv.shape == graph.shape)):
        return False
    return _conditioned(graph, u)


def _shapes_taken(graph, name, args, c):
    """Whether the engine takes these operands' shapes: two of one shape, or any that
    broadcast from step 40 (graph.broadcast); matmul two 2-d values, a sum's axes and a
    transpose's within the operand's (numpy takes more: axis 0 of a 0-d array)."""
    if name == "matmul":
        return args[0].ndim == 2 and args[1].ndim == 2
    const = OPS[name].const
    if const in ("axis", "axes"):
        axes = c[0] if const == "axis" else c
        if axes is None:
            return True
        n = np.ndim(args[0])
        axes = axes if isinstance(axes, tuple) else (axes,)
        inside = all(-n <= a < n for a in axes) and len({a % n for a in axes}) == len(axes)
        return inside and (const == "axis" or len(axes) == n)
    if name in ELEMENTWISE_PAIRS or isinstance(c, np.ndarray):
        shapes = [np.shape(a) for a in args] + ([c.shape] if isinstance(c, np.ndarray) else [])
        return graph.broadcast or len(set(shapes)) == 1
    return True


def _conditioned(graph, u):
    """The oracle's values finite and nonzero, and their bounds within COND_MAX ulps (the
    bounds computed only for values that are: a second derivative that is zero everywhere,
    a linear graph's, is the most common refusal at order 2)."""
    want = oracle(graph)
    scales = []
    for got in [want[0]] + want[1]:
        scale = np.max(np.abs(got)) if np.size(got) else 0.0
        if not np.all(np.isfinite(got)) or scale == 0:
            return False
        scales.append(scale)
    for scale, bound in zip(scales, bounds(graph, u)):
        if not np.all(np.isfinite(bound)) or np.max(bound) > COND_MAX * u * scale:
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
    ws = [rng.uniform(0.5, 1.5, x.shape) * rng.choice((-1.0, 1.0), x.shape) for x in xs]
    hs = [ORACLE_STEP * np.maximum(1.0, np.abs(x)) for x in xs]
    want, got = oracle(graph)
    with np.errstate(all="ignore"):
        gy = _seed(graph, "gy", want if graph.order == 1 else evaluate(graph, xs, True)[-1])

    def phi(t):
        shifted = [x + t * h * w for x, h, w in zip(xs, hs, ws)]
        if graph.order == 1:
            return float(np.sum(gy * evaluate(graph, shifted, True)[-1]))
        values = evaluate(graph, shifted, True)
        (g,) = backpropagate(graph, values, gy, True)
        return float(np.sum(_seed(graph, "gv", xs[0]) * g))
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
