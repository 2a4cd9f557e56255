"""The adapter's word against the engine: each capability is probed with its smallest use."""
import sys
import unittest

import numpy as np

from conformance.support import Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)


def probe_variable(E):
    v = E.Variable(np.array(3.0))
    y = E.square(v)
    y.backward()
    assert E.grad_of(v) is not None, "grad_of(x) is None after y.backward()"
    E.cleargrad(v)
    assert E.grad_of(v) is None, "grad_of(x) is not None after cleargrad(x)"


def probe_type_check(E):
    Variable = E.Variable  # an engine without one has nothing that could reject 1.0
    try:
        Variable(1.0)
    except Exception:
        return
    raise AssertionError("Variable(1.0) was accepted")


def probe_retains_grads(E):
    a = E.square(E.Variable(np.array(3.0)))
    E.square(a).backward()
    assert E.grad_of(a) is not None, "an intermediate's grad is None after y.backward()"


def probe_graph_links(E):
    v = E.Variable(np.array(3.0))
    f = E.creator_of(E.square(v))
    assert f is not None and E.input_of(f) is v, "square(v) has no creator whose input is v"


def probe_float64(E):
    dtype = np.asarray(E.value(E.square(E.leaf(np.array(1 / 3))))).dtype
    assert dtype == np.float64, f"square of a float64 input computes in {dtype}"


def probe_integers(E):
    y, gx = E.grad(E.square, np.array(3))
    assert np.asarray(y) == 9 and np.asarray(gx) == 6, (
        f"square of int 3 gave {np.asarray(y)!r} and gradient {np.asarray(gx)!r}")


def probe_implicit_seed(E):
    # "Any shape of y": for an engine without vectors, that is the 0-d output alone.
    x = np.array(2.0) if "vector" in E.ABSENT else np.array([1.0, 2.0])
    E.grad(E.square, x)


def probe_vector(E):
    shape = np.shape(E.value(E.square(E.leaf(np.array([1.0, 2.0, 3.0])))))
    assert shape == (3,), f"square of a (3,) input has shape {shape}"


PROBES = {
    "exp": lambda E: E.value(E.exp(E.leaf(np.array(0.0)))),
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
}


class CapabilityClauses(Clauses):

    def test_c1_capabilities_match_the_engine(self):
        """C1: every capability the adapter declares works; one it declares absent but works is noticed."""
        E = self.engine
        for cap, probe in PROBES.items():
            try:
                probe(E)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                problem = None
            if cap in E.ABSENT:
                if problem is None:
                    sys.stderr.write(f"\nconformance: notice: {E.NAME} declares {cap} absent "
                                     f"({E.ABSENT[cap]}), but its probe works; the clauses "
                                     f"that need it are skipped all the same\n")
                continue
            with self.subTest(cap):
                if problem is not None and cap not in getattr(E, "ASSUMED", ()):
                    self.fail(f"{self.clause}: the adapter declares {cap!r} but its probe "
                              f"fails ({problem}); fix the adapter, or add {cap!r} to ABSENT "
                              f"with the reason")


class TestCapabilities(CapabilityClauses, unittest.TestCase):
    pass
