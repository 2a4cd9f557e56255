"""The gradient checker proven: it catches small errors, locates them, and never flags a
correct engine (float64 or float32) across 1000 seeds."""
import os
import re
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.adapters import book
from dezero_conformance.conformance import gradcheck
from dezero_conformance.conformance.gradcheck import (
    assert_gradient,
    assert_second_order,
    check_gradient,
    check_second_order,
)
from dezero_conformance.conformance.support import SEED_VAR
from dezero_conformance.reference import stage3
from tests import tiered
from tests.broken import BY_NAME

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = tiered(1000, 100)  # the fast tier's sample second (tests/__init__.py)
# A gradient wrong by this relative amount must be caught in float64 (the figure).
WRONG_F64 = 1e-4
# float32 central differences resolve ~eps32^(2/3) = 2.4e-5 at best; 1e-2 is well clear of it.
WRONG_F32 = 1e-2
# One element among 10^4 wrong by this much is caught in the composite's projection.
WRONG_ONE_OF_MANY = 1e-3
BAD_ELEMENT = 6173
EPS64 = float(np.finfo(np.float64).eps)
# A step read back from the points the engine got, (x + t*h*s) - x, is exact to about
# eps*|x| / (h*s) < 1e-10 of itself here (|x| <= 1.25, h = eps^(1/3)).
STEP_RTOL = 1e-9
# The spec's formulas recomputed here sum in another order than the checker: they agree to
# rounding, while a changed term of the budget moves it by more than 1e-6 (measured on the
# mutants of gradcheck.py).
SPEC_RTOL = 1e-7
EPS32 = float(np.finfo(np.float32).eps)
# The documented constants, as literals: a test that read them from the module would follow a
# changed constant (SAFETY, FORWARD_ULPS, ANALYTIC_ULPS, FULL_FALLBACK_MAX, LOCATE_BLOCK).
SPEC_SAFETY, SPEC_FORWARD_ULPS, SPEC_ANALYTIC_ULPS = 8.0, 4.0, 8.0
SPEC_FULL_FALLBACK_MAX, SPEC_LOCATE_BLOCK = 1024, 64
DERIVED_WORDS = "8 x the finite-difference error estimate from steps h and 2h in {}"
SNIPPET_HEAD = ["import numpy as np",
                "from dezero_conformance import adapters",
                "from dezero_conformance.conformance.gradcheck import check_gradient"]
REPRODUCE = "reproduce (from the kit's root, or with dezero-conformance installed):"


def engine_like(base, **names):
    """A fake adapter: base's names, some replaced."""
    ns = {k: getattr(base, k) for k in ("NAME", "ABSENT", "version", "leaf", "value", "square",
                                        "exp", "grad", "f") if hasattr(base, k)}
    ns.update(names)
    return types.SimpleNamespace(**ns)


def wrong_gradient(base, relative, element=None):
    """base, with its gradient scaled by (1 + relative), everywhere or at one flat element."""
    def grad(fn, x, gy=None):
        y, gx = base.grad(fn, x, gy)
        gx = np.array(gx, dtype=np.asarray(gx).dtype)
        if element is None:
            gx = gx * (1 + relative)
        else:
            gx.flat[element] *= 1 + relative
        return y, gx
    return engine_like(base, NAME=f"{base.NAME} wrong by {relative}", grad=grad)


def float32_engine(base):
    """The reference computing in float32: a correct engine with float32 rounding."""
    def leaf(a):
        return base.Variable(np.asarray(a, dtype=np.float32))

    def grad(fn, x, gy=None):
        return base.grad(fn, np.asarray(x, dtype=np.float32),
                         None if gy is None else np.asarray(gy, dtype=np.float32))
    return engine_like(base, NAME="reference in float32", leaf=leaf, grad=grad,
                       ABSENT={"float64": "computes in float32"})


def composite(E):
    return lambda x: E.square(E.exp(E.square(x)))


def functions(E):
    return (("square", E.square), ("exp", E.exp), ("composite", composite(E)))


def draw(seed, shape):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.25, 1.25, shape), rng.uniform(0.5, 2.0, shape)


def ledger(base, **names):
    """base (or base with some names replaced), recording what the checker gives the engine:
    every array passed to leaf (E.points, in order) and every grad call (E.grads: x, gy)."""
    points, grads = [], []
    inner_leaf, inner_grad = names.pop("leaf", base.leaf), names.pop("grad", base.grad)

    def leaf(a):
        points.append(np.array(a, copy=True))
        return inner_leaf(a)

    def grad(fn, x, gy=None):
        grads.append((np.array(x, copy=True), None if gy is None else np.array(gy, copy=True)))
        return inner_grad(fn, x, gy)
    E = engine_like(base, leaf=leaf, grad=grad, **names)
    E.points, E.grads = points, grads
    return E


def array_engine(f, df, name="array engine", absent=None):
    """A fabricated engine on plain numpy arrays: forward f(x), backward gy * df(x)."""
    def grad(fn, x, gy=None):
        y = fn(np.array(x))
        return y, df(np.array(x)) * (np.ones_like(y) if gy is None else gy)
    return types.SimpleNamespace(NAME=name, ABSENT=dict(absent or {}), version=lambda: "0",
                                 leaf=lambda a: np.array(a), value=lambda v: v, grad=grad,
                                 f=f)


def forward_of(E, fn):
    """L's ingredients as the spec states them: the engine's forward, in float64, flattened."""
    return lambda a: np.asarray(E.value(fn(E.leaf(np.array(a)))), dtype=np.float64).ravel()


def spec_comparison(forward, gy, g, at, h, eps, sparse, tol=None, weights=None, ulps=None):
    """(analytic, numeric, |error|, budget) of one comparison along at(t) = x + t*w, by the
    module docstring: D(s) = (L(at(s)) - L(at(-s))) / 2s against <g, at(s) - at(-s)> / 2s,
    r(s) their difference, budget = SAFETY * (|r(2h) - r(h)| / 3 + forward rounding +
    backward rounding), or atol * sum|w| + rtol * sum|g * w| with explicit tolerances. ulps:
    the (forward, backward) rounding ulps, by default the first-order check's."""
    forward_ulps, analytic_ulps = ulps or (SPEC_FORWARD_ULPS, SPEC_ANALYTIC_ULPS)

    def quotient(s):
        xp, xm = at(s), at(-s)
        yp, ym = forward(xp), forward(xm)
        projected = (g * (xp - xm)).ravel()
        numeric = np.dot(gy.ravel(), yp - ym) / (2 * s)
        analytic = np.sum(projected) / (2 * s)
        return numeric, analytic, yp, ym, projected
    numeric, analytic, yp, ym, projected = quotient(h)
    r1 = numeric - analytic
    if tol is not None:
        rtol, atol = tol
        bound = ((0.0 if atol is None else atol) * weights[0]
                 + (0.0 if rtol is None else rtol) * weights[1])
    else:
        numeric2, analytic2 = quotient(2 * h)[:2]
        r2 = numeric2 - analytic2
        keep = yp != ym if sparse else np.ones(yp.shape, dtype=bool)  # untouched outputs drop
        terms = np.abs(gy.ravel()[keep]) * (np.abs(yp[keep]) + np.abs(ym[keep]))
        rounding = (forward_ulps * eps * np.sqrt(np.dot(terms, terms))
                    + analytic_ulps * eps * np.sqrt(np.dot(projected, projected))) / (2 * h)
        bound = SPEC_SAFETY * (abs(r2 - r1) / 3 + rounding)
    return analytic, numeric, abs(r1), bound


def spec_full(E, fn, x, gy, tol=None, ulps=None):
    """Full mode by the spec, float64 engine: [(index, analytic, numeric, |error|, budget)]
    per element, each stepped by h * max(1, |x[i]|) and reported per unit step of x[i]."""
    gy = np.ones(np.shape(x)) if gy is None else gy
    g = np.asarray(E.grad(fn, x.copy(), gy.copy())[1], dtype=np.float64)
    h = EPS64 ** (1 / 3)
    out = []
    for flat in range(x.size):
        i = np.unravel_index(flat, x.shape)
        s = max(1.0, abs(x[i]))

        def at(t, i=i, s=s):
            xt = x.copy()
            xt[i] = x[i] + t * s
            return xt
        a, n, e, b = spec_comparison(forward_of(E, fn), gy, g, at, h, EPS64, True, tol,
                                     (s, abs(g[i]) * s), ulps)
        out.append((tuple(int(k) for k in i), a / s, n / s, e / s, b / s))
    return out


def ratio_of(error, bound):
    return 0.0 if error == 0 else error / bound if bound > 0 else float("inf")


def recorded_directions(E, x, first, count, per=4):
    """The directions behind E.points[first:], `per` forwards each (x + hw, x - hw, then
    x + 2hw, x - 2hw): [(w recovered from the h-step points, {step: (x + s*w, x - s*w)})]."""
    h = EPS64 ** (1 / 3)
    out = []
    for k in range(count):
        pts = [p.astype(np.float64) for p in E.points[first + per * k:first + per * (k + 1)]]
        steps = {h: (pts[0], pts[1])}
        if per == 4:
            steps[2 * h] = (pts[2], pts[3])
        out.append(((pts[0] - pts[1]) / (2 * h), steps))
    return out


def message_lines(report):
    return report.message.split("\n")


def describe(e, words, prefix=""):
    """A comparison's line as the module docstring lists its parts (the expected text)."""
    where = "direction" if e.index is None else f"element {e.index}"
    ratio = e.ratio
    times = "inf" if not np.isfinite(ratio) else f"{ratio:.3g}"
    return (f"{prefix}{where}: analytic {e.analytic!r}, numeric {e.numeric!r}, |error| "
            f"{e.error:.3g}, relative {e.relative:.3g}, allowed {e.bound:.3g} ({words}): "
            f"error = {times}x budget")


