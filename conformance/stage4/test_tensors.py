"""Steps 37-41: tensors. Every operation works elementwise on arrays of any shape; reshape,
transpose, sum, broadcast_to, sum_to and matmul; broadcasting operators whose backward sums
each gradient back to its input's shape."""
import unittest

import numpy as np

from dezero_conformance.conformance.stage4.tensor_support import TensorClauses, draw
from dezero_conformance.conformance.support import (
    EXACT,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
)

X = np.array([[1.0, 2, 3], [4, 5, 6]])
# 0-d to 4-d, with size-1 axes.
SHAPES = ((), (3,), (2, 3), (2, 1, 3), (2, 3, 1, 2))
# (expression, capability): elementwise functions of the earlier steps, on tensors.
ELEMENTWISE = (("E.square(a)", None), ("E.exp(a * 0.5)", "exp"), ("a * a - a / 3.0", None),
               ("(a + 2.0) ** 3", None), ("-a / (a * a + 1.0)", None), ("E.sin(a)", "sin_cos"),
               ("E.cos(a) * a", "sin_cos"), ("E.tanh(a)", "tanh"))
# (shape of a, shape of b): broadcasting both ways, a scalar, a row, a column, both at once.
PAIRS = (((2, 3), ()), ((), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), (2, 1)),
         ((2, 1), (2, 3)), ((2, 1), (1, 3)), ((2, 1, 3), (4, 1)))
# (axis, keepdims) on a (2, 3, 4) input: None, ints, a negative int, tuples in any order.
SUMS = ((None, False), (None, True), (0, False), (1, True), (-1, False), (-1, True),
        ((0, 2), False), ((2, 1), True), ((-3, -1), False))
# (from shape, to shape) for broadcast_to; sum_to goes back.
BROADCASTS = (((), (2, 3)), ((3,), (2, 3)), ((2, 1), (2, 3)), ((1, 3, 1), (2, 3, 4)),
              ((3, 1), (2, 3, 4)))
MATMULS = (((2, 3), (3, 4)), ((1, 3), (3, 1)), ((4, 1), (1, 2)), ((3, 3), (3, 3)))


