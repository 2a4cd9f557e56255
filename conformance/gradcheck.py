"""Gradient checking for any engine reachable through an adapter: the suite's own oracle.

Public API (for engine authors as well as for clause S15):

    check_gradient(adapter, fn, x, gy=None, mode="full", seed=None, directions=1,
                   rtol=None, atol=None, engine_spec=None, fn_text=None, x_text=None,
                   gy_text=None) -> Report
    assert_gradient(...same arguments...) -> Report, or raises AssertionError(report.message)
    check_second_order(adapter, fn, x, gy=None, gv=None, mode="full", seed=None,
                       directions=1, rtol=None, atol=None, engine_spec=None, fn_text=None,
                       x_text=None, gy_text=None, gv_text=None) -> Report
    assert_second_order(...same arguments...) -> Report, or raises AssertionError

`fn` is any function built from the engine's operations (engine value -> engine value), `x`
a floating-point numpy array of any shape, `gy` the output gradient (None: the engine seeds
ones itself and the oracle differentiates sum(fn(x)); an adapter whose ABSENT lists
implicit_seed is given those ones explicitly, at the cost of one more forward). What is
checked is the engine's backward, `adapter.grad(fn, x, gy)`, against a central difference of
L(x) = sum(gy * fn(x)) computed from the engine's own forward (`adapter.value(fn(
adapter.leaf(x)))`, given a copy of each point) with float64 arithmetic. The engine's
numerical_diff is never used. Pass a float64 x for the strictest check.

Modes
    "full"    every element i: D(h) = (L(x + h e_i) - L(x - h e_i)) / 2h, compared with gx[i].
              4 engine forwards per element (steps h and 2h), plus one backward.
    "random"  `directions` seeded random directions w (random signs, magnitudes uniform in
              [0.5, 1.5], times max(1, |x|)): (L(x + h w) - L(x - h w)) / 2h compared
              with <gx, w>. 4 forwards per direction plus one backward, whatever the size of x.
              One direction is the default (benchmarks/gradcheck_bench.py measures it against
              torch's fast mode): it catches a wrong element whose error, times its weight of
              at least 0.5, exceeds the projection's budget; more directions guard against
              errors in several elements that happen to cancel in one projection.
              On a failure it locates the worst element: full mode over all of x when x has at
              most FULL_FALLBACK_MAX elements, else bisection with directions restricted to
              halves of the candidates, then full mode over the last LOCATE_BLOCK of them.

Step and tolerance
    The step is h = eps^(1/3) * max(1, |x|) per element, with eps that of the least precise of
    the dtype the engine returns and x's (a float32 engine gets a float32 step, and so does a
    float32 x whose forward a float64 constant promotes, after rounding its first values in
    float32; perturbed inputs are rounded to that dtype and the step actually taken is used).
    The allowed error (the "budget") is derived, for each comparison, from an estimate of the
    finite-difference error:
        budget = SAFETY * (|r(2h) - r(h)| / 3 + forward rounding + backward rounding)
    where r(s) = D(s) - analytic is the residual at step s (Richardson: the truncation error of
    D(h) is a third of D(2h) - D(h)), and the rounding terms are FORWARD_ULPS and ANALYTIC_ULPS
    ulps of the engine's dtype on the terms summed (root-sum-square over elements). Passing
    rtol and/or atol replaces the budget by atol + rtol * |analytic| per element (in random
    mode: atol * sum|w| + rtol * sum|gx * w|), and skips the 2h step (2 forwards fewer each).

Second order (steps 32-36: double backprop)
    check_second_order checks the gradient of the engine's gradient. g(x) =
    adapter.gradient(fn, gy)(x) is the engine's own first derivative (seeded by gy, None for
    ones), an engine value with a graph of its own; the engine differentiates it again,
    seeded by gv: adapter.grad(g, x, gv) = (dg/dx)^T gv, a Hessian-vector product. That is
    compared, as above, with a central difference of <gv, g(x)> computed from the engine's own
    first derivatives at x +- h*w: the first derivative itself is the first-order check's
    business (check_gradient); here a second derivative is judged against the derivative it
    differentiates, so a backward that builds no graph, a dropped term or an ignored
    create_graph shows whatever the first derivative is. Modes, steps, budget and messages are
    the first-order check's; since the function differenced is itself a backward, its rounding
    is counted as ANALYTIC_ULPS and that of the Hessian-vector product as SECOND_ULPS. Random
    mode costs 4 gradient evaluations per direction plus one double backward, whatever the
    size of x. The dtype judged is the least precise of x's, the gradient's and the product's:
    the gradient is computed from the forward's values, which a float32 x rounds to float32
    even where a float64 constant or seed turns the gradient itself into float64. A double
    backward that leaves x's gradient None (the gradient has no graph back to x) is taken as a
    zero product and said so: a gradient that does not depend on x (fn linear) passes, one
    built without a graph (create_graph ignored, or a backward on raw arrays) fails against
    the central difference. An exception raised by the double backward propagates, with a
    note saying where it was raised.

Failures
    The Report's message names the worst element (index, analytic, numeric, absolute and
    relative error, budget and "error = 37x budget"), the mode and seed, and ends with Python
    lines that reproduce the check (adapters.load(engine_spec) and this function). Inputs too
    large to print are referenced by x_text / gy_text (Python expressions) when given, else
    saved to .npy files in the temporary directory, on failure only. A non-finite (nan, inf)
    analytic or numeric gradient fails and is named as such. Randomness comes only from
    np.random.default_rng(seed); seed=None reads CONFORMANCE_SEED (see support.seed()).
"""
import hashlib
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from dezero_conformance.conformance import support

