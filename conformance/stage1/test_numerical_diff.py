"""Step 4: the engine's numerical_diff is a clause under test, never the suite's judge."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    NUMDIFF_RTOL,
    Clauses,
    composite_grad_np,
    composite_np,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    uses,
)


def central(f, x, eps):
    x = np.asarray(x, dtype=np.float64)
    return (f(x + eps) - f(x - eps)) / (2 * eps)


class NumericalDiffClauses(Clauses):

    @uses("numerical_diff")
    def test_s5_numerical_diff_is_the_central_difference(self):
        ("""S5 (step 4): numerical_diff(f, x, eps=1e-4) is (f(x+eps) - f(x-eps)) / (2 eps), and """
         """leaves the engine as it found it.""")
        self.require("numerical_diff")
        E = self.engine
        # On 1-element arrays, as the seed's step 10 does (the book's fails on 0-d input);
        # the default eps and explicit ones, points of both signs, and a vector.
        cases = [("square", E.square, [2.0], None, [4.000000000004]),
                 ("square", E.square, [-3.0], 1e-3, central(np.square, [-3.0], 1e-3)),
                 ("square", E.square, [100.0], 1e-2, central(np.square, [100.0], 1e-2))]
        if self.applies("exp", part="the composite and exp"):
            f = self.composite()
            cases += [("square(exp(square(x)))", f, [0.5], None, [3.2974426293330694]),
                      ("square(exp(square(x)))", f, [1.0], None, [29.55622577500261]),
                      ("square(exp(square(x)))", f, [-0.3], 1e-3,
                       central(composite_np, [-0.3], 1e-3)),
                      ("exp", E.exp, [-1.0], 1e-2, central(np.exp, [-1.0], 1e-2)),
                      ("exp", E.exp, [3.0], None, central(np.exp, [3.0], 1e-4))]
        if self.applies("vector", part="a vector input"):
            cases.append(("square", E.square, [0.5, -2.0, 3.0], 1e-3,
                          central(np.square, [0.5, -2.0, 3.0], 1e-3)))
        if self.applies("integers", part="an integer input"):
            cases.append(("square", E.square, np.array([2]), None, [4.000000000004]))
        for name, fn, x, eps, want in cases:
            args = "" if eps is None else f", eps={eps}"
            with self.subTest(f"numerical_diff({name}, {self.array_code(x)}{args})"):
                fname, definitions = self.fn_code(fn)
                self.call(f"print(E.numerical_diff({fname}, E.leaf({self.array_code(x)}){args}))",
                          *definitions)
                xv = E.leaf(np.array(x))
                got = E.numerical_diff(fn, xv) if eps is None else E.numerical_diff(fn, xv, eps)
                self.assertValues(got, np.array(want), f"numerical_diff({name}, {x}{args})",
                                  NUMDIFF_RTOL, "1-ulp differences of f over 2*eps")
        # A numerical_diff that leaves the engine changed (a switch left off, a cache keyed
        # by id) breaks what runs after it: the engine's gradients, and numerical_diff itself.
        with self.subTest("the engine after numerical_diff"):
            name, fn, x, eps, want = cases[0]
            self.call("E.numerical_diff(E.square, E.leaf(np.array([2.0])))\n"
                      "print(E.grad(E.square, np.array(3.0)))")
            self.assertValues(E.numerical_diff(fn, E.leaf(np.array(x))), np.array(want),
                              f"numerical_diff({name}, {x}) called again", NUMDIFF_RTOL,
                              "the same call, the same result")
            _, gx = self.grad(E.square, np.array(3.0))
            self.assertValues(gx, np.array(6.0), "backward of square at 3.0 after "
                              "numerical_diff", 0.0, "exact, as before numerical_diff ran")
            if self.has("exp"):
                _, gx = self.grad(self.composite(), np.array(0.5))
                self.assertValues(gx, composite_grad_np(0.5), "grad of square(exp(square(x))) "
                                  "at 0.5 after numerical_diff", self.ulp_rtol(), "exp-derived")
        if self.applies("variable", part="numerical_diff after x.data is reassigned"):
            with self.subTest("numerical_diff after x.data is reassigned"):
                self.call("x = E.Variable(np.array([2.0]))\nE.numerical_diff(E.square, x)\n"
                          "x.data = np.array([3.0])\nprint(E.numerical_diff(E.square, x))")
                xv = E.Variable(np.array([2.0]))
                E.numerical_diff(E.square, xv)
                xv.data = np.array([3.0])
                self.assertValues(E.numerical_diff(E.square, xv),
                                  central(np.square, [3.0], 1e-4), "numerical_diff(square, x) "
                                  "after x.data = np.array([3.0])", NUMDIFF_RTOL,
                                  "the difference at the data x holds now")


class TestNumericalDiff(NumericalDiffClauses, unittest.TestCase):
    pass
