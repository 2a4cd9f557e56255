"""Step 2 and 6: Function turns Variables into Variables; the base class is abstract."""
import inspect
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    ULP_RTOL_F32,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    show,
    step_of,
)

BACKWARD_STEP = 6  # the book's Function has backward(gy) from step 6

# Inputs of every shape and dtype a Function is called on: float 0-d, vectors, a matrix,
# float32, and (where the engine computes on integers) int 0-d and vector.
CALLS = (np.array(-0.5), np.array([1.0, -2.0, 3.0]), np.array([[0.1, 2.0], [-3.0, 0.25]]),
         np.array([1.5, -0.3], dtype=np.float32))
INT_CALLS = (np.array(10), np.array([-2, 7]))
# Raw ndarrays for forward: values exact and not, negative, and float32.
RAW = (np.array(3.0), np.array([1.0, -2.0, 0.1]), np.array([[0.0, -1.0 / 3], [2.5, 7.0]]),
       np.array([0.1, -4.0], dtype=np.float32))


class FunctionClauses(Clauses):

    def test_s2_call_returns_a_new_variable(self):
        ("""S2 (step 2): Function.__call__(Variable) returns a new Variable; forward works on """
         """raw ndarrays.""")
        self.require("variable", "function_classes")
        E = self.engine
        self.call("y = E.Square()(E.Variable(np.array(10)))\nprint(type(y), y.data)")
        x = E.Variable(np.array(10))
        y = E.Square()(x)
        self.assertIs(type(y), E.Variable,
                      f"{self.clause}: Square()(Variable(np.array(10))) returned "
                      f"{type(y).__name__}, must be {E.Variable.__name__}")
        self.assertIsNot(y, x, f"{self.clause}: Square()(x) must return a new Variable, not x")
        self.assertValues(y.data, np.array(100), "Square()(Variable(np.array(10))).data", EXACT,
                          "integer square")
        calls = CALLS + (INT_CALLS if self.applies("integers", part="integer inputs") else ())
        for name, np_fn in (("Square", np.square), ("Exp", np.exp)):
            for a in calls:
                with self.subTest(f"{name}()(Variable of {a.dtype} shape {a.shape})"):
                    x = E.Variable(a.copy())
                    y = getattr(E, name)()(x)
                    if type(y) is not E.Variable or y is x:
                        self.fail(f"{self.clause}: {name}()(x) must return a new "
                                  f"{E.Variable.__name__}, got {show(y)}")
                    self.assertValues(y.data, np_fn(a), f"{name}()(Variable({a.tolist()})).data",
                                      self.rtol_for(a), "one elementwise operation")
            for x in RAW:
                with self.subTest(f"{name}().forward on a raw {x.dtype} array of shape {x.shape}"):
                    y = getattr(E, name)().forward(x.copy())
                    self.assertNotIsInstance(y, E.Variable, f"{self.clause}: {name}().forward("
                                                            f"ndarray) must return raw data, not "
                                                            f"a Variable")
                    self.assertValues(y, np_fn(x), f"{name}().forward({x.tolist()})",
                                      self.rtol_for(x), "one elementwise operation")

    def rtol_for(self, a):
        """Square is one rounding and exp one libm call: float32 data is held to float32."""
        return ULP_RTOL_F32 if a.dtype == np.float32 else self.ulp_rtol()

    def test_s3_base_function_is_abstract(self):
        """S3 (step 2): base Function.forward and Function.backward raise NotImplementedError."""
        self.require("variable", "function_classes")
        E = self.engine
        if inspect.isabstract(E.Function):  # abc.ABC with abstract methods: as abstract as can be
            self.call("E.Function()  # must raise TypeError: an abstract class")
            with self.assertRaises(TypeError, msg=f"{self.clause}: Function() of an abstract "
                                                  f"Function"):
                E.Function()
            self.assertTrue(getattr(E.Function.forward, "__isabstractmethod__", False),
                            f"{self.clause}: Function is abstract, but forward is not")
            return
        for a in (np.array(1.0), np.array([1.0, -2.0]), np.array([[3]])):
            with self.subTest(f"on shape {a.shape}"):
                self.call(f"E.Function()(E.Variable(np.array({a.tolist()})))  "
                          f"# must raise NotImplementedError")
                with self.assertRaises(NotImplementedError,
                                       msg=f"{self.clause}: Function()(Variable({a.tolist()}))"):
                    E.Function()(E.Variable(a))
                with self.assertRaises(NotImplementedError,
                                       msg=f"{self.clause}: Function().forward({a.tolist()})"):
                    E.Function().forward(a)
                if step_of(E) < BACKWARD_STEP:  # the book's Function has backward from step 6
                    continue
                with self.assertRaises(NotImplementedError,
                                       msg=f"{self.clause}: Function().backward({a.tolist()})"):
                    E.Function().backward(a)


class TestFunction(FunctionClauses, unittest.TestCase):
    pass
