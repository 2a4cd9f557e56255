"""The gradient checker proven: it catches small errors, locates them, and never flags a
correct engine (float64 or float32) across 1000 seeds."""
import os
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
from dezero_conformance.conformance.gradcheck import assert_gradient, check_gradient
from dezero_conformance.conformance.support import SEED_VAR
from tests.broken import BY_NAME

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = 1000
# A gradient wrong by this relative amount must be caught in float64 (the figure).
WRONG_F64 = 1e-4
# float32 central differences resolve ~eps32^(2/3) = 2.4e-5 at best; 1e-2 is well clear of it.
WRONG_F32 = 1e-2
# One element among 10^4 wrong by this much is caught in the composite's projection.
WRONG_ONE_OF_MANY = 1e-3
BAD_ELEMENT = 6173


def engine_like(base, **names):
    """A fake adapter: base's names, some replaced."""
    ns = {k: getattr(base, k) for k in ("NAME", "ABSENT", "version", "leaf", "value", "square",
                                        "exp", "grad")}
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

    def test_no_false_alarm_across_1000_seeds(self):
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

    def replay(self, size):
        mutant = BY_NAME["exp_backward_float32"]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(mutant.source())
            E = adapters.load(path)
            x, gy = draw(17, (size,))
            report = check_gradient(E, E.exp, x, gy, mode="random", seed=17)
            self.assertFalse(report.ok)
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


if __name__ == "__main__":
    unittest.main()
