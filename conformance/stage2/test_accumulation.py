"""Step 14: a Variable used twice accumulates its gradient, out of place; cleargrad() resets."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)

# (name, expr over x, points, d/dx): graphs that use x more than once.
REUSE = (
    ("add(x, x)", "E.add(x, x)", (3.0, -0.5, [1.0, -2.0, 0.25]), lambda x: 2 + 0 * x),
    ("add(add(x, x), x)", "E.add(E.add(x, x), x)", (3.0, [[1.0, 2.0], [3.0, 4.0]]),
     lambda x: 3 + 0 * x),
    ("add(square(x), x)", "E.add(E.square(x), x)", (3.0, -1.5), lambda x: 2 * x + 1),
    ("add(x, square(x))", "E.add(x, E.square(x))", (3.0, 0.5), lambda x: 2 * x + 1),
    ("add(add(x, x), add(x, x))", "E.add(E.add(x, x), E.add(x, x))", (1.0,), lambda x: 4 + 0 * x),
    ("add(square(add(x, 1.5)), x)", "E.add(E.square(E.add(x, E.leaf(np.array(1.5)))), x)",
     (1.0, -0.5), lambda x: 2 * (x + 1.5) + 1),
)


class AccumulationClauses(Clauses):

    def test_s19_reuse_accumulates(self):
        ("""S19 (step 14): a Variable used twice accumulates: add(x, x) at 3.0 gives x.grad 2.0 """
         """(never 1.0), add(add(x, x), x) 3.0.""")
        E = self.engine
        self.require("add")
        for name, expr, points, df in REUSE:
            fn = self.expression(expr)
            for x in points:
                x = np.array(x, dtype=np.float64)
                with self.subTest(f"{name} at {x.tolist()}"):
                    if x.ndim and not self.applies("vector", "implicit_seed"):
                        continue
                    _, gx = self.grad(fn, x.copy())
                    self.assertValues(gx, df(x), f"x.grad of {name} at {x.tolist()}",
                                      self.square_rtol(), "sums of exact terms")
        with self.subTest("integer x: add(x, x) at int 3"):
            if self.applies("integers"):
                _, gx = self.grad(self.expression("E.add(x, x)"), np.array(3))
                self.assertValues(gx, np.array(2), "x.grad of add(x, x) at int 3", EXACT, "exact")
        if not self.applies("variable", part="two graphs on one leaf"):
            return
        with self.subTest("two fresh graphs on one x, no cleargrad between: 4.0"):
            self.call("x = E.Variable(np.array(3.0))\ny = E.add(x, x)\ny.backward()\n"
                      "y = E.add(x, x)\ny.backward()\nprint(E.grad_of(x))")
            x = E.Variable(np.array(3.0))
            E.add(x, x).backward()
            E.add(x, x).backward()
            self.assertValues(E.grad_of(x), np.array(4.0), "x.grad after backward of "
                              "add(x, x) twice, on two graphs, without cleargrad", EXACT,
                              "the second backward adds to the first")

    def test_s20_accumulation_is_out_of_place(self):
        ("""S20 (step 14): gradients accumulate out of place: after add(x, x) a retained y.grad """
         """stays 1.0, a preset one is not written.""")
        E = self.engine
        self.require("add")
        for name, expr, gy, want in (
                ("add(x, x)", "E.add(x, x)", np.array(1.0), 2.0),
                ("add(x, x)", "E.add(x, x)", np.array([1.0, -2.0]), [2.0, -4.0]),
                ("add(add(x, x), x)", "E.add(E.add(x, x), x)", np.array(0.5), 1.5),
                ("add(square(x), square(x))", "E.add(E.square(x), E.square(x))", np.array(1.0),
                 12.0)):
            with self.subTest(f"{name} at 3.0 with y.grad preset to {gy.tolist()}"):
                if gy.ndim and not self.applies("vector"):
                    continue
                self.require("seed_grad")
                before = gy.copy()
                _, gx = self.grad(self.expression(expr), np.full(gy.shape, 3.0), gy)
                self.assertValues(gx, np.array(want), f"x.grad of {name} at 3.0 with y.grad "
                                  f"{before.tolist()}", EXACT, "exact sums")
                np.testing.assert_array_equal(
                    gy, before, err_msg=f"{self.clause}: backward of {name} wrote to the preset "
                                        f"y.grad {before.tolist()} (accumulated in place)")
        if not self.applies("variable", "retains_grads", part="retained grads"):
            return
        # Graphs whose shared node is a leaf: an intermediate used twice needs generations
        # (step 16, S22).
        for name, build, grads in (
                ("y = add(x, x)", lambda x: {"y": E.add(x, x)}, {"y": 1.0, "x": 2.0}),
                ("t = square(x); y = add(add(x, x), t)",
                 lambda x: (lambda t: {"t": t, "y": E.add(E.add(x, x), t)})(E.square(x)),
                 {"y": 1.0, "t": 1.0, "x": 8.0})):
            with self.subTest(f"{name} at 3.0, grads retained"):
                self.check_retained_grads(name, build, grads, "an in-place += on a shared "
                                          "gradient array changes the grad of another Variable")

    def test_s21_cleargrad_resets(self):
        ("""S21 (step 14): x.cleargrad() sets x.grad to None, and the next backward starts from """
         """it: add(add(x, x), x) then gives 3.0.""")
        E = self.engine
        self.require("variable", "cleargrad", "add")
        self.call("x = E.Variable(np.array(3.0))\nE.add(x, x).backward()\nE.cleargrad(x)\n"
                  "print(E.grad_of(x))\nE.add(E.add(x, x), x).backward()\nprint(E.grad_of(x))")
        x = E.Variable(np.array(3.0))
        E.cleargrad(x)
        self.assertIsNone(E.grad_of(x), f"{self.clause}: cleargrad() on a fresh Variable must "
                                        f"leave its grad None")
        E.add(x, x).backward()
        E.cleargrad(x)
        self.assertIsNone(E.grad_of(x), f"{self.clause}: x.grad after cleargrad() must be None")
        E.add(E.add(x, x), x).backward()
        self.assertValues(E.grad_of(x), np.array(3.0), "x.grad of add(add(x, x), x) after "
                          "add(x, x).backward() and cleargrad()", EXACT, "the old 2.0 is gone")
        with self.subTest("cleargrad on a vector Variable"):
            if self.applies("vector", "implicit_seed"):
                v = E.Variable(np.array([1.0, 2.0]))
                E.add(v, v).backward()
                E.cleargrad(v)
                self.assertIsNone(E.grad_of(v), f"{self.clause}: grad after cleargrad()")
                E.square(v).backward()
                self.assertValues(E.grad_of(v), np.array([2.0, 4.0]), "v.grad of square(v) "
                                  "after add(v, v).backward() and cleargrad()", EXACT, "exact")


class TestAccumulation(AccumulationClauses, unittest.TestCase):
    pass
