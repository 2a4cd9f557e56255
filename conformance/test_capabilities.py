"""The adapter's word against the engine: each capability is probed with its smallest use."""
import unittest

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.conformance.support import (
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    step_of,
)


class Differs(Exception):
    """A probe ran the engine's construct and got another answer than the contract's (as
    opposed to an engine that refuses the construct: that raises the engine's own error)."""


def check(condition, message):
    if not condition:
        raise Differs(message)


def probe_variable(E):
    v = E.Variable(np.array(3.0))
    y = E.square(v)
    y.backward()  # whether x.grad is right is for the clauses to judge
    E.cleargrad(v)
    check(E.grad_of(v) is None, "grad_of(x) is not None after cleargrad(x)")


def probe_type_check(E):
    Variable = E.Variable  # an engine without one has nothing that could reject 1.0
    try:
        Variable(1.0)
    except Exception:
        return
    raise Differs("Variable(1.0) was accepted")


def probe_retains_grads(E):
    a = E.square(E.Variable(np.array(3.0)))
    E.square(a).backward()
    check(E.grad_of(a) is not None, "an intermediate's grad is None after y.backward()")


def probe_graph_links(E):
    v = E.Variable(np.array(3.0))
    f = E.creator_of(E.square(v))
    check(f is not None and E.input_of(f) is v, "square(v) has no creator whose input is v")


def probe_float64(E):
    dtype = np.asarray(E.value(E.square(E.leaf(np.array(1 / 3))))).dtype
    check(dtype == np.float64, f"square of a float64 input computes in {dtype}")


def probe_integers(E):
    y, gx = E.grad(E.square, np.array(3))
    check(np.asarray(y) == 9 and np.asarray(gx) == 6, (
        f"square of int 3 gave {np.asarray(y)!r} and gradient {np.asarray(gx)!r}"))


def probe_implicit_seed(E):
    # "Any shape of y": for an engine without vectors, that is the 0-d output alone.
    x = np.array(2.0) if "vector" in E.ABSENT else np.array([1.0, 2.0])
    E.grad(E.square, x)


def probe_vector(E):
    shape = np.shape(E.value(E.square(E.leaf(np.array([1.0, 2.0, 3.0])))))
    check(shape == (3,), f"square of a (3,) input has shape {shape}")


def probe_cleargrad(E):
    v = E.Variable(np.array(3.0))
    E.square(v).backward()
    E.cleargrad(v)
    check(E.grad_of(v) is None, "grad_of(x) is not None after cleargrad(x)")


def probe_many_inputs(E):
    _, gxs = E.grads(lambda a, b: E.add(a, E.square(b)), [np.array(1.0), np.array(2.0)])
    check(len(list(gxs)) == 2, f"grads of a two-input function gave {len(list(gxs))} gradients")


def probe_arithmetic(E):
    a, b = E.leaf(np.array(6.0)), E.leaf(np.array(2.0))
    for y in (E.mul(a, b), E.sub(a, b), E.div(a, b), E.neg(a), E.pow(a, 2)):
        E.value(y)


def probe_operators(E):
    a, b = E.leaf(np.array(6.0)), E.leaf(np.array(2.0))
    for y in (a + b, a * b, a - b, a / b, a ** 2, -a, 2.0 * a, 1.0 + a, 1.0 - a, 1.0 / a):
        E.value(y)


def probe_array_operands(E):
    x = np.array(1.0) if "vector" in E.ABSENT else np.array([1.0])
    E.value(E.leaf(x) * np.array(2.0))  # the engine's operator first: its answer, not numpy's
    E.value(np.array(2.0) * x + E.leaf(x))


def probe_retain_grad(E):
    x = E.Variable(np.array(3.0))
    y = E.square(E.square(x))
    E.backward(y, retain_grad=True)
    check(E.grad_of(y) is not None, "y.grad is None after backward(y, retain_grad=True)")


def probe_no_grad(E):
    with E.no_grad():
        y = E.square(E.leaf(np.array(2.0)))
    check(E.creator_of(y) is None, "square(x) under no_grad() has a creator")


def probe_config(E):
    check(E.Config.enable_backprop is True, "Config.enable_backprop is not True")
    with E.using_config("enable_backprop", False):
        check(E.Config.enable_backprop is False, "using_config did not set enable_backprop")


def probe_array_like(E):
    v = E.Variable(np.array([1.0, 2.0]), name="v")
    check((v.name, v.shape, v.ndim, v.size, len(v)) == ("v", (2,), 1, 2, 2), (
        "Variable's name, shape, ndim, size or len is not the array's"))


