"""Steps 27-29: a graph built by a Python loop (Taylor's sin), gradient descent on Rosenbrock,
Newton's method with a hand-written second derivative."""
import math
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)

# Each Taylor term is x ** k times a constant, rounded within a few ulps (pow, the product);
# the sum's error is bounded by the terms' magnitudes, not the result's (they alternate).
TERM_ULPS = 8
# 1000 gradient-descent steps: each step's rounding differs by an ulp or two between engines
# that order the same operations differently, and the map contracts (lr times the Hessian's
# eigenvalues lies in (0, 1) along the path), so the differences do not grow.
GD_RTOL = 1e-12
# Newton's iterates: each is x - f'(x) / f''(x), a few roundings, and the method corrects
# the last iterate's error instead of carrying it.
NEWTON_ULPS = 8
PI4 = np.pi / 4
# (x, threshold): the contract's point, then the suite's own (more terms, both signs, a vector)
TAYLOR = ((PI4, 1e-4), (1.0, 1e-4), (-2.0, 1e-4), (0.3, 1e-12), ([0.5, -1.5, 2.5], 1e-6))
CONTRACT_TAYLOR = (0.7071064695751781, 0.7071032148228457)  # my_sin(pi/4), threshold 1e-4
ROSEN_GRADS = (((0.0, 2.0), (-2.0, 400.0)), ((1.0, 1.0), (0.0, 0.0)),
               ((-1.5, 0.5), None), ((0.5, -0.25), None))
ROSEN_END = (0.6837118569138317, 0.4659526837427042)  # 1000 steps of lr 0.001 from (0, 2)
# Steps through grads() where the book's loop runs the contract's 1000: a bug that shows only
# in a loop shows within a few steps (a grad left over from the last step, at the second).
EA_STEPS = 100
NEWTON_PATH = (2.0, 1.4545454545454546, 1.1510467893775467, 1.0253259289766978,
               1.0009084519430513, 1.0000012353089454, 1.000000000002289, 1.0)


def taylor_terms(x, threshold):
    """How many terms the book's my_sin adds at x (the most over x's elements)."""
    n = 0
    for xi in np.atleast_1d(np.asarray(x, dtype=np.float64)):
        for i in range(100000):
            t = (-1) ** i / math.factorial(2 * i + 1) * xi ** (2 * i + 1)
            if abs(t) < threshold:
                break
        n = max(n, i + 1)
    return n


def rosenbrock_grads(x0, x1):
    """The suite's own float64 gradient of 100 (x1 - x0^2)^2 + (1 - x0)^2."""
    return -400 * x0 * (x1 - x0 * x0) - 2 * (1 - x0), 200 * (x1 - x0 * x0)


def rosenbrock_descent(steps):
    """The suite's own float64 path of gradient descent with lr 0.001 from (0, 2)."""
    x0, x1 = 0.0, 2.0
    for _ in range(steps):
        g0, g1 = rosenbrock_grads(x0, x1)
        x0, x1 = x0 - 0.001 * g0, x1 - 0.001 * g1
    return x0, x1


def newton_path(x, steps):
    path = [x]
    for _ in range(steps - 1):
        x = x - (4 * x ** 3 - 4 * x) / (12 * x ** 2 - 4)
        path.append(x)
    return path


