"""Steps 3, 9: forward values of square, exp and their composite; 0-d stays an array."""
import unittest

import numpy as np

from conformance.support import EXACT, Clauses, composite_np
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

# (x, square(exp(square(x)))): the contract's values; the rest are the suite's own float64.
COMPOSITE = ((0.5, 1.648721270700128), (1.0, 7.3890560989306495), (0.3, 1.1972173631218104),
             (-0.5, 1.648721270700128), (0.0, 1.0))
VECTORS = (np.array([0.5, -1.0, 0.3]), np.array([[0.0, 0.25, -0.75], [1.0, -0.3, 0.6]]))


class ForwardClauses(Clauses):

    def test_s4_square_exp_and_composite_forward(self):
        """S4: square, exp and square(exp(square(x))) give the right forward values."""
        E = self.engine
        for x, want in ((2.0, 4.0), (-3.0, 9.0), (0.5, 0.25), (10.0, 100.0)):
            with self.subTest(f"square({x})"):
                self.assertValues(self.forward(E.square, np.array(x)), want,
                                  f"square({x})", EXACT, "squares of short floats are exact")
        if not self.applies("exp", part="exp and the composite"):
            return
        for x in (0.0, 1.0, -1.0, 0.5):
            with self.subTest(f"exp({x})"):
                self.assertValues(self.forward(E.exp, np.array(x)), np.exp(x), f"exp({x})",
                                  self.ulp_rtol(), "one libm exp")
        f = self.composite()
        for x, want in COMPOSITE:
            with self.subTest(f"composite({x})"):
                self.assertValues(self.forward(f, np.array(x)), want,
                                  f"square(exp(square({x})))", self.ulp_rtol(),
                                  "exp-derived, compared with the composite")
        if not self.applies("vector", part="the composite on vectors"):
            return
        for x in VECTORS:
            with self.subTest(f"composite on shape {x.shape}"):
                y = np.asarray(self.forward(f, x.copy()))
                self.assertEqual(y.shape, x.shape, f"{self.clause}: output shape of an "
                                                   f"elementwise composite")
                self.assertValues(y, composite_np(x), f"square(exp(square({x.tolist()})))",
                                  self.ulp_rtol(), "exp-derived, elementwise")

    def test_s10_functions_wrap_fresh_instances(self):
        """S10: square(x) and exp(x) wrap a fresh Function each call and match the classes."""
        self.require("variable", "function_classes", "graph_links", "exp")
        E = self.engine
        for name, fn, cls in (("square", E.square, E.Square), ("exp", E.exp, E.Exp)):
            with self.subTest(name):
                self.call(f"x = E.Variable(np.array(0.5))\nf1 = E.creator_of(E.{name}(x))\n"
                          f"f2 = E.creator_of(E.{name}(x))\nprint(f1, f2, f1 is f2)")
                x = E.Variable(np.array(0.5))
                y1, y2 = fn(x), fn(x)
                f1, f2 = E.creator_of(y1), E.creator_of(y2)
                self.assertIsInstance(f1, cls, f"{self.clause}: {name}(x) must be "
                                               f"created by a {cls.__name__}, got {f1!r}")
                self.assertIsNot(f1, f2, f"{self.clause}: two calls of {name}(x) "
                                         f"returned outputs with one shared creator")
                self.assertValues(y1.data, cls()(E.Variable(np.array(0.5))).data,
                                  f"{name}(0.5) against {cls.__name__}()(0.5)", EXACT,
                                  "the same operation")

    def test_s14_zero_d_output_stays_an_ndarray(self):
        """S14: a 0-d input gives a 0-d np.ndarray output, never a numpy scalar."""
        self.require("variable")
        E = self.engine
        fns = [("square", E.square)]
        if self.applies("exp", part="exp and the composite"):
            fns += [("exp", E.exp), ("square(exp(square(x)))", self.composite())]
        for name, fn in fns:
            with self.subTest(name):
                fname, definitions = self.fn_code(fn)
                self.call(f"y = {fname}(E.Variable(np.array(1.0)))\nprint(type(y.data))",
                          *definitions)
                y = fn(E.Variable(np.array(1.0)))
                self.assertIs(type(y.data), np.ndarray,
                              f"{self.clause}: {name} of Variable(np.array(1.0)) has .data of "
                              f"type {type(y.data).__name__}, must be numpy.ndarray")
                self.assertEqual(y.data.ndim, 0, f"{self.clause}: {name} of a 0-d input")


class TestForward(ForwardClauses, unittest.TestCase):
    pass