MODES = ("full", "random")
# Central-difference step exponent: truncation ~h^2 and rounding ~eps/h balance at eps^(1/3).
STEP_EXPONENT = 1 / 3
# Margin over the finite-difference error estimate, an order-of-magnitude estimate: where
# truncation dominates, a correct engine's error is the estimate itself, i.e. 1/SAFETY of the
# budget (the meta-tests' 1000 seeds stay at or below 0.125, tests/test_gradcheck.py).
SAFETY = 8.0
# Rounding of one element of the engine's forward: a few elementary ops of 0.5-1 ulp each.
FORWARD_ULPS = 4.0
# Rounding of one element of the engine's backward: a chain rule of a few ops per element.
ANALYTIC_ULPS = 8.0
# Rounding of one element of a Hessian-vector product: a backward through a backward, twice
# the chain of ANALYTIC_ULPS.
SECOND_ULPS = 16.0
# Random mode falls back to full mode over all of x up to this size (4 forwards per element).
FULL_FALLBACK_MAX = 1024
# Bisection stops, and full mode takes over, at this many candidate elements.
LOCATE_BLOCK = 64
# Inputs up to this size are written into the reproduce snippet as literals.
LITERAL_MAX = support.LITERAL_MAX


@dataclass
class Element:
    """One comparison: an element (index is a tuple) or a direction (index is None)."""
    index: object
    analytic: float
    numeric: float
    error: float
    bound: float
    note: str = ""

    @property
    def relative(self):
        scale = abs(self.numeric) if np.isfinite(self.numeric) else 0.0
        return self.error / scale if scale > 0 else float("inf") if self.error > 0 else 0.0

    @property
    def ratio(self):
        """error / bound: above 1 fails; inf for a non-finite value."""
        if not (np.isfinite(self.error) and np.isfinite(self.bound)):
            return float("inf")
        if self.error == 0:
            return 0.0
        return self.error / self.bound if self.bound > 0 else float("inf")

    @property
    def ok(self):
        return self.ratio <= 1.0


