"""The random graphs proven (conformance/fuzz/, S44 and S45): no false alarm on a correct engine,
the same graphs for the same operations, the domain the issue asks for, an oracle that is
right (Dual), a rounding bound that holds (Bound), the kit's broken engines found unprompted
and shrunk to a few nodes, Python that reproduces them, CONFORMANCE_FUZZ and the log."""
import collections
import contextlib
import functools
import io
import json
import os
import subprocess
import sys
import tempfile
import types
import unittest
from dataclasses import replace
from unittest import mock

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.adapters import book
from dezero_conformance.conformance import fuzz
from dezero_conformance.conformance.graphs.test_random_graphs import FIRST_GRAPHS, SECOND_GRAPHS
from dezero_conformance.conformance.support import DEFAULT_SEED
from tests import tiered
from tests.broken import BY_NAME
from tests.test_meta import STAGE1_STYLES, STYLES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPS32 = float(np.finfo(np.float32).eps)
# Graphs run on each reference (and order) with the fixed seed, and on a few other seeds (the
# fast tier's samples second: tests/__init__.py).
GRAPHS = tiered(1000, 200)
OTHER_SEEDS = (1, 2, 3)
OTHER_SEED_GRAPHS = tiered(100, 30)
STYLE_GRAPHS = tiered(200, 50)  # per order, on each correct engine of tests/engines/
# order 1 (and half as many of order 2) on the reference in float32
FLOAT32_GRAPHS = tiered(300, 100)
COVERAGE_GRAPHS = 500
BOUND_GRAPHS = 200
# Measured over the first 500 order-1 graphs of DEFAULT_SEED on the reference: about 14% have a
# node used by two or more later nodes. A floor well under it, so that a generator that
# stops sharing nodes fails while a reshuffled stream does not.
FAN_OUT_MIN = 0.05
# The kit's broken engines that random graphs must find with the clauses' default counts:
# the stage-2 bugs of generations, accumulation and in-place writes, and a stage-3 sign
# (S44, order 1) ...
FIRST_ORDER_MUTANTS = (
    "no_generations", "no_generation_sort", "generation_not_incremented",
    "generation_of_first_input", "generation_of_last_input", "sorts_generations_descending",
    "no_seen_set_keeping_grads", "accumulates_in_place", "no_accumulation",
    "add_backward_one_grad", "mul_backward_writes_gy", "sin_backward_minus_cos")
# ... and the stage-3 bugs of higher-order gradients (S45, order 2).
SECOND_ORDER_MUTANTS = (
    "create_graph_ignored", "pow_backward_uses_data", "mul_backward_uses_data",
    "div_backward_drops_term", "tanh_backward_uses_data", "exp_backward_uses_data",
    "cleargrad_does_nothing", "sin_backward_minus_cos")
# A shrunk graph has at most this many nodes (measured: 3 for the generation mutants, which
# need a shared node, a longer branch and the node joining them; 1 or 2 for the others).
SHRUNK_NODES_MAX = 4
# Measured over the first 1000 order-1 graphs of DEFAULT_SEED: about 70% of reference_stage2's
# graphs (no sin, cos, tanh) are the reference's.
SHARED_WITH_FEWER_OPS_MIN = 0.5
LISTED = 3  # failing graphs printed in full in a message


@functools.cache
def engine(spec):
    """An adapter by name or by path (a stage-1 style of tests/engines/ judged at step 10, as
    tests/test_meta.py judges it)."""
    with mock.patch.dict(os.environ):
        if os.path.basename(spec) in STAGE1_STYLES:
            os.environ[book.STEP_VAR] = "10"
        else:
            os.environ.pop(book.STEP_VAR, None)
        return adapters.load(spec)


_GRAPHS = {}


def graphs(spec, seed, count, order):
    """Graphs 0 .. count-1 of seed for the engine, each generated once for every test that
    reads it."""
    drawn = _GRAPHS.setdefault((spec, seed, order), [])
    E = engine(spec)
    drawn.extend(fuzz.generate(E, seed, index, order) for index in range(len(drawn), count))
    return tuple(drawn[:count])


@functools.cache
def mutant(name):
    return book.adapt(BY_NAME[name].module(), name)


@functools.cache
def searched(name, order):
    """The mutant's search with its clause's default count and the kit's default seed."""
    count = FIRST_GRAPHS if order == 1 else SECOND_GRAPHS
    with np.errstate(all="ignore"):  # a broken engine may take logs of negative numbers
        return fuzz.search(mutant(name), count, DEFAULT_SEED, order)


def shown(graph, what):
    return (f"graph {graph.index} of seed {graph.seed}, order {graph.order} "
            f"({graph.describe()}): {what}\n{fuzz.code(graph)}")


def false_alarms(E, graphs_):
    """What the check or the oracle's own cross-check says of each graph, when not None."""
    found = []
    for graph in graphs_:
        failure = fuzz.check(E, graph)
        if failure is not None:
            found.append(shown(graph, f"check: {failure.what}"))
        fault = fuzz.oracle_agrees(graph)
        if fault is not None:
            found.append(shown(graph, f"oracle_agrees: {fault}"))
    return found


def report(found, of):
    return f"{len(found)} false alarms in {of}; the first:\n" + "\n\n".join(found[:LISTED])


