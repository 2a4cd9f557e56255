"""Gradient checking for any engine reachable through an adapter: the suite's own oracle.

Public API (for engine authors as well as for clause S15):

    check_gradient(adapter, fn, x, gy=None, mode="full", seed=None, directions=3,
                   rtol=None, atol=None, engine_spec=None, fn_text=None, x_text=None,
                   gy_text=None) -> Report
    assert_gradient(...same arguments...) -> Report, or raises AssertionError(report.message)

`fn` is any function built from the engine's operations (engine value -> engine value), `x`
a floating-point numpy array of any shape, `gy` the output gradient (None: the engine seeds
ones itself, and the oracle differentiates sum(fn(x))). What is checked is the engine's
backward, `adapter.grad(fn, x, gy)`, against a central difference of L(x) = sum(gy * fn(x)),
computed from the engine's own forward (`adapter.value(fn(adapter.leaf(x)))`) with float64
arithmetic. The engine's numerical_diff is never used.

Modes
    "full"    every element i: D(h) = (L(x + h e_i) - L(x - h e_i)) / 2h, compared with gx[i].
              4 engine forwards per element (steps h and 2h), plus one backward.
    "random"  `directions` seeded random directions w: (L(x + h w) - L(x - h w)) / 2h compared
              with <gx, w>. 4 forwards per direction plus one backward, whatever the size of x.
              On a failure it locates the worst element: full mode over all of x when x has at
              most FULL_FALLBACK_MAX elements, else bisection with directions restricted to
              halves of the candidates, then full mode over the last LOCATE_BLOCK of them.

Step and tolerance
    The step is h = eps^(1/3) * max(1, |x|) per element, with eps that of the dtype the engine
    returns (a float32 engine gets a float32 step; perturbed inputs are rounded to that dtype
    and the step actually taken is used). The allowed error (the "budget") is derived, for each
    comparison, from an estimate of the finite-difference error:
        budget = SAFETY * (|r(2h) - r(h)| / 3 + forward rounding + backward rounding)
    where r(s) = D(s) - analytic is the residual at step s (Richardson: the truncation error of
    D(h) is a third of D(2h) - D(h)), and the rounding terms are FORWARD_ULPS and ANALYTIC_ULPS
    ulps of the engine's dtype on the terms summed (root-sum-square over elements). Passing
    rtol and/or atol replaces the budget by atol + rtol * |analytic| per element (in random
    mode: atol * sum|w| + rtol * sum|gx * w|).

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

from conformance import support

MODES = ("full", "random")
# Central-difference step exponent: truncation ~h^2 and rounding ~eps/h balance at eps^(1/3).
STEP_EXPONENT = 1 / 3
# Margin over the finite-difference error estimate: the estimate is an order of magnitude,
# and the meta-tests show how far below 1 a correct engine stays (tests/test_gradcheck.py).
SAFETY = 8.0
# Rounding of one element of the engine's forward: a few elementary ops of 0.5-1 ulp each.
FORWARD_ULPS = 4.0
# Rounding of one element of the engine's backward: a chain rule of a few ops per element.
ANALYTIC_ULPS = 8.0
# Random mode falls back to full mode over all of x up to this size (4 forwards per element).
FULL_FALLBACK_MAX = 1024
# Bisection stops, and full mode takes over, at this many candidate elements.
LOCATE_BLOCK = 64
# Inputs up to this size are written into the reproduce snippet as literals.
LITERAL_MAX = 32


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

    def __init__(self, adapter, fn, x, gy, work, rtol, atol):
        self.adapter, self.fn, self.gy64, self.work = adapter, fn, gy, work
        self.eps = float(np.finfo(work).eps)
        self.rtol, self.atol = rtol, atol
        self.in_dtype = x.dtype
        self.x0 = self.rounded(x.astype(np.float64))
        self.scale = np.maximum(1.0, np.abs(self.x0))
        self.h = self.eps ** STEP_EXPONENT
        self.evaluations = 0

    def rounded(self, a):
        """a as the engine will see it: rounded to its dtype, held in float64."""
        if self.work == np.float64:
            return np.asarray(a, dtype=np.float64)
        return np.asarray(a, dtype=self.work).astype(np.float64)

    def forward(self, a):
        self.evaluations += 1
        v = self.adapter.value(self.fn(self.adapter.leaf(a.astype(self.in_dtype, copy=False))))
        return np.asarray(v, dtype=np.float64)

    def residual(self, point, s):
        """(numeric quotient, analytic projection, residual, rounding, step) at step s.

        point(s) gives the perturbed inputs x0 + s*w, x0 - s*w (rounded to the engine's dtype)
        and the analytic projection <g, xp - xm> with its terms.
        """
        xp, xm, projected = point(s)
        yp, ym = self.forward(xp), self.forward(xm)
        span = 2 * s
        with np.errstate(all="ignore"):
            dy = yp - ym
            changed = dy != 0  # outputs the step did not touch cancel exactly
            numeric = np.sum(self.gy64 * dy) / span
            analytic = np.sum(projected) / span
            terms = np.abs(self.gy64[changed]) * (np.abs(yp[changed]) + np.abs(ym[changed]))
            rounding = (FORWARD_ULPS * self.eps * np.sqrt(np.sum(terms ** 2)) / span
                        + ANALYTIC_ULPS * self.eps * np.sqrt(np.sum(projected ** 2)) / span)
        return numeric, analytic, numeric - analytic, rounding

    def compare(self, point, index=None, weights=1.0):
        """Comparison along one direction, with its derived or explicit budget.

        weights (sum|w|, sum|g*w|) map an explicit atol/rtol onto the direction.
        """
        n1, a1, r1, round1 = self.residual(point, self.h)
        _, _, r2, _ = self.residual(point, 2 * self.h)
        if self.rtol is None and self.atol is None:
            bound = SAFETY * (abs(r2 - r1) / 3 + round1)
        else:
            sum_w, sum_gw = weights
            bound = (self.atol or 0.0) * sum_w + (self.rtol or 0.0) * sum_gw
        note = "" if np.isfinite(n1) else ("non-finite numeric gradient: the forward is not "
                                           "finite at x +- h")
        return Element(index, float(a1), float(n1), float(abs(r1)), float(bound), note)

    def direction(self, g, w):
        def point(s):
            xp, xm = self.rounded(self.x0 + s * w), self.rounded(self.x0 - s * w)
            return xp, xm, g * (xp - xm)
        return self.compare(point, None, (np.sum(np.abs(w)), np.sum(np.abs(g * w))))

    def element(self, g, flat):
        """Element flat, stepped by scale[i] * h and reported per unit step of x[i]."""
        index = np.unravel_index(flat, self.x0.shape)
        x0, s_i, g_i = self.x0[index], self.scale[index], g[index]

        def point(s):
            xp, xm = self.x0.copy(), self.x0.copy()
            xp[index] = self.rounded(x0 + s * s_i)
            xm[index] = self.rounded(x0 - s * s_i)
            return xp, xm, np.array([g_i * (xp[index] - xm[index])])
        e = self.compare(point, tuple(int(k) for k in index), (s_i, abs(g_i) * s_i))
        return Element(e.index, float(e.analytic / s_i), float(e.numeric / s_i),
                       float(e.error / s_i), float(e.bound / s_i), e.note)

    def full(self, g, flats):
        worst = None
        for flat in flats:
            e = self.element(g, flat)
            if worst is None or e.ratio > worst.ratio:
                worst = e
        return worst


def check_gradient(adapter, fn, x, gy=None, mode="full", seed=None, directions=3,
                   rtol=None, atol=None, engine_spec=None, fn_text=None, x_text=None,
                   gy_text=None):
    """Check adapter.grad(fn, x, gy) against the suite's central difference; see the module."""
    x, gy = _validate(fn, x, gy, mode, directions, rtol, atol)
    seed = support.seed() if seed is None else int(seed)
    y, gx = adapter.grad(fn, x.copy(), None if gy is None else gy.copy())
    y = np.asarray(y)
    context = dict(adapter=adapter, fn=fn, x=x, gy=gy, mode=mode, seed=seed,
                   directions=directions, rtol=rtol, atol=atol,
                   engine_spec=engine_spec or adapter.NAME,
                   fn_text=fn_text or _fn_text(adapter, fn), x_text=x_text, gy_text=gy_text)
    if gx is None:
        return _report(context, None, 1, "backward left the input's gradient None")
    gx = np.asarray(gx)
    if gx.shape != x.shape:
        return _report(context, None, 1, f"the gradient has shape {gx.shape}, the input {x.shape}")
    work = _work_dtype(y, gx)
    context["dtype"] = work.name
    gy64 = np.ones(y.shape) if gy is None else gy.astype(np.float64)
    oracle = _Oracle(adapter, fn, x, gy64, work, rtol, atol)
    g = gx.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(g))
    if bad.size:
        index = tuple(int(k) for k in np.unravel_index(bad[0], x.shape))
        worst = Element(index, float(g.flat[bad[0]]), float("nan"), float("inf"), 0.0,
                        f"non-finite analytic gradient ({bad.size} of {x.size} elements)")
        return _report(context, worst, 1)
    if mode == "full":
        worst = oracle.full(g, range(x.size))
        return _report(context, worst, 1 + oracle.evaluations)
    return _random(context, oracle, g)