@dataclass
class Report:
    """Outcome of check_gradient. `worst` is the element (or direction) nearest to failing."""
    ok: bool
    mode: str
    seed: int
    evaluations: int
    worst: object
    message: str
    dtype: str = "float64"
    directions: list = field(default_factory=list)

    @property
    def max_ratio(self):
        """Largest error / budget seen (random mode: over directions; full: over elements)."""
        return self.worst.ratio if self.worst is not None else 0.0


class _Oracle:
    """Evaluates L = sum(gy * fn(x)) through the adapter and counts engine evaluations."""

    def __init__(self, adapter, fn, x, gy, work, rtol, atol, order=1):
        self.adapter, self.fn, self.gy64, self.work = adapter, fn, gy.ravel(), work
        # the function differenced is a forward (order 1) or the engine's gradient (order 2)
        self.forward_ulps = FORWARD_ULPS if order == 1 else ANALYTIC_ULPS
        self.analytic_ulps = ANALYTIC_ULPS if order == 1 else SECOND_ULPS
        self.eps = float(np.finfo(work).eps)
        self.rtol, self.atol = rtol, atol
        self.in_dtype = x.dtype
        self.x0 = self.rounded(x.astype(np.float64))
        self.scale = np.maximum(1.0, np.abs(self.x0))
        self.h = self.eps ** STEP_EXPONENT
        self.evaluations = 0

    def rounded(self, a):
        """a as the engine will see it, held in float64: rounded to the input's dtype (what
        the engine is given), then to the dtype it computes in."""
        a = np.asarray(a, dtype=self.in_dtype)
        if self.work != np.float64:
            a = a.astype(self.work)
        return a.astype(np.float64)

    def forward(self, a):
        self.evaluations += 1
        # a copy: an engine that writes to its input (S16) must not move the oracle's points
        v = self.adapter.value(self.fn(self.adapter.leaf(a.astype(self.in_dtype))))
        return np.asarray(v, dtype=np.float64).ravel()

    def compare(self, at, project, sparse, index=None, weights=(0.0, 0.0)):
        """One comparison along a direction w, given at(t) = x0 + t*w rounded to the engine's
        dtype and project(delta) = the terms of <g, delta>; sparse: w is one element.

        phi(t) = L(x0 + t*w). D(s) = (phi(s) - phi(-s)) / 2s is compared with <g, xp - xm> / 2s
        (the step actually taken); r(s) is their difference. D(s) = phi1 + s^2 phi3 / 6 + O(s^4),
        so the truncation error of D(h) is |r(2h) - r(h)| / 3 (the steps are symmetric: even
        derivatives cancel, which a one-sided third difference would not do).
        weights (sum|w|, sum|g*w|) map an explicit atol/rtol onto the direction.
        """
        h, gy = self.h, self.gy64
        numeric, analytic, r1, yp, ym, projected = self.quotient(at, project, h)
        with np.errstate(all="ignore"):
            if self.rtol is not None or self.atol is not None:
                bound = (self.atol or 0.0) * weights[0] + (self.rtol or 0.0) * weights[1]
            else:
                r2 = self.quotient(at, project, 2 * h)[2]
                if sparse:  # outputs the step did not touch cancel exactly
                    changed = yp != ym
                    gy, yp, ym = gy[changed], yp[changed], ym[changed]
                terms = np.abs(gy) * (np.abs(yp) + np.abs(ym))
                rounding = (self.forward_ulps * self.eps * np.sqrt(np.dot(terms, terms))
                            + self.analytic_ulps * self.eps * np.sqrt(np.dot(projected, projected))
                            ) / (2 * h)
                bound = SAFETY * (abs(r2 - r1) / 3 + rounding)
        note = "" if np.isfinite(numeric) and np.isfinite(bound) else (
            "non-finite numeric gradient: the forward is not finite at x +- h*w or x +- 2h*w")
        return Element(index, float(analytic), float(numeric), float(abs(r1)), float(bound),
                       note)

    def quotient(self, at, project, s):
        xp, xm = at(s), at(-s)
        yp, ym = self.forward(xp), self.forward(xm)
        projected = project(xp - xm)
        with np.errstate(all="ignore"):
            numeric = np.dot(self.gy64, yp - ym) / (2 * s)
            analytic = np.sum(projected) / (2 * s)
        return numeric, analytic, numeric - analytic, yp, ym, projected

    def direction(self, g, w):
        def at(t):
            return self.rounded(self.x0 + t * w)
        return self.compare(at, lambda delta: (g * delta).ravel(), False, None,
                            (np.sum(np.abs(w)), np.sum(np.abs(g * w))))

    def element(self, g, flat):
        """Element flat, stepped by scale[i] * h and reported per unit step of x[i]."""
        index = np.unravel_index(flat, self.x0.shape)
        x0, s_i, g_i = self.x0[index], self.scale[index], g[index]

        def at(t):
            xt = self.x0.copy()
            xt[index] = self.rounded(x0 + t * s_i)
            return xt
        e = self.compare(at, lambda delta: np.array([g_i * delta[index]]), True,
                         tuple(int(k) for k in index), (s_i, abs(g_i) * s_i))
        return Element(e.index, float(e.analytic / s_i), float(e.numeric / s_i),
                       float(e.error / s_i), float(e.bound / s_i), e.note)

    def full(self, g, flats):
        worst = None
        for flat in flats:
            e = self.element(g, flat)
            if worst is None or e.ratio > worst.ratio:
                worst = e
        return worst