class TensorOpsClauses(TensorClauses):

    def test_s46_elementwise_on_tensors(self):
        ("""S46 (step 37): every earlier function and operator works elementwise on tensors of """
         """any shape, 0-d to 4-d: x + c of (2, 3) Variables gives grads of ones (2, 3), """
         """sum(x + c) with x = [[1, 2, 3], [4, 5, 6]], c = 10x is 231.0; sin's grad is cos """
         """elementwise; a gradient has its input's shape and dtype (float32 and float64).""")
        E = self.engine
        self.require("vector", "operators")
        with self.subTest("x + c on (2, 3)"):
            y, (gx, gc) = self.grads_of("a + b", [X, 10 * X])
            self.assertValues(y, 11 * X, "x + c", EXACT, "sums of small integers")
            self.assertValues(gx, np.ones((2, 3)), "x.grad of x + c", EXACT, "ones")
            self.assertValues(gc, np.ones((2, 3)), "c.grad of x + c", EXACT, "ones")
        if self.applies("sum", part="sum(x + c)"):
            with self.subTest("sum(x + c)"):
                y, (gx, gc) = self.grads_of("E.sum(a + b)", [X, 10 * X])
                self.assertValues(y, np.array(231.0), "sum(x + c)", EXACT,
                                  "a sum of small integers")
                self.assertValues(gx, np.ones((2, 3)), "x.grad of sum(x + c)", EXACT, "ones")
        if self.applies("sum", "retains_grads", "variable", part="t.grad of sum(x + c)"):
            with self.subTest("sum(x + c), keeping t.grad"):
                self.call("x, c = E.Variable(X), E.Variable(10 * X)\nt = x + c\ny = E.sum(t)\n"
                          f"{self.keeping_code('y')}\nprint(E.value(y), E.grad_of(t))")
                x, c = E.Variable(X.copy()), E.Variable(10 * X)
                t = x + c
                y = E.sum(t)
                self.backward_keeping_grads(y)
                for name, v in (("t", t), ("x", x), ("c", c)):
                    g = E.grad_of(v)
                    self.assertIsNotNone(g, f"{self.clause}: {name}.grad is None")
                    self.assertValues(g, np.ones((2, 3)), f"{name}.grad of sum(x + c)", EXACT,
                                      "ones")
        if self.applies("sin_cos", part="sin of a (2, 3) tensor"):
            with self.subTest("sin(X)"):
                y, gx = self.grad(E.sin, X.copy(), self.seed_for(X))
                self.assertValues(gx, np.cos(X), "the gradient of sin at [[1, 2, 3], [4, 5, 6]]",
                                  self.ulps(4), "cos, rounded by the engine's library")
        base = seed()
        for k, (expr, cap) in enumerate(ELEMENTWISE):
            if cap is not None and not self.applies(cap, part=expr):
                continue
            for j, shape in enumerate(SHAPES):  # gy drawn too: not ones, which * and / share
                self.check_inputs(expr, [draw(base + 10 * k + j, shape)],
                                  draw(base + 100 + 10 * k + j, shape), seed=base)
            self.check_inputs(expr, [draw(base + 10 * k, (2, 3), np.float32)], seed=base)

    def test_s47_reshape(self):
        ("""S47 (step 38): reshape(x, shape), and x.reshape(6), x.reshape((6,)), """
         """x.reshape(3, 2): the values in numpy's order, the gradient reshaped back to the """
         """input's shape.""")
        self.require("tensor_shape")
        gy = np.arange(6.0)
        for shape in ((6,), (3, 2), (1, 6, 1)):
            with self.subTest(f"reshape(X, {shape})"):
                y, (gx,) = self.grads_of(f"E.reshape(a, {shape})", [X], gy.reshape(shape))
                self.assertValues(y, X.reshape(shape), f"reshape(X, {shape})", EXACT, "a copy")
                self.assertValues(gx, gy.reshape(2, 3), f"the gradient of reshape(X, {shape})",
                                  EXACT, "the output gradient, reshaped")
        if self.applies("tensor_methods", part="the method x.reshape"):
            for args in ("6", "(6,)", "3, 2"):
                with self.subTest(f"x.reshape({args})"):
                    shape = eval(f"np.empty(6).reshape({args}).shape")  # the suite's own text
                    y, (gx,) = self.grads_of(f"a.reshape({args})", [X], gy.reshape(shape))
                    self.assertValues(y, X.reshape(shape), f"x.reshape({args})", EXACT,
                                      "a copy")
                    self.assertValues(gx, gy.reshape(2, 3), f"the gradient of x.reshape({args})",
                                      EXACT, "the output gradient, reshaped")
        base = seed()
        for k, (src, dst) in enumerate((((2, 3, 4), (4, 6)), ((24,), (2, 3, 4)), ((), (1, 1)),
                                        ((2, 3), (6, 1)))):
            self.check_inputs(f"E.reshape(a, {dst}) * E.reshape(a, {dst})",
                              [draw(base + k, src)], seed=base)

    def test_s48_transpose(self):
        ("""S48 (step 38): transpose(x, axes=None) and x.transpose(), x.transpose(1, 0, 3, 2), """
         """x.transpose((1, 0, 3, 2)), x.T: X.T is [[1, 4], [2, 5], [3, 6]]; the gradient comes """
         """back transposed by the inverse permutation, in the input's shape: (1, 2, 0) and """
         """(-1, 0, 1) on a (2, 3, 4) x.""")
        self.require("tensor_shape")
        with self.subTest("transpose(X)"):
            gy = np.array([[1.0, 2], [3, 4], [5, 6]])
            y, (gx,) = self.grads_of("E.transpose(a)", [X], gy)
            self.assertValues(y, X.T, "transpose(X)", EXACT, "a copy")
            self.assertValues(gx, gy.T, "the gradient of transpose(X)", EXACT, "gy transposed")
        x = np.arange(24.0).reshape(1, 2, 3, 4)
        W = np.arange(24.0).reshape(2, 1, 4, 3)
        with self.subTest("transpose(x, (1, 0, 3, 2)) seeded with W"):
            y, (gx,) = self.grads_of("E.transpose(a, (1, 0, 3, 2))", [x], W)
            self.assertValues(y, x.transpose(1, 0, 3, 2), "transpose(x, (1, 0, 3, 2))", EXACT,
                              "a copy")
            self.assertValues(gx, W.transpose(1, 0, 3, 2), "x.grad", EXACT, "W transposed back")
        if self.applies("sum", part="sum(transpose(x, (1, 0, 3, 2)) * W)"):
            with self.subTest("sum(transpose(x, (1, 0, 3, 2)) * W)"):
                y, (gx, _) = self.grads_of("E.sum(E.transpose(a, (1, 0, 3, 2)) * b)", [x, W])
                self.assertValues(y, np.array(4192.0), "sum(transpose(x, (1, 0, 3, 2)) * W)",
                                  EXACT, "a sum of integers")
                self.assertValues(gx, W.transpose(1, 0, 3, 2), "x.grad", EXACT,
                                  "W transposed back")
        base = seed()
        for k, axes in enumerate(((1, 2, 0), (-1, 0, 1), (2, 0, 1), None)):
            with self.subTest(f"transpose(x, {axes}) on (2, 3, 4)"):
                a = draw(base + k, (2, 3, 4))
                out = a.transpose(axes)
                gy = draw(base + 10 + k, out.shape)
                y, (gx,) = self.grads_of(f"E.transpose(a, {axes})", [a], gy)
                self.assertValues(y, out, f"transpose(x, {axes})", EXACT, "a copy")
                inverse = None if axes is None else tuple(np.argsort([i % 3 for i in axes]))
                self.assertValues(gx, gy.transpose(inverse), f"the gradient of transpose(x, "
                                  f"{axes})", EXACT, "gy transposed by the inverse permutation")
        if self.applies("tensor_methods", part="the methods x.transpose() and x.T"):
            gy = np.arange(24.0).reshape(4, 3, 2, 1)
            for expr, want, g in (("a.transpose()", x.transpose(), gy.transpose()),
                                  ("a.T", x.T, gy.transpose()),
                                  ("a.transpose(1, 0, 3, 2)", x.transpose(1, 0, 3, 2),
                                   W.transpose(1, 0, 3, 2)),
                                  ("a.transpose((1, 0, 3, 2))", x.transpose(1, 0, 3, 2),
                                   W.transpose(1, 0, 3, 2))):
                with self.subTest(expr):
                    seed_ = gy if "1, 0" not in expr else W
                    y, (gx,) = self.grads_of(expr, [x], seed_)
                    self.assertValues(y, want, expr, EXACT, "a copy")
                    self.assertValues(gx, g, f"the gradient of {expr}", EXACT,
                                      "gy transposed back")

    def test_s49_sum(self):
        ("""S49 (step 39): sum(x, axis=None, keepdims=False), function and method: axis None, """
         """an int, a negative int or a tuple, keepdims both ways; sum(X, axis=0) is [5, 7, 9], """
         """sum(X * X, axis=1, keepdims=True) [[14], [77]] with grad 2X; the gradient spreads """
         """gy over exactly the summed axes.""")
        self.require("sum")
        for expr, want, gy, gwant in (
                ("E.sum(a, axis=0)", [5.0, 7, 9], None, np.ones((2, 3))),
                ("E.sum(a * a, axis=1, keepdims=True)", [[14.0], [77]], None, 2 * X),
                ("E.sum(a)", 21.0, None, np.ones((2, 3))),
                ("E.sum(a, axis=-1)", [6.0, 15], np.array([1.0, 2]), [[1.0] * 3, [2.0] * 3])):
            with self.subTest(expr):
                y, (gx,) = self.grads_of(expr, [X], gy)
                self.assertValues(y, np.array(want), f"{expr} at X", EXACT, "sums of integers")
                self.assertValues(gx, np.array(gwant), f"the gradient of {expr} at X", EXACT,
                                  "gy spread over the summed axes")
        with self.subTest("sum(x, keepdims=True) of a (2, 3, 4, 5) x"):
            y, (gx,) = self.grads_of("E.sum(a, keepdims=True)",
                                     [np.arange(120.0).reshape(2, 3, 4, 5)])
            self.assertValues(y, np.full((1, 1, 1, 1), 7140.0), "sum(arange(120), keepdims=True)",
                              EXACT, "a sum of integers")
        base = seed()
        for k, (axis, keep) in enumerate(SUMS):
            with self.subTest(f"sum(x, axis={axis}, keepdims={keep}) on (2, 3, 4)"):
                a = draw(base + k, (2, 3, 4))
                want = a.sum(axis=axis, keepdims=keep)
                gy = draw(base + 20 + k, np.shape(want))
                y, (gx,) = self.grads_of(f"E.sum(a, axis={axis}, keepdims={keep})", [a], gy)
                self.assertValues(y, want, f"sum(x, axis={axis}, keepdims={keep})",
                                  self.ulps(4), "a sum of at most 24 terms of both signs, in "
                                  "any order: that many ulps of the sum of their magnitudes",
                                  atol=self.ulps(24) * np.abs(a).sum(axis=axis).max())
                spread = np.broadcast_to(gy.reshape(a.sum(axis=axis, keepdims=True).shape),
                                         a.shape)
                self.assertValues(gx, spread, f"the gradient of sum(x, axis={axis}, "
                                  f"keepdims={keep})", EXACT, "gy copied along the summed axes")
        if self.applies("tensor_methods", part="the method x.sum"):
            for args, want in (("", 21.0), ("axis=0", [5.0, 7, 9]),
                               ("axis=1, keepdims=True", [[6.0], [15]])):
                with self.subTest(f"x.sum({args})"):
                    y, (gx,) = self.grads_of(f"a.sum({args})", [X])
                    self.assertValues(y, np.array(want), f"X.sum({args})", EXACT,
                                      "sums of integers")
                    self.assertValues(gx, np.ones((2, 3)), f"the gradient of X.sum({args})",
                                      EXACT, "ones")

    def test_s50_broadcast_to_and_sum_to(self):
        ("""S50 (step 40): broadcast_to(x, shape) and sum_to(x, shape), each the other's """
         """backward: broadcast_to([1, 2, 3], (2, 3)) has grad [2, 2, 2], of a (2, 1) column """
         """[[3], [3]]; sum_to(X, (1, 3)) is [[5, 7, 9]], (2, 1) [[6], [15]], (3,) [5, 7, 9].""")
        self.require("broadcast")
        for expr, x, want, gwant in (
                ("E.broadcast_to(a, (2, 3))", np.array([1.0, 2, 3]), [[1.0, 2, 3]] * 2, [2.0] * 3),
                ("E.broadcast_to(a, (2, 3))", np.array([[1.0], [2]]), [[1.0] * 3, [2.0] * 3],
                 [[3.0], [3]]),
                ("E.sum_to(a, (1, 3))", X, [[5.0, 7, 9]], np.ones((2, 3))),
                ("E.sum_to(a, (2, 1))", X, [[6.0], [15]], np.ones((2, 3))),
                ("E.sum_to(a, (3,))", X, [5.0, 7, 9], np.ones((2, 3)))):
            with self.subTest(f"{expr} of {x.tolist()}"):
                y, (gx,) = self.grads_of(expr, [x])
                self.assertValues(y, np.array(want), f"{expr} of {x.tolist()}", EXACT,
                                  "copies and sums of integers")
                self.assertValues(gx, np.array(gwant), f"the gradient of {expr}", EXACT,
                                  "ones summed back, or spread")
        base = seed()
        for k, (src, dst) in enumerate(BROADCASTS):
            self.check_inputs(f"E.broadcast_to(a, {dst})", [draw(base + k, src)],
                              draw(base + 10 + k, dst), seed=base)
            # positive terms: a sum that cancels is rounded beyond what the checker can see
            self.check_inputs(f"E.sum_to(a, {src})", [np.abs(draw(base + 20 + k, dst)) + 0.5],
                              draw(base + 30 + k, src), seed=base)

    def test_s51_broadcasting_operators(self):
        ("""S51 (step 40): + - * / broadcast like numpy, and their backward sums the gradient """
         """back to each input's shape, the smaller operand on either side: [1, 2, 3] + [10] """
         """gives grads [1, 1, 1] and [3]; sum(a*b - b/a) with a = X, b = [10, 20, 30] is """
         """418.5, b.grad [3.75, 6.3, 8.5]; sum(X - b), sum(X / b), sum(b * X) give b.grad """
         """[-2, -2, -2], [-0.05, -0.0175, -0.01], [5, 7, 9].""")
        self.require("vector", "operators")
        with self.subTest("[1, 2, 3] + [10]"):
            y, (g0, g1) = self.grads_of("a + b", [np.array([1.0, 2, 3]), np.array([10.0])])
            self.assertValues(y, np.array([11.0, 12, 13]), "[1, 2, 3] + [10]", EXACT, "sums")
            self.assertValues(g0, np.ones(3), "the gradient of [1, 2, 3]", EXACT, "ones")
            self.assertValues(g1, np.array([3.0]), "the gradient of [10]", EXACT,
                              "three ones summed")
        b = np.array([10.0, 20, 30])
        if self.applies("sum", part="the contract's sums"):
            for expr, want, ga, gb, rtol in (
                    ("E.sum(a * b - b / a)", 418.5,
                     [[20, 25, 33.333333333333336], [10.625, 20.8, 30.833333333333332]],
                     [3.75, 6.3, 8.5], self.ulps(4)),
                    ("E.sum(a - b)", -99.0, np.ones((2, 3)), [-2.0, -2, -2], EXACT),
                    ("E.sum(a / b)", 1.15, [[0.1, 0.05, 1 / 30]] * 2, [-0.05, -0.0175, -0.01],
                     self.ulps(4)),
                    ("E.sum(b * a)", 460.0, [[10.0, 20, 30]] * 2, [5.0, 7, 9], EXACT)):
                with self.subTest(f"{expr} with a = X, b = [10, 20, 30]"):
                    y, (gx, gb_) = self.grads_of(expr, [X, b])
                    self.assertValues(y, np.array(want), expr, self.ulps(4),
                                      "a few roundings, summed in any order")
                    self.assertValues(gx, np.array(ga), f"a.grad of {expr}", rtol,
                                      "a division or two")
                    self.assertValues(gb_, np.array(gb), f"b.grad of {expr}", self.ulps(4),
                                      "two rows summed")
        base = seed()
        for k, (sa, sb) in enumerate(PAIRS):
            out = np.broadcast_shapes(sa, sb)
            gy = draw(base + 40 + k, out)
            for j, expr in enumerate(("a + b", "a - b", "a * b", "a / b")):
                arrays = [draw(base + 100 * j + k, sa),
                          draw(base + 100 * j + 50 + k, sb, divisor=expr == "a / b")]
                self.check_inputs(expr, arrays, gy, seed=base)
        arrays = [draw(base, (2, 3), np.float32), draw(base + 1, (3,), np.float32, True)]
        for expr in ("a * b", "b / a + a"):
            self.check_inputs(expr, arrays if expr == "a * b" else arrays[::-1], seed=base)

    def test_s52_matmul(self):
        ("""S52 (step 41): matmul(x, W): X @ [[1, 0], [0, 1], [1, 1]] is [[4, 5], [10, 11]], """
         """x.grad [[1, 1, 2], [1, 1, 2]] = gy W^T, W.grad [[5, 5], [7, 7], [9, 9]] = x^T gy.""")
        self.require("matmul")
        W = np.array([[1.0, 0], [0, 1], [1, 1]])
        with self.subTest("matmul(X, W)"):
            y, (gx, gW) = self.grads_of("E.matmul(a, b)", [X, W])
            self.assertValues(y, np.array([[4.0, 5], [10, 11]]), "matmul(X, W)", EXACT,
                              "sums of small integers")
            self.assertValues(gx, np.array([[1.0, 1, 2], [1, 1, 2]]), "x.grad", EXACT, "gy W^T")
            self.assertValues(gW, np.array([[5.0, 5], [7, 7], [9, 9]]), "W.grad", EXACT, "x^T gy")
        base = seed()
        for k, (sa, sb) in enumerate(MATMULS):
            gy = draw(base + 10 + k, (sa[0], sb[1]))
            self.check_inputs("E.matmul(a, b)", [draw(base + k, sa), draw(base + 20 + k, sb)],
                              gy, seed=base)


class TestTensorOps(TensorOpsClauses, unittest.TestCase):
    pass
