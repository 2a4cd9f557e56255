"""Steps 44-45: Parameter, Layer (registration by attribute), the lazy Linear layer, Model and
MLP."""
import unittest

import numpy as np

from dezero_conformance.conformance.stage4.tensor_support import TensorClauses, draw
from dezero_conformance.conformance.support import (
    EXACT,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
    show,
)

# A fresh Linear(OUT) called on a (1, IN) input: IN * OUT weights whose spread must be
# sqrt(1 / IN); the sample's standard deviation is within 1% of it (1/sqrt(2 n) = 0.35%).
SCALE_IN, SCALE_OUT = 400, 100
SCALE_RTOL = 0.05  # far outside the sample's spread (14 standard errors): a wrong scale only


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class LayerClauses(TensorClauses):

    def ids(self, params):
        return sorted(id(p) for p in params)

    def check_params(self, layer, want, what):
        """E.params(layer) holds exactly the Parameters `want`, each once."""
        got = self.engine.params(layer)
        names = {id(p): name for name, p in want.items()}
        seen = [names.get(id(p), f"an unexpected {type(p).__name__}") for p in got]
        if sorted(seen) != sorted(want) or len(got) != len(want):
            self.fail(f"{self.clause}: params() of {what} gave {len(got)}: {', '.join(seen)}; "
                      f"must give each of {', '.join(want)} once")

    def test_s57_layers_register_parameters(self):
        ("""S57 (step 44): a Layer registers the Parameters and Layers assigned as its """
         """attributes, not plain Variables: params() yields each Parameter once, nested """
         """Layers' too, the new one when an attribute is reassigned; cleargrads() resets every """
         """parameter's grad; calling a Layer calls its forward.""")
        E = self.engine
        self.require("layers", "operators")
        if self.applies("variable", part="Parameter is a Variable"):
            with self.subTest("Parameter is a Variable"):
                p = E.Parameter(np.array([1.0, 2.0]))
                if not isinstance(p, E.Variable):
                    self.fail(f"{self.clause}: Parameter(...) is a {type(p).__name__}, not a "
                              f"Variable")
        a = [np.array([1.0, 2.0]), np.array([[3.0]]), np.array([4.0, 5, 6])]
        self.call("layer = E.Layer()\nlayer.p1 = E.Parameter(np.array([1.0, 2.0]))\n"
                  "layer.sub = E.Layer()\nlayer.sub.p3 = E.Parameter(np.array([4.0, 5, 6]))\n"
                  "print(E.params(layer))")
        layer, sub = E.Layer(), E.Layer()
        p1, p2, p3 = (E.Parameter(x.copy()) for x in a)
        layer.p1 = p1
        layer.p2 = p2
        layer.sub = sub
        sub.p3 = p3
        layer.data = np.array([7.0])  # an array attribute: not a parameter
        with self.subTest("params() of a layer with a nested layer"):
            self.check_params(layer, {"p1": p1, "p2": p2, "sub.p3": p3}, "the layer")
        if self.applies("variable", part="a plain Variable attribute"):
            with self.subTest("a plain Variable attribute is not a parameter"):
                plain = E.Layer()
                plain.v = E.Variable(np.array([1.0]))
                self.check_params(plain, {}, "a Layer holding only a plain Variable")
                layer.v = E.Variable(np.array([8.0]))
                self.check_params(layer, {"p1": p1, "p2": p2, "sub.p3": p3},
                                  "the layer after layer.v = Variable(...)")
        with self.subTest("cleargrads()"):
            loss = E.sum(p1 * E.leaf(np.array([0.5, -1.0]))) + E.sum(p2 * p2) + E.sum(p3)
            E.backward(loss)
            self.assertValues(E.grad_of(p1), np.array([0.5, -1.0]), "p1.grad", EXACT, "given")
            self.assertValues(E.grad_of(p2), np.array([[6.0]]), "p2.grad", EXACT, "2 p2")
            E.cleargrads(layer)
            for name, p in (("p1", p1), ("p2", p2), ("sub.p3", p3)):
                g = E.grad_of(p)
                if g is not None:
                    self.fail(f"{self.clause}: {name}.grad is {show(g)} after cleargrads(), "
                              f"must be None")
        with self.subTest("an attribute reassigned"):
            new = E.Parameter(np.array([9.0, 9.0]))
            layer.p1 = new
            self.check_params(layer, {"p1 (the new one)": new, "p2": p2, "sub.p3": p3},
                              "the layer after layer.p1 = Parameter(...)")
        with self.subTest("calling a Layer calls forward"):
            Scale = type("Scale", (E.Layer,), {"forward": lambda self, x: x * self.w})
            scale = Scale()
            scale.w = E.Parameter(np.array([2.0, -3.0]))
            y = scale(E.leaf(np.array([[1.0, 1.0], [0.5, 2.0]])))
            self.assertValues(E.value(y), np.array([[2.0, -3.0], [1.0, -6.0]]),
                              "a Layer whose forward is x * w", EXACT, "products of halves")

    def test_s58_linear_layer(self):
        ("""S58 (step 44): Linear(out_size) makes W (in, out) lazily, in_size from its first """
         """input: before its first call W is None and b zeros (out,) float32; after a (5, 2) """
         """input W is (2, 3), float32 (or float64 under numpy 2), drawn with standard """
         """deviation sqrt(1/in); nobias=True has no b; the output is x W + b, and the """
         """gradient reaches W and b.""")
        E = self.engine
        self.require("layers")
        layer = E.Linear(3)
        with self.subTest("before the first call"):
            W, b = E.weights(layer)
            if W is not None:
                self.fail(f"{self.clause}: Linear(3)'s W is {show(W)} before its first call; "
                          f"in_size is not known until then, so W must be None")
            self.assertValues(b, np.zeros(3), "Linear(3)'s b", EXACT, "zeros", dtype=np.float32)
        base = seed()
        x = draw(base, (5, 2))
        gy = draw(base + 1, (5, 3))
        with self.subTest("after a (5, 2) input"):
            y = layer(E.leaf(x.copy()))
            W, b = E.weights(layer)
            if W is None or np.shape(W) != (2, 3):
                self.fail(f"{self.clause}: after a (5, 2) input, W is {show(W)}; must be (2, 3)")
            if np.asarray(W).dtype not in (np.float32, np.float64):
                self.fail(f"{self.clause}: W has dtype {np.asarray(W).dtype}; must be float32")
            self.assertValues(b, np.zeros(3), "b after the first call", EXACT, "zeros",
                              dtype=np.float32)
            want = x @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
            self.assertValues(E.value(y), want, "Linear(3) of a (5, 2) x", self.ulps(8),
                              "x W + b, a few roundings")
        with self.subTest("the gradient reaches W and b"):
            E.cleargrads(layer)
            E.backward(E.sum(layer(E.leaf(x.copy())) * E.leaf(gy.copy())))
            grads = {}
            for p in E.params(layer):
                v, g = np.asarray(E.value(p)), E.grad_of(p)
                if g is None:
                    self.fail(f"{self.clause}: a parameter of shape {v.shape} has grad None "
                              f"after backward")
                grads[v.shape] = (v, np.asarray(g, np.float64))
            for shape, want, name in (((2, 3), x.T @ gy, "W"), ((3,), gy.sum(axis=0), "b")):
                if shape not in grads and shape[::-1] in grads:  # kept (out, in) by the engine
                    shape, want = shape[::-1], want.T
                if shape not in grads:
                    self.fail(f"{self.clause}: params() has no parameter of {name}'s shape "
                              f"{shape}: {sorted(grads)}")
                self.assertValues(grads[shape][1], want, f"{name}.grad", self.ulps(8),
                                  "x^T gy or gy summed over rows")
            self.assertEqual(len(grads), 2, f"{self.clause}: Linear has 2 parameters")
        with self.subTest("nobias=True"):
            nobias = E.Linear(3, nobias=True)
            y = nobias(E.leaf(x.copy()))
            W, b = E.weights(nobias)
            if b is not None:
                self.fail(f"{self.clause}: Linear(3, nobias=True) has b {show(b)}; must be None")
            self.assertValues(E.value(y), x @ np.asarray(W, np.float64), "Linear(3, nobias=True)"
                              " of a (5, 2) x", self.ulps(8), "x W, a few roundings")
            self.assertEqual(len(E.params(nobias)), 1, f"{self.clause}: Linear(3, nobias=True) "
                                                       f"has 1 parameter")
        with self.subTest(f"the scale of a fresh Linear({SCALE_OUT}) on {SCALE_IN} inputs"):
            wide = E.Linear(SCALE_OUT)
            wide(E.leaf(np.zeros((1, SCALE_IN))))
            W = np.asarray(E.weights(wide)[0], np.float64)
            spread, want = W.std(), np.sqrt(1 / SCALE_IN)
            if abs(spread - want) > SCALE_RTOL * want or abs(W.mean()) > SCALE_RTOL * want:
                self.fail(f"{self.clause}: a fresh Linear({SCALE_OUT})'s W on {SCALE_IN} inputs "
                          f"has mean {W.mean():.4g} and standard deviation {spread:.4g}; must "
                          f"be drawn with mean 0 and standard deviation sqrt(1/{SCALE_IN}) = "
                          f"{want:.4g} (within {SCALE_RTOL:.0%})")

    def test_s59_model_and_mlp(self):
        ("""S59 (step 45): a Model is a Layer of Layers whose params() yields every Parameter """
         """of its nested layers; MLP((10, 1)) has 4 parameters after its first call and, with """
         """its weights set by hand, its output is lin2(sigmoid(lin1(x))); the activation comes """
         """after every layer but the last.""")
        E = self.engine
        self.require("models", "linear")
        base = seed()
        x = draw(base, (5, 2))

        Net = type("Net", (E.Model,),
                   {"forward": lambda self, x: self.l2(E.sigmoid(self.l1(x)))})
        with self.subTest("a Model of two Linear layers"):
            net = Net()
            self.attach(net, "l1", E.Linear(4))
            self.attach(net, "l2", E.Linear(1))
            y = net(E.leaf(x.copy()))
            self.assertEqual(np.shape(E.value(y)), (5, 1), f"{self.clause}: the model's output")
            got = E.params(net)
            if len(got) != 4 or len({id(p) for p in got}) != 4:
                self.fail(f"{self.clause}: params() of a Model of two Linear layers gave "
                          f"{len(got)} parameters ({len({id(p) for p in got})} distinct); must "
                          f"give 4, each once")
        for sizes, act, name in (((10, 1), None, "sigmoid"), ((4, 3, 2), E.tanh, "tanh")):
            if act is not None and not self.applies("tanh", part="MLP with tanh"):
                continue
            with self.subTest(f"MLP({sizes}{'' if act is None else ', activation=tanh'})"):
                mlp = E.MLP(sizes) if act is None else E.MLP(sizes, activation=act)
                mlp(E.leaf(x.copy()))
                layers = E.mlp_layers(mlp)
                self.assertEqual(len(layers), len(sizes), f"{self.clause}: MLP({sizes}) has "
                                                          f"{len(sizes)} Linear layers")
                n = len(E.params(mlp))
                if n != 2 * len(sizes):
                    self.fail(f"{self.clause}: params() of MLP({sizes}) gave {n}; must give "
                              f"{2 * len(sizes)}")
                h, inputs, terms = x, 2, np.abs(x)
                for k, (layer, out) in enumerate(zip(layers, sizes)):
                    W, b = draw(base + 10 + k, (inputs, out)), draw(base + 20 + k, (out,))
                    E.set_weights(layer, W, b)
                    h, terms = h @ W + b, terms @ np.abs(W) + np.abs(b)
                    if k < len(sizes) - 1:
                        h = sigmoid(h) if act is None else np.tanh(h)
                        terms = np.ones_like(h)  # both at most 1 in magnitude
                    inputs = out
                y = mlp(E.leaf(x.copy()))
                self.assertValues(E.value(y), h, f"MLP({sizes}) with its weights set by hand",
                                  self.ulps(32), f"linear layers and {name}, each rounded: "
                                  "that many ulps of the output, or of its terms' magnitudes "
                                  "where they cancel", atol=self.ulps(32) * terms.max())


class TestLayers(LayerClauses, unittest.TestCase):
    pass