def assert_gradient(*args, **kwargs):
    """check_gradient, raising AssertionError with the diagnostics when the check fails."""
    report = check_gradient(*args, **kwargs)
    if not report.ok:
        raise AssertionError(report.message)
    return report


def _validate(fn, x, gy, mode, directions, rtol, atol):
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
            raise ValueError(f"gy must be a floating-point numpy array, not {gy.dtype}")
    if not (isinstance(directions, (int, np.integer)) and directions >= 1):
        raise ValueError(f"directions={directions!r}: give a whole number of at least 1")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol is not None and not (float(tol) >= 0):
            raise ValueError(f"{name}={tol!r}: give a tolerance >= 0, or None to derive it")
    return x, gy


def _work_dtype(y, gx):
    """The least precise floating dtype among what the engine returned (float64 if none)."""
    dtypes = [a.dtype for a in (y, gx) if np.issubdtype(a.dtype, np.floating)]
    if not dtypes:
        return np.dtype(np.float64)
    return max(dtypes, key=lambda d: np.finfo(d).eps)


def _random(context, oracle, g):
    rng = np.random.default_rng(context["seed"])
    results = []
    for _ in range(context["directions"]):
        w = rng.standard_normal(g.shape) * oracle.scale
        results.append(oracle.direction(g, w))
    context["results"] = results
    failed = max(results, key=lambda e: e.ratio)
    if failed.ok:
        return _report(context, failed, 1 + oracle.evaluations)
    context["failed_direction"] = (results.index(failed) + 1, failed)
    worst, how = _locate(oracle, g, rng)
    context["located"] = how
    if worst is None or worst.ok:
        worst = failed  # the failure did not show on any single element searched
    return _report(context, worst, 1 + oracle.evaluations, ok=False)


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
            w[half] = rng.standard_normal(half.size)
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
    head = (f"gradient check {'passed' if report.ok else 'FAILED'}: mode={report.mode}, "
            f"seed={report.seed}, engine {adapter.NAME}, input shape {x.shape} {x.dtype}, "
            f"engine dtype {report.dtype}, {report.evaluations} engine evaluations")
    lines = [head]
    if problem:
        lines.append(problem)
    if "failed_direction" in context:
        k, d = context["failed_direction"]
        lines.append(f"direction {k} of {context['directions']}: <grad, w> {d.analytic!r}, "
                     f"(f(x+hw) - f(x-hw))/2h {d.numeric!r}, |error| {d.error:.3g}, allowed "
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
    lines = ["import numpy as np",
             "import adapters",
             "from conformance.gradcheck import check_gradient",
             f"E = adapters.load({context['engine_spec']!r})",
             f"fn = {fn_text}",
             f"x = {_array_text('x', context['x'], context['x_text'])}"]
    if context["gy"] is not None:
        lines.append(f"gy = {_array_text('gy', context['gy'], context['gy_text'])}")
        args.append("gy")
    args += [f"mode={context['mode']!r}", f"seed={context['seed']}"]
    if context["mode"] == "random" and context["directions"] != 3:
        args.append(f"directions={context['directions']}")
    for name in ("rtol", "atol"):
        if context[name] is not None:
            args.append(f"{name}={context[name]!r}")
    lines.append(f"print(check_gradient({', '.join(args)}).message)")
    return lines