def users(graph):
    """{value ref: the set of nodes (refs) that take it}"""
    n, taken = len(graph.inputs), collections.defaultdict(set)
    for k, (_, refs, _) in enumerate(graph.nodes):
        for r in refs:
            taken[r].add(n + k)
    return taken


def depths(graph):
    """The depth of each value: 0 for inputs, 1 + the deepest operand for nodes."""
    d = [0] * len(graph.inputs)
    for _, refs, _ in graph.nodes:
        d.append(1 + max(d[r] for r in refs))
    return d


def in_float32(graph):
    """The graph with its inputs, array constants and seeds as float32 (all are exact in
    float32: multiples of 1/1024), 0-d ones as shape (1,): numpy before 2.0 computes a 0-d
    float32 array with a Python float in float64."""
    def cast(a):
        return None if a is None else np.asarray(a, dtype=np.float32).reshape(np.shape(a) or (1,))
    nodes = [(n, r, cast(c) if isinstance(c, np.ndarray) else c) for n, r, c in graph.nodes]
    return replace(graph, inputs=[cast(x) for x in graph.inputs], nodes=nodes,
                   gy=cast(graph.gy), gv=cast(graph.gv))


def numpy_float32_values(graph):
    """What numpy gives in float32 for the oracle's values: the forward and reverse rules of
    the graph run on float32 arrays (an engine whose every operation is numpy's float32)."""
    xs = list(graph.inputs)
    with np.errstate(all="ignore"):
        if graph.order == 1:
            values = fuzz.evaluate(graph, xs)
            return [values[-1]] + fuzz.backpropagate(graph, values, graph.gy)
        values = fuzz.evaluate(graph, [fuzz.Dual(xs[0], graph.gv)])
        (g,) = fuzz.backpropagate(graph, values, graph.gy)
    return [g.a, g.d] if isinstance(g, fuzz.Dual) else [g, np.zeros_like(g)]


def float32_reference():
    """The reference given its inputs and seeds in float32, declaring float32 only: its
    values are float32 until a float64 constant joins them (the book's as_array(3.0))."""
    R = engine("reference")

    def f32(a):
        return None if a is None else np.asarray(a, dtype=np.float32)
    names = {k: getattr(R, k) for k in dir(R) if not k.startswith("__")}
    names.update(NAME="reference in float32", ABSENT=dict(R.ABSENT, float64="float32 only"),
                 grad=lambda fn, x, gy=None: R.grad(fn, f32(x), f32(gy)),
                 grads=lambda fn, xs, gy=None: R.grads(fn, [f32(x) for x in xs], f32(gy)),
                 gradient=lambda fn, gy=None: R.gradient(fn, f32(gy)))
    return types.SimpleNamespace(**names)


def single(name, order=1, shape=(3,), c=None):
    """A one-node graph of operation name on inputs in [0.6, 1.4] (in every op's domain)."""
    op = fuzz.OPS[name]
    rng = np.random.default_rng(list(map(ord, name)))
    k = op.arity if order == 1 else 1
    inputs = [np.round(rng.uniform(0.6, 1.4, shape) * 1024) / 1024 for _ in range(k)]
    if c is None:
        c = {"exponent": 2.5, "scalar": 1.25, "array": np.full(shape, -0.75)}.get(op.const)
    refs = tuple(range(op.arity)) if order == 1 else (0,) * op.arity
    gy = np.full(shape, 0.75)
    return fuzz.Graph(inputs, [(name, refs, c)], gy=gy, gv=None if order == 1 else gy * 2,
                      order=order, many=k > 1)