def probe_higher_order(E):
    fourth = lambda x: E.square(E.square(x))  # noqa: E731
    # a (1,) input where the engine has arrays: a 0-d input is the first-order clauses' to judge
    x = np.array(1.0) if "vector" in E.ABSENT else np.array([1.0])
    gy = None if "implicit_seed" not in E.ABSENT or x.ndim == 0 else np.ones(1)
    g1 = E.gradient(fourth, gy)(E.leaf(x.copy()))
    check(g1 is not None, "gradient(x**4) at 1.0 is None")
    _, g2 = E.grad(E.gradient(fourth, gy), x.copy(), gy)
    check(g2 is not None and np.all(np.asarray(g2) == 12.0), (
        f"the gradient of the gradient of x**4 at 1.0 is {g2!r}, not 12.0"))


def probe_create_graph(E):
    v = E.Variable(np.array(2.0))
    E.backward(E.square(E.square(v)), create_graph=True)
    check(E.creator_of(E.grad_variable(v)) is not None,
          "x.grad has no creator after backward(create_graph=True)")


def probe_tensor_methods(E):
    v = E.leaf(np.ones((2, 3)))  # the clauses call the methods on the engine's values
    check(np.shape(E.value(v.reshape(3, 2))) == (3, 2) and np.shape(E.value(v.T)) == (3, 2)
          and np.shape(E.value(v.transpose(1, 0))) == (3, 2),
          "a leaf's .reshape(3, 2), .T or .transpose(1, 0) does not give shape (3, 2)")


def probe_layers(E):
    layer = E.Layer()
    layer.p = E.Parameter(np.array([1.0]))
    check(len(E.params(layer)) == 1, "a Layer given one Parameter has not one parameter")
    linear = E.Linear(2)
    linear(E.leaf(np.ones((1, 3), dtype=np.float32)))  # the book's Linear's own dtype
    check(np.shape(E.weights(linear)[0]) == (3, 2), "Linear(2) of a (1, 3) input has no (3, 2) W")


def probe_optimizers(E):
    layer = E.Layer()
    layer.p = E.Parameter(np.array([1.0]))
    E.backward(E.sum(layer.p * E.leaf(np.array([2.0]))))
    E.SGD(lr=0.5).setup(layer).update()
    E.MomentumSGD(lr=0.5).setup(layer)
    check(np.asarray(E.value(layer.p)).tolist() == [0.0], "SGD(lr=0.5) did not step p to 0")


def probe_assign(E):
    v = E.leaf(np.array([1.0]))
    E.set_value(v, np.array([2.0]))
    check(np.asarray(E.value(v)).tolist() == [2.0], "set_value did not replace the data")


PROBES = {
    "exp": lambda E: E.value(E.exp(E.leaf(np.array(0.0)))),
    "backprop": lambda E: E.grad(E.square, np.array(3.0)),  # a 0-d y: any engine seeds it
    "vector": probe_vector,
    "float64": probe_float64,
    "integers": probe_integers,
    "implicit_seed": probe_implicit_seed,
    "seed_grad": lambda E: E.grad(E.square, np.array(3.0), np.array(2.0)),
    "variable": probe_variable,
    "type_check": probe_type_check,
    "retains_grads": probe_retains_grads,
    "function_classes": lambda E: E.Square()(E.Variable(np.array(2.0))),
    "graph_links": probe_graph_links,
    "as_array": lambda E: E.as_array(1.0),
    "numerical_diff": lambda E: E.numerical_diff(E.square, E.leaf(np.array([2.0]))),
    "cleargrad": probe_cleargrad,
    "add": lambda E: E.value(E.add(E.leaf(np.array(1.0)), E.leaf(np.array(2.0)))),
    "many_inputs": probe_many_inputs,
    "arithmetic": probe_arithmetic,
    "operators": probe_operators,
    "array_operands": probe_array_operands,
    "retain_grad": probe_retain_grad,
    "no_grad": probe_no_grad,
    "config": probe_config,
    "array_like": probe_array_like,
    "sin_cos": lambda E: (E.value(E.sin(E.leaf(np.array(0.5)))),
                          E.value(E.cos(E.leaf(np.array(0.5))))),
    "higher_order": probe_higher_order,
    "create_graph": probe_create_graph,
    "tanh": lambda E: E.value(E.tanh(E.leaf(np.array(0.5)))),
    "tensor_shape": lambda E: (E.value(E.reshape(E.leaf(np.ones((2, 3))), (3, 2))),
                               E.value(E.transpose(E.leaf(np.ones((2, 3)))))),
    "tensor_methods": probe_tensor_methods,
    "sum": lambda E: E.value(E.sum(E.leaf(np.ones((2, 3))), axis=0)),
    "broadcast": lambda E: (E.value(E.broadcast_to(E.leaf(np.ones(3)), (2, 3))),
                            E.value(E.sum_to(E.leaf(np.ones((2, 3))), (1, 3)))),
    "matmul": lambda E: E.value(E.matmul(E.leaf(np.ones((2, 3))), E.leaf(np.ones((3, 1))))),
    "mse": lambda E: E.value(E.mean_squared_error(E.leaf(np.ones((2, 1))),
                                                  E.leaf(np.zeros((2, 1))))),
    "assign": probe_assign,
    "linear": lambda E: (E.value(E.linear(E.leaf(np.ones((2, 3))), E.leaf(np.ones((3, 1))))),
                         E.value(E.sigmoid(E.leaf(np.zeros(2))))),
    "layers": probe_layers,
    "models": lambda E: E.mlp_layers(E.MLP((2, 1))),
    "optimizers": probe_optimizers,
}


