"""Steps 20-24: operators between Variables, Python scalars and ndarrays, and the book's
test functions."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    ULP_RTOL,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    show,
)

# An engine computing in float32 rounds each of Goldstein-Price's ~30 operations on terms up
# to 100 times the result: a few hundred float32 ulps.
GP_RTOL_F32 = 1e-4

# (expr, args, points, y(*xs), [d/dxi]) with + and * only (step 20).
PLUS_TIMES = (
    ("a * b + c", "a, b, c",
     ((3.0, 2.0, 1.0), (-1.5, 4.0, 0.25), ([1.0, 2.0], [3.0, -4.0], [0.5, 0.5])),
     lambda a, b, c: a * b + c, lambda a, b, c: (b, a, np.ones_like(c))),
    ("a * a + a", "a", ((3.0,), (-0.5,)), lambda a: a * a + a, lambda a: (2 * a + 1,)),
    ("(a + b) * (a + b)", "a, b", ((1.0, 2.0), (-3.0, 0.5)),
     lambda a, b: (a + b) ** 2, lambda a, b: (2 * (a + b), 2 * (a + b))),
)
# (expr over x, points, y(x), d/dx) with a Python scalar on either side (step 21).
SCALARS = (
    ("3.0 * x + 1.0", (2.0, -0.5), lambda x: 3 * x + 1, lambda x: 3 + 0 * x),
    ("x * 3.0 + 1.0", (2.0,), lambda x: 3 * x + 1, lambda x: 3 + 0 * x),
    ("1.0 + 3.0 * x", (2.0,), lambda x: 3 * x + 1, lambda x: 3 + 0 * x),
    ("2 * x + x * 2", (1.5,), lambda x: 4 * x, lambda x: 4 + 0 * x),
    ("x * x * 0.5", ([1.0, -2.0],), lambda x: 0.5 * x * x, lambda x: x),
)
# (expr over x, with c an ndarray of x's shape, x, c): an ndarray on either side (step 21).
ARRAYS = (
    ("c + x", [2.0], [2.0], lambda x, c: c + x, lambda x, c: 1 + 0 * x),
    ("c * x", [1.0, 2.0], [3.0, 4.0], lambda x, c: c * x, lambda x, c: c),
    ("x + c", [1.0, 2.0], [3.0, 4.0], lambda x, c: x + c, lambda x, c: 1 + 0 * x),
    ("x * c", [[1.0, -1.0]], [[0.5, 2.0]], lambda x, c: x * c, lambda x, c: c),
    ("c * x + c", [1.5, -0.5], [2.0, 4.0], lambda x, c: c * x + c, lambda x, c: c),
)
# (expr over x, points, y(x), d/dx): -, /, ** and unary - (step 22); exact in float64.
REST = (
    ("-x", (2.0, -0.5), lambda x: -x, lambda x: -1 + 0 * x),
    ("x - 1.0", (2.0,), lambda x: x - 1, lambda x: 1 + 0 * x),
    ("2.0 - x", (3.0, -1.5), lambda x: 2 - x, lambda x: -1 + 0 * x),
    ("x ** 3", (2.0, -1.5), lambda x: x ** 3, lambda x: 3 * x ** 2),
    ("x ** 2", (-3.0,), lambda x: x ** 2, lambda x: 2 * x),
    ("x ** 0.5", (4.0,), lambda x: x ** 0.5, lambda x: 0.5 * x ** -0.5),
    ("x ** -1", (2.0,), lambda x: 1 / x, lambda x: -1 / x ** 2),
    ("3.0 / x", (2.0, -4.0), lambda x: 3 / x, lambda x: -3 / x ** 2),
    ("x / 4.0", (2.0,), lambda x: x / 4, lambda x: 0.25 + 0 * x),
    ("-(x - 3.0) / (x * 2.0)", (0.5, [1.0, 4.0]), lambda x: -(x - 3) / (2 * x),
     lambda x: -3 / (2 * x ** 2)),
)
# The same through the functions (step 22): (expr over x, y, y(x, y), d/dx, d/dy).
FUNCTIONS = (
    ("E.mul(x, y)", lambda x, y: x * y, lambda x, y: (y, x)),
    ("E.sub(x, y)", lambda x, y: x - y, lambda x, y: (1 + 0 * x, -1 + 0 * y)),
    ("E.div(x, y)", lambda x, y: x / y, lambda x, y: (1 / y, -x / y ** 2)),
    ("E.add(E.neg(x), y)", lambda x, y: y - x, lambda x, y: (-1 + 0 * x, 1 + 0 * y)),
    ("E.add(E.pow(x, 3), y)", lambda x, y: x ** 3 + y, lambda x, y: (3 * x ** 2, 1 + 0 * y)),
)
TWO = ((5.0, 2.0), (-1.5, 0.5), ([1.0, 3.0], [4.0, -2.0]))


def sphere(x, y):
    return x ** 2 + y ** 2


def matyas(x, y):
    return 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


def goldstein(x, y):
    return ((1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2))
            * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y
                                             + 27 * y ** 2)))


def goldstein_grads(x, y):
    """The suite's own derivative of Goldstein-Price, by the product rule."""
    s, t = x + y + 1, 2 * x - 3 * y
    b = 19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2
    d = 18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y + 27 * y ** 2
    a, c = 1 + s ** 2 * b, 30 + t ** 2 * d
    da = 2 * s * b + s ** 2 * (-14 + 6 * x + 6 * y)  # the same for x and y
    dcx = 4 * t * d + t ** 2 * (-32 + 24 * x - 36 * y)
    dcy = -6 * t * d + t ** 2 * (48 - 36 * x + 54 * y)
    return da * c + a * dcx, da * c + a * dcy


