"""Step 10: the book's tests, and a gradient check against the suite's own oracle."""
import unittest

import numpy as np

from conformance import gradcheck
from conformance.support import EXACT, SEED_VAR, Clauses, seed

SHAPES = ((1,), (3,), (2, 3))


class GradientCheckClauses(Clauses):

    def test_s15_step10_tests_and_gradient_check(self):
        """S15: square(2.0) == 4.0, its backward at 3.0 == 6.0, and backward matches a float64 central difference on seeded random inputs."""
        E = self.engine
        y = E.value(E.square(E.leaf(np.array(2.0))))
        self.assertValues(y, 4.0, "square(2.0)", EXACT, "the book's test_forward")
        _, gx = self.grad(E.square, np.array(3.0))
        self.assertValues(gx, 6.0, "backward of square at 3.0", EXACT, "the book's test_backward")
        fns = [("square", E.square)]
        if self.has("exp"):
            fns += [("exp", E.exp), ("square(exp(square(x)))", self.composite())]
        shapes = SHAPES if self.has("vector") else ((),)
        s = seed()
        rng = np.random.default_rng(s)
        for name, fn in fns:
            for shape in shapes:
                x = rng.uniform(-1.25, 1.25, shape)
                gy = rng.uniform(0.5, 2.0, shape) if self.has("seed_grad") else np.ones(shape)
                with self.subTest(f"{name} on shape {shape}"):
                    report = gradcheck.check(E, fn, x, gy if self.has("seed_grad") else None)
                    if report:
                        self.fail(f"{self.clause}: gradient check of {name} at x={x.tolist()}, "
                                  f"gy={gy.tolist()}: {report}; seed {s} "
                                  f"(rerun with {SEED_VAR}={s})")


class TestGradientCheck(GradientCheckClauses, unittest.TestCase):
    pass
