"""Steps 32-36: double backprop. backward(create_graph=True) gives a gradient with a graph of
its own; differentiating it gives second derivatives (Newton by autodiff), and it can be used
inside a new expression (step 36)."""
import unittest

import numpy as np

from dezero_conformance.conformance import gradcheck
from dezero_conformance.conformance.stage3.test_loops import NEWTON_PATH, NEWTON_ULPS, newton_path
from dezero_conformance.conformance.support import (
    DERIVED_ULPS,
    EXACT,
    TRIG_ULPS,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
    show,
)

# Rational functions at dyadic points: a few roundings per derivative.
RATIONAL_ULPS = 8
POLY = "x ** 4 - 2 * x ** 2"
POLY_POINTS = ((2.0, 24.0, 44.0), (-1.5, None, None), (0.5, None, None), (0.0, 0.0, -4.0),
               ([2.0, -1.5, 0.5], None, None), ([[1.0, -2.0], [3.0, 0.25]], None, None))
# (expression over x, f', f''), judged at SECOND_POINTS: every stage-2 and stage-3 operation
# on each side, in a function whose second derivative is not zero (the book's engines give
# None for the gradient of a gradient that does not depend on x).
SECOND = (
    ("x * x * x", lambda x: 3 * x ** 2, lambda x: 6 * x),
    ("E.square(x)", lambda x: 2 * x, lambda x: 2 + 0 * x),
    ("E.square(E.square(x))", lambda x: 4 * x ** 3, lambda x: 12 * x ** 2),
    ("x ** 3", lambda x: 3 * x ** 2, lambda x: 6 * x),
    ("x ** -2", lambda x: -2 * x ** -3, lambda x: 6 * x ** -4),
    ("x ** 0.5", lambda x: 0.5 * x ** -0.5, lambda x: -0.25 * x ** -1.5),
    ("3.0 / x", lambda x: -3 / x ** 2, lambda x: 6 / x ** 3),
    ("x / (x + 1.0)", lambda x: 1 / (x + 1) ** 2, lambda x: -2 / (x + 1) ** 3),
    ("(x * x) / 4.0", lambda x: x / 2, lambda x: 0.5 + 0 * x),
    ("-(x * x) + x", lambda x: 1 - 2 * x, lambda x: -2 + 0 * x),
    ("2.0 - x * x * x", lambda x: -3 * x ** 2, lambda x: -6 * x),
    ("x * x - x", lambda x: 2 * x - 1, lambda x: 2 + 0 * x),
    ("E.exp(x)", np.exp, np.exp),
    ("E.exp(-x * x)", lambda x: -2 * x * np.exp(-x * x),
     lambda x: (4 * x * x - 2) * np.exp(-x * x)),
    ("x * E.exp(x)", lambda x: (x + 1) * np.exp(x), lambda x: (x + 2) * np.exp(x)),
)
TRIG_SECOND = (
    ("E.sin(x) * x", lambda x: np.cos(x) * x + np.sin(x), lambda x: 2 * np.cos(x) - x * np.sin(x)),
    ("E.cos(x * x)", lambda x: -2 * x * np.sin(x * x),
     lambda x: -2 * np.sin(x * x) - 4 * x * x * np.cos(x * x)),
)
SECOND_POINTS = (1.5, 0.75, [0.5, 2.0, 1.25])
TRIG_SECOND_POINTS = (0.6, -1.3)
# (expression, x's shape) for the second-order gradient check: the composite and mixes of
# every operation, at seeded random points.
CHECKED = (
    ("E.square(E.exp(E.square(x) * 0.5))", (3,)),
    ("x * x * x / (x * x + 1.0) - 2.0 * x ** 3", (2, 3)),
    ("E.exp(-x) * x ** 2 + 1.0 / (x + 3.0)", ()),
)
CHECKED_TRIG = (("E.sin(x) * E.cos(x * 2.0) - x * E.sin(x)", (4,)),)
CHECKED_TANH = (("E.tanh(x) * x + E.tanh(x * x)", (2, 2)),)


