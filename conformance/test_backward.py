"""Steps 6, 7, 9: backward by hand and by y.backward(); the output gradient's seed."""
import unittest

import numpy as np

from conformance.support import EXACT, Clauses, array_code, composite_grad_np
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

# (x, d/dx square(exp(square(x)))): the contract's values; 0.5 alone would hide a skipped
# last step, since d(x^2)/dx = 1 there.
COMPOSITE_GRAD = ((0.5, 3.297442541400256), (1.0, 29.556224395722598),
                  (0.3, 1.4366608357461723), (-0.5, -3.297442541400256), (0.0, 0.0))
VECTORS = (np.array([0.5, -1.0, 0.3]), np.array([[0.0, 0.25, -0.75], [1.0, -0.3, 0.6]]))


class BackwardClauses(Clauses):

    def test_s6_square_and_exp_backward(self):
        """S6: Square backward is 2*x*gy, Exp backward exp(x)*gy; .grad is None until backward."""
        E = self.engine
        self.require("seed_grad")
        for x, gy in ((3.0, 1.0), (3.0, 2.0), (-1.5, 0.5), (0.0, 4.0)):
            with self.subTest(f"square at {x}, gy={gy}"):
                _, gx = self.grad(E.square, np.array(x), np.array(gy))
                self.assertValues(gx, 2 * x * gy, f"backward of square at {x} with gy={gy}",
                                  EXACT, "products of short floats are exact")
        if not self.applies("exp", part="exp backward and the manual chain"):
            return
        for x, gy in ((1.0, 1.0), (0.5, 2.568050833375483), (-2.0, -3.0)):
            with self.subTest(f"exp at {x}, gy={gy}"):
                _, gx = self.grad(E.exp, np.array(x), np.array(gy))
                self.assertValues(gx, np.exp(x) * gy, f"backward of exp at {x} with gy={gy}",
                                  self.ulp_rtol(), "one libm exp")
        if not self.applies("variable", "function_classes", part="the manual chain"):
            return
        for x in (0.5, 1.0):  # the seed's manual chain, and a point where d(x^2)/dx != 1
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
                    self.assertIsNone(E.grad_of(v), f"{self.clause}: {name}.grad before any "
                                                    f"backward must be None")
                gb = C.backward(np.array(1.0))
                ga = B.backward(gb)
                gx = A.backward(ga)
                bx = np.exp(x ** 2)
                for name, got, want in (("b.grad = C.backward(1.0)", gb, 2 * bx),
                                        ("a.grad = B.backward(b.grad)", ga, 2 * bx * bx),
                                        ("x.grad = A.backward(a.grad)", gx, 4 * x * bx * bx)):
                    if isinstance(got, E.Variable):  # the later steps' backward (step 33 on)
                        got = got.data
                    self.assertValues(got, want, f"{name} at x={x}", self.ulp_rtol(),
                                      "exp-derived")

    def test_s8_backward_walks_the_creators(self):
        """S8: y.backward() walks the creators to x; intermediate grads are kept in stage 1."""
        E = self.engine
        self.require("exp")
        f = self.composite()
        for x, want in COMPOSITE_GRAD:
            with self.subTest(f"x={x}"):
                y, gx = self.grad(f, np.array(x))
                self.assertValues(gx, want, f"grad of square(exp(square(x))) at x={x}",
                                  self.ulp_rtol(), "exp-derived contract value")
        if not self.applies("vector", "seed_grad", part="vectors"):
            return
        for x in VECTORS:
            with self.subTest(f"shape {x.shape}"):
                _, gx = self.grad(f, x.copy(), np.ones_like(x))
                self.assertValues(gx, composite_grad_np(x),
                                  f"grad of square(exp(square(x))) at {x.tolist()}",
                                  self.ulp_rtol(), "exp-derived, elementwise")
        if not self.applies("variable", "retains_grads", part="intermediate grads"):
            return
        for x in (0.5, 1.0):
            with self.subTest(f"intermediate grads at {x}"):
                self.call(f"x = E.Variable(np.array({x}))\na = E.square(x)\nb = E.exp(a)\n"
                          f"y = E.square(b)\ny.backward()\n"
                          f"print([E.grad_of(v) for v in (y, b, a, x)])")
                xv = E.Variable(np.array(x))
                a = E.square(xv)
                b = E.exp(a)
                y = E.square(b)
                y.backward()
                bx = np.exp(x ** 2)
                for name, v, want in (("y", y, 1.0), ("b", b, 2 * bx), ("a", a, 2 * bx * bx),
                                      ("x", xv, 4 * x * bx * bx)):
                    got = E.grad_of(v)
                    self.assertIsNotNone(got, f"{self.clause}: {name}.grad after y.backward() "
                                              f"must be kept, got None")
                    self.assertValues(got, want, f"{name}.grad after y.backward() at x={x}",
                                      self.ulp_rtol(), "exp-derived")

    def test_s11_backward_seeds_ones_unless_grad_is_preset(self):
        """S11: backward() seeds ones_like(y.data) only when y.grad is None; a preset y.grad is used."""
        E = self.engine
        # A preset 0.0 is still preset (`if not y.grad` would reseed it), and a preset vector
        # must not be tested for truth.
        for x, gy, want in ((3.0, 2.0, 12.0), (-1.0, 0.5, -1.0), (3.0, 0.0, 0.0),
                            ([1.0, 2.0, 3.0], [1.0, 0.0, -2.0], [2.0, 0.0, -12.0])):
            with self.subTest(f"preset y.grad={gy} on square at {x}"):
                self.require("seed_grad", *(("vector",) if np.ndim(x) else ()))
                _, gx = self.grad(E.square, np.array(x), np.array(gy))
                self.assertValues(gx, want, f"square at {x} with y.grad preset to {gy}", EXACT,
                                  "exact products")
        for x in (np.array([1.0, 2.0, 3.0]), np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])):
            with self.subTest(f"implicit seed, shape {x.shape}"):
                self.require("vector", "implicit_seed")
                _, gx = self.grad(E.square, x.copy())
                self.assertValues(gx, 2 * x, f"grad of square at {x.tolist()} with no preset "
                                             f"y.grad", EXACT, "exact products")
        for x in (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0], dtype=np.float32),
                  np.array(3.0)):
            with self.subTest(f"the seed itself, {x.dtype} shape {x.shape}"):
                # The seed shows only in y.grad, so only where y keeps its grad; a vector
                # output is seeded only by an engine that seeds any shape.
                self.require("variable", "retains_grads",
                             *(("vector", "implicit_seed") if x.ndim else ()))
                self.call(f"y = E.square(E.Variable({array_code(x)}))\ny.backward()\n"
                          f"g = E.grad_of(y)\nprint(g, g.shape, g.dtype)")
                y = E.square(E.Variable(x))
                y.backward()
                g = E.grad_of(y)
                self.assertIsNotNone(g, f"{self.clause}: y.grad after y.backward() is None")
                g = np.asarray(g)
                self.assertEqual((g.shape, g.dtype), (y.data.shape, y.data.dtype),
                                 f"{self.clause}: y.grad seeded by backward() must be "
                                 f"np.ones_like(y.data): same shape and dtype")
                self.assertValues(g, np.ones_like(y.data), "the seeded y.grad", EXACT, "ones")


class TestBackward(BackwardClauses, unittest.TestCase):
    pass