class TestNoFalseAlarm(unittest.TestCase):
    """A correct engine passes every graph, and the oracle agrees with its own central
    difference on every graph."""

    def assert_no_false_alarm(self, spec, seed, count, order):
        found = false_alarms(engine(spec), graphs(spec, seed, count, order))
        if found:
            self.fail(report(found, f"{count} order-{order} graphs of seed {seed} on {spec}"))

    def test_reference_passes_first_order_graphs(self):
        self.assert_no_false_alarm("reference", DEFAULT_SEED, GRAPHS, 1)

    def test_reference_passes_second_order_graphs(self):
        self.assert_no_false_alarm("reference", DEFAULT_SEED, GRAPHS, 2)

    def test_reference_stage2_passes_first_order_graphs(self):
        self.assert_no_false_alarm("reference_stage2", DEFAULT_SEED, GRAPHS, 1)

    def test_reference_stage1_passes_first_order_graphs(self):
        self.assert_no_false_alarm("reference_stage1", DEFAULT_SEED, GRAPHS, 1)

    def test_reference_passes_graphs_of_other_seeds(self):
        for seed in OTHER_SEEDS:
            for order in (1, 2):
                with self.subTest(seed=seed, order=order):
                    self.assert_no_false_alarm("reference", seed, OTHER_SEED_GRAPHS, order)

    def test_the_reference_fed_float32_passes(self):
        """An engine without float64 is judged in float32 units and may return float32 for
        float64 inputs (it runs the reference's graphs: see
        test_an_engine_without_float64_gets_the_same_graphs)."""
        E = float32_reference()
        for order, count in ((1, FLOAT32_GRAPHS), (2, FLOAT32_GRAPHS // 2)):
            with self.subTest(order=order):
                found, narrowed = [], 0
                for graph in graphs("reference", DEFAULT_SEED, count, order):
                    failure = fuzz.check(E, graph)
                    if failure is not None:
                        found.append(shown(graph, failure.what))
                    elif graph.dtype == np.float64:
                        y, _ = fuzz.run(E, graph)
                        narrowed += np.asarray(y).dtype == np.float32
                if found:
                    self.fail(report(found, f"{count} order-{order} graphs in float32"))
                self.assertGreater(narrowed, count // 10,
                                   "float64 graphs given float32 values by the engine")

    def test_each_correct_engine_in_another_style_passes(self):
        """tests/engines/*.py, each over its own operations and at its own step; order 2 on
        those that differentiate gradients."""
        for path in STYLES:
            E = engine(path)
            for order in (1, 2) if fuzz.has(E, "higher_order") else (1,):
                with self.subTest(os.path.basename(path), step=E.STEP, order=order):
                    self.assert_no_false_alarm(path, DEFAULT_SEED, STYLE_GRAPHS, order)


class TestDeterminism(unittest.TestCase):

    def test_the_same_arguments_give_the_same_graph(self):
        E = engine("reference")
        for order in (1, 2):
            for index in range(40):
                with self.subTest(order=order, index=index):
                    a = fuzz.generate(E, DEFAULT_SEED, index, order)
                    b = fuzz.generate(E, DEFAULT_SEED, index, order)
                    self.assertEqual(fuzz.key(a), fuzz.key(b))
                    self.assertEqual(fuzz.code(a), fuzz.code(b))

    def test_different_indices_give_different_graphs(self):
        keys = [fuzz.key(g) for g in graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS, 1)]
        repeated = {k: n for k, n in collections.Counter(keys).items() if n > 1}
        self.assertEqual(repeated, {}, f"graph keys repeated among {COVERAGE_GRAPHS} indices")

    def test_different_seeds_give_different_graph_sets(self):
        sets = {seed: {fuzz.key(g) for g in graphs("reference", seed, OTHER_SEED_GRAPHS, 1)}
                for seed in OTHER_SEEDS}
        for a in OTHER_SEEDS:
            for b in OTHER_SEEDS:
                if a < b:
                    self.assertEqual(len(sets[a] & sets[b]), 0,
                                     f"seeds {a} and {b} share graphs")

    def test_engines_with_the_same_operations_get_the_same_graphs(self):
        """A style of tests/engines/ whose operations and kinds of call (many inputs, shapes,
        a given gy) are a reference's runs that reference's graphs, key for key."""
        def kind(E):
            return (fuzz.operations(E), fuzz.has(E, "many_inputs"), fuzz.has(E, "vector"),
                    fuzz.has(E, "seed_grad"), fuzz.has(E, "higher_order"))
        references = {kind(engine(r)): r for r in
                      ("reference", "reference_stage2", "reference_stage1")}
        matched = []
        for path in STYLES:
            E = engine(path)
            twin = references.get(kind(E))
            if twin is None:
                continue
            matched.append((os.path.basename(path), twin))
            for order in (1, 2) if fuzz.has(E, "higher_order") else (1,):
                for index in range(20):
                    with self.subTest(os.path.basename(path), twin=twin, order=order,
                                      index=index):
                        self.assertEqual(fuzz.key(fuzz.generate(E, DEFAULT_SEED, index, order)),
                                         fuzz.key(graphs(twin, DEFAULT_SEED, GRAPHS, order)[index]))
        self.assertIn(("step36_book.py", "reference"), matched)
        self.assertIn(("core_simple_step24.py", "reference_stage2"), matched)

    def test_an_engine_lacking_some_operations_still_shares_most_graphs(self):
        """Each node's operation is drawn from all of OPS and only a missing one replaced, so
        reference_stage2 (no sin, cos, tanh) runs most of the reference's graphs."""
        pairs = zip(graphs("reference", DEFAULT_SEED, GRAPHS, 1),
                    graphs("reference_stage2", DEFAULT_SEED, GRAPHS, 1))
        shared = sum(fuzz.key(a) == fuzz.key(b) for a, b in pairs) / GRAPHS
        self.assertGreaterEqual(shared, SHARED_WITH_FEWER_OPS_MIN,
                                f"{shared:.3f} of the graphs are the same")

    def test_an_engine_without_float64_gets_the_same_graphs(self):
        """Validity is judged in float64 units, so an engine's precision does not change
        which graphs it runs."""
        R = engine("reference")
        narrow = types.SimpleNamespace(ABSENT=dict(R.ABSENT, float64="computes in float32"))
        self.assertEqual(fuzz.operations(narrow), fuzz.operations(R))
        for index in range(30):
            with self.subTest(index=index):
                self.assertEqual(fuzz.key(fuzz.generate(narrow, DEFAULT_SEED, index)),
                                 fuzz.key(graphs("reference", DEFAULT_SEED, GRAPHS, 1)[index]))


class TestCoverage(unittest.TestCase):
    """What the generator draws, over the first 500 graphs of the default seed."""

    @classmethod
    def setUpClass(cls):
        cls.first = graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS, 1)

    def counts(self, of):
        return collections.Counter(of(g) for g in self.first)

    def test_every_shape_occurs(self):
        shapes = self.counts(lambda g: g.shape)
        self.assertEqual(set(shapes), {(), (1,), (3,), (2, 3)}, f"shapes drawn: {dict(shapes)}")

    def test_float32_and_float64_occur(self):
        dtypes = self.counts(lambda g: np.dtype(g.dtype).name)
        self.assertEqual(set(dtypes), {"float32", "float64"}, f"dtypes drawn: {dict(dtypes)}")

    def test_one_two_and_three_inputs_occur(self):
        inputs = self.counts(lambda g: len(g.inputs))
        self.assertEqual(set(inputs), {1, 2, 3}, f"numbers of inputs drawn: {dict(inputs)}")

    def test_every_operation_of_the_engine_occurs(self):
        used = collections.Counter(name for g in self.first for name, _, _ in g.nodes)
        missing = [op for op in fuzz.operations(engine("reference")) if op not in used]
        self.assertEqual(missing, [], f"operations drawn: {dict(used)}")

    def test_constants_occur_on_the_left_of_operators(self):
        left = ("c+x", "c-x", "c*x", "c/x", "A+x", "A*x")
        used = collections.Counter(name for g in self.first for name, _, _ in g.nodes
                                   if name in left)
        self.assertEqual(sorted(used), sorted(left), f"constants on the left: {dict(used)}")
        texts = "\n".join(fuzz.code(g) for g in self.first)
        self.assertRegex(texts, r"= [-\d.]+ - x\d|= [-\d.]+ - t\d")  # c - x in the Python
        self.assertRegex(texts, r"= np\.array\(\[.*\]\) \* [xt]\d")  # A * x in the Python

    def test_nodes_shared_by_several_later_nodes_occur(self):
        def shared(g):
            n, taken = len(g.inputs), users(g)
            return any(len(taken[r]) >= 2 for r in range(n, n + len(g.nodes)))

        def at_different_depths(g):
            n, taken, d = len(g.inputs), users(g), depths(g)
            return any(len({d[u] for u in taken[r]}) >= 2 for r in range(n, n + len(g.nodes)))
        fraction = sum(map(shared, self.first)) / len(self.first)
        self.assertGreaterEqual(fraction, FAN_OUT_MIN,
                                f"{fraction:.3f} of graphs have a node with several users")
        self.assertTrue(any(map(at_different_depths, self.first)),
                        "no node is shared by later nodes at different depths")

    def test_engines_before_generations_get_graphs_they_can_differentiate(self):
        """The book's step 13 sets grads (a value used twice keeps one) and steps 14-15 pop a
        plain stack (a node used twice passes its grad back early): no value is used twice
        before step 14, only inputs before step 16; from step 16 any value."""
        for name, reused in (("step13_book.py", set()), ("step14_book.py", {"input"}),
                             ("later_steps_style.py", {"input", "node"})):
            with self.subTest(name):
                path = os.path.join(ROOT, "tests", "engines", name)
                seen = collections.Counter()
                for g in graphs(path, DEFAULT_SEED, STYLE_GRAPHS, 1):
                    uses = collections.Counter(r for _, refs, _ in g.nodes for r in refs)
                    seen.update("input" if r < len(g.inputs) else "node"
                                for r, n in uses.items() if n > 1)
                self.assertEqual(set(seen), reused, f"values used twice, by kind: {dict(seen)}")

    def test_every_graph_is_valid(self):
        invalid = [shown(g, "not valid") for g in self.first if not fuzz.valid(g)]
        self.assertEqual(invalid, [], "\n\n".join(invalid[:LISTED]))

    def test_second_order_graphs_have_one_input(self):
        second = graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS, 2)
        inputs = collections.Counter(len(g.inputs) for g in second)
        self.assertEqual(dict(inputs), {1: COVERAGE_GRAPHS})
        self.assertEqual({(g.order, g.many) for g in second}, {(2, False)})
        invalid = [shown(g, "not valid") for g in second if not fuzz.valid(g)]
        self.assertEqual(invalid, [], "\n\n".join(invalid[:LISTED]))

    def test_a_stage1_engine_gets_square_and_exp_chains_of_one_input(self):
        E = engine("reference_stage1")
        self.assertEqual(fuzz.operations(E), ("square", "exp"))
        stage1 = graphs("reference_stage1", DEFAULT_SEED, COVERAGE_GRAPHS, 1)
        ops = collections.Counter(name for g in stage1 for name, _, _ in g.nodes)
        self.assertEqual(set(ops), {"square", "exp"}, f"operations drawn: {dict(ops)}")
        inputs = collections.Counter(len(g.inputs) for g in stage1)
        self.assertEqual(dict(inputs), {1: COVERAGE_GRAPHS})
        self.assertFalse(any(g.many for g in stage1), "a stage-1 engine has no E.grads")
        chains = [g for g in stage1
                  if [refs for _, refs, _ in g.nodes] != [(k,) for k in range(len(g.nodes))]]
        self.assertEqual(chains, [], "a graph of unary operations that is not a chain")


