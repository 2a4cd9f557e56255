"""Step 46: Optimizer (setup, update, hooks), SGD and MomentumSGD, exact over several steps
and several parameters."""
import unittest

import numpy as np

from dezero_conformance.conformance.stage4.tensor_support import TensorClauses, draw
from dezero_conformance.conformance.support import (
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
)

P1, P2 = np.array([1.0, 2.0]), np.array([3.0, 4.0])
G1, G2 = np.array([0.5, -1.0]), np.array([1.0, 2.0])
# A step is a multiply and an add per element; torch's momentum (b = mu b + g, p -= lr b)
# rounds differently from the book's (v = mu v - lr g, p += v): the contract measured
# 8.9e-16 after 50 steps.
STEP_ULPS = 8


class OptimizerClauses(TensorClauses):

    def model(self, *arrays):
        """A Layer holding a Parameter of each array, p0, p1, ...: (layer, [parameters])."""
        E = self.engine
        layer = E.Layer()
        params = []
        for k, a in enumerate(arrays):
            p = E.Parameter(np.array(a, dtype=np.float64))
            self.attach(layer, f"p{k}", p)
            params.append(p)
        if not hasattr(self, "params_of"):
            self.params_of = {}
        self.params_of[id(layer)] = params
        return layer, params

    def backward_with(self, layer, pairs):
        """Set each parameter's grad to g by a backward: every parameter's grad cleared (each
        by its cleargrad: cleargrads() is S57's), then sum(p * g) summed."""
        E = self.engine
        for p in self.params_of.get(id(layer), ()):
            E.cleargrad(p)
        loss = None
        for p, g in pairs:
            term = E.sum(p * E.leaf(np.array(g, dtype=np.float64)))
            loss = term if loss is None else loss + term
        E.backward(loss)

    def updated(self, make, arrays, grads_per_step):
        """Parameters of `arrays` after an update per step, each step's grads given by a
        backward (None: no grad for that parameter)."""
        E = self.engine
        layer, params = self.model(*arrays)
        optimizer = make().setup(layer)
        for grads in grads_per_step:
            self.backward_with(layer, [(p, g) for p, g in zip(params, grads) if g is not None])
            optimizer.update()
        return [np.asarray(E.value(p)) for p in params]

    def check_run(self, make, text, arrays, grads_per_step, wants, why="the contract's values"):
        self.call(f"layer = E.Layer(); layer.p0 = E.Parameter(...)  # and p1 ...\n"
                  f"optimizer = {text}.setup(layer)\n"
                  f"# then per step: cleargrad each p, backward of sum(p * g), "
                  f"optimizer.update()")
        got = self.updated(make, arrays, grads_per_step)
        for k, (g, want) in enumerate(zip(got, wants)):
            self.assertValues(g, np.array(want), f"p{k} after {len(grads_per_step)} update"
                              f"{'s' if len(grads_per_step) > 1 else ''} of {text} from "
                              f"{np.asarray(arrays[k]).tolist()}", self.ulps(STEP_ULPS), why)

    def test_s60_optimizer_setup_update_and_hooks(self):
        ("""S60 (step 46): Optimizer.setup(target) returns the optimizer; update() skips a """
         """parameter whose grad is None and first calls every hook added by add_hook(f), """
         """f(params), before any parameter changes: a hook that zeroes the grads leaves p at """
         """[1, 2].""")
        E = self.engine
        self.require("optimizers", "layers")
        layer, (p1, p2) = self.model(P1, P2)
        optimizer = E.SGD(lr=0.1)
        with self.subTest("setup returns the optimizer"):
            self.assertSame(optimizer.setup(layer), optimizer, "SGD(lr=0.1).setup(layer)",
                            "the optimizer itself")
        with self.subTest("a parameter without a grad is skipped"):
            self.backward_with(layer, [(p1, G1)])
            optimizer.update()
            self.assertValues(E.value(p1), np.array([0.95, 2.1]), "p1 after SGD(lr=0.1)",
                              self.ulps(STEP_ULPS), "one step")
            self.assertValues(E.value(p2), P2, "p2 (no grad) after SGD(lr=0.1)", 0.0,
                              "untouched")
        seen = []

        def record(params):
            seen.append([(id(p), np.array(E.value(p))) for p in params])
        with self.subTest("a hook sees the parameters before the update"):
            layer, (p1, p2) = self.model(P1, P2)
            optimizer = E.SGD(lr=0.1).setup(layer)
            optimizer.add_hook(record)
            self.backward_with(layer, [(p1, G1), (p2, G2)])
            optimizer.update()
            if len(seen) != 1:
                self.fail(f"{self.clause}: a hook added by add_hook was called {len(seen)} "
                          f"times in one update(); must be once")
            values = {i: v for i, v in seen[0]}
            for name, p, before in (("p1", p1, P1), ("p2", p2, P2)):
                if id(p) not in values:
                    self.fail(f"{self.clause}: the hook's params did not hold {name}")
                self.assertValues(values[id(p)], before, f"{name} as the hook saw it", 0.0,
                                  "the hook is called before any parameter changes")
        if self.applies("create_graph", part="a hook that zeroes the grads"):
            with self.subTest("a hook that zeroes the grads"):
                layer, (p1,) = self.model(P1)
                optimizer = E.SGD(lr=0.1).setup(layer)
                optimizer.add_hook(lambda params: [
                    E.set_value(E.grad_variable(p), np.zeros_like(np.asarray(E.grad_of(p))))
                    for p in params])
                self.backward_with(layer, [(p1, G1)])
                optimizer.update()
                self.assertValues(E.value(p1), P1, "p after an update whose hook zeroed the "
                                  "grads", 0.0, "the update reads the grads after the hooks")

    def test_s61_sgd(self):
        ("""S61 (step 46): SGD(lr=0.01): p -= lr * grad for every parameter: p [1, 2] with """
         """grad [0.5, -1] and lr 0.1 gives [0.95, 2.1]; the default lr is 0.01; several """
         """parameters over several steps.""")
        E = self.engine
        self.require("optimizers", "layers")
        self.check_run(lambda: E.SGD(lr=0.1), "E.SGD(lr=0.1)", [P1], [[G1]], [[0.95, 2.1]])
        self.check_run(lambda: E.SGD(), "E.SGD()", [P1], [[G1]], [P1 - 0.01 * G1],
                       "one step of the default lr 0.01")
        base = seed()
        arrays = [draw(base, (2, 3)), draw(base + 1, (3,)), draw(base + 2, ())]
        steps = [[draw(base + 10 * k + j, np.shape(a)) for j, a in enumerate(arrays)]
                 for k in range(1, 4)]
        wants = [a.copy() for a in arrays]
        for grads in steps:
            wants = [w - 0.25 * g for w, g in zip(wants, grads)]
        self.check_run(lambda: E.SGD(lr=0.25), "E.SGD(lr=0.25)", arrays, steps, wants,
                       "p -= lr g, three times, one rounding each")

    def test_s62_momentum_sgd(self):
        ("""S62 (step 46): MomentumSGD(lr=0.01, momentum=0.9): v = momentum v - lr grad, p += """
         """v, one v per parameter: p [1, 2], grad [0.5, -1], lr 0.1 gives [0.95, 2.1], then """
         """[0.855, 2.29]; with p2 [3, 4], grad [1, 2] beside it p2 ends at [2.71, 3.42].""")
        E = self.engine
        self.require("optimizers", "layers")
        make = lambda: E.MomentumSGD(lr=0.1, momentum=0.9)  # noqa: E731
        text = "E.MomentumSGD(lr=0.1, momentum=0.9)"
        with self.subTest("one parameter, once and twice"):
            self.check_run(make, text, [P1], [[G1]], [[0.95, 2.1]])
            self.check_run(make, text, [P1], [[G1], [G1]], [[0.855, 2.29]])
        with self.subTest("two parameters of the same shape"):
            self.check_run(make, text, [P1, P2], [[G1, G2], [G1, G2]],
                           [[0.855, 2.29], [2.71, 3.42]])
        with self.subTest("the defaults lr 0.01, momentum 0.9"):
            v = -0.01 * G1
            self.check_run(E.MomentumSGD, "E.MomentumSGD()", [P1], [[G1], [G1]],
                           [P1 + v + (0.9 * v - 0.01 * G1)], "two steps of the defaults")
        base = seed()
        arrays = [draw(base, (2, 3)), draw(base + 1, (2, 3)), draw(base + 2, (3,))]
        steps = [[draw(base + 10 * k + j, np.shape(a)) for j, a in enumerate(arrays)]
                 for k in range(1, 5)]
        steps[1][2] = None  # a step in which one parameter has no grad: skipped, v kept
        wants, vs = [a.copy() for a in arrays], [np.zeros_like(a) for a in arrays]
        for grads in steps:
            for j, g in enumerate(grads):
                if g is not None:
                    vs[j] = 0.5 * vs[j] - 0.25 * g
                    wants[j] = wants[j] + vs[j]
        with self.subTest("three parameters over four steps, one skipped once"):
            self.check_run(lambda: E.MomentumSGD(lr=0.25, momentum=0.5),
                           "E.MomentumSGD(lr=0.25, momentum=0.5)", arrays, steps, wants,
                           "v = momentum v - lr g; p += v, per parameter")


class TestOptimizers(OptimizerClauses, unittest.TestCase):
    pass