def check_gradient(adapter, fn, x, gy=None, mode="full", seed=None, directions=1,
                   rtol=None, atol=None, engine_spec=None, fn_text=None, x_text=None,
                   gy_text=None):
    """Check adapter.grad(fn, x, gy) against the suite's central difference; see the module."""
    x, gy = _validate(fn, x, gy, mode, directions, rtol, atol)
    seed = support.seed() if seed is None else int(seed)
    context = dict(adapter=adapter, fn=fn, x=x, gy=gy, mode=mode, seed=seed,
                   directions=directions, rtol=rtol, atol=atol,
                   engine_spec=engine_spec or adapter.NAME,
                   fn_text=fn_text or _fn_text(adapter, fn), x_text=x_text, gy_text=gy_text)
    return _check(context)


def check_second_order(adapter, fn, x, gy=None, gv=None, mode="full", seed=None, directions=1,
                       rtol=None, atol=None, engine_spec=None, fn_text=None, x_text=None,
                       gy_text=None, gv_text=None):
    """Check the engine's gradient of its gradient (adapter.gradient) against the suite's
    central difference of the engine's first derivative; see the module."""
    x, gv = _validate(fn, x, gv, mode, directions, rtol, atol, "gv")
    gy = _validate(fn, x, gy, mode, directions, rtol, atol)[1]
    if not callable(getattr(adapter, "gradient", None)) or "higher_order" in adapter.ABSENT:
        raise ValueError(f"engine {adapter.NAME} has no gradient(fn, gy) (capability "
                         f"higher_order): a second-order check needs the engine's double backprop")
    if gv is not None and gv.shape != x.shape:  # before the engine sees it (it may broadcast)
        raise ValueError(f"gv has shape {gv.shape} but the gradient of fn has shape {x.shape}; "
                         f"give gv the input's shape, or None for ones")
    seed = support.seed() if seed is None else int(seed)

    def dfn(v):
        return adapter.gradient(fn, None if gy is None else gy.copy())(v)
    context = dict(adapter=adapter, fn=dfn, x=x, gy=gv, mode=mode, seed=seed,
                   directions=directions, rtol=rtol, atol=atol,
                   engine_spec=engine_spec or adapter.NAME,
                   fn_text=fn_text or _fn_text(adapter, fn), x_text=x_text, gy_text=gv_text,
                   order=2, first_gy=gy, first_gy_text=gy_text)
    return _check(context)