class TestDual(unittest.TestCase):
    """Dual numbers carry each operation's derivative: checked against closed forms."""

    A = np.array([0.625, 1.1875, 1.75])
    B = np.array([-0.875, 1.5, 0.8125])
    DA = np.array([0.5, -1.25, 2.0])
    DB = np.array([1.5, 0.75, -0.5])

    def derivative(self, name, c=None, a=None):
        a = self.A if a is None else a
        return fuzz.OPS[name].forward(fuzz.Dual(a, self.DA), c)

    def assert_dual(self, got, value, derivative, what):
        self.assertIsInstance(got, fuzz.Dual, what)
        np.testing.assert_allclose(got.a, value, rtol=1e-15, atol=0, err_msg=f"{what}: value")
        np.testing.assert_allclose(got.d, derivative, rtol=1e-14, atol=1e-15,
                                   err_msg=f"{what}: derivative")

    def test_unary_operations(self):
        a, da = self.A, self.DA
        closed = {"square": (a ** 2, 2 * a * da), "exp": (np.exp(a), np.exp(a) * da),
                  "sin": (np.sin(a), np.cos(a) * da), "cos": (np.cos(a), -np.sin(a) * da),
                  "tanh": (np.tanh(a), da / np.cosh(a) ** 2),
                  "neg": (-a, -da), "-x": (-a, -da)}
        for name, (value, derivative) in closed.items():
            with self.subTest(name):
                self.assert_dual(self.derivative(name), value, derivative, name)

    def test_powers(self):
        a, da = self.A, self.DA
        for name in ("pow", "x**c"):
            for c in fuzz.EXPONENTS:
                with self.subTest(name, c=c):
                    self.assert_dual(self.derivative(name, c), a ** c,
                                     c * np.exp((c - 1) * np.log(a)) * da, f"{name} {c}")

    def test_scalar_constants_on_either_side(self):
        a, da, c = self.A, self.DA, -1.5
        closed = {"c+x": (c + a, da), "x+c": (a + c, da), "c-x": (c - a, -da),
                  "x-c": (a - c, da), "c*x": (c * a, c * da), "x*c": (a * c, c * da),
                  "c/x": (c / a, -c * da / a ** 2), "x/c": (a / c, da / c)}
        for name, (value, derivative) in closed.items():
            with self.subTest(name):
                self.assert_dual(self.derivative(name, c), value, derivative, name)

    def test_array_constants_on_either_side(self):
        """ndarray (op) Dual: __array_priority__ hands the operation to the Dual."""
        a, da, A = self.A, self.DA, self.B
        closed = {"A+x": (A + a, da), "x+A": (a + A, da), "A*x": (A * a, A * da),
                  "x*A": (a * A, A * da)}
        for name, (value, derivative) in closed.items():
            with self.subTest(name):
                self.assert_dual(self.derivative(name, A), value, derivative, name)

    def test_binary_operations_of_two_duals(self):
        a, b, da, db = self.A, self.B, self.DA, self.DB
        closed = {"add": (a + b, da + db), "sub": (a - b, da - db),
                  "mul": (a * b, b * da + a * db), "div": (a / b, da / b - a * db / b ** 2)}
        closed.update({"+": closed["add"], "-": closed["sub"], "*": closed["mul"],
                       "/": closed["div"]})
        for name, (value, derivative) in closed.items():
            with self.subTest(name):
                got = fuzz.OPS[name].forward(fuzz.Dual(a, da), fuzz.Dual(b, db), None)
                self.assert_dual(got, value, derivative, name)

    def test_binary_operations_with_a_plain_operand_on_either_side(self):
        a, b, da = self.A, self.B, self.DA
        x = fuzz.Dual(a, da)
        cases = {"x + b": (x + b, a + b, da), "b + x": (b + x, b + a, da),
                 "x - b": (x - b, a - b, da), "b - x": (b - x, b - a, -da),
                 "x * b": (x * b, a * b, b * da), "b * x": (b * x, b * a, b * da),
                 "x / b": (x / b, a / b, da / b), "b / x": (b / x, b / a, -b * da / a ** 2),
                 "2.0 - x": (2.0 - x, 2.0 - a, -da), "2.0 / x": (2.0 / x, 2.0 / a,
                                                                 -2.0 * da / a ** 2)}
        for what, (got, value, derivative) in cases.items():
            with self.subTest(what):
                self.assert_dual(got, value, derivative, what)

    def test_oracle_hessian_vector_products_match_closed_forms(self):
        """order 2: g = gy f'(x), hvp = gy f''(x) gv, for one-node graphs."""
        x, gy, gv = self.A, np.array([0.75, -1.25, 1.0]), np.array([1.5, 0.5, -1.0])
        second = {"square": (2 * x, 2 + 0 * x), "exp": (np.exp(x), np.exp(x)),
                  "sin": (np.cos(x), -np.sin(x)), "cos": (-np.sin(x), -np.cos(x)),
                  "tanh": (1 / np.cosh(x) ** 2, -2 * np.tanh(x) / np.cosh(x) ** 2),
                  "c/x": (-1.25 / x ** 2, 2.5 / x ** 3),
                  "x**c": (2.5 * x ** 1.5, 3.75 * x ** 0.5),
                  "mul": (2 * x, 2 + 0 * x), "div": (0 * x, 0 * x)}
        for name, (d1, d2) in second.items():
            with self.subTest(name):
                op = fuzz.OPS[name]
                c = {"scalar": 1.25, "exponent": 2.5}.get(op.const)
                graph = fuzz.Graph([x], [(name, (0,) * op.arity, c)], gy=gy, gv=gv, order=2)
                g, (hvp,) = fuzz.oracle(graph)
                np.testing.assert_allclose(g, gy * d1, rtol=1e-14, atol=1e-15,
                                           err_msg=f"{name}: g")
                np.testing.assert_allclose(hvp, gy * d2 * gv, rtol=1e-14, atol=1e-15,
                                           err_msg=f"{name}: hvp")