# (name, f, grads, points (x, y, f, gx, gy) from the contract, then dyadic points where every
# operation is exact in float64)
TEST_FUNCTIONS = (
    ("sphere", "x ** 2 + y ** 2", sphere, lambda x, y: (2 * x, 2 * y),
     ((1.0, 1.0, 2.0, 2.0, 2.0), (-0.5, 1.5), (3.0, -0.25))),
    ("matyas", "0.26 * (x ** 2 + y ** 2) - 0.48 * x * y", matyas,
     lambda x, y: (0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x),
     ((1.0, 1.0, 0.040000000000000036, 0.040000000000000036, 0.040000000000000036),
      (0.5, -2.0), (-1.0, 0.25))),
    ("goldstein", "(1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + "
     "3 * y ** 2)) * (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - "
     "36 * x * y + 27 * y ** 2))", goldstein, goldstein_grads,
     ((1.0, 1.0, 1876.0, -5376.0, 8064.0), (0.0, -1.0), (0.5, -0.25), (-1.5, 2.0))),
)


class OperatorClauses(Clauses):

    def check(self, args, expr, xs, f, df, why, rtol=None):
        rtol = self.square_rtol() if rtol is None else rtol
        xs = [np.array(x, dtype=np.float64) for x in xs]
        y, gxs = self.grads(self.function(args, expr), [x.copy() for x in xs])
        at = ", ".join(str(x.tolist()) for x in xs)
        self.assertValues(y, f(*xs), f"{expr} at {at}", rtol, why)
        for i, (gx, want) in enumerate(zip(gxs, df(*xs))):
            self.assertValues(gx, want, f"gradient {i} of {expr} at {at}", rtol, why)

    def test_s28_plus_and_times_on_variables(self):
        ("""S28 (step 20): + and * work between Variables: a * b + c at 3, 2, 1 is 7.0 with """
         """grads 2.0, 3.0, 1.0.""")
        self.require("operators", "many_inputs")
        for expr, args, points, f, df in PLUS_TIMES:
            for xs in points:
                with self.subTest(f"{expr} at {xs}"):
                    if np.ndim(xs[0]) and not self.applies("vector", "implicit_seed"):
                        continue
                    self.check(args, expr, xs, f, df, "exact products and sums")

    def test_s29_scalars_and_arrays_on_either_side(self):
        ("""S29 (step 21): a Python scalar or an ndarray on either side of + and * gives a """
         """Variable: 3.0 * x + 1.0 at 2 is 7.0, np.array([2.0]) + x is a Variable [4.0].""")
        E = self.engine
        self.require("operators", "many_inputs")
        for expr, points, f, df in SCALARS:
            for x in points:
                with self.subTest(f"{expr} at {x}"):
                    if np.ndim(x) and not self.applies("vector", "implicit_seed"):
                        continue
                    self.check("x", expr, [x], f, lambda x, df=df: (df(x),), "exact")
        if not self.applies("array_operands", "vector", "implicit_seed", part="ndarray operands"):
            return
        for expr, x, c, f, df in ARRAYS:
            x, c = np.array(x), np.array(c)
            with self.subTest(f"{expr} with x={x.tolist()}, c=np.array({c.tolist()})"):
                self.call(f"c = {self.array_code(c)}\n"
                          f"r = {expr.replace('x', 'E.leaf(' + self.array_code(x) + ')')}\n"
                          f"print(type(r), r)")
                leaf = E.leaf(x.copy())
                r = eval(expr, {"x": leaf, "c": c.copy()})  # the suite's own text
                if not isinstance(r, type(leaf)):
                    self.fail(f"{self.clause}: {expr} with c an ndarray gave a "
                              f"{type(r).__name__}, must give the engine's value, a "
                              f"{type(leaf).__name__} (a Variable's __array_priority__ lets its "
                              f"reflected operator win over the ndarray's): {show(r)}")
                self.assertValues(E.value(r), f(x, c), f"{expr} at x={x.tolist()}", EXACT,
                                  "exact")
                fn = eval(f"lambda x: {expr}", {"c": c.copy()})  # the suite's own text
                fn.code = ("f", (f"c = {self.array_code(c)}", f"f = lambda x: {expr}"))
                _, gx = self.grad(fn, x.copy())
                self.assertValues(gx, df(x, c), f"x.grad of {expr} at x={x.tolist()}", EXACT,
                                  "exact")

    def test_s30_minus_divide_power(self):
        ("""S30 (step 22): -x, x - c, c - x, x / c, c / x, x ** c and neg, sub, div, pow: 2.0 - """
         """x at 3.0 is -1.0 with grad -1.0, 3.0 / x at 2.0 is 1.5 with grad -0.75, x ** 3 at """
         """2.0 is 8.0 with grad 12.0.""")
        self.require("operators", "many_inputs")
        for expr, points, f, df in REST:
            for x in points:
                with self.subTest(f"{expr} at {x}"):
                    if np.ndim(x) and not self.applies("vector", "implicit_seed"):
                        continue
                    self.check("x", expr, [x], f, lambda x, df=df: (df(x),),
                               "exact in float64, or one rounding",
                               rtol=max(self.square_rtol(), ULP_RTOL))
        for expr in ("x - y", "x / y", "-x * y", "x ** 2 / y - y"):
            f = eval(f"lambda x, y: {expr}")  # the suite's own text, on numpy
            for xs in TWO[:2]:
                with self.subTest(f"{expr} at {xs}"):
                    x, y = np.array(xs[0]), np.array(xs[1])
                    d = {"x - y": (1.0, -1.0), "x / y": (1 / y, -x / y ** 2),
                         "-x * y": (-y, -x), "x ** 2 / y - y": (2 * x / y, -x ** 2 / y ** 2 - 1)}
                    self.check("x, y", expr, xs, f, lambda x, y, d=d, expr=expr: d[expr],
                               "one rounding", rtol=max(self.square_rtol(), ULP_RTOL))
        if not self.applies("arithmetic", part="the functions mul, sub, div, neg, pow"):
            return
        for expr, f, df in FUNCTIONS:
            for xs in TWO:
                with self.subTest(f"{expr} at {xs}"):
                    if np.ndim(xs[0]) and not self.applies("vector", "implicit_seed"):
                        continue
                    self.check("x, y", expr, xs, f, df, "one rounding",
                               rtol=max(self.square_rtol(), ULP_RTOL))

    def test_s31_the_books_test_functions(self):
        ("""S31 (step 24): sphere, matyas and Goldstein-Price at (1.0, 1.0): 2.0, """
         """0.040000000000000036 and 1876.0, with grads (2.0, 2.0), (0.04..., 0.04...) and """
         """(-5376.0, 8064.0).""")
        self.require("operators", "many_inputs")
        for name, expr, f, df, points in TEST_FUNCTIONS:
            for point in points:
                x, y = point[:2]
                want = point[2:] or (f(x, y), *df(x, y))
                with self.subTest(f"{name} at ({x}, {y})"):
                    rtol = ULP_RTOL if name == "matyas" else EXACT
                    if not self.has("float64"):
                        rtol = GP_RTOL_F32
                    self.check("x, y", expr, (x, y), lambda x, y, want=want: np.array(want[0]),
                               lambda x, y, want=want: (np.array(want[1]), np.array(want[2])),
                               "dyadic inputs: every operation exact in float64" if not rtol
                               else "0.26 and 0.48 are inexact: a few roundings", rtol=rtol)


class TestOperators(OperatorClauses, unittest.TestCase):
    pass