class LoopClauses(Clauses):

    def test_s33_a_graph_built_by_a_loop(self):
        ("""S33 (step 27): the book's Taylor my_sin, a graph built by a Python loop of x ** """
         """(2i+1) / (2i+1)! terms: my_sin(pi/4) with threshold 1e-4 is 0.7071064695751781, """
         """grad 0.7071032148228457.""")
        self.require("operators")
        for x, threshold in TAYLOR:
            if np.ndim(x) and not self.applies("vector", part=f"my_sin of a vector {x}"):
                continue
            n = taylor_terms(x, threshold)
            a = np.array(x, dtype=np.float64)
            with self.subTest(f"my_sin({x}) with threshold {threshold}: {n} terms"):
                expr = (f"sum(((-1) ** i / __import__('math').factorial(2 * i + 1)) * "
                        f"x ** (2 * i + 1) for i in range({n}))")
                terms = [(-1) ** i / math.factorial(2 * i + 1) * a ** (2 * i + 1)
                         for i in range(n)]
                dterms = [(-1) ** i / math.factorial(2 * i + 1) * (2 * i + 1) * a ** (2 * i)
                          for i in range(n)]
                want_y, want_g = sum(terms), sum(dterms)
                if x == PI4:
                    want_y, want_g = (np.array(v) for v in CONTRACT_TAYLOR)
                y, gx = self.grad(self.expression(expr), a.copy(), self.seed_for(a))
                eps = self.ulps(1)
                self.assertValues(y, want_y, f"my_sin({x})", 0.0, "each term rounded within "
                                  f"{TERM_ULPS} ulps", atol=TERM_ULPS * eps * max(
                                      np.max(np.sum(np.abs(terms), axis=0)), 1e-300))
                self.assertValues(gx, want_g, f"gradient of my_sin({x})", 0.0, "each term "
                                  f"rounded within {TERM_ULPS} ulps", atol=TERM_ULPS * eps * max(
                                      np.max(np.sum(np.abs(dterms), axis=0)), 1e-300))

    def test_s34_gradient_descent_on_rosenbrock(self):
        ("""S34 (step 28): Rosenbrock 100*(x1 - x0**2)**2 + (1 - x0)**2 has grads -2.0 and """
         """400.0 at (0, 2), and 1000 steps of gradient descent with lr 0.001 from (0, 2) reach """
         """(0.6837118569138317, 0.4659526837427042).""")
        self.require("operators", "many_inputs")
        rosen = self.function("x0, x1", "100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2")
        for point, want in ROSEN_GRADS:
            with self.subTest(f"grads at {point}"):
                want = want or rosenbrock_grads(*point)
                _, gxs = self.grads(rosen, [np.array(v) for v in point])
                for i in range(2):
                    self.assertValues(gxs[i], np.array(want[i]), f"gradient {i} of rosenbrock "
                                      f"at {point}", self.square_rtol(), "dyadic inputs: exact")
        # The contract's 1000 steps run once: in the book's own loop where the engine has one
        # (below), else through grads(); grads() then runs EA_STEPS against the kit's own path.
        steps = EA_STEPS if self.has("variable") and self.has("cleargrad") else 1000
        with self.subTest(f"{steps} steps of lr 0.001 from (0, 2)"):
            x0, x1 = np.array(0.0), np.array(2.0)
            for step in range(steps):
                _, (g0, g1) = self.grads(rosen, [x0.copy(), x1.copy()])
                x0 = np.asarray(x0 - 0.001 * np.asarray(g0, dtype=np.float64))
                x1 = np.asarray(x1 - 0.001 * np.asarray(g1, dtype=np.float64))
                if not (np.isfinite(x0) and np.isfinite(x1)):
                    self.fail(f"{self.clause}: gradient descent left the finite numbers at "
                              f"step {step + 1}: ({x0}, {x1})")
            self.call("rosen = lambda x0, x1: 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2\n"
                      f"x0, x1 = np.array(0.0), np.array(2.0)\nfor step in range({steps}):\n"
                      "    _, (g0, g1) = E.grads(rosen, [x0, x1])\n"
                      "    x0, x1 = x0 - 0.001 * g0, x1 - 0.001 * g1\nprint(x0, x1)")
            rtol = GD_RTOL if self.has("float64") else self.ulps(1) * 1000
            want = ROSEN_END if steps == 1000 else rosenbrock_descent(steps)
            self.assertValues(np.array([x0, x1]), np.array(want), f"(x0, x1) after {steps} "
                              "steps", rtol, "rounding differs by an ulp a step; the map "
                              "contracts" if self.has("float64") else "float32: an ulp a step")
        if self.applies("variable", "cleargrad", part="the book's loop: cleargrad, backward, "
                        "x.data updated in place"):
            with self.subTest("the book's loop on two Variables, 1000 steps"):
                self.book_descent(rosen)

    def book_descent(self, rosen):
        """The book's own form: the same two Variables throughout, cleargrad() before each
        backward (without it the grads accumulate), .data updated in place (step 28's
        `x0.data -= lr * x0.grad`)."""
        E = self.engine
        self.call("x0, x1 = E.Variable(np.array(0.0)), E.Variable(np.array(2.0))\n"
                  "for i in range(1000):\n    y = 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2\n"
                  "    E.cleargrad(x0); E.cleargrad(x1)\n    y.backward()\n"
                  "    x0.data -= 0.001 * E.grad_of(x0)\n"
                  "    x1.data -= 0.001 * E.grad_of(x1)\nprint(x0.data, x1.data)")
        x0, x1 = E.Variable(np.array(0.0)), E.Variable(np.array(2.0))
        for _ in range(1000):
            y = rosen(x0, x1)
            E.cleargrad(x0)
            E.cleargrad(x1)
            y.backward()
            x0.data -= 0.001 * np.asarray(E.grad_of(x0))
            x1.data -= 0.001 * np.asarray(E.grad_of(x1))
        got = np.array([np.asarray(E.value(x0)), np.asarray(E.value(x1))], dtype=np.float64)
        rtol = GD_RTOL if self.has("float64") else self.ulps(1) * 1000
        self.assertValues(got, np.array(ROSEN_END), "(x0.data, x1.data) after the book's 1000 "
                          "steps", rtol, "rounding differs by an ulp a step; the map contracts")

    def test_s35_newtons_method_by_hand(self):
        ("""S35 (step 29): Newton's method on x**4 - 2*x**2 with the engine's first derivative """
         """and a hand-written second (12*x**2 - 4): from 2.0 the iterates are """
         """1.4545454545454546, 1.1510467893775467, 1.0253259289766978, 1.0009084519430513, """
         """1.0000012353089454, 1.000000000002289, 1.0.""")
        self.require("operators")
        f = self.expression("x ** 4 - 2 * x ** 2")
        for start, want in ((2.0, NEWTON_PATH), (-2.0, tuple(-v for v in NEWTON_PATH)),
                            (0.5, (0.5, -1.0, -1.0)), (1.75, tuple(newton_path(1.75, 8)))):
            with self.subTest(f"from {start}"):
                path, x = [start], np.array(start)
                for _ in range(len(want) - 1):
                    _, gx = self.grad(f, x.copy())
                    x = np.asarray(x - np.asarray(gx, dtype=np.float64) / (12 * x ** 2 - 4))
                    path.append(float(x))
                rtol = self.ulps(NEWTON_ULPS)
                self.assertValues(np.array(path), np.array(want), f"Newton's iterates from "
                                  f"{start}", rtol if start != 0.5 else EXACT,
                                  "a few roundings per iterate" if start != 0.5 else
                                  "dyadic: every operation exact")


class TestLoops(LoopClauses, unittest.TestCase):
    pass