class TestBound(unittest.TestCase):
    """Bound numbers: a first-order bound on the rounding of any engine whose operations are
    each within u of exact. It must hold, with room, for a real one: numpy in float32."""

    def test_one_operation_of_exact_operands_is_one_rounding(self):
        u = 1e-7
        a = fuzz.Bound(np.array([1.5, -2.0]), 0.0, np.array([1.5, 2.0]), u)
        b = np.array([0.75, 3.0])
        for what, got, want in (("a * b", a * b, u * np.abs(a.v * b)),
                                ("a + b", a + b, u * (np.abs(a.v) + np.abs(b))),
                                ("b - a", b - a, u * (np.abs(a.v) + np.abs(b))),
                                ("a / b", a / b, u * np.abs(a.v / b)),
                                ("exp(a)", a.exp(), u * np.exp(a.v))):
            with self.subTest(what):
                np.testing.assert_allclose(got.e, want, rtol=1e-15, err_msg=what)

    def test_a_sum_is_bounded_by_its_terms_not_its_value(self):
        """1.5 + (-1.4990234375) cancels to 0.0009765625, but an engine's rounding of the terms
        (made before the sum) is relative to 1.5."""
        u = 1e-7
        x = fuzz.Bound(np.array(1.5), 0.0, np.array(1.5), u)
        t = x * 1.0  # one rounding: e = 1.5u
        s = t + (-1.4990234375)
        np.testing.assert_allclose(s.e, 1.5 * u + u * (1.5 + 1.4990234375), rtol=1e-15)
        self.assertGreater(float(s.e), 1000 * u * abs(float(s.v)))

    def assert_numpy_float32_within_bound(self, order):
        """Each graph run in numpy float32 against the float64 oracle: the error is within the
        raw bound (without SAFETY) for OP_ULPS ulps per operation."""
        u = fuzz.OP_ULPS * EPS32
        worst, beyond = 0.0, []
        for graph in graphs("reference", DEFAULT_SEED, BOUND_GRAPHS, order):
            g32 = in_float32(graph)
            for a, b in zip(graph.inputs, g32.inputs):
                np.testing.assert_array_equal(np.ravel(a), np.ravel(b),
                                              err_msg="inputs must be exact in float32")
            got = numpy_float32_values(g32)
            want_y, want_gs = fuzz.oracle(g32)
            allowed = [b / fuzz.SAFETY for b in fuzz.bounds(g32, u)]
            names = ["y"] + [f"gx{i}" for i in range(len(want_gs))] if order == 1 else ["g", "hvp"]
            self.assertEqual(len(got), len(names))
            for name, value, want, bound in zip(names, got, [want_y] + want_gs, allowed):
                self.assertEqual(np.asarray(value).dtype, np.float32,
                                 f"graph {graph.index}: {name} not computed in float32")
                error = np.abs(np.asarray(value, dtype=np.float64) - want)
                with np.errstate(all="ignore"):
                    ratio = np.where(error == 0, 0.0, error / bound)
                worst = max(worst, float(np.max(ratio)))
                if np.any(ratio > 1):
                    beyond.append(shown(graph, f"{name}: error {np.max(error):.3g} over the "
                                               f"bound {np.max(bound):.3g}"))
        self.assertEqual(beyond, [], "\n\n".join(beyond[:LISTED]))
        return worst

    def test_numpy_float32_is_within_the_bound_on_first_order_graphs(self):
        self.assert_numpy_float32_within_bound(1)

    def test_numpy_float32_is_within_the_bound_on_second_order_graphs(self):
        self.assert_numpy_float32_within_bound(2)


