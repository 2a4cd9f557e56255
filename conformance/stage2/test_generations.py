"""Steps 15-17: backward in generation order, each Function once, and graphs freed by
reference counting alone."""
import gc
import unittest
import weakref

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    heavy,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)

# (name, expr over x, points, y(x), d/dx): a node reached along paths of different lengths.
SHARED = (
    ("a = square(x); y = add(square(a), square(a))",
     "(lambda a: E.add(E.square(a), E.square(a)))(E.square(x))", (2.0, 1.5, -0.5),
     lambda x: 2 * x ** 4, lambda x: 8 * x ** 3),
    ("a = square(x); y = add(square(square(a)), a)",
     "(lambda a: E.add(E.square(E.square(a)), a))(E.square(x))", (1.25, -0.75),
     lambda x: x ** 8 + x ** 2, lambda x: 8 * x ** 7 + 2 * x),
    ("a = square(x); y = add(a, square(square(a)))",
     "(lambda a: E.add(a, E.square(E.square(a))))(E.square(x))", (1.25,),
     lambda x: x ** 8 + x ** 2, lambda x: 8 * x ** 7 + 2 * x),
    # A Function's generation is the largest of its inputs': one taken from the first (or
    # last) input alone runs square(t)'s chain before add(x, t) has passed t its grad.
    ("t = square(square(square(x))); y = add(add(x, t), t)",
     "(lambda t: E.add(E.add(x, t), t))(E.square(E.square(E.square(x))))", (1.25, -0.5),
     lambda x: x + 2 * x ** 8, lambda x: 1 + 16 * x ** 7),
    ("t = square(square(square(x))); y = add(add(t, x), t)",
     "(lambda t: E.add(E.add(t, x), t))(E.square(E.square(E.square(x))))", (0.75,),
     lambda x: x + 2 * x ** 8, lambda x: 1 + 16 * x ** 7),
    ("a = square(x); y = add(add(square(a), a), x)",
     "(lambda a: E.add(E.add(E.square(a), a), x))(E.square(x))", (0.5, -2.0),
     lambda x: x ** 4 + x ** 2 + x, lambda x: 4 * x ** 3 + 2 * x + 1),
    ("a = square(x); b = add(a, a); y = add(square(b), a)",
     "(lambda a: (lambda b: E.add(E.square(b), a))(E.add(a, a)))(E.square(x))", (1.5, -1.0),
     lambda x: 4 * x ** 4 + x ** 2, lambda x: 16 * x ** 3 + 2 * x),
)
DOUBLINGS = 50
COUNTED = 12  # doublings counted with the kit's own Function: 12 visits, or 4095 per path


