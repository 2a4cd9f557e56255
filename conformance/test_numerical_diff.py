"""Step 4: the engine's numerical_diff is a clause under test, never the suite's judge."""
import unittest

import numpy as np

from conformance.support import NUMDIFF_RTOL, Clauses, composite_np
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)


def central(f, x, eps):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


class NumericalDiffClauses(Clauses):

    def test_s5_numerical_diff_is_the_central_difference(self):
        """S5: numerical_diff(f, x, eps=1e-4) is (f(x+eps) - f(x-eps)) / (2 eps)."""
        self.require("numerical_diff")
        E = self.engine
        # On 1-element arrays, as the seed's step 10 does (the book's fails on 0-d input).
        cases = [("square", E.square, 2.0, None, 4.000000000004),
                 ("square", E.square, -3.0, 1e-3, central(np.square, -3.0, 1e-3))]
        if self.applies("exp", part="the composite and exp"):
            f = self.composite()
            cases += [("square(exp(square(x)))", f, 0.5, None, 3.2974426293330694),
                      ("square(exp(square(x)))", f, 1.0, None, 29.55622577500261),
                      ("square(exp(square(x)))", f, 0.3, 1e-3, central(composite_np, 0.3, 1e-3)),
                      ("exp", E.exp, -1.0, 1e-2, central(np.exp, -1.0, 1e-2))]
        for name, fn, x, eps, want in cases:
            args = "" if eps is None else f", eps={eps}"
            with self.subTest(f"numerical_diff({name}, [{x}]{args})"):
                fname, definitions = self.fn_code(fn)
                self.call(f"print(E.numerical_diff({fname}, E.leaf(np.array([{x}])){args}))",
                          *definitions)
                xv = E.leaf(np.array([x]))
                got = E.numerical_diff(fn, xv) if eps is None else E.numerical_diff(fn, xv, eps)
                self.assertValues(got, [want], f"numerical_diff({name}, [{x}]{args})",
                                  NUMDIFF_RTOL, "1-ulp differences of f over 2*eps")


class TestNumericalDiff(NumericalDiffClauses, unittest.TestCase):
    pass