class TestOracleAgrees(unittest.TestCase):
    """The oracle's cross-check against its own central difference catches a wrong rule."""

    def wrong(self, name, backward):
        return mock.patch.dict(fuzz.OPS, {name: replace(fuzz.OPS[name], backward=backward)})

    def test_a_correct_oracle_agrees_on_every_single_operation(self):
        for name in fuzz.OPS:
            for order in (1, 2):
                with self.subTest(name, order=order):
                    self.assertIsNone(fuzz.oracle_agrees(single(name, order)))

    def assert_plus_sin_caught(self, order):
        """sin's rule replaced by +sin(a) g, in the first generated graph that uses sin."""
        graph = next(g for g in graphs("reference", DEFAULT_SEED, GRAPHS, order)
                     if any(name == "sin" for name, _, _ in g.nodes))
        self.assertIsNone(fuzz.oracle_agrees(graph))
        self.assertIsNone(fuzz.check(engine("reference"), graph))
        with self.wrong("sin", lambda g, a, y, c: [fuzz._fn("sin", a) * g]):
            fault = fuzz.oracle_agrees(graph)
        self.assertIsNotNone(fault, shown(graph, "sin's wrong rule not caught"))
        self.assertIn("a fault in the kit, not in the engine", fault)
        self.assertIsNone(fuzz.oracle_agrees(graph), "the patch must be undone")

    def test_sin_backward_giving_plus_sin_is_caught_in_a_first_order_graph(self):
        self.assert_plus_sin_caught(1)

    def test_sin_backward_giving_plus_sin_is_caught_in_a_second_order_graph(self):
        """Order 2 judges the engine's gradient g against the oracle's as well as its
        Hessian-vector product, so the oracle's g must be cross-checked too, not only the
        derivative of its g (which a wrong rule leaves self-consistent)."""
        self.assert_plus_sin_caught(2)

    def test_every_rule_off_by_half_is_caught(self):
        """Each operation's rule scaled by 1.5 (its first operand's gradient only)."""
        for name, op in fuzz.OPS.items():
            def off(g, *rest, rule=op.backward):
                grads = rule(g, *rest)
                return [1.5 * grads[0]] + grads[1:]
            with self.subTest(name), self.wrong(name, off):
                self.assertIsNotNone(fuzz.oracle_agrees(single(name)),
                                     f"{name}'s rule scaled by 1.5 not caught")

    def test_a_second_order_fault_is_caught(self):
        """tanh's rule with y taken as a constant: its first derivative right, the Dual's
        derivative of the gradient lost."""
        def constant_y(g, a, y, c):
            plain = y.a if isinstance(y, fuzz.Dual) else y
            return [(1.0 - plain * plain) * g]
        graph = single("tanh", order=2)
        with self.wrong("tanh", constant_y):
            self.assertIsNone(fuzz.oracle_agrees(single("tanh", order=1)))
            self.assertIsNotNone(fuzz.oracle_agrees(graph))


