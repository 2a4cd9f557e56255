"""Steps 6, 7, 9: backward by hand and by y.backward(); the output gradient's seed."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    ULP_RTOL_F32,
    Clauses,
    composite_grad_np,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    sample,
    show,
)

# (x, gy) for one operation: exact and inexact values, signs, small and large magnitudes.
SQUARE_BACKWARD = ((3.0, 1.0), (3.0, 2.0), (-1.5, 0.5), (0.0, 4.0), (0.1, -0.7),
                   (-1.0 / 3, 3.0), (1e3, 1e-3), (2.5, 1e5))
EXP_BACKWARD = ((1.0, 1.0), (0.5, 2.568050833375483), (-2.0, -3.0), (0.1, 0.7),
                (-20.0, 5.0), (10.0, -0.25), (40.0, 1e-10))
# (x, gy) arrays: shapes, float32 (held to float32), and (made on use) more than 2**18
# elements.
ARRAY_BACKWARD = ((np.array([0.5, -1.0, 0.3]), np.array([1.0, -2.0, 0.5])),
                  (np.array([[0.0, 0.25, -0.75], [1.0, -0.3, 0.6]]), np.full((2, 3), 0.5)),
                  (np.array([0.1, -1.5], dtype=np.float32), np.array([3.0, 0.7], dtype=np.float32)))
LARGE = ((6, -2.0, 2.0, (512, 513)), (7, -2.0, 2.0, (512, 513)))
# (x, d/dx square(exp(square(x)))): the contract's values, then the suite's own; 0.5 alone
# would hide a skipped last step, since d(x^2)/dx = 1 there.
COMPOSITE_GRAD = ((0.5, 3.297442541400256), (1.0, 29.556224395722598),
                  (0.3, 1.4366608357461723), (-0.5, -3.297442541400256), (0.0, 0.0),
                  (-1.2, composite_grad_np(-1.2)), (1.5, composite_grad_np(1.5)),
                  (1e-4, composite_grad_np(1e-4)))
VECTORS = (np.array([0.7]), np.array([0.5, -1.0, 0.3]),
           np.array([[0.0, 0.25, -0.75], [1.0, -0.3, 0.6]]),
           np.array([0.5, -1.25, 0.1], dtype=np.float32))
# Graphs that use one operation more than once, or build another graph between forward and
# backward: state kept on the class rather than the instance shows only here.
# (expression over E and x, needs exp, points, d/dx as a function of x)
AGAIN = (
    ("E.square(E.square(x))", False, (1.5, -0.7), lambda x: 4 * x ** 3),
    ("E.square(E.square(E.square(x)))", False, (1.1,), lambda x: 8 * x ** 7),
    ("(lambda y, other: y)(E.square(x), E.square(E.leaf(np.array(5.0))))", False, (-2.5,),
     lambda x: 2 * x),
    ("E.exp(E.exp(x))", True, (0.5, -1.0), lambda x: np.exp(np.exp(x)) * np.exp(x)),
    ("E.exp(E.square(E.exp(x)))", True, (0.3,),
     lambda x: np.exp(np.exp(x) ** 2) * 2 * np.exp(2 * x)),
    ("(lambda y, other: y)(E.exp(x), E.exp(E.leaf(np.array(-1.0))))", True, (0.7,), np.exp),
    ("(lambda y, other: y)(E.square(E.exp(E.square(x))), "
     "E.square(E.exp(E.square(E.leaf(np.array(0.9))))))", True, (1.2,), composite_grad_np),
)
# The output gradient backward() seeds: every dtype and shape y can have.
SEEDED = (np.array(3.0), np.array(3.0, dtype=np.float32), np.array(3), np.array(-2, np.int32),
          np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0], dtype=np.float32),
          np.array([[1, 2], [3, 4]]), np.array([0.5]))


class BackwardClauses(Clauses):

    def test_s6_square_and_exp_backward(self):
        ("""S6 (step 6): Square backward is 2*x*gy, Exp backward exp(x)*gy; .grad is None until """
         """backward.""")
        E = self.engine
        self.require("seed_grad")
        for x, gy in SQUARE_BACKWARD:
            with self.subTest(f"square at {x}, gy={gy}"):
                _, gx = self.grad(E.square, np.array(x), np.array(gy))
                self.assertValues(gx, np.array(2 * x * gy), f"backward of square at {x} with "
                                  f"gy={gy}", self.square_rtol(), "x*gy is one rounding, "
                                  "doubling is exact")
        if self.applies("vector", part="arrays"):
            for x, gy in ARRAY_BACKWARD + (tuple(sample(*a) for a in LARGE),):
                with self.subTest(f"square on {x.dtype} shape {x.shape}"):
                    _, gx = self.grad(E.square, x.copy(), gy.copy())
                    self.assertValues(gx, 2 * x.astype(np.float64) * gy, f"backward of square "
                                      f"on a {x.dtype} array of shape {x.shape}",
                                      self.rtol_for(x), "elementwise, as on scalars")
        if not self.applies("exp", part="exp backward and the manual chain"):
            return
        for x, gy in EXP_BACKWARD:
            with self.subTest(f"exp at {x}, gy={gy}"):
                _, gx = self.grad(E.exp, np.array(x), np.array(gy))
                self.assertValues(gx, np.exp(np.array(x)) * gy, f"backward of exp at {x} with "
                                  f"gy={gy}", self.ulp_rtol(), "one libm exp")
        if self.applies("vector", part="arrays"):
            for x, gy in ARRAY_BACKWARD + (tuple(sample(*a) for a in LARGE),):
                with self.subTest(f"exp on {x.dtype} shape {x.shape}"):
                    _, gx = self.grad(E.exp, x.copy(), gy.copy())
                    self.assertValues(gx, np.exp(x.astype(np.float64)) * gy, f"backward of "
                                      f"exp on a {x.dtype} array of shape {x.shape}",
                                      self.rtol_for(x), "elementwise, as on scalars")
        if not self.applies("variable", "function_classes", part="the manual chain"):
            return
        for x in (0.5, 1.0, -0.3):  # the seed's manual chain, and points where d(x^2)/dx != 1
            with self.subTest(f"manual chain at {x}"):
                self.call(f"A, B, C = E.Square(), E.Exp(), E.Square()\n"
                          f"y = C(B(A(E.Variable(np.array({x})))))\n"
                          f"gb = C.backward(np.array(1.0))\nga = B.backward(gb)\n"
                          f"print(gb, ga, A.backward(ga))")
                A, B, C = E.Square(), E.Exp(), E.Square()
                xv = E.Variable(np.array(x))
                a = A(xv)
                b = B(a)
                y = C(b)
                for name, v in (("x", xv), ("a", a), ("b", b), ("y", y)):
                    got = E.grad_of(v)
                    if got is not None:
                        self.fail(f"{self.clause}: {name}.grad before any backward must be "
                                  f"None, got {show(got)}")
                gb = self.raw(C.backward(np.array(1.0)))
                ga = self.raw(B.backward(gb))
                gx = self.raw(A.backward(ga))
                bx = np.exp(np.array(x) ** 2)
                for name, got, want in (("b.grad = C.backward(1.0)", gb, 2 * bx),
                                        ("a.grad = B.backward(b.grad)", ga, 2 * bx * bx),
                                        ("x.grad = A.backward(a.grad)", gx, 4 * x * bx * bx)):
                    self.assertValues(got, want, f"{name} at x={x}", self.ulp_rtol(),
                                      "exp-derived")

    def raw(self, g):
        """A Function.backward result as data: the later steps return Variables (step 33)."""
        return g.data if isinstance(g, self.engine.Variable) else g

    def rtol_for(self, x):
        if x.dtype == np.float32:
            return ULP_RTOL_F32
        return self.ulp_rtol()

    def test_s8_backward_walks_the_creators(self):
        ("""S8 (step 7): y.backward() walks the creators to x; intermediate grads are kept """
         """(from step 18 with retain_grad=True).""")
        E = self.engine
        exp = self.applies("exp", part="graphs with exp")
        if exp:
            f = self.composite()
            for x, want in COMPOSITE_GRAD:
                with self.subTest(f"x={x}"):
                    y, gx = self.grad(f, np.array(x))
                    self.assertValues(gx, np.array(want), f"grad of square(exp(square(x))) at "
                                      f"x={x}", self.ulp_rtol(), "exp-derived")
        for expr, needs_exp, points, derivative in AGAIN:
            if needs_exp and not exp:
                continue  # reported once, above, as the part needing exp
            fn = self.expression(expr)
            for x in points:
                with self.subTest(f"{expr} at {x}"):
                    _, gx = self.grad(fn, np.array(x))
                    self.assertValues(gx, derivative(np.array(x)), f"grad of {expr} at x={x}",
                                      self.ulp_rtol(), "a few roundings")
        if exp and self.applies("vector", "seed_grad", part="vectors"):
            for x in VECTORS:
                with self.subTest(f"{x.dtype} shape {x.shape}"):
                    _, gx = self.grad(f, x.copy(), np.ones_like(x))
                    self.assertValues(gx, composite_grad_np(x),
                                      f"grad of square(exp(square(x))) at {x.tolist()}",
                                      self.rtol_for(x), "exp-derived, elementwise")
        if not (exp and self.applies("variable", part="two graphs, then backward on each")):
            return
        with self.subTest("two graphs, then backward on each"):
            self.backprop()
            self.call("x1, x2 = E.Variable(np.array(0.5)), E.Variable(np.array(1.0))\n"
                      "y1 = E.square(E.exp(E.square(x1)))\ny2 = E.square(E.exp(E.square(x2)))\n"
                      "E.backward(y1)\nE.backward(y2)\nprint(E.grad_of(x1), E.grad_of(x2))")
            x1, x2 = E.Variable(np.array(0.5)), E.Variable(np.array(1.0))
            y1, y2 = f(x1), f(x2)
            E.backward(y1)  # y.backward(), seeded as the engine's step seeds it
            E.backward(y2)
            for name, v, x in (("x1", x1, 0.5), ("x2", x2, 1.0)):
                self.assertValues(E.grad_of(v), composite_grad_np(np.array(x)),
                                  f"{name}.grad after y1.backward(); y2.backward()",
                                  self.ulp_rtol(), "exp-derived")
        with self.subTest("one leaf, two graphs in turn"):
            self.backprop()
            # An engine that replays every Function it ever ran (a global tape) lets the
            # first graph, whose y still holds its grad, overwrite x.grad from the second.
            self.call("x = E.Variable(np.array(1.0))\ny1 = E.square(x)\nE.backward(y1)\n"
                      "E.cleargrad(x)\ny2 = E.exp(x)\nE.backward(y2)\nprint(E.grad_of(x))")
            xv = E.Variable(np.array(1.0))
            y1 = E.square(xv)
            E.backward(y1)
            E.cleargrad(xv)
            y2 = E.exp(xv)
            E.backward(y2)
            self.assertValues(E.grad_of(xv), np.exp(np.array(1.0)), "x.grad after "
                              "y1 = square(x); y1.backward(); x.grad = None; y2 = exp(x); "
                              "y2.backward()", self.ulp_rtol(), "one libm exp")
        if not self.applies("retains_grads", part="intermediate grads"):
            return
        for x in (0.5, 1.0):
            with self.subTest(f"intermediate grads at {x}"):
                self.call(f"x = E.Variable(np.array({x}))\na = E.square(x)\nb = E.exp(a)\n"
                          f"y = E.square(b)\n{self.keeping_code('y')}\n"
                          f"print([E.grad_of(v) for v in (y, b, a, x)])")
                xv = E.Variable(np.array(x))
                a = E.square(xv)
                b = E.exp(a)
                y = E.square(b)
                self.backward_keeping_grads(y)
                bx = np.exp(np.array(x) ** 2)
                for name, v, want in (("y", y, np.array(1.0)), ("b", b, 2 * bx),
                                      ("a", a, 2 * bx * bx), ("x", xv, 4 * x * bx * bx)):
                    got = E.grad_of(v)
                    self.assertIsNotNone(got, f"{self.clause}: {name}.grad after y.backward() "
                                              f"must be kept, got None")
                    self.assertValues(got, want, f"{name}.grad after y.backward() at x={x}",
                                      self.ulp_rtol(), "exp-derived")

    def test_s11_backward_seeds_ones_unless_grad_is_preset(self):
        ("""S11 (step 9): backward() seeds ones_like(y.data) only when y.grad is None; a preset """
         """y.grad is used.""")
        E = self.engine
        # A preset 0.0 is still preset (`if not y.grad` would reseed it), and a preset vector
        # must not be tested for truth.
        for x, gy, want in ((3.0, 2.0, 12.0), (-1.0, 0.5, -1.0), (3.0, 0.0, 0.0),
                            (0.1, -3.0, 2 * 0.1 * -3.0),
                            ([1.0, 2.0, 3.0], [1.0, 0.0, -2.0], [2.0, 0.0, -12.0]),
                            ([[1.0, -1.0], [0.5, 2.0]], [[0.0, 1.0], [4.0, 0.25]],
                             [[0.0, -2.0], [4.0, 1.0]])):
            with self.subTest(f"preset y.grad={gy} on square at {x}"):
                self.require("seed_grad", *(("vector",) if np.ndim(x) else ()))
                _, gx = self.grad(E.square, np.array(x), np.array(gy))
                self.assertValues(gx, np.array(want), f"square at {x} with y.grad preset to "
                                  f"{gy}", self.square_rtol(), "one rounding")
        with self.subTest("preset y.grad 2.5 on square of an int 3"):
            # Used as given: cast to y's integer dtype it would be 2, and x.grad 12.
            self.require("variable", "seed_grad", "integers")
            _, gx = self.grad(E.square, np.array(3), np.array(2.5))
            self.assertValues(gx, np.array(15.0), "x.grad of square at int 3 with y.grad "
                              "preset to 2.5", EXACT, "exact products")
        for x in (np.array([1.0, 2.0, 3.0]), np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]]),
                  np.array([0.25]), np.array([1.5, -0.1], dtype=np.float32)):
            with self.subTest(f"implicit seed, {x.dtype} shape {x.shape}"):
                self.require("vector", "implicit_seed")
                _, gx = self.grad(E.square, x.copy())
                self.assertValues(gx, 2 * x.astype(np.float64), f"grad of square at "
                                  f"{x.tolist()} with no preset y.grad", self.rtol_for(x),
                                  "one rounding")
        for x in SEEDED:
            with self.subTest(f"the seed itself, {x.dtype} shape {x.shape}"):
                # The seed shows only in y.grad, so only where y keeps its grad; a vector
                # output is seeded only by an engine that seeds any shape.
                self.require("variable", "retains_grads",
                             *(("vector", "implicit_seed") if x.ndim else ()),
                             *(("integers",) if x.dtype.kind == "i" else ()))
                self.call(f"y = E.square(E.Variable({self.array_code(x)}))\n"
                          f"{self.keeping_code('y')}\ng = E.grad_of(y)\nprint(g, g.shape, g.dtype)")
                y = E.square(E.Variable(x.copy()))
                self.backward_keeping_grads(y)
                g = E.grad_of(y)
                self.assertIsNotNone(g, f"{self.clause}: y.grad after y.backward() is None")
                self.assertValues(g, np.ones_like(y.data), f"y.grad seeded by backward() for "
                                  f"a {y.data.dtype} y of shape {y.data.shape}", EXACT,
                                  "np.ones_like(y.data): ones of y's shape and dtype",
                                  dtype=y.data.dtype)


class TestBackward(BackwardClauses, unittest.TestCase):
    pass