class HigherOrderClauses(Clauses):

    def test_s36_create_graph(self):
        ("""S36 (step 32): backward() leaves x.grad a Variable built under no graph (its """
         """creator None); backward(create_graph=True) leaves it a Variable with a creator, """
         """whose own backward gives the second derivative: x**4 - 2*x**2 at 2.0 gives 24.0, """
         """then 44.0.""")
        E = self.engine
        self.require("create_graph", "operators")
        for how, graph in (("default", None), ("create_graph=False", False),
                           ("create_graph=True", True)):
            with self.subTest(f"backward({how})"):
                arg = "" if graph is None else f", create_graph={graph}"
                self.call(f"x = E.Variable(np.array(2.0))\ny = x ** 4 - 2 * x ** 2\n"
                          f"E.backward(y{arg})\ng = E.grad_variable(x)\n"
                          f"print(type(g), E.creator_of(g))")
                x = E.Variable(np.array(2.0))
                y = x ** 4 - 2 * x ** 2
                E.backward(y, create_graph=graph)
                g = E.grad_variable(x)
                if not isinstance(g, type(x)):
                    self.fail(f"{self.clause}: after backward({how}) x.grad is a "
                              f"{type(g).__name__}, must be a {type(x).__name__} like x "
                              f"(gradients are Variables from step 32): {show(g)}")
                self.assertValues(E.grad_of(x), np.array(24.0), f"x.grad after backward({how})",
                                  EXACT, "exact")
                creator = E.creator_of(g)
                if not graph and creator is not None:
                    self.fail(f"{self.clause}: after backward({how}) x.grad has a creator "
                              f"({show(creator)}): a backward without create_graph must build "
                              f"no graph for the gradients (step 32 runs it with "
                              f"enable_backprop off)")
                if graph:
                    if creator is None:
                        self.fail(f"{self.clause}: after backward(create_graph=True) x.grad "
                                  f"has no creator: the gradient was built without a graph")
                    self.call("x = E.Variable(np.array(2.0))\ny = x ** 4 - 2 * x ** 2\n"
                              "E.backward(y, create_graph=True)\ng = E.grad_variable(x)\n"
                              "E.cleargrad(x)\nE.backward(g)\nprint(E.grad_of(x))")
                    E.cleargrad(x)
                    E.backward(g)
                    got = E.grad_of(x)
                    if got is None:
                        self.fail(f"{self.clause}: g.backward() for g = x.grad (built with "
                                  f"create_graph=True) left x.grad None")
                    self.assertValues(got, np.array(44.0), "x.grad after backward of the "
                                      "gradient", EXACT, "exact")

    def test_s37_second_derivative(self):
        ("""S37 (step 33): the engine's gradient is differentiable: x**4 - 2*x**2 has first """
         """derivative 24.0 and second 44.0 at 2.0 (and 4x**3 - 4x, 12x**2 - 4 at other points, """
         """0-d to 2-d, with an output gradient given).""")
        self.require("higher_order", "operators")
        f = self.expression(POLY)
        for x, d1, d2 in POLY_POINTS:
            if np.ndim(x) and not self.applies("vector", part=f"a {np.shape(x)} input"):
                continue
            a = np.array(x)
            with self.subTest(f"{POLY} at {x}"):
                g1, g2 = self.derivative(f, a, 2)
                dtype = np.float64 if self.has("float64") else None
                self.assertValues(g1, 4 * a ** 3 - 4 * a if d1 is None else np.array(d1),
                                  f"the first derivative of {POLY} at {x}",
                                  self.square_rtol(), "dyadic: exact", dtype=dtype)
                self.assertValues(g2, 12 * a ** 2 - 4 if d2 is None else np.array(d2),
                                  f"the second derivative of {POLY} at {x}",
                                  self.square_rtol(), "dyadic: exact", dtype=dtype)
        if self.applies("seed_grad", "vector", part="output gradients given"):
            a, gy, gv = np.array([2.0, -1.0]), np.array([3.0, 0.5]), np.array([-1.0, 2.0])
            with self.subTest(f"{POLY} at {a.tolist()}, gy={gy.tolist()}, gv={gv.tolist()}"):
                d = self.engine.gradient(f, gy.copy())
                d = (lambda inner: lambda v: inner(v))(d)
                d.code = ("d", (f"f = lambda x: {POLY}",
                                f"d = E.gradient(f, {self.array_code(gy)})"))
                g1, g2 = self.grad(d, a.copy(), gv.copy())
                self.assertValues(g1, gy * (4 * a ** 3 - 4 * a), "the gradient seeded by gy",
                                  self.square_rtol(), "dyadic: exact")
                self.assertValues(g2, gv * gy * (12 * a ** 2 - 4), "its gradient seeded by gv",
                                  self.square_rtol(), "dyadic: exact")

    def test_s38_newtons_method_by_autodiff(self):
        ("""S38 (step 33): Newton's method with both derivatives from the engine follows the """
         """step-29 path from 2.0 exactly: 1.4545454545454546, 1.1510467893775467, ..., 1.0.""")
        self.require("higher_order", "operators")
        f = self.expression(POLY)
        for start, want in ((2.0, NEWTON_PATH), (-2.0, tuple(-v for v in NEWTON_PATH)),
                            (1.75, tuple(newton_path(1.75, 8)))):
            with self.subTest(f"from {start}"):
                path, x = [start], np.array(start)
                for _ in range(len(want) - 1):
                    g1, g2 = self.derivative(f, x, 2)
                    x = np.asarray(x - np.asarray(g1, np.float64) / np.asarray(g2, np.float64))
                    path.append(float(x))
                self.assertValues(np.array(path), np.array(want), f"Newton's iterates from "
                                  f"{start} by autodiff", self.ulps(NEWTON_ULPS),
                                  "a few roundings per iterate")

    def test_s39_second_derivative_of_every_operation(self):
        ("""S39 (step 33): every operation's backward is itself differentiable: the second """
         """derivatives of x*x*x, x**-2, 3.0/x, x/(x + 1.0), -(x*x) + x, exp(-x*x), sin(x)*x """
         """and others match the suite's own.""")
        self.require("higher_order", "operators")
        table = [(e, d1, d2, SECOND_POINTS) for e, d1, d2 in SECOND]
        if self.applies("sin_cos", part="sin and cos"):
            table += [(e, d1, d2, TRIG_SECOND_POINTS) for e, d1, d2 in TRIG_SECOND]
        for expr, d1, d2, points in table:
            if "E.exp" in expr and not self.applies("exp", part=expr):
                continue
            for x in points:
                if np.ndim(x) and not self.applies("vector", part=f"{expr} at a vector"):
                    continue
                a = np.array(x)
                with self.subTest(f"{expr} at {x}"):
                    g1, g2 = self.derivative(self.expression(expr), a, 2)
                    ulps = TRIG_ULPS if "E.sin" in expr or "E.cos" in expr else RATIONAL_ULPS
                    why = "a few roundings of the derivative's terms"
                    self.assertValues(g1, d1(a), f"the first derivative of {expr} at {x}",
                                      self.ulps(ulps), why)
                    self.assertValues(g2, d2(a), f"the second derivative of {expr} at {x}",
                                      self.ulps(DERIVED_ULPS), why)

    def test_s40_second_order_gradient_check(self):
        ("""S40 (step 33): the kit's second-order gradient check (the engine's Hessian-vector """
         """product against a central difference of its own first derivative) passes at seeded """
         """random points, in full and random modes.""")
        E = self.engine
        self.require("higher_order", "operators", "exp")
        table = list(CHECKED)
        if self.applies("sin_cos", part="functions of sin and cos"):
            table += CHECKED_TRIG
        if self.applies("tanh", part="functions of tanh"):
            table += CHECKED_TANH
        base = seed()
        for k, (expr, shape) in enumerate(table):
            if shape and not self.applies("vector", part=f"{expr} on a {shape} input"):
                continue
            rng = np.random.default_rng(base + k)
            x = np.asarray(rng.uniform(0.2, 1.2, shape) * rng.choice([-1.0, 1.0], shape))
            gv = np.asarray(rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape))
            gy = None if self.has("implicit_seed") or not shape else np.ones(shape)
            for mode in ("full", "random"):
                with self.subTest(f"{expr} on a {shape} input, {mode} mode, seed {base + k}"):
                    fn = self.expression(expr)
                    report = gradcheck.check_second_order(
                        E, fn, x, gy=gy, gv=gv, mode=mode, seed=base + k,
                        engine_spec=self.spec or E.NAME, fn_text=f"lambda x: {expr}")
                    if not report.ok:
                        self.fail(f"{self.clause}: {report.message}")

    def test_s43_a_gradient_inside_a_new_expression(self):
        ("""S43 (step 36): a gradient used in a new expression: y = x**2, gx = dy/dx with its """
         """graph, z = gx**3 + y; dz/dx at 2.0 is 100.0.""")
        E = self.engine
        self.require("higher_order", "operators")
        for x in (2.0, -1.0, 0.5, [2.0, -1.0, 0.5]):
            if np.ndim(x) and not self.applies("vector", part="a vector input"):
                continue
            a = np.array(x)
            gy = self.seed_for(a)
            with self.subTest(f"z = gx ** 3 + y at {x}"):
                seeded = "" if gy is None else f", {self.array_code(gy)}"
                fn = eval("lambda x: E.gradient(lambda x: x ** 2, gy)(x) ** 3 + x ** 2",
                          {"E": E, "gy": gy})  # the suite's own text
                fn.code = ("z", (f"z = lambda x: E.gradient(lambda x: x ** 2{seeded})(x) ** 3 "
                                 f"+ x ** 2",))
                z, gz = self.grad(fn, a.copy(), None if gy is None else gy.copy())
                self.assertValues(z, 8 * a ** 3 + a ** 2, f"z at {x}", self.square_rtol(),
                                  "dyadic: exact")
                self.assertValues(gz, 24 * a ** 2 + 2 * a, f"dz/dx at {x}", self.square_rtol(),
                                  "dyadic: exact")
        if self.applies("create_graph", part="the book's form, on one Variable"):
            with self.subTest("the book's step 36 on one Variable"):
                self.call("x = E.Variable(np.array(2.0))\ny = x ** 2\n"
                          "E.backward(y, create_graph=True)\ngx = E.grad_variable(x)\n"
                          "E.cleargrad(x)\nz = gx ** 3 + y\nE.backward(z)\nprint(E.grad_of(x))")
                x = E.Variable(np.array(2.0))
                y = x ** 2
                E.backward(y, create_graph=True)
                gx = E.grad_variable(x)
                E.cleargrad(x)
                z = gx ** 3 + y
                E.backward(z)
                self.assertValues(E.grad_of(x), np.array(100.0), "x.grad after z.backward()",
                                  EXACT, "exact")


class TestHigherOrder(HigherOrderClauses, unittest.TestCase):
    pass