class TestCatches(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_catches_a_gradient_wrong_by_relative_1e_4_in_float64(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        for name, fn in functions(bad):
            for mode, shape in (("full", ()), ("full", (5,)), ("random", (1000,))):
                with self.subTest(f"{name}, {mode} mode, shape {shape}"):
                    x, gy = draw(1, shape)
                    report = check_gradient(bad, fn, x, gy, mode=mode, seed=1)
                    self.assertFalse(report.ok, report.message)
                    self.assertGreater(report.max_ratio, 10.0, report.message)

    def test_catches_a_gradient_wrong_by_relative_1e_2_in_float32(self):
        bad = wrong_gradient(float32_engine(self.E), WRONG_F32)
        for name, fn in functions(bad):
            for mode, shape in (("full", (5,)), ("random", (1000,))):
                with self.subTest(f"{name}, {mode} mode"):
                    x, gy = draw(2, shape)
                    report = check_gradient(bad, fn, x, gy, mode=mode, seed=2)
                    self.assertFalse(report.ok, report.message)
                    self.assertEqual(report.dtype, "float32")

    def test_random_mode_catches_and_locates_one_wrong_element_in_10_000(self):
        """One element of 10^4 wrong: random mode fails, then bisection and full mode name it.

        Random mode sees an element's error through the whole projection, so what it can see
        is set by that projection's budget: for square (no truncation error) 1e-4 of the
        element is ample; for the composite, whose budget is truncation-bound, 1e-3 (here the
        element's gradient is 0.15 against an RMS of 41 over the input)."""
        x, gy = draw(3, (100, 100))
        where = tuple(int(k) for k in np.unravel_index(BAD_ELEMENT, x.shape))
        for name, relative in (("square", WRONG_F64), ("composite", WRONG_ONE_OF_MANY)):
            with self.subTest(name):
                bad = wrong_gradient(self.E, relative, element=BAD_ELEMENT)
                fn = dict(functions(bad))[name]
                report = check_gradient(bad, fn, x, gy, mode="random", seed=3)
                self.assertFalse(report.ok, report.message)
                self.assertEqual(report.worst.index, where, report.message)
                np.testing.assert_allclose(report.worst.relative, relative, rtol=1e-3,
                                           err_msg=report.message)
                self.assertLess(report.evaluations, 400, "locating must not fall back to "
                                "4 x 10^4 forwards: bisection, then a small block")

    def test_full_mode_locates_the_worst_element(self):
        bad = wrong_gradient(self.E, WRONG_F64, element=37)
        x, gy = draw(4, (10, 10))
        report = check_gradient(bad, composite(bad), x, gy, mode="full", seed=4)
        self.assertFalse(report.ok, report.message)
        self.assertEqual(report.worst.index, (3, 7), report.message)
        self.assertEqual(report.evaluations, 1 + 4 * x.size)

    def test_random_mode_falls_back_to_full_mode_on_a_small_input(self):
        bad = wrong_gradient(self.E, 1e-3, element=7)
        x, gy = draw(5, (20,))
        report = check_gradient(bad, composite(bad), x, gy, mode="random", seed=5)
        self.assertFalse(report.ok, report.message)
        self.assertEqual(report.worst.index, (7,), report.message)
        self.assertIn("full mode over all 20 elements", report.message)

    def test_the_engines_own_mutant_exp_backward_float32_is_caught(self):
        E = book.adapt(BY_NAME["exp_backward_float32"].module(), "exp_backward_float32")
        x, gy = draw(6, (50,))
        self.assertFalse(check_gradient(E, E.exp, x, gy, mode="random", seed=6).ok)


class TestNeverFlagsACorrectEngine(unittest.TestCase):

    def test_no_false_alarm_across_seeds(self):
        """Per seed and engine (float64, float32): the composite in full mode on a random
        shape, and square, exp or the composite in random mode on 1000 elements."""
        E64 = adapters.load("reference")
        alarms, ratios = [], []
        shapes = ((), (1,), (3,), (2, 3))
        for E in (E64, float32_engine(E64)):
            fns = functions(E)
            for seed in range(SEEDS):
                x, gy = draw(seed, shapes[seed % len(shapes)])
                checks = [("composite", "full", composite(E), x, gy)]
                name, fn = fns[seed % 3]
                checks.append((name, "random") + (fn,) + draw(seed, (1000,)))
                for name, mode, fn, x, gy in checks:
                    report = check_gradient(E, fn, x, gy, mode=mode, seed=seed)
                    ratios.append(report.max_ratio)
                    if not report.ok:
                        alarms.append(f"{E.NAME} {name} {mode} seed {seed}: {report.message}")
        self.assertEqual(len(alarms), 0, f"{len(alarms)} false alarms in {len(ratios)} checks "
                                          f"over {SEEDS} seeds (largest error/budget "
                                          f"{max(ratios):.3g}):\n" + "\n".join(alarms[:3]))
        # the margin: a correct engine's error stays well inside its budget
        self.assertLess(max(ratios), 0.5, f"largest error/budget {max(ratios):.3g}")

    def test_correct_engine_passes_with_the_implicit_seed(self):
        E = adapters.load("reference")
        x, _ = draw(7, (4, 5))
        for mode in gradcheck.MODES:
            report = check_gradient(E, composite(E), x, mode=mode, seed=7)
            self.assertTrue(report.ok, report.message)


class TestCost(unittest.TestCase):

    def test_random_mode_costs_a_constant_number_of_evaluations(self):
        E = adapters.load("reference")
        for size in (10, 1000, 100000):
            for directions in (1, 3):
                with self.subTest(size=size, directions=directions):
                    x, gy = draw(8, (size,))
                    report = check_gradient(E, E.square, x, gy, mode="random", seed=8,
                                            directions=directions)
                    self.assertTrue(report.ok, report.message)
                    self.assertEqual(report.evaluations, 1 + 4 * directions)

    def test_full_mode_costs_four_forwards_per_element(self):
        E = adapters.load("reference")
        x, gy = draw(9, (7,))
        self.assertEqual(check_gradient(E, E.square, x, gy, seed=9).evaluations, 29)


class TestDiagnostics(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_failure_message_names_everything_needed(self):
        bad = wrong_gradient(self.E, WRONG_F64, element=2)
        x, gy = draw(10, (2, 3))
        report = check_gradient(bad, bad.exp, x, gy, mode="full", seed=10)
        for part in ("FAILED", "mode=full", "seed=10", "element (0, 2)", "analytic", "numeric",
                     "|error|", "relative", "allowed", "x budget", "reproduce",
                     "adapters.load(", "check_gradient(E, fn, x, gy, mode='full', seed=10)",
                     "fn = E.exp"):
            self.assertIn(part, report.message)
        w = report.worst
        np.testing.assert_allclose(w.error, abs(w.analytic - w.numeric), rtol=1e-6,
                                   err_msg=report.message)
        self.assertIn(f"error = {w.ratio:.3g}x budget", report.message)

    def test_non_finite_analytic_gradient_is_named(self):
        def grad(fn, x, gy=None):
            y, gx = self.E.grad(fn, x, gy)
            gx = np.array(gx)
            gx[1] = np.nan
            return y, gx
        bad = engine_like(self.E, grad=grad)
        for mode in gradcheck.MODES:
            report = check_gradient(bad, bad.square, np.array([0.5, 1.0, 2.0]), mode=mode,
                                    seed=11)
            self.assertFalse(report.ok)
            self.assertIn("non-finite analytic gradient", report.message)
            self.assertEqual(report.worst.index, (1,))

    def test_non_finite_numeric_gradient_is_named(self):
        x = np.array([0.5, 1.0, 2.0])

        def blows_up_off_x(v):  # finite at x, nan anywhere else: no numeric gradient exists
            a = v.data
            return self.E.square(v) if np.array_equal(a, x) else self.E.Variable(a * np.nan)
        for mode in gradcheck.MODES:
            report = check_gradient(self.E, blows_up_off_x, x, mode=mode, seed=12)
            self.assertFalse(report.ok)
            self.assertIn("non-finite numeric gradient", report.message)

    def test_explicit_tolerances_replace_the_derived_budget(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        x, gy = draw(13, (5,))
        for mode in gradcheck.MODES:
            loose = check_gradient(bad, bad.exp, x, gy, mode=mode, seed=13, rtol=1e-3)
            self.assertTrue(loose.ok, loose.message)
            tight = check_gradient(bad, bad.exp, x, gy, mode=mode, seed=13, rtol=1e-5,
                                   atol=1e-12)
            self.assertFalse(tight.ok, tight.message)
            self.assertIn("rtol=1e-05, atol=1e-12", tight.message)

    def test_assert_gradient_raises_with_the_message(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        with self.assertRaises(AssertionError) as cm:
            assert_gradient(bad, bad.square, np.array([1.5]), seed=14)
        self.assertIn("error = ", str(cm.exception))
        self.assertTrue(assert_gradient(self.E, self.E.square, np.array([1.5]), seed=14).ok)

    def test_seed_comes_from_the_environment_and_fixes_the_directions(self):
        x, gy = draw(15, (50,))
        with mock.patch.dict(os.environ, {SEED_VAR: "4242"}):
            report = check_gradient(self.E, self.E.exp, x, gy, mode="random")
        self.assertEqual(report.seed, 4242)
        again = check_gradient(self.E, self.E.exp, x, gy, mode="random", seed=4242)
        other = check_gradient(self.E, self.E.exp, x, gy, mode="random", seed=4243)
        self.assertEqual([d.analytic for d in report.directions],
                         [d.analytic for d in again.directions])
        self.assertNotEqual(report.directions[0].analytic, other.directions[0].analytic)

    def test_missing_or_misshapen_gradient_is_a_failure_not_an_exception(self):
        none = engine_like(self.E, grad=lambda fn, x, gy=None: (x, None))
        report = check_gradient(none, none.square, np.array([1.0, 2.0]), seed=16)
        self.assertFalse(report.ok)
        self.assertIn("gradient None", report.message)
        flat = engine_like(self.E, grad=lambda fn, x, gy=None: (x, np.zeros(4)))
        report = check_gradient(flat, flat.square, np.ones((2, 2)), seed=16)
        self.assertFalse(report.ok)
        self.assertIn("shape (4,), the input (2, 2)", report.message)

    def test_bad_arguments_get_one_line_errors(self):
        E, x = self.E, np.array([1.0])
        for kwargs, words in ((dict(mode="fast"), "use 'full' or 'random'"),
                              (dict(directions=0), "at least 1"),
                              (dict(rtol=-1.0), "tolerance >= 0")):
            with self.subTest(kwargs=kwargs):
                with self.assertRaisesRegex(ValueError, words):
                    check_gradient(E, E.square, x, **kwargs)
        with self.assertRaisesRegex(ValueError, "floating-point numpy array, not list"):
            check_gradient(E, E.square, [1.0])
        with self.assertRaisesRegex(ValueError, "not int64"):
            check_gradient(E, E.square, np.array([1, 2]))


class TestReproduce(unittest.TestCase):
    """The snippet in a failure message, pasted into a fresh interpreter, fails the same way."""

    def replay(self, size, **kwargs):
        mutant = BY_NAME["exp_backward_float32"]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(mutant.source())
            E = adapters.load(path)
            x, gy = draw(17, (size,))
            report = check_gradient(E, E.exp, x, gy, mode="random", seed=17, **kwargs)
            self.assertFalse(report.ok, report.message)
            snippet = report.message.split("reproduce")[1].split("\n", 1)[1]
            code = "\n".join(line[4:] for line in snippet.splitlines())
            run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                 text=True)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertEqual(run.stdout.strip(), report.message.strip())

    def test_snippet_with_literal_input(self):
        self.replay(5)

    def test_snippet_with_saved_input(self):
        self.replay(2000)

    def test_snippet_with_three_directions_and_tolerances(self):
        """As clause S15 calls it: several directions, and here explicit tolerances too."""
        self.replay(5, directions=3, rtol=1e-9, atol=0.0)


class TestStepsAndPoints(unittest.TestCase):
    """Where the engine is evaluated: steps h = eps^(1/3) * max(1, |x|) in the engine's dtype,
    points rounded to that dtype and given in x's dtype, weights as _weights promises."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def offsets_by_element(self, E, x0):
        """{flat element: sorted offsets from x0} over E.points, each moving one element."""
        moved = {}
        for p in E.points:
            where = np.flatnonzero(p.astype(np.float64) != x0)
            self.assertEqual(where.size, 1, f"a full-mode point moves one element: {p} vs {x0}")
            k = int(where[0])
            moved.setdefault(k, []).append(float(p.flat[k]) - float(x0.flat[k]))
        return {k: sorted(v) for k, v in moved.items()}

    def test_full_mode_steps_each_element_by_h_and_2h_times_max_1_abs_x(self):
        x = np.array([0.25, -3.0, 7.5, 0.0, -1.0])
        E = ledger(self.E)
        report = check_gradient(E, E.exp, x, np.full(5, 0.5), mode="full", seed=20)
        self.assertTrue(report.ok, report.message)
        self.assertEqual([(p.dtype, p.shape) for p in E.points], [(x.dtype, x.shape)] * 20)
        h = EPS64 ** (1 / 3)
        moved = self.offsets_by_element(E, x)
        self.assertEqual(sorted(moved), list(range(5)))
        for k, offsets in moved.items():
            s = max(1.0, abs(x[k]))
            np.testing.assert_allclose(offsets, [-2 * h * s, -h * s, h * s, 2 * h * s],
                                       rtol=STEP_RTOL, err_msg=f"element {k}, x = {x[k]}")

    def test_a_float32_engine_gets_steps_of_eps32_cubic_root_on_float32_points(self):
        x = np.array([0.3, -2.7, 5.1])
        E = ledger(float32_engine(self.E))
        report = check_gradient(E, E.exp, x, np.ones(3), mode="full", seed=21)
        self.assertTrue(report.ok, report.message)
        self.assertEqual(report.dtype, "float32")
        x0 = x.astype(np.float32).astype(np.float64)  # what the engine holds
        for p in E.points:  # given in x's dtype, rounded to what a float32 engine can hold
            self.assertEqual(p.dtype, np.float64)
            np.testing.assert_array_equal(p, p.astype(np.float32).astype(np.float64))
        h = EPS32 ** (1 / 3)
        for k, offsets in self.offsets_by_element(E, x0).items():
            s = max(1.0, abs(x0[k]))
            ulp = float(np.spacing(np.float32(abs(x0[k]) + 2 * h * s)))
            np.testing.assert_allclose(offsets, [-2 * h * s, -h * s, h * s, 2 * h * s],
                                       rtol=0, atol=ulp, err_msg=f"element {k}, x = {x[k]}")

    def test_a_float32_input_reaches_the_engine_as_float32(self):
        x = np.array([0.3, -2.7, 5.1], dtype=np.float32)
        for mode in gradcheck.MODES:
            with self.subTest(mode=mode):
                E = ledger(self.E)
                report = check_gradient(E, E.exp, x, mode=mode, seed=22)
                self.assertTrue(report.ok, report.message)
                self.assertEqual(report.dtype, "float32")
                self.assertEqual({p.dtype for p in E.points} | {E.grads[0][0].dtype},
                                 {np.dtype(np.float32)})
                self.assertIn("input shape (3,) float32, engine dtype float32",
                              message_lines(report)[0])

    def test_random_directions_weigh_elements_0_5_to_1_5_times_max_1_abs_x(self):
        seed = 23
        rng = np.random.default_rng(seed)
        x, gy = rng.uniform(-5, 5, 4000), rng.uniform(0.5, 2.0, 4000)
        E = ledger(self.E)
        report = check_gradient(E, E.square, x, gy, mode="random", seed=seed, directions=2)
        self.assertTrue(report.ok, report.message)
        self.assertEqual((report.evaluations, len(E.points)), (9, 8))
        scale = np.maximum(1.0, np.abs(x))
        ws = []
        for k, (w, steps) in enumerate(recorded_directions(E, x, 0, 2)):
            why = f"seed {seed}, direction {k + 1}"
            m = np.abs(w) / scale
            self.assertGreaterEqual(m.min(), 0.5 - 1e-8, why)
            self.assertLessEqual(m.max(), 1.5 + 1e-8, why)
            # uniform magnitudes: 4000 draws reach both ends and average 1
            self.assertLess(m.min(), 0.52, why)
            self.assertGreater(m.max(), 1.48, why)
            np.testing.assert_allclose(m.mean(), 1.0, atol=0.03, err_msg=why)
            np.testing.assert_allclose(np.mean(w > 0), 0.5, atol=0.05, err_msg=why)
            (xp, xm), (xp2, xm2) = steps[min(steps)], steps[max(steps)]
            np.testing.assert_allclose(xm - x, -(xp - x), rtol=STEP_RTOL, err_msg=why)
            np.testing.assert_allclose(xp2 - x, 2 * (xp - x), rtol=STEP_RTOL, err_msg=why)
            np.testing.assert_allclose(xm2 - x, 2 * (xm - x), rtol=STEP_RTOL, err_msg=why)
            ws.append(w)
        self.assertGreater(np.max(np.abs(ws[0] - ws[1])), 0.5,
                           f"seed {seed}: the two directions differ")

    def test_bisection_weighs_one_half_of_the_candidates_at_a_time(self):
        seed, n, bad = 24, 2048, 1500
        rng = np.random.default_rng(seed)
        x, gy = rng.uniform(-4, 4, n), rng.uniform(0.5, 2.0, n)
        E = ledger(wrong_gradient(self.E, 1e-2, element=bad))
        report = check_gradient(E, E.square, x, gy, mode="random", seed=seed)
        self.assertFalse(report.ok, report.message)
        self.assertEqual(report.worst.index, (bad,), report.message)
        candidates, halvings = np.arange(n), []
        while candidates.size > SPEC_LOCATE_BLOCK:
            halves = np.array_split(candidates, 2)
            halvings.append(halves)
            candidates = halves[0] if bad in halves[0] else halves[1]
        self.assertEqual(report.evaluations, 1 + 4 + 8 * len(halvings) + 4 * candidates.size)
        scale = np.maximum(1.0, np.abs(x))
        scored = recorded_directions(E, x, 4, 2 * len(halvings))
        for j, halves in enumerate(halvings):
            pair = [scored[2 * j][0], scored[2 * j + 1][0]]
            supports = sorted((np.flatnonzero(w) for w in pair), key=lambda a: a[0])
            for half, support, w in zip(halves, supports, pair):
                why = f"seed {seed}, halving {j + 1}"
                np.testing.assert_array_equal(support, half, err_msg=why)
                m = np.abs(w[support]) / scale[support]
                self.assertGreaterEqual(m.min(), 0.5 - 1e-8, why)
                self.assertLessEqual(m.max(), 1.5 + 1e-8, why)
        last = self.offsets_by_element(types.SimpleNamespace(
            points=E.points[4 + 8 * len(halvings):]), x)
        self.assertEqual(sorted(last), candidates.tolist())


class TestBudget(unittest.TestCase):
    """A report's numbers are the module docstring's formulas, to the last digits."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def assert_comparison(self, got, expected, why):
        analytic, numeric, error, bound = expected
        np.testing.assert_allclose([got.analytic, got.numeric, got.error, got.bound],
                                   [analytic, numeric, error, bound], rtol=SPEC_RTOL, atol=0,
                                   err_msg=why)

    def assert_full_mode(self, E, fn, x, gy, tol=(None, None), seed=30):
        rtol, atol = tol
        report = check_gradient(E, fn, x, gy, mode="full", seed=seed, rtol=rtol, atol=atol)
        per = 4 if tol == (None, None) else 2
        self.assertEqual(report.evaluations, 1 + per * x.size, report.message)
        expected = spec_full(E, fn, x, gy, None if tol == (None, None) else tol)
        ratios = [ratio_of(e[3], e[4]) for e in expected]
        worst = expected[int(np.argmax(ratios))]
        self.assertEqual(report.worst.index, worst[0], report.message)
        self.assert_comparison(report.worst, worst[1:], report.message)
        self.assertEqual(report.ok, max(ratios) <= 1, report.message)
        return report

    def test_full_mode_numbers_follow_the_formulas(self):
        """Per element: D(h) and the analytic term per unit step of x[i], the budget from
        steps h and 2h, outputs the step did not touch left out of the rounding term."""
        x = np.array([0.3, -2.5, 4.0, 1.5])
        gy = np.array([0.7, 1.9, -1.1, 0.4])
        offset_square = array_engine(lambda a: 1000.0 + a ** 2, lambda a: 2 * a)
        off_by_quarter = array_engine(lambda a: 1000.0 + a ** 2, lambda a: 2 * a + 0.25 * (a == 0))
        exp = self.E.exp
        for name, E, fn, x_, gy_ in (
                ("exp, correct", self.E, exp, x, gy),
                ("exp, element 2 (|x| = 4) wrong", wrong_gradient(self.E, 1e-4, 2), exp, x, gy),
                ("exp, element 1 (|x| = 2.5) wrong", wrong_gradient(self.E, 1e-4, 1), exp, x, gy),
                ("exp, element 0 (|x| < 1) wrong", wrong_gradient(self.E, 1e-4, 0), exp, x, gy),
                ("1000 + x^2 off by 0.25 at 0, where no output moves", off_by_quarter,
                 off_by_quarter.f, np.array([0.5, -1.5, 0.0]), np.array([1.0, 2.0, 3.0])),
                ("1000 + x^2, correct", offset_square, offset_square.f,
                 np.array([0.5, -1.5, 0.0]), np.array([1.0, 2.0, 3.0]))):
            with self.subTest(name):
                self.assert_full_mode(E, fn, x_, gy_)

    def test_explicit_tolerances_allow_atol_plus_rtol_times_abs_gradient(self):
        """Per element: atol + rtol * |gx[i]|, with a tolerance not given counting as 0."""
        x = np.array([0.4, -2.5, 6.0])
        gy = np.array([1.3, 0.6, -0.9])
        for where in (0, 2):
            bad = wrong_gradient(self.E, 1e-3, element=where)
            for tol in ((1e-4, None), (None, 1e-5), (2e-5, 3e-6), (1e-2, None), (None, 1e-1)):
                with self.subTest(wrong_element=where, rtol=tol[0], atol=tol[1]):
                    report = self.assert_full_mode(bad, bad.exp, x, gy, tol)
                    self.assertIn(f"(rtol={tol[0]}, atol={tol[1]}): error = ",
                                  message_lines(report)[1])

    def assert_random_mode(self, E, fn, x, gy, seed, directions, tol=(None, None)):
        rtol, atol = tol
        report = check_gradient(E, fn, x, gy, mode="random", seed=seed, directions=directions,
                                rtol=rtol, atol=atol)
        per = 4 if tol == (None, None) else 2
        self.assertEqual(len(report.directions), directions, report.message)
        g = np.asarray(E.grad(fn, x.copy(), gy.copy())[1], dtype=np.float64)
        for k, (w, steps) in enumerate(recorded_directions(E, x, 0, directions, per)):
            def at(t, steps=steps):
                return steps[abs(t)][0 if t > 0 else 1]
            expected = spec_comparison(forward_of(E, fn), gy, g, at, EPS64 ** (1 / 3), EPS64,
                                       False, None if tol == (None, None) else tol,
                                       (np.sum(np.abs(w)), np.sum(np.abs(g * w))))
            d = report.directions[k]
            self.assertIsNone(d.index)
            self.assert_comparison(d, expected, f"seed {seed}, direction {k + 1}: "
                                                f"{report.message}")
        return report

    def test_random_mode_numbers_follow_the_formulas(self):
        """Per direction: <gx, w> against D(h) along w, every output in the rounding term."""
        seed = 32
        rng = np.random.default_rng(seed)
        x, gy = rng.uniform(-3, 3, 50), rng.uniform(0.5, 2.0, 50)
        mostly_zero = np.where(np.arange(50) % 10 == 3, x, 0.0)
        offset_square = array_engine(lambda a: 1000.0 + a ** 2, lambda a: 2 * a)
        for name, E, fn, x_ in (("exp", self.E, self.E.exp, x),
                                ("1000 + x^2, most outputs unmoved", offset_square,
                                 offset_square.f, mostly_zero)):
            for tol in ((None, None), (1e-6, None), (None, 1e-7), (1e-6, 1e-7)):
                with self.subTest(name, rtol=tol[0], atol=tol[1]):
                    E = ledger(E)
                    report = self.assert_random_mode(E, fn, x_, gy, seed, 3, tol)
                    per = 4 if tol == (None, None) else 2
                    self.assertEqual(report.evaluations, 1 + per * 3, report.message)


class TestRatio(unittest.TestCase):
    """error / budget: at most 1 passes; edge values of error, budget and numeric."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_an_error_equal_to_its_budget_passes_and_one_and_a_half_times_fails(self):
        bad = wrong_gradient(self.E, 1e-3)
        x, gy = np.array([0.5]), np.array([1.25])
        error = check_gradient(bad, bad.exp, x, gy, seed=33, atol=1.0).worst.error
        self.assertGreater(error, 0.0)
        for atol, ratio, ok, words in ((error, 1.0, True, "1"), (error / 1.5, 1.5, False, "1.5")):
            with self.subTest(atol=atol):
                report = check_gradient(bad, bad.exp, x, gy, seed=33, atol=atol)
                self.assertEqual(report.worst.error, error, report.message)
                np.testing.assert_allclose(report.max_ratio, ratio, rtol=1e-12,
                                           err_msg=report.message)
                self.assertEqual(report.ok, ok, report.message)
                tail = f"): error = {words}x budget"
                self.assertEqual(message_lines(report)[1][-len(tail):], tail, report.message)

    def test_zero_tolerances_pass_an_exact_comparison_and_fail_any_error(self):
        """square at 0: L(h) = L(-h) exactly, so numeric is 0 and the forward's rounding term
        is 0 (the one output did not move); an engine off by 0.25 then has an infinite
        relative error, and an error / budget that is infinite under zero tolerances and
        1 / (SAFETY * ANALYTIC_ULPS * eps) under the derived budget (its rounding term)."""
        off = engine_like(self.E, grad=lambda fn, x, gy=None: (
            self.E.grad(fn, x, gy)[0], np.asarray(self.E.grad(fn, x, gy)[1]) + 0.25))
        x = np.array([0.0])
        zero, derived = "rtol=0.0, atol=0.0", DERIVED_WORDS.format("float64")
        rounding = SPEC_SAFETY * SPEC_ANALYTIC_ULPS * EPS64 * 0.25
        for name, E, tol, words, error, bound, relative, ratio, times in (
                ("exact, zero tolerances", self.E, (0.0, 0.0), zero, 0.0, 0.0, 0.0, 0.0, "0"),
                ("exact, derived budget", self.E, (None, None), derived, 0.0, 0.0, 0.0, 0.0,
                 "0"),
                ("off, zero tolerances", off, (0.0, 0.0), zero, 0.25, 0.0, np.inf, np.inf,
                 "inf"),
                ("off, derived budget", off, (None, None), derived, 0.25, rounding, np.inf,
                 0.25 / rounding, f"{0.25 / rounding:.3g}")):
            with self.subTest(name):
                report = check_gradient(E, E.square, x, mode="full", seed=34, rtol=tol[0],
                                        atol=tol[1])
                w = report.worst
                self.assertEqual(report.ok, error == 0.0, report.message)
                self.assertEqual((w.numeric, w.error, w.relative), (0.0, error, relative),
                                 report.message)
                np.testing.assert_allclose([w.bound, w.ratio, report.max_ratio],
                                           [bound, ratio, ratio], rtol=1e-12,
                                           err_msg=report.message)
                tail = (f", relative {relative:.3g}, allowed {bound:.3g} ({words}): "
                        f"error = {times}x budget")
                self.assertEqual(message_lines(report)[1][-len(tail):], tail, report.message)

    def test_relative_error_is_error_over_abs_numeric(self):
        bad = wrong_gradient(self.E, 1e-2, element=1)
        x, gy = np.array([0.2, -0.7, 0.9]), np.array([1.0, -0.5, 2.0])
        for mode in gradcheck.MODES:
            with self.subTest(mode=mode):
                report = check_gradient(bad, bad.exp, x, gy, mode=mode, seed=35)
                w = report.worst
                self.assertLess(abs(w.numeric), 1.0)
                np.testing.assert_allclose(w.relative, w.error / abs(w.numeric), rtol=1e-15,
                                           err_msg=report.message)
                np.testing.assert_allclose(w.relative, 1e-2, rtol=1e-3, err_msg=report.message)

    def test_a_forward_infinite_only_at_2h_fails_as_non_finite(self):
        """Element 1: finite at x +- h (a finite error) but +inf at x + 2h: the budget is
        infinite, and that is a failure, not an infinitely loose check."""
        x = np.array([0.5, -0.25])
        h = EPS64 ** (1 / 3)

        def f(a):
            return np.where((a - x > 1.5 * h) & (np.arange(2) == 1), np.inf, a ** 2)
        E = array_engine(f, lambda a: 2 * a)
        report = check_gradient(E, E.f, x, mode="full", seed=36)
        self.assertFalse(report.ok, report.message)
        w = report.worst
        self.assertTrue(np.isfinite(w.error) and np.isfinite(w.numeric), report.message)
        self.assertEqual((w.bound, w.ratio, report.max_ratio), (np.inf, np.inf, np.inf))
        note = ("non-finite numeric gradient: the forward is not finite at x +- h*w or "
                "x +- 2h*w")
        self.assertEqual(w.note, note)
        self.assertEqual(message_lines(report)[1],
                         f"element (1,): {note}: analytic {w.analytic!r}, numeric {w.numeric!r}")

    def test_a_nan_error_under_explicit_tolerances_is_an_infinite_ratio(self):
        x = np.array([0.5, -0.25])

        def f(a):
            return np.where(a != x, np.nan, a ** 2)
        E = array_engine(f, lambda a: 2 * a)
        for mode in gradcheck.MODES:
            with self.subTest(mode=mode):
                report = check_gradient(E, E.f, x, mode=mode, seed=37, rtol=1e-3, atol=1e-6)
                self.assertFalse(report.ok, report.message)
                self.assertEqual(report.max_ratio, np.inf, report.message)
                self.assertIn("non-finite numeric gradient", report.message)


class TestArguments(unittest.TestCase):
    """What check_gradient accepts, its defaults, and its one-line errors."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_bad_arguments_get_these_exact_messages(self):
        E = self.E
        for kwargs, message in (
                (dict(mode="fast"),
                 "mode='fast' is not a gradient-check mode; use 'full' or 'random'"),
                (dict(fn=3), "fn must be a function of one engine value, not int"),
                (dict(x=[1.0, 2.0]), "x must be a floating-point numpy array, not list; pass "
                                     "np.asarray(x, dtype=np.float64)"),
                (dict(x=np.array([1, 2], dtype=np.int64)),
                 "x must be a floating-point numpy array, not int64; pass "
                 "np.asarray(x, dtype=np.float64)"),
                (dict(gy=np.array([1, 2], dtype=np.int64)),
                 "gy must be a floating-point numpy array, not int64"),
                (dict(gy=np.ones(1)), "gy has shape (1,) but fn(x) has shape (2,); give gy the "
                                      "output's shape, or None for ones"),
                (dict(directions=0), "directions=0: give a whole number of at least 1"),
                (dict(directions=2.0), "directions=2.0: give a whole number of at least 1"),
                (dict(rtol=-1.0), "rtol=-1.0: give a tolerance >= 0, or None to derive it"),
                (dict(atol=-1e-9), "atol=-1e-09: give a tolerance >= 0, or None to derive it"),
                (dict(rtol=float("nan")),
                 "rtol=nan: give a tolerance >= 0, or None to derive it")):
            with self.subTest(**{k: repr(v) for k, v in kwargs.items()}):
                args = dict(fn=E.square, x=np.array([1.0, 2.0]))
                args.update(kwargs)
                with self.assertRaises(ValueError) as cm:
                    check_gradient(E, args.pop("fn"), args.pop("x"), **args)
                self.assertEqual(str(cm.exception), message)

    def test_a_gy_list_is_taken_as_a_float64_array(self):
        x, gy = draw(41, (3,))
        E = ledger(self.E)
        listed = check_gradient(E, E.exp, x, gy.tolist(), mode="full", seed=41)
        given = check_gradient(self.E, self.E.exp, x, gy, mode="full", seed=41)
        self.assertTrue(listed.ok, listed.message)
        seen = E.grads[0][1]
        self.assertEqual((seen.dtype, seen.shape), (np.dtype(np.float64), (3,)))
        np.testing.assert_array_equal(seen, gy)
        self.assertEqual(listed.message, given.message)

    def test_defaults_are_full_mode_and_one_random_direction(self):
        x = draw(42, (6,))[0]
        full = check_gradient(self.E, self.E.exp, x, seed=42)
        self.assertEqual((full.mode, full.evaluations), ("full", 1 + 4 * 6), full.message)
        one = check_gradient(self.E, self.E.exp, x, mode="random", seed=42)
        self.assertEqual((len(one.directions), one.evaluations), (1, 5), one.message)
        self.assertEqual(one.message, check_gradient(self.E, self.E.exp, x, mode="random",
                                                     seed=42, directions=1).message)

    def test_an_engine_without_implicit_seed_is_given_ones_at_one_forward_more(self):
        """ABSENT lists implicit_seed (and not seed_grad): the checker seeds ones shaped like
        y itself, from one more forward; an engine lacking seed_grad too is left to seed."""
        E0 = self.E
        x, gy = draw(40, (2, 3))
        no_seed = {"implicit_seed": "seeds only scalar outputs"}
        neither = dict(no_seed, seed_grad="no output gradient can be given")

        def seeds_scalars_only(fn, x, gy=None):
            if gy is None and np.ndim(E0.value(fn(E0.leaf(x.copy())))) > 0:
                raise TypeError("this engine seeds only scalar outputs")
            return E0.grad(fn, x, gy)
        for name, absent, given, passed, extra in (
                ("seeds itself", {}, None, None, 0),
                ("seeds scalars only", no_seed, None, np.ones((2, 3)), 1),
                ("takes no output gradient", neither, None, None, 0),
                ("seeds scalars only, gy given", no_seed, gy, gy, 0),
                ("seeds itself, gy given", {}, gy, gy, 0)):
            for mode in gradcheck.MODES:
                with self.subTest(name, mode=mode):
                    grad = seeds_scalars_only if absent is no_seed else E0.grad
                    E = ledger(E0, ABSENT=absent, grad=grad)
                    report = check_gradient(E, composite(E), x, given, mode=mode, seed=40)
                    self.assertTrue(report.ok, report.message)
                    checks = x.size if mode == "full" else 1
                    self.assertEqual(report.evaluations, 1 + extra + 4 * checks, report.message)
                    self.assertEqual(len(E.points), extra + 4 * checks)
                    if extra:
                        np.testing.assert_array_equal(E.points[0], x)
                    self.assertEqual(len(E.grads), 1)
                    seen = E.grads[0][1]
                    if passed is None:
                        self.assertIsNone(seen)
                    else:
                        self.assertEqual((seen.dtype, seen.shape), (np.dtype(np.float64), (2, 3)))
                        np.testing.assert_array_equal(seen, passed)

    def test_assert_gradient_forwards_every_argument(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        x, gy = draw(43, (4,))
        kwargs = dict(mode="random", seed=43, directions=3, rtol=1e-6, atol=1e-9,
                      engine_spec="engines/mine.py", fn_text="my_fn", x_text="X_TEXT",
                      gy_text="GY_TEXT")
        expected = check_gradient(bad, bad.exp, x, gy, **kwargs)
        self.assertFalse(expected.ok)
        with self.assertRaises(AssertionError) as cm:
            assert_gradient(bad, bad.exp, x, gy, **kwargs)
        self.assertEqual(str(cm.exception), expected.message)
        report = assert_gradient(self.E, self.E.exp, x, gy, **kwargs)
        self.assertEqual(report.message, check_gradient(self.E, self.E.exp, x, gy,
                                                        **kwargs).message)
        self.assertEqual((report.ok, report.mode, report.seed, report.evaluations,
                          len(report.directions)), (True, "random", 43, 7, 3))


class TestMessages(unittest.TestCase):
    """The messages, line by line, as the module docstring lists their parts."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_a_failed_full_check_reads_line_by_line(self):
        bad = wrong_gradient(self.E, WRONG_F64, element=2)
        x, gy = draw(10, (2, 3))
        report = check_gradient(bad, bad.exp, x, gy, mode="full", seed=10)
        self.assertEqual(report.worst.index, (0, 2), report.message)
        self.assertEqual(report.worst.note, "")
        self.assertEqual(message_lines(report), [
            f"gradient check FAILED: mode=full, seed=10, engine {bad.NAME}, input shape (2, 3) "
            f"float64, engine dtype float64, 25 engine evaluations",
            describe(report.worst, DERIVED_WORDS.format("float64")),
            REPRODUCE] + ["    " + line for line in SNIPPET_HEAD + [
                f"E = adapters.load({bad.NAME!r})",
                "fn = E.exp",
                f"x = np.array({x.tolist()!r}, dtype=np.float64)",
                f"gy = np.array({gy.tolist()!r}, dtype=np.float64)",
                "print(check_gradient(E, fn, x, gy, mode='full', seed=10).message)"]])

    def test_a_passed_check_names_its_worst_comparison(self):
        x, gy = draw(44, (5,))
        for mode, where, evaluations in (("random", "direction", 5), ("full", "element", 21)):
            with self.subTest(mode=mode):
                report = check_gradient(self.E, self.E.exp, x, gy, mode=mode, seed=44)
                self.assertTrue(report.ok, report.message)
                self.assertEqual(report.worst.note, "")
                line = describe(report.worst, DERIVED_WORDS.format("float64"), "worst ")
                self.assertTrue(line.startswith(f"worst {where}"), line)
                self.assertEqual(message_lines(report), [
                    f"gradient check passed: mode={mode}, seed=44, engine reference, input "
                    f"shape (5,) float64, engine dtype float64, {evaluations} engine "
                    f"evaluations", line])

    def test_a_failed_random_check_names_the_direction_and_how_the_element_was_found(self):
        bad = wrong_gradient(self.E, 1e-3, element=7)
        x, gy = draw(5, (20,))
        report = check_gradient(bad, composite(bad), x, gy, mode="random", seed=5,
                                directions=3, rtol=1e-6)
        self.assertFalse(report.ok, report.message)
        self.assertEqual(report.evaluations, 1 + 2 * 3 + 2 * 20)
        ratios = [d.ratio for d in report.directions]
        k = int(np.argmax(ratios)) + 1
        d = report.directions[k - 1]
        self.assertEqual(message_lines(report)[:5], [
            f"gradient check FAILED: mode=random, seed=5, engine {bad.NAME}, input shape (20,) "
            f"float64, engine dtype float64, 47 engine evaluations",
            f"direction {k} of 3: <grad, w> {d.analytic!r}, (f(x+hw) - f(x-hw))/2h "
            f"{d.numeric!r}, |error| {d.error:.3g}, allowed {d.bound:.3g}: error = "
            f"{d.ratio:.3g}x budget",
            "worst element located by full mode over all 20 elements:",
            describe(report.worst, "rtol=1e-06, atol=None"),
            REPRODUCE])
        self.assertEqual(report.worst.index, (7,))

    def test_the_worst_is_the_failed_direction_when_no_single_element_fails(self):
        """A forward whose slope along several elements at once differs from the sum of its
        slopes along each (as a non-differentiable one can): every element passes, the
        direction does not, and the report says so."""
        x, gy = draw(45, (5,))

        def f(a):
            moved = np.count_nonzero(a != x)
            return a ** 2 + (1e-3 * (a - x) if moved > 1 else 0.0)
        E = array_engine(f, lambda a: 2 * a)
        report = check_gradient(E, E.f, x, gy, mode="random", seed=45)
        self.assertFalse(report.ok, report.message)
        self.assertIsNone(report.worst.index, report.message)
        self.assertEqual(report.worst, report.directions[0])
        lines = message_lines(report)
        self.assertEqual(lines[2:4], ["worst element located by full mode over all 5 elements:",
                                      describe(report.worst, DERIVED_WORDS.format("float64"))])

    def test_locating_costs_and_says_full_mode_or_bisection_then_a_block(self):
        """Up to 1024 elements: full mode over all; beyond: halvings down to 64 candidates."""
        for n in (1024, 1025, 2048, 2080):
            with self.subTest(n=n):
                seed, bad = 46, n - 3
                x, gy = draw(seed, (n,))
                E = wrong_gradient(self.E, 1e-2, element=bad)
                report = check_gradient(E, E.square, x, gy, mode="random", seed=seed)
                self.assertFalse(report.ok, report.message)
                self.assertEqual(report.worst.index, (bad,), report.message)
                if n <= SPEC_FULL_FALLBACK_MAX:
                    how, cost = f"full mode over all {n} elements", 4 * n
                else:
                    candidates, steps = np.arange(n), 0
                    while candidates.size > SPEC_LOCATE_BLOCK:
                        halves = np.array_split(candidates, 2)
                        candidates = halves[0] if bad in halves[0] else halves[1]
                        steps += 1
                    how = (f"bisection over {steps} halvings, then full mode over "
                           f"{candidates.size} elements")
                    cost = 8 * steps + 4 * candidates.size
                self.assertEqual(message_lines(report)[2], f"worst element located by {how}:")
                self.assertEqual(report.evaluations, 1 + 4 + cost)

    def test_no_gradient_or_a_misshapen_one_is_reported_in_one_line(self):
        none = engine_like(self.E, grad=lambda fn, x, gy=None: (x, None))
        flat = engine_like(self.E, grad=lambda fn, x, gy=None: (x, np.zeros(4)))
        for E, x, problem in ((none, np.array([1.0, 2.0]),
                               "backward left the input's gradient None"),
                              (flat, np.ones((2, 2)), "the gradient has shape (4,), the input "
                                                      "(2, 2)")):
            with self.subTest(problem):
                report = check_gradient(E, E.square, x, mode="random", seed=16)
                self.assertFalse(report.ok)
                self.assertIsNone(report.worst)
                self.assertEqual((report.max_ratio, report.dtype, report.evaluations),
                                 (0.0, "float64", 1))
                self.assertEqual(message_lines(report)[:3], [
                    f"gradient check FAILED: mode=random, seed=16, engine reference, input "
                    f"shape {x.shape} float64, engine dtype float64, 1 engine evaluations",
                    problem, REPRODUCE])

    def test_a_non_finite_analytic_gradient_is_named_with_its_count(self):
        def grad(fn, x, gy=None):
            y, gx = self.E.grad(fn, x, gy)
            gx = np.array(gx)
            gx[1] = np.inf
            return y, gx
        bad = engine_like(self.E, grad=grad)
        report = check_gradient(bad, bad.square, np.array([0.5, 1.0, 2.0]), seed=47)
        self.assertFalse(report.ok)
        self.assertEqual((report.worst.index, report.worst.analytic, report.evaluations),
                         ((1,), np.inf, 1))
        self.assertEqual(report.max_ratio, np.inf)
        self.assertEqual(message_lines(report)[1], "element (1,): non-finite analytic gradient "
                                                   "(1 of 3 elements): analytic inf, numeric nan")

    def snippet(self, report):
        lines = message_lines(report)
        return [line[4:] for line in lines[lines.index(REPRODUCE) + 1:]]

    def test_the_snippet_names_exactly_what_was_checked(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        x, gy = draw(48, (3,))
        x_lit = f"x = np.array({x.tolist()!r}, dtype=np.float64)"
        gy_lit = f"gy = np.array({gy.tolist()!r}, dtype=np.float64)"
        load = f"E = adapters.load({bad.NAME!r})"
        for kwargs, fn, lines in (
                (dict(mode="random", directions=3, rtol=1e-5), bad.exp,
                 [load, "fn = E.exp", x_lit, gy_lit, "print(check_gradient(E, fn, x, gy, "
                  "mode='random', seed=48, directions=3, rtol=1e-05).message)"]),
                (dict(mode="random", directions=1, atol=1e-12), bad.square,
                 [load, "fn = E.square", x_lit, gy_lit, "print(check_gradient(E, fn, x, gy, "
                  "mode='random', seed=48, atol=1e-12).message)"]),
                (dict(mode="random", directions=2, gy=None), composite(bad),
                 [load, "fn = ...  # the function checked: pass fn_text= to name it", x_lit,
                  "print(check_gradient(E, fn, x, mode='random', seed=48, directions=2)"
                  ".message)"]),
                (dict(mode="full", directions=3, rtol=0.0, atol=0.0), bad.exp,
                 [load, "fn = E.exp", x_lit, gy_lit, "print(check_gradient(E, fn, x, gy, "
                  "mode='full', seed=48, rtol=0.0, atol=0.0).message)"]),
                (dict(mode="full", engine_spec="engines/mine.py", fn_text="lambda v: E.exp(v)",
                      x_text="np.linspace(0, 1, 3)", gy_text="np.full(3, 2.0)"), bad.exp,
                 ["E = adapters.load('engines/mine.py')", "fn = lambda v: E.exp(v)",
                  "x = np.linspace(0, 1, 3)", "gy = np.full(3, 2.0)",
                  "print(check_gradient(E, fn, x, gy, mode='full', seed=48).message)"])):
            with self.subTest(**{k: repr(v) for k, v in kwargs.items()}):
                args = dict(gy=gy)
                args.update(kwargs)
                report = check_gradient(bad, fn, x, args.pop("gy"), seed=48, **args)
                self.assertFalse(report.ok, report.message)
                self.assertEqual(self.snippet(report), SNIPPET_HEAD + lines)

    def test_inputs_over_32_elements_are_saved_to_npy_files_on_failure_only(self):
        bad = wrong_gradient(self.E, WRONG_F64)
        for n in (32, 33):
            with self.subTest(n=n), tempfile.TemporaryDirectory() as tmp, \
                    mock.patch.object(tempfile, "tempdir", tmp):
                x, gy = draw(49, (n,))
                passed = check_gradient(self.E, self.E.exp, x, gy, mode="random", seed=49)
                self.assertTrue(passed.ok, passed.message)
                self.assertEqual(os.listdir(tmp), [])
                report = check_gradient(bad, bad.exp, x, gy, mode="random", seed=49)
                self.assertFalse(report.ok, report.message)
                x_line, gy_line = self.snippet(report)[5:7]
                if n == 32:
                    self.assertEqual([x_line, gy_line], [
                        f"x = np.array({x.tolist()!r}, dtype=np.float64)",
                        f"gy = np.array({gy.tolist()!r}, dtype=np.float64)"])
                    self.assertEqual(os.listdir(tmp), [])
                    continue
                saved = {}
                for name, line, a in (("x", x_line, x), ("gy", gy_line, gy)):
                    m = re.fullmatch(rf"{name} = np\.load\('(.*)'\)", line)
                    self.assertIsNotNone(m, line)
                    path = m.group(1)
                    self.assertEqual(os.path.dirname(path), tmp)
                    self.assertRegex(os.path.basename(path), rf"^gradcheck_{name}_[0-9a-f]+\.npy$")
                    loaded = np.load(path)
                    self.assertEqual((loaded.dtype, loaded.shape), (a.dtype, a.shape))
                    np.testing.assert_array_equal(loaded, a)
                    saved[name] = path
                self.assertEqual(sorted(os.listdir(tmp)),
                                 sorted(os.path.basename(p) for p in saved.values()))


# --- Second order: check_second_order ------------------------------------------------------

# A Hessian-vector product wrong by this relative amount must be caught in float64 (the
# first-order figure). Over 100 seeds per function, one element wrong: full mode on (4, 5) and
# random mode on (20,) caught and named it every time (error/budget from 37x up).
WRONG_HVP_F64 = 1e-4
# float32: the first-order figure. A product scaled everywhere by it is caught by full mode
# (100 of 100 seeds per function on (5,), from 4x up), but one random direction over 1000
# elements catches it in only 48-54 of 60 seeds per function (error/budget from 0.03 up,
# median 3.3: the budget is float32 rounding over a 5e-3 step, and a projection can cancel),
# 3 directions in all 60 (from 1.13x, median 4.9-5.9x): S15's count, used here.
WRONG_HVP_F32 = 1e-2
F32_DIRECTIONS = 3
# The largest error / budget a correct engine may reach over SEEDS seeds. Measured (numpy
# 2.4.6): float64 full 0.111, random 0.120; float32 full 0.110, random 0.119 (a comparison whose
# error is all truncation sits at 1/SAFETY = 0.125); 0.5 is the first-order test's bound.
SECOND_MARGIN = 0.5
# The docstring's order-2 rounding, as literals: the differenced gradient counts as a backward
# (ANALYTIC_ULPS, 8), the Hessian-vector product as a backward through a backward (SECOND_ULPS).
SPEC_SECOND_ULPS = (8.0, 16.0)
# Functions of every stage-3 operation, each one's second derivative used: sin, cos, tanh,
# exp, square, +, - (two varying operands, and 3.0 - v), * (two varying factors), / (varying
# numerator and denominator), ** 3 and unary -. Each first derivative is a sum of terms of one
# sign on [-1.25, 1.25] (|f'| >= 0.27 there): the budget's rounding terms scale with the
# gradient's own size, so where an engine's gradient cancels to near zero rounding outgrows
# them (tanh(v) * exp(-v^2) + (v - 0.5)^2, whose gradient is 1 - 1 at 0: 891 of 2000 full
# checks on (5,) in [-1e-3, 1e-3] fail, up to 172x), as check_gradient does on a forward that
# cancels (cos(v) - 1: 937 of 1000 there): an ill-conditioned input, not one of these.
SECOND_FNS = (("trig", "lambda v: (E.sin(v) + 2.0) * (v + 3.0) ** 3 - E.cos(v + 1.5)"),
              ("tanh_exp", "lambda v: E.tanh(v) * 2.0 - E.exp(-v) / E.square(v + 2.0)"),
              ("quotient", "lambda v: E.exp(v * 0.5) / (3.0 - E.sin(v)) + E.tanh(v) ** 3"))
SNIPPET_HEAD_2 = ["import numpy as np",
                  "from dezero_conformance import adapters",
                  "from dezero_conformance.conformance.gradcheck import check_second_order"]
NO_GRAPH = ("the gradient's own backward left the input's gradient None: the engine's gradient "
            "has no graph back to x; taken as a zero Hessian-vector product")
# The note on an exception raised by the double backward, as the module docstring words it.
DOUBLE_BACKWARD_NOTE = ("check_second_order: raised by the engine's double backward, "
                        "adapter.grad(gradient(fn, gy), x, gv), a backward through the engine's "
                        "own gradient (one built without a graph, create_graph ignored, can "
                        "fail so)")
# The three bug classes of double backprop, each a literal patch of reference/stage3.py.
SECOND_MUTANTS = {
    # a backward computed on raw data: its term has no graph, so its derivative is lost
    "pow_backward_no_graph": ("        return c * x ** (c - 1) * gy\n",
                              "        return c * x.data ** (c - 1) * gy\n"),
    # backward(create_graph=True) builds no graph: every gradient is a constant
    "create_graph_ignored": ('            with using_config("enable_backprop", create_graph):\n',
                             '            with using_config("enable_backprop", False):\n'),
    # a wrong second-derivative term: tanh's y taken as a constant
    "tanh_backward_data": ("        return gy * (1 - y * y)\n",
                           "        return gy * (1 - y.data * y.data)\n"),
}


def second_functions(E):
    """SECOND_FNS built from E's operations: [(name, fn, its text)]."""
    return [(name, eval(text, {"E": E}), text) for name, text in SECOND_FNS]  # noqa: S307


def draw_second(seed, shape, dtype=np.float64):
    """x uniform in [-1.25, 1.25]; gy and gv of random signs, magnitudes in [0.5, 2]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.25, 1.25, shape)
    gy, gv = [rng.uniform(0.5, 2.0, shape) * np.where(rng.random(shape) < 0.5, -1.0, 1.0)
              for _ in range(2)]
    return tuple(np.asarray(a, dtype=dtype) for a in (x, gy, gv))


def wrong_second(base, relative, element=None):
    """base, with every Hessian-vector product (a grad of a function that takes base's
    gradient) scaled by (1 + relative), everywhere or at one flat element; first derivatives,
    grad of a plain function and gradient's values, exact."""
    taken = [0]

    def gradient(fn, gy=None):
        inner = base.gradient(fn, gy)

        def dfn(v):
            taken[0] += 1
            return inner(v)
        return dfn

    def grad(fn, x, gy=None):
        before = taken[0]
        y, gx = base.grad(fn, x, gy)
        if taken[0] == before:  # no gradient inside fn: a first-order backward
            return y, gx
        gx = np.array(gx, dtype=np.asarray(gx).dtype)
        if element is None:
            gx = gx * (1 + relative)
        else:
            gx.flat[element] *= 1 + relative
        return y, gx
    return engine_like(base, NAME=f"{base.NAME}, second derivative wrong by {relative}",
                       grad=grad, gradient=gradient)


def stage3_source(name):
    with open(stage3.__file__) as f:
        text = f.read()
    old, new = SECOND_MUTANTS[name]
    if text.count(old) != 1:
        raise AssertionError(f"mutant {name}: patch target occurs {text.count(old)} times in "
                             f"{stage3.__file__}, must be once: {old!r}")
    return text.replace(old, new)


def stage3_mutant(name):
    """The reference engine of stage 3 with SECOND_MUTANTS[name], bound at step 36."""
    module = types.ModuleType(f"broken_{name}")
    module.__file__ = os.path.join(os.path.dirname(__file__), f"{name}.py")
    exec(compile(stage3_source(name), module.__file__, "exec"), module.__dict__)  # noqa: S102
    return book.adapt(module, name, step=36)


class TestSecondOrder(unittest.TestCase):
    """check_second_order: the engine's gradient of its gradient (a Hessian-vector product)
    against a central difference of the engine's own first derivative."""

    @classmethod
    def setUpClass(cls):
        cls.E = adapters.load("reference")

    def test_no_false_alarm_across_seeds_float64_and_float32(self):
        """Per seed and dtype (float64, float32 x, gy and gv): one of SECOND_FNS in full mode
        on (), (3,) or (2, 3), and in random mode on (50,), (8, 16) or (300,); gy and gv
        random, or None (ones) on every fourth seed."""
        E = self.E
        fns = second_functions(E)
        alarms, worst = [], {}
        for dtype in (np.float64, np.float32):
            for seed in range(SEEDS):
                name, fn, _ = fns[seed % 3]
                for mode, shape in (("full", ((), (3,), (2, 3))[seed % 3]),
                                    ("random", ((50,), (8, 16), (300,))[seed % 3])):
                    x, gy, gv = draw_second(seed, shape, dtype)
                    if seed % 4 == 3:
                        gy = gv = None
                    report = check_second_order(E, fn, x, gy, gv, mode=mode, seed=seed)
                    key = f"{np.dtype(dtype).name} {mode}"
                    self.assertEqual(report.dtype, np.dtype(dtype).name, report.message)
                    worst[key] = max(worst.get(key, (0.0,)), (report.max_ratio, seed, name))
                    if not report.ok:
                        alarms.append(f"{key} {name} seed {seed}: {report.message}")
        summary = ", ".join(f"{k}: {r:.3g} (seed {s}, {n})" for k, (r, s, n) in worst.items())
        self.assertEqual(alarms, [], f"{len(alarms)} false alarms over {SEEDS} seeds; largest "
                                     f"error/budget {summary}:\n" + "\n".join(alarms[:3]))
        self.assertEqual(len(worst), 4)
        self.assertLess(max(r for r, _, _ in worst.values()), SECOND_MARGIN, summary)

    def test_catches_a_second_derivative_wrong_by_relative_1e_4_in_float64(self):
        """The product scaled everywhere, the first derivative exact (check_gradient passes):
        full and random mode fail (on 2000 elements: locating by bisection, not 8000
        gradients); scaled at one element, full mode names that element and its relative
        error, and random mode on 20 elements finds it by full mode."""
        bad = wrong_second(self.E, WRONG_HVP_F64)
        for name, fn, _ in second_functions(self.E):
            for mode, shape in (("full", ()), ("full", (5,)), ("random", (2000,))):
                with self.subTest(f"{name}, {mode} mode, shape {shape}"):
                    x, gy, gv = draw_second(50, shape)
                    self.assertTrue(check_gradient(bad, fn, x, gy, mode=mode, seed=50).ok)
                    report = check_second_order(bad, fn, x, gy, gv, mode=mode, seed=50)
                    self.assertFalse(report.ok, report.message)
                    self.assertGreater(report.max_ratio, 10.0, report.message)
            for mode, element, shape in (("full", 13, (4, 5)), ("random", 7, (20,))):
                with self.subTest(f"{name}, one element wrong, {mode} mode"):
                    one = wrong_second(self.E, WRONG_HVP_F64, element=element)
                    x, gy, gv = draw_second(51, shape)
                    report = check_second_order(one, fn, x, gy, gv, mode=mode, seed=51)
                    self.assertFalse(report.ok, report.message)
                    where = tuple(int(k) for k in np.unravel_index(element, shape))
                    self.assertEqual(report.worst.index, where, report.message)
                    np.testing.assert_allclose(report.worst.relative, WRONG_HVP_F64, rtol=1e-2,
                                               err_msg=report.message)

    def test_catches_a_second_derivative_wrong_by_relative_1e_2_in_float32(self):
        for name, fn, _ in second_functions(self.E):
            for mode, shape, element in (("full", (5,), None), ("random", (2000,), None),
                                         ("full", (2, 3), 4)):
                with self.subTest(f"{name}, {mode} mode, element {element}"):
                    bad = wrong_second(self.E, WRONG_HVP_F32, element=element)
                    x, gy, gv = draw_second(52, shape, np.float32)
                    report = check_second_order(bad, fn, x, gy, gv, mode=mode, seed=52,
                                                directions=F32_DIRECTIONS)
                    self.assertFalse(report.ok, report.message)
                    self.assertEqual(report.dtype, "float32")
                    if element is not None:
                        self.assertEqual(report.worst.index, (1, 1), report.message)

    def test_catches_the_three_bug_classes_of_double_backprop(self):
        """On stage-3 references patched three ways, whose first derivatives stay right
        (check_gradient passes): a backward on raw data (Pow) and a wrong second-derivative
        term (Tanh) fail in both modes, naming the element in full mode; where the patched
        op is all of fn, the gradient has no graph back to x, and the check fails saying so.
        create_graph ignored: every gradient is a graph-less leaf, and the stage-3 backward
        of a leaf raises (AttributeError: its creator is None); the check lets the engine's
        exception through, with a note naming the double backward."""
        x, gy, gv = draw_second(53, (2, 3))
        for mutant, fn_text, graph in (
                ("pow_backward_no_graph", SECOND_FNS[0][1], True),
                ("pow_backward_no_graph", "lambda v: v ** 3", False),
                ("tanh_backward_data", SECOND_FNS[1][1], True),
                ("tanh_backward_data", "lambda v: E.tanh(v)", False)):
            M = stage3_mutant(mutant)
            fn = eval(fn_text, {"E": M})  # noqa: S307
            with self.subTest(mutant, fn=fn_text):
                self.assertTrue(check_gradient(M, fn, x, gy, mode="full", seed=53).ok)
                for mode in gradcheck.MODES:
                    report = check_second_order(M, fn, x, gy, gv, mode=mode, seed=53)
                    self.assertFalse(report.ok, report.message)
                    self.assertGreater(report.max_ratio, 1e3, report.message)
                    self.assertEqual(NO_GRAPH in message_lines(report), not graph,
                                     report.message)
                    if mode == "full":
                        self.assertIsNotNone(report.worst.index, report.message)
        M = stage3_mutant("create_graph_ignored")
        for fn_text in (SECOND_FNS[1][1], "lambda v: E.tanh(v)"):
            fn = eval(fn_text, {"E": M})  # noqa: S307
            with self.subTest("create_graph_ignored", fn=fn_text):
                self.assertTrue(check_gradient(M, fn, x, gy, mode="full", seed=53).ok)
                for mode in gradcheck.MODES:
                    with self.assertRaises(AttributeError) as cm:
                        check_second_order(M, fn, x, gy, gv, mode=mode, seed=53)
                    self.assertIn("'NoneType' object has no attribute 'generation'",
                                  str(cm.exception))
                    if sys.version_info >= (3, 11):
                        self.assertEqual(len(cm.exception.__notes__), 1)
                        self.assertIn("check_second_order: raised by the engine's double "
                                      "backward", cm.exception.__notes__[0])

    def test_a_gradient_with_no_graph_back_to_x_is_a_zero_product(self):
        """A linear fn's gradient does not depend on x: the double backward leaves x's
        gradient None, taken as zero, and the check passes, saying so."""
        x, gy, gv = draw_second(54, (3,))
        for fn_text in ("lambda v: v * 3.0", "lambda v: -(v * 2.0)", "lambda v: v / 4.0"):
            fn = eval(fn_text, {"E": self.E})  # noqa: S307
            for mode in gradcheck.MODES:
                with self.subTest(fn_text, mode=mode):
                    report = check_second_order(self.E, fn, x, gy, gv, mode=mode, seed=54)
                    self.assertTrue(report.ok, report.message)
                    self.assertEqual(report.max_ratio, 0.0, report.message)
                    self.assertEqual(message_lines(report)[1], NO_GRAPH)

    def test_random_mode_costs_a_constant_number_of_evaluations(self):
        """One double backward, then 4 gradients per direction, at 10 and 10^5 elements."""
        name, fn, _ = second_functions(self.E)[0]
        for directions in (1, 3):
            for size in (10, 10 ** 5):
                with self.subTest(size=size, directions=directions):
                    x, gy, gv = draw_second(55, (size,))
                    report = check_second_order(self.E, fn, x, gy, gv, mode="random",
                                                seed=55, directions=directions)
                    self.assertTrue(report.ok, report.message)
                    self.assertEqual(report.evaluations, 1 + 4 * directions)
        x, gy, gv = draw_second(55, (7,))
        self.assertEqual(check_second_order(self.E, fn, x, gy, gv, seed=55).evaluations, 29)

    def test_full_mode_numbers_follow_the_formulas_with_the_second_order_ulps(self):
        """Per element as in check_gradient, the differenced function being the engine's
        gradient <gv, g(x)>: its rounding counted at 8 ulps, the product's at 16."""
        x, gy, gv = draw_second(56, (4,))
        x[2] = 2.5  # a step scaled by |x|
        for name, fn, _ in second_functions(self.E):
            for E in (self.E, wrong_second(self.E, WRONG_HVP_F64, element=1)):
                with self.subTest(name, engine=E.NAME):
                    report = check_second_order(E, fn, x, gy, gv, mode="full", seed=56)
                    self.assertEqual(report.evaluations, 1 + 4 * x.size)

                    def dfn(v, E=E, fn=fn):
                        return E.gradient(fn, gy.copy())(v)
                    expected = spec_full(E, dfn, x, gv, ulps=SPEC_SECOND_ULPS)
                    ratios = [ratio_of(e[3], e[4]) for e in expected]
                    index, *numbers = expected[int(np.argmax(ratios))]
                    self.assertEqual(report.worst.index, index, report.message)
                    w = report.worst
                    np.testing.assert_allclose([w.analytic, w.numeric, w.error, w.bound],
                                               numbers, rtol=SPEC_RTOL, atol=0,
                                               err_msg=report.message)
                    self.assertEqual(report.ok, max(ratios) <= 1, report.message)

    def test_random_mode_numbers_follow_the_formulas_with_the_second_order_ulps(self):
        seed = 57
        x, gy, gv = draw_second(seed, (40,))
        name, fn, _ = second_functions(self.E)[2]
        E = ledger(self.E, gradient=self.E.gradient)
        report = check_second_order(E, fn, x, gy, gv, mode="random", seed=seed, directions=2)
        self.assertTrue(report.ok, report.message)
        self.assertEqual((report.evaluations, len(E.points)), (9, 8))

        def dfn(v):
            return self.E.gradient(fn, gy.copy())(v)
        hvp = np.asarray(self.E.grad(dfn, x.copy(), gv.copy())[1], dtype=np.float64)
        for k, (_w, steps) in enumerate(recorded_directions(E, x, 0, 2)):
            def at(t, steps=steps):
                return steps[abs(t)][0 if t > 0 else 1]
            expected = spec_comparison(forward_of(self.E, dfn), gv, hvp, at, EPS64 ** (1 / 3),
                                       EPS64, False, ulps=SPEC_SECOND_ULPS)
            d = report.directions[k]
            np.testing.assert_allclose([d.analytic, d.numeric, d.error, d.bound], expected,
                                       rtol=SPEC_RTOL, atol=0, err_msg=f"direction {k + 1}")

    def test_a_failure_message_reads_line_by_line(self):
        bad = wrong_second(self.E, WRONG_HVP_F64, element=4)
        x, gy, gv = draw_second(58, (2, 3))
        name, fn, text = second_functions(self.E)[1]
        x_lit, gy_lit, gv_lit = (f"{n} = np.array({a.tolist()!r}, dtype=np.float64)"
                                 for n, a in (("x", x), ("gy", gy), ("gv", gv)))
        for given, seeds, call in (
                (dict(gy=gy, gv=gv), [gy_lit, gv_lit], "x, gy=gy, gv=gv"),
                (dict(gy=gy), [gy_lit], "x, gy=gy"),
                (dict(gv=gv), [gv_lit], "x, gv=gv"),
                (dict(), [], "x")):
            with self.subTest(call):
                report = check_second_order(bad, fn, x, mode="full", seed=58, fn_text=text,
                                            **given)
                self.assertFalse(report.ok, report.message)
                self.assertEqual(report.worst.index, (1, 1), report.message)
                self.assertIn(f"error = {report.worst.ratio:.3g}x budget", report.message)
                self.assertEqual(message_lines(report), [
                    f"second-order gradient check FAILED: mode=full, seed=58, engine "
                    f"{bad.NAME}, input shape (2, 3) float64, engine dtype float64, 25 engine "
                    f"evaluations",
                    describe(report.worst, DERIVED_WORDS.format("float64")),
                    REPRODUCE] + ["    " + line for line in SNIPPET_HEAD_2 + [
                        f"E = adapters.load({bad.NAME!r})", f"fn = {text}", x_lit] + seeds + [
                        f"print(check_second_order(E, fn, {call}, mode='full', seed=58)"
                        f".message)"]])
                with self.assertRaises(AssertionError) as cm:
                    assert_second_order(bad, fn, x, mode="full", seed=58, fn_text=text,
                                        **given)
                self.assertEqual(str(cm.exception), report.message)

    def test_a_failed_random_check_names_the_direction_in_second_order_words(self):
        bad = wrong_second(self.E, 1e-3, element=7)
        x, gy, gv = draw_second(59, (20,))
        name, fn, text = second_functions(self.E)[0]
        report = check_second_order(bad, fn, x, gy, gv, mode="random", seed=59, directions=3)
        self.assertFalse(report.ok, report.message)
        d = max(report.directions, key=lambda e: e.ratio)
        k = report.directions.index(d) + 1
        self.assertEqual(message_lines(report)[1:4], [
            f"direction {k} of 3: <H gv, w> {d.analytic!r}, <gv, g(x+hw) - g(x-hw)>/2h "
            f"{d.numeric!r}, |error| {d.error:.3g}, allowed {d.bound:.3g}: error = "
            f"{d.ratio:.3g}x budget",
            "worst element located by full mode over all 20 elements:",
            describe(report.worst, DERIVED_WORDS.format("float64"))])
        self.assertEqual(report.worst.index, (7,))
        self.assertEqual(message_lines(report)[-1], "    print(check_second_order(E, fn, x, "
                         "gy=gy, gv=gv, mode='random', seed=59, directions=3).message)")
        passed = check_second_order(self.E, fn, x, gy, gv, mode="random", seed=59)
        self.assertEqual(message_lines(passed), [
            "second-order gradient check passed: mode=random, seed=59, engine reference, "
            "input shape (20,) float64, engine dtype float64, 5 engine evaluations",
            describe(passed.worst, DERIVED_WORDS.format("float64"), "worst ")])

    def replay(self, size, mode):
        """The snippet of a failed check on the tanh mutant, saved as a file, run in a fresh
        interpreter: the same message (the fn line aside: the snippet defines fn, but does not
        pass its text on)."""
        name, _, text = second_functions(self.E)[1]
        with tempfile.TemporaryDirectory() as tmp, mock.patch.dict(os.environ):
            os.environ.pop(book.STEP_VAR, None)
            path = os.path.join(tmp, "step36.py")
            with open(path, "w") as f:
                f.write(stage3_source("tanh_backward_data"))
            E = adapters.load(path)
            fn = eval(text, {"E": E})  # noqa: S307
            x, gy, gv = draw_second(60, (size,))
            report = check_second_order(E, fn, x, gy, gv, mode=mode, seed=60, fn_text=text)
            self.assertFalse(report.ok, report.message)
            snippet = report.message.split("reproduce")[1].split("\n", 1)[1]
            code = "\n".join(line[4:] for line in snippet.splitlines())
            run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                 text=True)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        # the same failure: every line but fn's, which the replayed check was not told
        fn_line = f"    fn = {text}"
        self.assertIn(fn_line, message_lines(report))
        self.assertEqual(run.stdout.strip().split("\n"), [
            "    fn = ...  # the function checked: pass fn_text= to name it" if line == fn_line
            else line for line in message_lines(report)])
        return report

    def test_the_snippet_replays_with_literal_inputs(self):
        report = self.replay(5, "full")
        self.assertIn("gy = np.array(", report.message)
        self.assertIn("gv = np.array(", report.message)

    def test_the_snippet_replays_with_saved_inputs(self):
        report = self.replay(2000, "random")
        for name in ("x", "gy", "gv"):
            self.assertRegex(report.message, rf"\n    {name} = np\.load\('.*gradcheck_{name}_"
                                             rf"[0-9a-f]+\.npy'\)\n")

    def test_assert_second_order_returns_the_report_of_a_passing_check(self):
        x, gy, gv = draw_second(61, (3,))
        name, fn, _ = second_functions(self.E)[0]
        report = assert_second_order(self.E, fn, x, gy, gv, mode="full", seed=61)
        self.assertIsInstance(report, gradcheck.Report)
        self.assertTrue(report.ok, report.message)
        self.assertEqual(report.message, check_second_order(self.E, fn, x, gy, gv, mode="full",
                                                            seed=61).message)

    def test_seed_comes_from_the_environment_and_fixes_the_directions(self):
        x, gy, gv = draw_second(62, (50,))
        name, fn, _ = second_functions(self.E)[0]
        with mock.patch.dict(os.environ, {SEED_VAR: "4242"}):
            report = check_second_order(self.E, fn, x, gy, gv, mode="random")
        self.assertEqual(report.seed, 4242, report.message)
        again = check_second_order(self.E, fn, x, gy, gv, mode="random", seed=4242)
        self.assertEqual([d.analytic for d in report.directions],
                         [d.analytic for d in again.directions])

    def test_a_gradient_of_another_shape_than_x_is_named_in_gv_words(self):
        """gv has x's shape (checked before the engine sees it): an engine whose gradient has
        another shape is told so in gv's words, not the first-order check's gy/fn(x) ones."""
        E, x = self.E, np.array([0.5, -0.25, 1.0])
        misshapen = engine_like(E, gradient=E.gradient,
                                grad=lambda fn, x, gy=None: (np.zeros((1, 3)), np.zeros(3)))
        with self.assertRaises(ValueError) as cm:
            check_second_order(misshapen, E.square, x, gv=np.ones(3))
        self.assertEqual(str(cm.exception), "gv has shape (3,) but the gradient of fn has "
                                            "shape (1, 3); give gv the input's shape, or None "
                                            "for ones")

    def test_the_dtype_judged_is_the_least_precise_of_x_the_gradient_and_the_product(self):
        """float64 x, with the engine's gradient (grad's y) or its product (grad's gx) returned
        as float32: either one makes the check judge float32."""
        x, gy, gv = draw_second(63, (3,))
        name, fn, _ = second_functions(self.E)[0]
        for which in (0, 1):
            def grad(fn, x, gy=None, which=which):
                out = list(self.E.grad(fn, x, gy))
                out[which] = np.asarray(out[which]).astype(np.float32)
                return tuple(out)
            with self.subTest(("gradient", "product")[which]):
                report = check_second_order(engine_like(self.E, gradient=self.E.gradient,
                                                        grad=grad), fn, x, gy, gv, seed=63)
                self.assertEqual(report.dtype, "float32", report.message)

    def test_first_order_judges_the_least_precise_of_x_y_and_gx(self):
        """The first-order check judges the least precise of x, y and gx: a float32 x is
        judged in float32 even when the engine answers in float64 (numpy 2 promotes the
        book's float32 forward with a 0-d float64 constant after rounding its first steps in
        float32), a float64 x whose gradient comes back float32 in float32, and a float64 x
        answered in float64 in float64."""
        for x_dtype, cast, want in ((np.float32, None, "float32"),
                                    (np.float64, 1, "float32"), (np.float64, None, "float64")):
            def grad(fn, x, gy=None, cast=cast):
                out = list(self.E.grad(fn, np.asarray(x, np.float64), gy))
                if cast is not None:
                    out[cast] = np.asarray(out[cast]).astype(np.float32)
                return tuple(np.asarray(o, np.float32 if i == cast else np.float64)
                             for i, o in enumerate(out))
            with self.subTest(x=np.dtype(x_dtype).name, want=want):
                x = np.array([0.5, -1.0, 0.25], dtype=x_dtype)
                report = check_gradient(engine_like(self.E, grad=grad), self.E.square, x,
                                        seed=65)
                self.assertEqual(report.dtype, want, report.message)

    def test_the_snippet_names_the_engine_spec_the_engines_function_and_the_texts(self):
        bad = wrong_second(self.E, WRONG_HVP_F64, element=1)
        x, gy, gv = draw_second(64, (3,))
        report = check_second_order(bad, bad.square, x, gy, gv, seed=64,
                                    engine_spec="engines/mine.py")
        self.assertFalse(report.ok, report.message)
        self.assertIn("    E = adapters.load('engines/mine.py')", message_lines(report))
        self.assertIn("    fn = E.square", message_lines(report))
        report = check_second_order(bad, bad.square, x, gy, gv, seed=64, x_text="X_TEXT",
                                    gy_text="GY_TEXT", gv_text="GV_TEXT")
        self.assertEqual(message_lines(report)[-5:-1], ["    fn = E.square", "    x = X_TEXT",
                                                        "    gy = GY_TEXT", "    gv = GV_TEXT"])

    def test_only_the_double_backwards_exception_gets_the_note(self):
        def grad(fn, x, gy=None):
            raise RuntimeError("the engine's backward failed")
        broken = engine_like(self.E, gradient=self.E.gradient, grad=grad)
        x = np.array([0.5, -0.25, 1.0])
        for check, notes in ((check_gradient, 0), (check_second_order, 1)):
            with self.subTest(check.__name__):
                with self.assertRaises(RuntimeError) as cm:
                    check(broken, broken.square, x, seed=65)
                self.assertEqual(getattr(cm.exception, "__notes__", []),
                                 [DOUBLE_BACKWARD_NOTE] * notes
                                 if sys.version_info >= (3, 11) else [])

    def test_bad_arguments_get_one_line_errors(self):
        E, x = self.E, np.array([0.5, -0.25, 1.0])
        no_gradient = engine_like(E)
        declared = engine_like(E, gradient=E.gradient,
                               ABSENT={"higher_order": "not judged at step 24"})
        engine_words = ("engine reference has no gradient(fn, gy) (capability higher_order): a "
                        "second-order check needs the engine's double backprop")
        for name, engine, kwargs, message in (
                ("gv of the wrong shape", E, dict(gv=np.ones(2)),
                 "gv has shape (2,) but the gradient of fn has shape (3,); give gv the "
                 "input's shape, or None for ones"),
                ("gv of the wrong shape, broadcastable", E, dict(gv=np.ones((1, 3))),
                 "gv has shape (1, 3) but the gradient of fn has shape (3,); give gv the "
                 "input's shape, or None for ones"),
                ("integer gv", E, dict(gv=np.array([1, 2, 3])),
                 "gv must be a floating-point numpy array, not int64"),
                ("integer gy", E, dict(gy=np.array([1, 2, 3])),
                 "gy must be a floating-point numpy array, not int64"),
                ("an engine without gradient", no_gradient, {}, engine_words),
                ("higher_order absent", declared, {}, engine_words),
                ("mode", E, dict(mode="fast"),
                 "mode='fast' is not a gradient-check mode; use 'full' or 'random'")):
            with self.subTest(name):
                with self.assertRaises(ValueError) as cm:
                    check_second_order(engine, E.square, x, **kwargs)
                self.assertEqual(str(cm.exception), message)
                self.assertNotIn("\n", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