class TestFindsBrokenEngines(unittest.TestCase):
    """The kit's broken engines, found with the clauses' default counts and the default seed,
    each shrunk to a few nodes that still fail."""

    def test_the_listed_mutants_are_in_process_and_break_the_clause(self):
        for names, clause in ((FIRST_ORDER_MUTANTS, "S44"), (SECOND_ORDER_MUTANTS, "S45")):
            for name in names:
                with self.subTest(name):
                    m = BY_NAME[name]
                    self.assertFalse(m.isolated)
                    self.assertIn(m.base, ("stage2", "stage3"))
                    self.assertIn(clause, m.breaks)

    def assert_found_and_shrunk(self, name, order):
        """Each way the mutant fails (Failure.kind): its first graph shrunk to a valid graph
        of at most SHRUNK_NODES_MAX nodes, no larger, that still fails the same way."""
        E, result = mutant(name), searched(name, order)
        self.assertFalse(result.ok, f"{name}: none of {result.count} order-{order} graphs fail")
        self.assertEqual(result.oracle_faults, [])
        self.assertIsNotNone(result.shrunk)
        self.assertIs(result.shrunk, next(iter(result.kinds.values()))["shrunk"])
        for kind, way in list(result.kinds.items())[:fuzz.SHRUNK_KINDS]:
            graph, _ = way["first"]
            small, failure, runs = way["shrunk"]
            what = f"{name}, failing by {kind}: " + shown(small, failure.what)
            self.assertEqual(failure.kind, kind, what)
            self.assertLessEqual(len(small.nodes), SHRUNK_NODES_MAX, what)
            self.assertLessEqual(small.size(), graph.size(), what)
            self.assertTrue(fuzz.valid(small), what)
            again = fuzz.check(E, small)
            self.assertIsNotNone(again, f"the shrunk graph passes: {what}")
            self.assertEqual(again.kind, kind, what)
            self.assertLessEqual(runs, fuzz.SHRINK_RUNS)

    def test_first_order_mutants_are_found_and_shrunk(self):
        for name in FIRST_ORDER_MUTANTS:
            with self.subTest(name):
                self.assert_found_and_shrunk(name, 1)

    def test_second_order_mutants_are_found_and_shrunk(self):
        for name in SECOND_ORDER_MUTANTS:
            with self.subTest(name):
                self.assert_found_and_shrunk(name, 2)

    def test_the_reference_passes_the_shrunk_graphs(self):
        """What a mutant fails is the mutant's fault: the reference passes the same graph."""
        R = engine("reference")
        for names, order in ((FIRST_ORDER_MUTANTS, 1), (SECOND_ORDER_MUTANTS, 2)):
            for name in names:
                with self.subTest(name, order=order):
                    small, _, _ = searched(name, order).shrunk
                    self.assertIsNone(fuzz.check(R, small), shown(small, "reference fails"))