def _check(context):
    adapter, fn, x, gy = context["adapter"], context["fn"], context["x"], context["gy"]
    mode, rtol, atol = context["mode"], context["rtol"], context["atol"]
    used = 1
    if gy is None and "implicit_seed" in adapter.ABSENT and "seed_grad" not in adapter.ABSENT:
        # the engine cannot seed a non-scalar output itself: give it the ones it would seed
        y0 = np.asarray(adapter.value(fn(adapter.leaf(x.copy()))))
        gy = np.ones_like(y0, y0.dtype if np.issubdtype(y0.dtype, np.floating) else np.float64)
        used += 1
    second = context.get("order") == 2
    try:
        y, gx = adapter.grad(fn, x.copy(), None if gy is None else gy.copy())
    except Exception as exc:
        if second and hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note("check_second_order: raised by the engine's double backward, "
                         "adapter.grad(gradient(fn, gy), x, gv), a backward through the "
                         "engine's own gradient (one built without a graph, create_graph "
                         "ignored, can fail so)")
        raise
    y = np.asarray(y)
    if gy is not None and gy.shape != y.shape:
        if context.get("order") == 2:
            raise ValueError(f"gv has shape {gy.shape} but the gradient of fn has shape "
                             f"{y.shape}; give gv the input's shape, or None for ones")
        raise ValueError(f"gy has shape {gy.shape} but fn(x) has shape {y.shape}; give gy "
                         f"the output's shape, or None for ones")
    if gx is None and not second:
        return _report(context, None, used, "backward left the input's gradient None")
    if gx is None:
        # no graph back to x: a zero second derivative (fn linear), or a gradient built
        # without a graph; the central difference of the gradient tells which
        context["notice"] = ("the gradient's own backward left the input's gradient None: the "
                             "engine's gradient has no graph back to x; taken as a zero "
                             "Hessian-vector product")
        gx = np.zeros(x.shape, y.dtype if np.issubdtype(y.dtype, np.floating) else np.float64)
    gx = np.asarray(gx)
    if gx.shape != x.shape:
        return _report(context, None, used,
                       f"the gradient has shape {gx.shape}, the input {x.shape}")
    # order 2: the gradient differenced is computed from the forward's values, rounded to x's
    # dtype at least, even where a float64 constant or seed makes the gradient float64
    work = _work_dtype(y, gx, x)  # a float32 x rounds the forward, whatever it returns
    context["dtype"] = work.name
    gy64 = np.ones(y.shape) if gy is None else gy.astype(np.float64)
    oracle = _Oracle(adapter, fn, x, gy64, work, rtol, atol, context.get("order", 1))
    oracle.evaluations = used
    g = gx.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(g))
    if bad.size:
        index = tuple(int(k) for k in np.unravel_index(bad[0], x.shape))
        worst = Element(index, float(g.flat[bad[0]]), float("nan"), float("inf"), 0.0,
                        f"non-finite analytic gradient ({bad.size} of {x.size} elements)")
        return _report(context, worst, used)
    if mode == "full":
        worst = oracle.full(g, range(x.size))
        return _report(context, worst, oracle.evaluations)
    return _random(context, oracle, g)


def assert_gradient(*args, **kwargs):
    """check_gradient, raising AssertionError with the diagnostics when the check fails."""
    report = check_gradient(*args, **kwargs)
    if not report.ok:
        raise AssertionError(report.message)
    return report


def assert_second_order(*args, **kwargs):
    """check_second_order, raising AssertionError with the diagnostics when it fails."""
    report = check_second_order(*args, **kwargs)
    if not report.ok:
        raise AssertionError(report.message)
    return report


