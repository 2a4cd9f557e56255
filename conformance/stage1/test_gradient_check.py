"""Step 10: the book's tests, and gradient checks against the suite's own oracle."""
import unittest

import numpy as np

from dezero_conformance.conformance import gradcheck
from dezero_conformance.conformance.support import (
    EXACT,
    SEED_VAR,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
)

SHAPES = ((), (1,), (3,), (2, 3))
# Random-direction mode on an input this large: O(1) engine evaluations, where full mode
# would need 4 per element.
LARGE = (100, 100)
# Directions in random mode: errors in several elements could cancel in one projection.
DIRECTIONS = 3
# Where x is drawn, per function: the main band (|x| <= 1.25 keeps exp(x^2)^2 below 23),
# then a far one (large, or negative only) and a near-zero one.
BANDS = {"square": ((-1.25, 1.25), (-100.0, -1.0), (-1e-3, 1e-3)),
         "exp": ((-1.25, 1.25), (-20.0, 20.0), (-1e-3, 1e-3)),
         "square(exp(square(x)))": ((-1.25, 1.25), (-1.6, -1.0), (-1e-3, 1e-3))}
GY_LOW, GY_HIGH = 0.5, 2.0


class GradientCheckClauses(Clauses):

    def test_s15_step10_tests_and_gradient_check(self):
        ("""S15 (step 10): square(2.0) == 4.0, its backward at 3.0 == 6.0, and backward passes """
         """the suite's gradient check (full and random-direction modes) on seeded random """
         """inputs.""")
        E = self.engine
        y = E.value(E.square(E.leaf(np.array(2.0))))
        self.assertValues(y, np.array(4.0), "square(2.0)", EXACT, "the book's test_forward")
        _, gx = self.grad(E.square, np.array(3.0))
        self.assertValues(gx, np.array(6.0), "backward of square at 3.0", EXACT,
                          "the book's test_backward")
        fns = [("square", E.square, "E.square")]
        if self.applies("exp", part="exp and the composite"):
            fns += [("exp", E.exp, "E.exp"),
                    ("square(exp(square(x)))", self.composite(),
                     "lambda x: E.square(E.exp(E.square(x)))")]
        s = seed()
        # (mode, shape, band, dtype): every shape in the main band, then the other bands,
        # float32, and random-direction mode on a large input.
        if self.applies("vector", part="vector inputs, random-direction mode"):
            cases = [("full", shape, 0, np.float64) for shape in SHAPES]
            cases += [("full", (3,), 1, np.float64), ("full", (3,), 2, np.float64),
                      ("full", (2, 3), 0, np.float32), ("random", LARGE, 0, np.float64)]
        else:
            cases = [("full", (), band, np.float64) for band in (0, 1, 2)]
            cases.append(("full", (), 0, np.float32))
        k = 0
        for name, fn, fn_text in fns:
            for mode, shape, band, dtype in cases:
                low, high = BANDS[name][band]
                with self.subTest(f"{name} on {np.dtype(dtype).name} shape {shape} in "
                                  f"[{low:g}, {high:g}], {mode} mode"):
                    self.check(fn, fn_text, name, mode, shape, (low, high), dtype, s + k)
                k += 1

    def check(self, fn, fn_text, name, mode, shape, band, dtype, case_seed):
        cast = "" if dtype == np.float64 else f".astype(np.{np.dtype(dtype).name})"
        x_text = (f"np.random.default_rng({case_seed}).uniform({band[0]}, {band[1]}, "
                  f"{shape}){cast}")
        x = np.random.default_rng(case_seed).uniform(band[0], band[1], shape).astype(dtype)
        gy, gy_text = None, None
        if self.has("seed_grad"):  # in x's dtype: an engine may require y's own
            gy_text = (f"np.random.default_rng({case_seed + 1}).uniform({GY_LOW}, {GY_HIGH}, "
                       f"{shape}){cast}")
            gy = np.random.default_rng(case_seed + 1).uniform(GY_LOW, GY_HIGH, shape).astype(dtype)
        report = gradcheck.check_gradient(
            self.engine, fn, x, gy, mode=mode, seed=case_seed, directions=DIRECTIONS,
            engine_spec=self.spec or self.engine.NAME,
            fn_text=fn_text, x_text=x_text, gy_text=gy_text)
        if not report.ok:
            self.fail(f"{self.clause}: gradient check of {name} on shape {shape} "
                      f"({SEED_VAR}={seed()} replays the run):\n{report.message}")


class TestGradientCheck(GradientCheckClauses, unittest.TestCase):
    pass