RETAIN_GRAD_STEP = 18  # the book's backward() keeps only the leaves' grads from this step on


def unprobed(E, cap):
    """The adapter names the probe of cap needs but does not define (nothing to probe with)."""
    return [n for n in adapters.CAPABILITIES[cap] if not hasattr(E, n)]


def run_probe(E, cap):
    """None if cap's probe works, else the exception it raised."""
    try:
        PROBES[cap](E)
    except Exception as exc:
        return exc
    return None


def absence(E, cap):
    """What C1's probe says of a capability the adapter declares absent: (kind, text), kind
    one of "unprobed" (no construct to probe, or not the engine's step), "refused" (the
    engine's own error: the absence stands), "works" or "differs" (the absence is false)."""
    if E.ABSENT[cap].startswith("not judged at step"):
        return "unprobed", "beyond the engine's book step"
    if cap == "retains_grads" and step_of(E) >= RETAIN_GRAD_STEP:
        return "unprobed", "from step 18 the book's own backward() drops them too"
    lacking = unprobed(E, cap)
    if lacking:
        return "unprobed", f"the adapter names no {', '.join(lacking)} (no such construct)"
    problem = run_probe(E, cap)
    if problem is None:
        return "works", "its probe works"
    if isinstance(problem, Differs):
        return "differs", str(problem)
    return "refused", (f"{type(problem).__name__}: "
                       f"{str(problem).splitlines()[0] if str(problem) else ''}")


def absences(E):
    """{capability: what its probe says} for every capability the adapter declares absent."""
    return {cap: "{}: {}".format(*absence(E, cap)) for cap in E.ABSENT if cap in PROBES}


class CapabilityClauses(Clauses):

    def test_c1_capabilities_match_the_engine(self):
        ("""C1: every capability the adapter declares works, and every one it declares absent """
         """is one the engine lacks.""")
        E = self.engine
        for cap in PROBES:
            if cap in getattr(E, "MISSING", {}):
                continue  # the clauses that need it fail, naming the step
            if cap in E.ABSENT:
                kind, text = absence(E, cap)
                with self.subTest(cap):
                    if kind == "works":
                        self.fail(f"{self.clause}: the adapter declares {cap!r} absent "
                                  f"({E.ABSENT[cap]}), but its probe works: the engine has it; "
                                  f"remove {cap!r} from ABSENT")
                    if kind == "differs":
                        self.fail(f"{self.clause}: the adapter declares {cap!r} absent "
                                  f"({E.ABSENT[cap]}), but the engine has it and answers "
                                  f"differently ({text}); a difference is not an absence: "
                                  f"remove {cap!r} from ABSENT and list the clauses it fails, "
                                  f"with their category, in the engine's expected-failure file")
                continue
            problem = run_probe(E, cap)
            # A present construct that answers differently (Differs) is for its clauses to judge.
            with self.subTest(cap):
                if problem is not None and not isinstance(problem, Differs) \
                        and cap not in getattr(E, "ASSUMED", ()):
                    self.fail(f"{self.clause}: the adapter declares {cap!r} but its probe "
                              f"fails ({type(problem).__name__}: {problem}); fix the adapter, "
                              f"or add {cap!r} to ABSENT with the reason if the engine has no "
                              f"such concept")


class TestCapabilities(CapabilityClauses, unittest.TestCase):
    pass