def _validate(fn, x, gy, mode, directions, rtol, atol, gy_name="gy"):
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} is not a gradient-check mode; use 'full' or 'random'")
    if not callable(fn):
        raise ValueError(f"fn must be a function of one engine value, not {type(fn).__name__}")
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        what = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise ValueError(f"x must be a floating-point numpy array, not {what}; "
                         f"pass np.asarray(x, dtype=np.float64)")
    if gy is not None:
        gy = np.asarray(gy, dtype=np.float64) if not isinstance(gy, np.ndarray) else gy
        if not np.issubdtype(gy.dtype, np.floating):
            raise ValueError(f"{gy_name} must be a floating-point numpy array, not {gy.dtype}")
    if not (isinstance(directions, (int, np.integer)) and directions >= 1):
        raise ValueError(f"directions={directions!r}: give a whole number of at least 1")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol is not None and not (float(tol) >= 0):
            raise ValueError(f"{name}={tol!r}: give a tolerance >= 0, or None to derive it")
    return x, gy


def _work_dtype(y, gx, *more):
    """The least precise floating dtype among what the engine returned, and `more` (order 2:
    the input), float64 if none."""
    dtypes = [a.dtype for a in (y, gx) + more if np.issubdtype(a.dtype, np.floating)]
    if not dtypes:
        return np.dtype(np.float64)
    return max(dtypes, key=lambda d: np.finfo(d).eps)


def _random(context, oracle, g):
    rng = np.random.default_rng(context["seed"])
    results = []
    for _ in range(context["directions"]):
        w = _weights(rng, g.size).reshape(g.shape) * oracle.scale
        results.append(oracle.direction(g, w))
    context["results"] = results
    failed = max(results, key=lambda e: e.ratio)
    if failed.ok:
        return _report(context, failed, oracle.evaluations)
    context["failed_direction"] = (results.index(failed) + 1, failed)
    worst, how = _locate(oracle, g, rng)
    context["located"] = how
    if worst is None or worst.ok:
        worst = failed  # the failure did not show on any single element searched
    return _report(context, worst, oracle.evaluations, ok=False)


def _weights(rng, n):
    """Random signs, magnitudes uniform in [0.5, 1.5]: no element's weight is near zero, and
    errors in two elements cancel exactly with probability zero."""
    u = 2 * rng.random(n, dtype=np.float32).astype(np.float64) - 1  # float32 draws: half the time
    u += np.copysign(0.5, u)
    return u


def _locate(oracle, g, rng):
    """The worst element after a failed direction: full mode, or bisection then full mode."""
    n = g.size
    if n <= FULL_FALLBACK_MAX:
        return oracle.full(g, range(n)), f"full mode over all {n} elements"
    candidates = np.arange(n)
    steps = 0
    while candidates.size > LOCATE_BLOCK:
        halves = np.array_split(candidates, 2)
        scored = []
        for half in halves:
            w = np.zeros(n)
            w[half] = _weights(rng, half.size)
            w = w.reshape(g.shape) * oracle.scale
            scored.append(oracle.direction(g, w).ratio)
        candidates = halves[int(np.argmax(scored))]
        steps += 1
    return (oracle.full(g, candidates),
            f"bisection over {steps} halvings, then full mode over {candidates.size} elements")


def _report(context, worst, evaluations, problem=None, ok=None):
    if ok is None:
        ok = problem is None and worst is not None and worst.ok
    report = Report(ok, context["mode"], context["seed"], evaluations, worst, "",
                    context.get("dtype", "float64"), context.get("results", []))
    report.message = _message(context, report, problem)
    return report


def _fmt_index(index):
    return "direction" if index is None else f"element {index}"


def _describe(e, budget_words):
    if e.note.startswith("non-finite"):
        return (f"{_fmt_index(e.index)}: {e.note}: analytic {e.analytic!r}, "
                f"numeric {e.numeric!r}")
    ratio = e.ratio
    times = "inf" if not np.isfinite(ratio) else f"{ratio:.3g}"
    return (f"{_fmt_index(e.index)}: analytic {e.analytic!r}, numeric {e.numeric!r}, "
            f"|error| {e.error:.3g}, relative {e.relative:.3g}, allowed {e.bound:.3g} "
            f"({budget_words}): error = {times}x budget")


