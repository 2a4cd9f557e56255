"""Steps 3, 9: forward values of square, exp and their composite; 0-d stays an array."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    ULP_RTOL_F32,
    Clauses,
    composite_np,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    sample,
    show,
)

# Squares of exactly representable values, and of values that are not (0.1, -1/3): either
# way one rounding. Small, large and negative.
SQUARES = (2.0, -3.0, 0.5, 10.0, 0.1, -1.0 / 3, 1e-3, -123.456, 0.0)
BEYOND_FLOAT32 = (1e150, -3e-150)  # squares a float64 engine holds and float32 cannot
# exp near 0 and far from it, to the ends of float32's range (exp(88) and exp(-87) are
# normal there): an approximation good near 0, or one that clips, fails here.
EXPS = (0.0, 1.0, -1.0, 0.5, 0.1, -1e-8, 2.5, -20.0, 10.0, 40.0, -40.0, 88.0, -87.0)
# ... and to the ends of float64's (exp(-708) is still normal).
EXPS_F64 = (100.0, -100.0, 300.0, 709.0, -708.0)
# (x, square(exp(square(x)))): the contract's values; the rest are the suite's own float64.
COMPOSITE = ((0.5, 1.648721270700128), (1.0, 7.3890560989306495), (0.3, 1.1972173631218104),
             (-0.5, 1.648721270700128), (0.0, 1.0), (-1.2, composite_np(-1.2)),
             (1.5, composite_np(1.5)), (1e-4, composite_np(1e-4)))
# Every shape, float32, and a size past where an engine might switch to a blocked or
# parallel path (2**18 elements and more).
VECTORS = (np.array([0.7]), np.array([0.5, -1.0, 0.3]),
           np.array([[0.0, 0.25, -0.75], [1.0, -0.3, 0.6]]),
           np.random.default_rng(9).uniform(-1.5, 1.5, 1000),
           np.array([0.5, -1.25, 0.1], dtype=np.float32))
LARGE = (4, -1.5, 1.5, (512, 513))


class ForwardClauses(Clauses):

    def test_s4_square_exp_and_composite_forward(self):
        """S4 (step 3): square, exp and square(exp(square(x))) give the right forward values."""
        E = self.engine
        squares = SQUARES + (BEYOND_FLOAT32 if self.applies(
            "float64", part=f"square of {BEYOND_FLOAT32}") else ())
        for x in squares:
            with self.subTest(f"square({x})"):
                self.assertValues(self.forward(E.square, np.array(x)), np.array(x) ** 2,
                                  f"square({x})", self.square_rtol(), "one rounding")
        if not self.applies("exp", part="exp and the composite"):
            return
        exps = EXPS + (EXPS_F64 if self.applies("float64", part=f"exp of {EXPS_F64}") else ())
        for x in exps:
            with self.subTest(f"exp({x})"):
                self.assertValues(self.forward(E.exp, np.array(x)), np.exp(np.array(x)),
                                  f"exp({x})", self.ulp_rtol(), "one libm exp")
        f = self.composite()
        for x, want in COMPOSITE:
            with self.subTest(f"composite({x})"):
                self.assertValues(self.forward(f, np.array(x)), np.array(want),
                                  f"square(exp(square({x})))", self.ulp_rtol(),
                                  "exp-derived, compared with the composite")
        if not self.applies("vector", part="vectors"):
            return
        for x in VECTORS + (sample(*LARGE),):
            rtol = ULP_RTOL_F32 if x.dtype == np.float32 else self.ulp_rtol()
            for name, fn, np_fn in (("square", E.square, np.square), ("exp", E.exp, np.exp),
                                    ("square(exp(square(x)))", f, composite_np)):
                with self.subTest(f"{name} on {x.dtype} shape {x.shape}"):
                    want = np_fn(x.astype(np.float64))
                    self.assertValues(self.forward(fn, x.copy()), want, f"{name} of a {x.dtype} "
                                      f"array of shape {x.shape}", rtol,
                                      "elementwise, as on scalars")

    def test_s10_functions_wrap_fresh_instances(self):
        ("""S10 (step 9): square(x) and exp(x) wrap a fresh Function each call and match the """
         """classes.""")
        self.require("variable", "function_classes", "graph_links", "exp")
        E = self.engine
        for name, fn, cls in (("square", E.square, E.Square), ("exp", E.exp, E.Exp)):
            for a in (np.array(0.5), np.array([-1.5, 2.0])):
                with self.subTest(f"{name} on shape {a.shape}"):
                    self.call(f"x = E.Variable(np.array({a.tolist()}))\n"
                              f"f1 = E.creator_of(E.{name}(x))\n"
                              f"f2 = E.creator_of(E.{name}(x))\nprint(f1, f2, f1 is f2)")
                    x = E.Variable(a.copy())
                    y1, y2 = fn(x), fn(x)
                    f1, f2 = E.creator_of(y1), E.creator_of(y2)
                    if not isinstance(f1, cls):
                        self.fail(f"{self.clause}: {name}(x) must be created by a "
                                  f"{cls.__name__}, got {show(f1)}")
                    self.assertIsNot(f1, f2, f"{self.clause}: two calls of {name}(x) "
                                             f"returned outputs with one shared creator")
                    self.assertValues(y1.data, cls()(E.Variable(a.copy())).data,
                                      f"{name}({a.tolist()}) against {cls.__name__}()",
                                      EXACT, "the same operation")

    def test_s14_zero_d_output_stays_an_ndarray(self):
        """S14 (step 9): a 0-d input gives a 0-d np.ndarray output, never a numpy scalar."""
        self.require("variable")
        E = self.engine
        fns = [("square", E.square)]
        if self.applies("exp", part="exp and the composite"):
            fns += [("exp", E.exp), ("square(exp(square(x)))", self.composite())]
        # Raw numpy gives np.float64, np.float32 (and np.int64) scalars here.
        ints = self.applies("integers", part="a 0-d integer input")
        for name, fn in fns:
            for a in (np.array(1.0), np.array(-0.5, dtype=np.float32), np.array(3)):
                if a.dtype.kind == "i" and not (ints and name == "square"):
                    continue  # exp of an int is a float: the float cases cover it
                with self.subTest(f"{name} of a 0-d {a.dtype}"):
                    fname, definitions = self.fn_code(fn)
                    self.call(f"y = {fname}(E.Variable(np.array({a.item()!r}, "
                              f"dtype=np.{a.dtype})))\nprint(type(y.data))", *definitions)
                    y = fn(E.Variable(a))
                    self.assertIs(type(y.data), np.ndarray,
                                  f"{self.clause}: {name} of a 0-d {a.dtype} Variable has .data "
                                  f"of type {type(y.data).__name__}, must be numpy.ndarray")
                    self.assertEqual(y.data.ndim, 0, f"{self.clause}: {name} of a 0-d input")


class TestForward(ForwardClauses, unittest.TestCase):
    pass
