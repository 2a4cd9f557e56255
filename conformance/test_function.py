"""Step 2 and 6: Function turns Variables into Variables; the base class is abstract."""
import unittest

import numpy as np

from conformance.support import EXACT, Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)


class FunctionClauses(Clauses):

    def test_s2_call_returns_a_new_variable(self):
        """S2: Function.__call__(Variable) returns a new Variable; forward works on raw ndarrays."""
        self.require("variable", "function_classes")
        E = self.engine
        self.call("y = E.Square()(E.Variable(np.array(10)))\nprint(type(y), y.data)")
        x = E.Variable(np.array(10))
        y = E.Square()(x)
        self.assertIs(type(y), E.Variable,
                      f"{self.clause}: Square()(Variable(np.array(10))) returned "
                      f"{type(y).__name__}, must be {E.Variable.__name__}")
        self.assertIsNot(y, x, f"{self.clause}: Square()(x) must return a new Variable, not x")
        self.assertValues(y.data, 100, "Square()(Variable(np.array(10))).data", EXACT,
                          "integer square")
        cases = (("Square", np.array([1.0, -2.0, 3.0]), np.array([1.0, 4.0, 9.0])),
                 ("Exp", np.array([0.0, 1.0]), np.exp(np.array([0.0, 1.0]))))
        for name, x, want in cases:
            with self.subTest(f"{name}().forward on a raw ndarray"):
                y = getattr(E, name)().forward(x)
                self.assertNotIsInstance(y, E.Variable, f"{self.clause}: {name}().forward(ndarray) "
                                                        f"must return raw data, not a Variable")
                self.assertValues(y, want, f"{name}().forward({x.tolist()})", self.ulp_rtol(),
                                  "one libm call")

    def test_s3_base_function_is_abstract(self):
        """S3: base Function.forward and Function.backward raise NotImplementedError."""
        self.require("variable", "function_classes")
        E = self.engine
        self.call("E.Function()(E.Variable(np.array(1.0)))  # must raise NotImplementedError")
        with self.assertRaises(NotImplementedError,
                               msg=f"{self.clause}: Function()(Variable(np.array(1.0)))"):
            E.Function()(E.Variable(np.array(1.0)))
        with self.assertRaises(NotImplementedError,
                               msg=f"{self.clause}: Function().forward(np.array(1.0))"):
            E.Function().forward(np.array(1.0))
        with self.assertRaises(NotImplementedError,
                               msg=f"{self.clause}: Function().backward(np.array(1.0))"):
            E.Function().backward(np.array(1.0))


class TestFunction(FunctionClauses, unittest.TestCase):
    pass
