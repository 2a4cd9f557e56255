"""All steps: neither forward nor backward writes to the arrays it is given."""
import unittest

import numpy as np

from conformance.support import Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

INPUTS = (np.array(1.5), np.array([0.5, -1.0, 0.3]), np.array([[0.0, 0.25], [-0.75, 1.0]]))


class MutationClauses(Clauses):

    def test_s16_inputs_are_not_mutated(self):
        """S16: neither forward nor backward mutates the input data or the output gradient."""
        E = self.engine
        fns = [("square", E.square)]
        if self.applies("exp", part="exp and the composite"):
            fns += [("exp", E.exp), ("square(exp(square(x)))", self.composite())]
        inputs = INPUTS if self.applies("vector", part="vector inputs") else INPUTS[:1]
        for name, fn in fns:
            for x in inputs:
                with self.subTest(f"{name} on shape {x.shape}"):
                    x = x.copy()
                    x0 = x.copy()
                    self.forward(fn, x)
                    np.testing.assert_array_equal(x, x0, err_msg=f"{self.clause}: forward of "
                                                  f"{name} changed its input array")
                    gy = np.full_like(x, 2.0) if self.has("seed_grad") else None
                    gy0 = None if gy is None else gy.copy()
                    self.grad(fn, x, gy)
                    np.testing.assert_array_equal(x, x0, err_msg=f"{self.clause}: forward and "
                                                  f"backward of {name} changed the input array")
                    if gy is not None:
                        np.testing.assert_array_equal(gy, gy0, err_msg=f"{self.clause}: backward "
                                                      f"of {name} changed the output gradient "
                                                      f"it was given")


class TestMutation(MutationClauses, unittest.TestCase):
    pass