class TestReproducingCode(unittest.TestCase):
    """fuzz.code(graph): Python over `E` that runs the graph as the check did."""

    def run_code(self, graph, E):
        namespace = {"E": E, "np": np}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(fuzz.code(graph), namespace)
        self.assertTrue(out.getvalue().strip(), "the code prints nothing")
        if graph.order == 2:
            return namespace["gx"], [namespace["hvp"]]
        if graph.many:
            return namespace["y"], list(namespace["gxs"])
        return namespace["y"], [namespace["gx"]]

    def assert_reproduces(self, name, order):
        E = mutant(name)
        small, failure, _ = searched(name, order).shrunk
        y, gs = self.run_code(small, E)
        run_y, run_gs = fuzz.run(E, small)
        for got, ran in zip([y] + gs, [run_y] + run_gs):
            np.testing.assert_array_equal(np.asarray(got), np.asarray(ran),
                                          err_msg=f"{name}: the code differs from the check")
        want_y, want_gs = fuzz.oracle(small)
        allowed = fuzz.bounds(small, fuzz._unit(E, small))
        outside = [float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want) - bound))
                   for got, want, bound in zip([y] + gs, [want_y] + want_gs, allowed)]
        self.assertGreater(max(outside), 0, f"{name}: the code gives the oracle's values: "
                                            f"{failure.what}\n{fuzz.code(small)}")
        R = engine("reference")
        y, gs = self.run_code(small, R)
        for got, want, bound in zip([y] + gs, [want_y] + want_gs, allowed):
            np.testing.assert_allclose(np.asarray(got), want, rtol=0, atol=float(np.max(bound)),
                                       err_msg=f"the reference running {name}'s graph")

    def test_a_first_order_failure_reproduces(self):
        self.assert_reproduces("no_accumulation", 1)

    def test_a_second_order_failure_reproduces(self):
        self.assert_reproduces("mul_backward_uses_data", 2)

    def test_a_failure_that_raises_raises_the_same_exception(self):
        E = mutant("create_graph_ignored")
        small, failure, _ = searched("create_graph_ignored", 2).shrunk
        self.assertRegex(failure.what, r"^the engine raised \w+: ")
        name = failure.what.split()[3].rstrip(":")
        with contextlib.redirect_stdout(io.StringIO()):
            with self.assertRaises(Exception) as caught:
                exec(fuzz.code(small), {"E": E, "np": np})
        self.assertEqual(type(caught.exception).__name__, name)
        self.assertIn(str(caught.exception), failure.what)

    def test_the_code_with_a_spec_runs_on_its_own(self):
        """code(graph, spec): what a learner pastes, the engine loaded by path."""
        m = BY_NAME["no_accumulation"]
        small, _, _ = searched("no_accumulation", 1).shrunk
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step24.py")
            with open(path, "w") as f:
                f.write(m.source())
            run = subprocess.run([sys.executable, "-c", fuzz.code(small, spec=path)], cwd=ROOT,
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertTrue(run.stdout.strip(), "the code prints nothing")


class TestBudget(unittest.TestCase):

    def test_unset_gives_the_default(self):
        with mock.patch.dict(os.environ):
            os.environ.pop(fuzz.FUZZ_VAR, None)
            self.assertEqual(fuzz.budget(300), 300)
            os.environ[fuzz.FUZZ_VAR] = ""
            self.assertEqual(fuzz.budget(150), 150)

    def test_a_positive_count_is_taken(self):
        with mock.patch.dict(os.environ, {fuzz.FUZZ_VAR: "25"}):
            self.assertEqual(fuzz.budget(300), 25)

    def test_a_bad_count_is_a_value_error_naming_the_variable_and_the_fix(self):
        for raw in ("0", "-3", "abc", "1.5"):
            with self.subTest(raw), mock.patch.dict(os.environ, {fuzz.FUZZ_VAR: raw}):
                with self.assertRaises(ValueError) as caught:
                    fuzz.budget(300)
                message = str(caught.exception)
                self.assertIn(f"{fuzz.FUZZ_VAR}={raw!r}", message)
                self.assertIn("positive number of graphs", message)
                self.assertIn("or unset it", message)


class TestLog(unittest.TestCase):

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def test_one_line_per_graph_appended(self):
        R = engine("reference")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "fuzz.jsonl")
            fuzz.search(R, 6, DEFAULT_SEED, 1, log=path)
            fuzz.search(R, 4, DEFAULT_SEED, 2, start=6, log=path)
            lines = self.read(path)
        self.assertEqual([(r["index"], r["order"]) for r in lines],
                         [(i, 1) for i in range(6)] + [(i, 2) for i in range(6, 10)])
        for record in lines:
            with self.subTest(index=record["index"], order=record["order"]):
                self.assertEqual(set(record), {"key", "index", "order", "seed", "failure"})
                self.assertEqual(record["seed"], DEFAULT_SEED)
                self.assertIsNone(record["failure"])
                graph = fuzz.generate(R, DEFAULT_SEED, record["index"], record["order"])
                self.assertEqual(record["key"], fuzz.key(graph))

    def test_failures_are_logged_as_the_check_words_them(self):
        E = mutant("no_accumulation")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "fuzz.jsonl")
            result = fuzz.search(E, 12, DEFAULT_SEED, 1, log=path)
            lines = self.read(path)
        self.assertEqual([r["index"] for r in lines], list(range(12)))
        self.assertEqual([r["index"] for r in lines if r["failure"]], result.failed)
        self.assertTrue(result.failed, "no_accumulation fails none of the first 12 graphs")
        for record in lines:
            with self.subTest(index=record["index"]):
                failure = fuzz.check(E, fuzz.generate(E, DEFAULT_SEED, record["index"]))
                self.assertEqual(record["failure"], failure and failure.what)


if __name__ == "__main__":
    unittest.main()
