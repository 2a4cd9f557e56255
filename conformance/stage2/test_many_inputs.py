"""Steps 11-13: Functions of many inputs (and outputs), add, and backward through them."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    show,
)

# (x0, x1) for add: exact sums, signs, shapes, dtypes (the sum keeps the inputs' dtype).
ADD = ((2.0, 3.0), (-1.5, 0.25), (0.0, -0.0), (1e300, 1e300), ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
       ([[0.5, -1.0], [2.0, 0.0]], [[1.5, 1.0], [-2.0, 7.0]]),
       (np.array([0.5, 1.25], dtype=np.float32), np.array([2.0, -0.25], dtype=np.float32)),
       (np.array(2), np.array(-5)))
# (name, args, expr, points, y(*xs), [d/dxi]): graphs through many-input functions, each
# input used once (a Variable used twice accumulates from step 14: S19).
MANY = (
    ("add(square(x), square(y))", "x, y", "E.add(E.square(x), E.square(y))",
     ((2.0, 3.0), (-1.5, 0.5), (0.0, 1e3), ([1.0, 2.0, 3.0], [4.0, -5.0, 0.5])),
     lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y)),
    ("add(x, square(y))", "x, y", "E.add(x, E.square(y))", ((3.0, -2.0), ([1.0, -1.0], [0.5, 4.0])),
     lambda x, y: x + y * y, lambda x, y: (np.ones_like(x), 2 * y)),
    ("square(add(add(x, y), z))", "x, y, z", "E.square(E.add(E.add(x, y), z))",
     ((1.0, 2.0, -0.5), (-0.5, 0.25, 3.0)),
     lambda x, y, z: (x + y + z) ** 2, lambda x, y, z: (2 * (x + y + z),) * 3),
    ("add(add(square(x), y), square(z))", "x, y, z", "E.add(E.add(E.square(x), y), E.square(z))",
     ((1.0, 2.0, 3.0), (-2.0, 0.5, -0.25)),
     lambda x, y, z: x * x + y + z * z, lambda x, y, z: (2 * x, np.ones_like(y), 2 * z)),
)


class ManyInputsClauses(Clauses):

    def test_s17_functions_take_many_inputs(self):
        ("""S17 (step 12): Function.__call__(*inputs) takes many Variables; add adds; one """
         """output comes back bare, several as a sequence in order.""")
        E = self.engine
        self.require("add")
        for x0, x1 in ADD:
            a0, a1 = np.array(x0), np.array(x1)
            with self.subTest(f"add on {a0.dtype} shape {a0.shape}"):
                if a0.ndim and not self.applies("vector"):
                    continue
                if a0.dtype.kind == "i" and not self.applies("integers"):
                    continue
                if np.abs(a0).max() > 1e38 and not self.applies("float64"):
                    continue  # beyond float32's range
                self.call(f"print(E.value(E.add(E.leaf({self.array_code(a0)}), "
                          f"E.leaf({self.array_code(a1)}))))")
                y = E.value(E.add(E.leaf(a0.copy()), E.leaf(a1.copy())))
                self.assertValues(y, a0 + a1, f"add({a0.tolist()}, {a1.tolist()})",
                                  EXACT if a0.dtype != np.float64 or self.has("float64")
                                  else self.square_rtol(), "one rounding, as numpy's",
                                  dtype=(a0 + a1).dtype if self.has("float64") else None)
        if not self.applies("variable", "function_classes", part="Function with many outputs"):
            return
        with self.subTest("a Function with two inputs and two outputs"):
            Split = type("Split", (E.Function,), {
                "forward": lambda self, x0, x1: (x0 + x1, x0 - x1),
                "backward": lambda self, gy0, gy1: (gy0 + gy1, gy0 - gy1)})
            self.call("Split = type('Split', (E.Function,), {'forward': lambda self, x0, x1: "
                      "(x0 + x1, x0 - x1), 'backward': lambda self, gy0, gy1: (gy0 + gy1, "
                      "gy0 - gy1)})\nys = Split()(E.Variable(np.array(5.0)), "
                      "E.Variable(np.array(3.0)))\nprint(type(ys), ys)")
            ys = Split()(E.Variable(np.array(5.0)), E.Variable(np.array(3.0)))
            if not isinstance(ys, (list, tuple)) or len(ys) != 2:  # the book's list, or a tuple
                self.fail(f"{self.clause}: a Function with two outputs must return them as a "
                          f"sequence of two Variables, in order, got {show(ys)}")
            for got, want in zip(ys, (8.0, 2.0)):
                self.assertSame(type(got), E.Variable, "the type of each output", "Variable")
                self.assertValues(E.value(got), np.array(want), "Split()(5.0, 3.0)", EXACT,
                                  "exact")
        with self.subTest("a Function with two inputs and one output"):
            Plus = type("Plus", (E.Function,), {"forward": lambda self, x0, x1: x0 + x1,
                                                "backward": lambda self, gy: (gy, gy)})
            y = Plus()(E.Variable(np.array(5.0)), E.Variable(np.array(3.0)))
            self.assertSame(type(y), E.Variable, "one output of Plus()(x0, x1)",
                            "a bare Variable, not a list")
            self.assertValues(E.value(y), np.array(8.0), "Plus()(5.0, 3.0)", EXACT, "exact")

    def test_s18_backward_through_many_inputs(self):
        ("""S18 (step 13): backward reaches every input: add(square(x), square(y)) at 2, 3 is """
         """13 with grads 4 and 6.""")
        self.require("add", "many_inputs")
        for name, args, expr, points, f, df in MANY:
            fn = self.function(args, expr)
            for xs in points:
                xs = [np.array(x, dtype=np.float64) for x in xs]
                if xs[0].ndim and not self.applies("vector"):
                    continue
                for gy in (None, 2.0):
                    with self.subTest(f"{name} at {[x.tolist() for x in xs]}, gy={gy}"):
                        if gy is not None and not self.applies("seed_grad"):
                            continue
                        g = None if gy is None else np.full(np.shape(f(*xs)), gy)
                        if g is None and xs[0].ndim and not self.applies("implicit_seed"):
                            continue
                        y, gxs = self.grads(fn, [x.copy() for x in xs], g)
                        self.assertValues(y, f(*xs), f"{name} at {[x.tolist() for x in xs]}",
                                          self.square_rtol(), "sums of exact squares")
                        self.assertEqual(len(gxs), len(xs),
                                         f"{self.clause}: one gradient per input")
                        for i, (gx, want) in enumerate(zip(gxs, df(*xs))):
                            self.assertValues(gx, want * (1.0 if gy is None else gy),
                                              f"gradient {i} of {name} at "
                                              f"{[x.tolist() for x in xs]} with gy={gy}",
                                              self.square_rtol(), "exact products")


class TestManyInputs(ManyInputsClauses, unittest.TestCase):
    pass
