"""Step 4: the engine's numerical_diff is a clause under test, never the suite's judge."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    NUMDIFF_RTOL,
    Clauses,
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
        # f is the kit's own (a Variable of the kit's values), so a wrong square or exp fails
        # their own clauses, not this one.
        square, exp = self.kit_function("np.square"), self.kit_function("np.exp")
        composite = self.kit_function("composite_np")
        before = self.engine_gradients()
        # On 1-element arrays, as the seed's step 10 does (the book's fails on 0-d input);
        # the default eps and explicit ones, points of both signs, and a vector.
        cases = [("square", square, [2.0], None, [4.000000000004]),
                 ("square", square, [-3.0], 1e-3, central(np.square, [-3.0], 1e-3)),
                 ("square", square, [100.0], 1e-2, central(np.square, [100.0], 1e-2)),
                 ("square(exp(square(x)))", composite, [0.5], None, [3.2974426293330694]),
                 ("square(exp(square(x)))", composite, [1.0], None, [29.55622577500261]),
                 ("square(exp(square(x)))", composite, [-0.3], 1e-3,
                  central(composite_np, [-0.3], 1e-3)),
                 ("exp", exp, [-1.0], 1e-2, central(np.exp, [-1.0], 1e-2)),
                 ("exp", exp, [3.0], None, central(np.exp, [3.0], 1e-4))]
        if self.applies("vector", part="a vector input"):
            cases.append(("square", square, [0.5, -2.0, 3.0], 1e-3,
                          central(np.square, [0.5, -2.0, 3.0], 1e-3)))
        if self.applies("integers", part="an integer input"):
            cases.append(("square", square, np.array([2]), None, [4.000000000004]))
        for name, fn, x, eps, want in cases:
            args = "" if eps is None else f", eps={eps}"
            with self.subTest(f"numerical_diff({name}, {self.array_code(x)}{args})"):
                fname, definitions = self.fn_code(fn)
                self.call(f"print(E.numerical_diff({fname}, E.leaf({self.array_code(x)}){args}))",
                          *definitions)
                xv = self.engine.leaf(np.array(x))
                got = (self.engine.numerical_diff(fn, xv) if eps is None
                       else self.engine.numerical_diff(fn, xv, eps))
                self.assertValues(got, np.array(want), f"numerical_diff({name}, {x}{args})",
                                  NUMDIFF_RTOL, "1-ulp differences of f over 2*eps")
        # A numerical_diff that leaves the engine changed (a switch left off, a cache keyed
        # by id) breaks what runs after it: the engine's gradients, and numerical_diff itself.
        with self.subTest("the engine after numerical_diff"):
            name, fn, x, eps, want = cases[0]
            fname, definitions = self.fn_code(fn)
            self.call(f"E.numerical_diff({fname}, E.leaf(np.array([2.0])))\n"
                      "print(E.grad(E.square, np.array(3.0)))", *definitions)
            self.assertValues(self.engine.numerical_diff(fn, self.engine.leaf(np.array(x))),
                              np.array(want), f"numerical_diff({name}, {x}) called again",
                              NUMDIFF_RTOL, "the same call, the same result")
            after = self.engine_gradients()
            for what, old in before.items():
                self.assertEqual(after[what], old, f"{self.clause}: the engine's {what} "
                                 f"changed after numerical_diff ran: {old} before, "
                                 f"{after[what]} after")
        if self.applies("variable", part="numerical_diff after x.data is reassigned"):
            with self.subTest("numerical_diff after x.data is reassigned"):
                fname, definitions = self.fn_code(square)
                self.call(f"x = E.Variable(np.array([2.0]))\nE.numerical_diff({fname}, x)\n"
                          f"x.data = np.array([3.0])\nprint(E.numerical_diff({fname}, x))",
                          *definitions)
                xv = self.engine.Variable(np.array([2.0]))
                self.engine.numerical_diff(square, xv)
                xv.data = np.array([3.0])
                self.assertValues(self.engine.numerical_diff(square, xv),
                                  central(np.square, [3.0], 1e-4), "numerical_diff(square, x) "
                                  "after x.data = np.array([3.0])", NUMDIFF_RTOL,
                                  "the difference at the data x holds now")

    def kit_function(self, name):
        """The kit's own f for numerical_diff: a Variable (the engine's) of name's values."""
        E = self.engine
        f = {"np.square": np.square, "np.exp": np.exp, "composite_np": composite_np}[name]
        fn = lambda x: E.leaf(f(np.asarray(E.value(x), dtype=np.float64)))  # noqa: E731
        code = ("lambda x: E.leaf(np.exp(np.asarray(E.value(x), dtype=np.float64)) ** 2)"
                if name == "composite_np" else
                f"lambda x: E.leaf({name}(np.asarray(E.value(x), dtype=np.float64)))")
        fn.code = ("f", (f"f = {code}",))
        return fn

    def engine_gradients(self):
        """{what: the engine's answer, or the error it raised}: its own square (and composite)
        gradients, compared before and after numerical_diff (never against the kit's)."""
        if not self.has("backprop"):
            return {}
        E, answers = self.engine, {}
        fns = [("gradient of square at 3.0", E.square)]
        if self.has("exp"):
            fns.append(("gradient of square(exp(square(x))) at 0.5", self.composite()))
        for what, fn in fns:
            x = np.array(3.0) if fn is E.square else np.array(0.5)
            try:
                answers[what] = repr(np.asarray(E.grad(fn, x)[1]).tolist())
            except (Exception, SystemExit) as exc:  # the same error before and after: unchanged
                answers[what] = f"{type(exc).__name__}: {exc}"
        return answers


class TestNumericalDiff(NumericalDiffClauses, unittest.TestCase):
    pass