class GenerationClauses(Clauses):

    def test_s22_backward_in_generation_order(self):
        ("""S22 (step 16): backward visits a Function after every Function that uses its """
         """outputs: a = square(x); y = add(square(a), square(a)) at 2.0 gives 32.0, x.grad """
         """64.0 (not 96.0).""")
        E = self.engine
        self.require("add")
        for name, expr, points, f, df in SHARED:
            fn = self.expression(expr)
            for x in points:
                with self.subTest(f"{name} at {x}"):
                    y, gx = self.grad(fn, np.array(x))
                    self.assertValues(y, np.array(f(x)), f"{name} at {x}", self.square_rtol(),
                                      "exact squares and sums")
                    self.assertValues(gx, np.array(df(x)), f"x.grad of {name} at {x}",
                                      self.square_rtol(), "exact: a Function run before all "
                                      "its outputs' grads are in gives a wrong sum")
        if self.applies("variable", "retains_grads", part="an intermediate's retained grad"):
            for name, build, grads in (
                    ("t = add(x, x); y = add(t, t)",
                     lambda x: (lambda t: {"t": t, "y": E.add(t, t)})(E.add(x, x)),
                     {"y": 1.0, "t": 2.0, "x": 4.0}),
                    ("t = square(x); y = add(t, t)",
                     lambda x: (lambda t: {"t": t, "y": E.add(t, t)})(E.square(x)),
                     {"y": 1.0, "t": 2.0, "x": 12.0})):
                with self.subTest(f"{name} at 3.0, grads retained"):
                    self.check_retained_grads(name, build, grads, "t's creator runs once, "
                                              "after both uses of t")
        with self.subTest("t = add(x0, x1); y = add(x0, t) at 1.0, 1.0"):
            if self.applies("many_inputs"):
                _, (g0, g1) = self.grads(self.function("x0, x1", "E.add(x0, E.add(x0, x1))"),
                                         [np.array(1.0), np.array(1.0)])
                self.assertValues(g0, np.array(2.0), "x0.grad of add(x0, add(x0, x1))", EXACT,
                                  "exact")
                self.assertValues(g1, np.array(1.0), "x1.grad of add(x0, add(x0, x1))", EXACT,
                                  "exact")

    @heavy
    def test_s23_each_function_runs_once(self):
        ("""S23 (step 16): backward runs each Function once: 50 doublings y = add(y, y) give y """
         """and x.grad 2**50 exactly, in bounded time.""")
        E = self.engine
        self.require("add")
        counted = None
        if self.applies("variable", "function_classes", part="counting backward calls"):
            with self.subTest(f"{COUNTED} doublings with the kit's own Function, counted"):
                calls = []
                Twice = type("Twice", (E.Function,), {
                    "forward": lambda self, x0, x1: x0 + x1,
                    "backward": lambda self, gy: calls.append(1) or (gy, gy)})
                self.call(f"calls = []\nTwice = type('Twice', (E.Function,), {{'forward': lambda "
                          f"self, x0, x1: x0 + x1, 'backward': lambda self, gy: calls.append(1) "
                          f"or (gy, gy)}})\nx = E.Variable(np.array(1.0))\ny = x\n"
                          f"for _ in range({COUNTED}):\n    y = Twice()(y, y)\ny.backward()\n"
                          f"print(len(calls), E.grad_of(x))")
                x = E.Variable(np.array(1.0))
                y = x
                for _ in range(COUNTED):
                    y = Twice()(y, y)
                y.backward()
                counted = len(calls)
                if len(calls) != COUNTED:
                    self.fail(f"{self.clause}: backward through {COUNTED} doublings ran the "
                              f"Functions' backward {len(calls)} times, must be {COUNTED} (once "
                              f"each); {DOUBLINGS} doublings would take 2**{DOUBLINGS} runs")
                self.assertValues(E.grad_of(x), np.array(2.0 ** COUNTED), f"x.grad after "
                                  f"{COUNTED} doublings", EXACT, "powers of two are exact")
        if counted not in (None, COUNTED):
            return  # an engine that walks every path would take 2**50 runs here
        with self.subTest(f"{DOUBLINGS} doublings y = add(y, y) from 1.0"):
            fn = self.expression(f"__import__('functools').reduce(lambda y, _: E.add(y, y), "
                                 f"range({DOUBLINGS}), x)")
            y, gx = self.grad(fn, np.array(1.0))
            for what, got in (("y", y), ("x.grad", gx)):
                self.assertValues(got, np.array(2.0 ** DOUBLINGS), f"{what} after {DOUBLINGS} "
                                  f"doublings y = add(y, y) from 1.0", EXACT,
                                  "powers of two are exact: 1125899906842624.0")

    def test_s24_graphs_are_freed_by_reference_counting(self):
        ("""S24 (step 17): with the cyclic garbage collector off, a graph is freed once its """
         """output is dropped: Functions hold outputs weakly.""")
        E = self.engine
        self.require("variable", "add")
        graphs = (("a = square(x); y = add(square(a), a)", False),
                  ("a = square(x); y = add(square(a), a), then y.backward()", True))
        enabled = gc.isenabled()
        gc.disable()
        try:
            for name, backward in graphs:
                with self.subTest(name):
                    x = E.Variable(np.array(2.0))
                    a = E.square(x)
                    b = E.square(a)
                    y = E.add(b, a)
                    try:
                        refs = {"y": weakref.ref(y), "a": weakref.ref(a), "b": weakref.ref(b)}
                    except TypeError as exc:
                        self.skipTest(f"{E.NAME}'s Variables take no weak references ({exc})")
                    if self.has("graph_links"):
                        refs.update({"y.creator": weakref.ref(E.creator_of(y)),
                                     "a.creator": weakref.ref(E.creator_of(a))})
                    if backward:
                        y.backward()
                    del a, b, y
                    alive = [n for n, r in refs.items() if r() is not None]
                    if alive:
                        self.fail(f"{self.clause}: after `{name}` and `del a, b, y`, with "
                                  f"gc disabled, {', '.join(alive)} still alive: a reference "
                                  f"cycle (a Function holding its output strongly) keeps the "
                                  f"graph until the cyclic collector runs")
        finally:
            if enabled:
                gc.enable()


class TestGenerations(GenerationClauses, unittest.TestCase):
    pass