def _message(context, report, problem):
    adapter = context["adapter"]
    x = context["x"]
    budget_words = (f"rtol={context['rtol']}, atol={context['atol']}"
                    if context["rtol"] is not None or context["atol"] is not None
                    else f"{SAFETY:g} x the finite-difference error estimate from steps h and "
                         f"2h in {report.dtype}")
    what = "second-order gradient check" if context.get("order") == 2 else "gradient check"
    head = (f"{what} {'passed' if report.ok else 'FAILED'}: mode={report.mode}, "
            f"seed={report.seed}, engine {adapter.NAME}, input shape {x.shape} {x.dtype}, "
            f"engine dtype {report.dtype}, {report.evaluations} engine evaluations")
    lines = [head]
    if problem:
        lines.append(problem)
    if context.get("notice"):
        lines.append(context["notice"])
    if "failed_direction" in context:
        k, d = context["failed_direction"]
        words = (("<grad, w>", "(f(x+hw) - f(x-hw))/2h") if context.get("order") != 2 else
                 ("<H gv, w>", "<gv, g(x+hw) - g(x-hw)>/2h"))
        lines.append(f"direction {k} of {context['directions']}: {words[0]} {d.analytic!r}, "
                     f"{words[1]} {d.numeric!r}, |error| {d.error:.3g}, allowed "
                     f"{d.bound:.3g}: error = {d.ratio:.3g}x budget")
        lines.append(f"worst element located by {context['located']}:")
    if report.worst is not None:
        lines.append(("worst " if report.ok else "") + _describe(report.worst, budget_words))
    if not report.ok:
        lines.append("reproduce (from the kit's root, or with dezero-conformance installed):")
        lines += ["    " + line for line in _snippet(context)]
    return "\n".join(lines)


def _fn_text(adapter, fn):
    for name in ("square", "exp"):
        if getattr(adapter, name, None) is fn:
            return f"E.{name}"
    return None


def _array_text(name, a, text):
    if text:
        return text
    if a.size <= LITERAL_MAX:
        return f"np.array({a.tolist()!r}, dtype=np.{a.dtype})"
    path = os.path.join(tempfile.gettempdir(),
                        f"gradcheck_{name}_{hashlib.sha1(a.tobytes()).hexdigest()[:12]}.npy")
    np.save(path, a)
    return f"np.load({path!r})"


def _snippet(context):
    fn_text = context["fn_text"] or "...  # the function checked: pass fn_text= to name it"
    args = ["E", "fn", "x"]
    check = "check_second_order" if context.get("order") == 2 else "check_gradient"
    lines = ["import numpy as np",
             "from dezero_conformance import adapters",
             f"from dezero_conformance.conformance.gradcheck import {check}",
             f"E = adapters.load({context['engine_spec']!r})",
             f"fn = {fn_text}",
             f"x = {_array_text('x', context['x'], context['x_text'])}"]
    seeds = [("gy", context["gy"], context["gy_text"])]
    if context.get("order") == 2:
        seeds = [("gy", context["first_gy"], context["first_gy_text"]),
                 ("gv", context["gy"], context["gy_text"])]
    for name, a, text in seeds:
        if a is not None:
            lines.append(f"{name} = {_array_text(name, a, text)}")
            args.append(f"{name}={name}" if context.get("order") == 2 else name)
    args += [f"mode={context['mode']!r}", f"seed={context['seed']}"]
    if context["mode"] == "random" and context["directions"] != 1:
        args.append(f"directions={context['directions']}")
    for name in ("rtol", "atol"):
        if context[name] is not None:
            args.append(f"{name}={context[name]!r}")
    lines.append(f"print({check}({', '.join(args)}).message)")
    return lines
