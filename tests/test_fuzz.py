"""The random graphs proven (conformance/fuzz/, S44 and S45): no false alarm on a correct engine,
the same graphs for the same operations, the domain the issue asks for, an oracle that is
right (Dual), a rounding bound that holds (Bound), the kit's broken engines found unprompted
and shrunk to a few nodes, Python that reproduces them, CONFORMANCE_FUZZ and the log. The
reference is stage 4's and draws tensor graphs (many shapes, reshape ... matmul, broadcasting:
TestTensor*); reference_stage3 the graphs of one shape every engine before stage 4 gets."""
import collections
import contextlib
import functools
import io
import json
import math
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
from tests import FULL, tiered
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
# matmul nodes in the first COVERAGE_GRAPHS graphs of DEFAULT_SEED: 33 measured, 17 without
# its extra weight in the draw; a floor between the two
MATMUL_NODES_MIN = 25
# the oracle's sums in another order than a test's closed form: a few float64 roundings, where
# a value computed in float32 (numpy 1 without widening) is 1e-8 off
WIDE_RTOL = 1e-13
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
# The same for the stage-4 mutants (measured: 1 to 3 nodes, and 5 for the one graph of
# reshape_backward_keeps_shape that raises AxisError: the wrongly shaped gradient must reach a
# transpose by negative axes, through a broadcast_to, to raise that rather than ValueError).
TENSOR_SHRUNK_NODES_MAX = 5
# Measured over the first 1000 order-1 graphs of DEFAULT_SEED: about 70% of reference_stage2's
# graphs (no sin, cos, tanh) are reference_stage3's.
SHARED_WITH_FEWER_OPS_MIN = 0.5
# Measured over the first 1000 order-1 graphs of DEFAULT_SEED: about 57% of the tensor graphs
# of an engine without the methods (x.T, x.reshape(...), ...: a functional engine) are the
# reference's.
SHARED_WITHOUT_METHODS_MIN = 0.4
# The stage-4 mutants of tests/broken that random graphs find with the clauses' default
# counts (the bugs of the tensor operations' backward: a gradient not summed back to its
# input's shape, a sum's axes not restored, a transpose not inverted, a matmul's transpose
# missing), each shrunk to at most SHRUNK_NODES_MAX nodes.
TENSOR_MUTANTS = {
    "S44": ("add_backward_no_sum_to", "mul_backward_no_sum_to", "div_backward_x1_not_summed",
            "sum_backward_ignores_axis", "sum_backward_negative_axis",
            "transpose_backward_same_axes", "broadcast_to_backward_identity",
            "matmul_backward_missing_transpose", "reshape_backward_keeps_shape",
            "variable_T_is_identity"),
    "S45": ("add_backward_no_sum_to", "mul_backward_no_sum_to", "sum_backward_ignores_axis",
            "broadcast_to_backward_identity", "matmul_backward_missing_transpose",
            "reshape_backward_keeps_shape", "variable_T_is_identity")}
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


# A tensor operation's one-node graph: its operands' shapes (order 1; order 2 takes the first
# for both) and its constant, each a case a wrong rule would get wrong: a permutation that is
# not its own inverse, a sum over a tuple of axes given out of order, a broadcast that adds an
# axis and widens one, a matmul of distinct sizes (square at order 2: x @ x).
TENSOR_SINGLE = {
    "reshape": (((2, 3),), (3, 1, 2)), ".reshape": (((2, 3),), ((3, 2), False)),
    "transpose": (((2, 3, 4),), (1, 2, 0)), ".transpose": (((2, 3, 4),), (-1, 0, 1)),
    ".T": (((2, 3, 4),), None), "sum": (((2, 3, 4),), ((2, 0), False)),
    ".sum": (((2, 3),), (-1, True)), "broadcast_to": (((2, 1),), (4, 2, 3)),
    "sum_to": (((2, 3, 4),), (3, 1)), "matmul": (((2, 3), (3, 4)), None)}


def single(name, order=1, shape=(3,), c=None, shapes=None):
    """A one-node graph of operation name on inputs in [0.6, 1.4] (in every op's domain); a
    tensor operation's in TENSOR_SINGLE's shapes, an operation of two values in `shapes` where
    given (broadcasting), gy in the output's shape."""
    op = fuzz.OPS[name]
    rng = np.random.default_rng(list(map(ord, name)))
    k = op.arity if order == 1 else 1
    tensor = name in TENSOR_SINGLE or shapes is not None
    if name in TENSOR_SINGLE:
        shapes, c = TENSOR_SINGLE[name]
        if order == 2 and name == "matmul":
            shapes = ((3, 3),)
    shapes = shapes or (shape,) * k
    inputs = [np.round(rng.uniform(0.6, 1.4, s) * 1024) / 1024 for s in shapes[:k]]
    if c is None:
        c = {"exponent": 2.5, "scalar": 1.25, "array": np.full(shape, -0.75)}.get(op.const)
    refs = tuple(range(op.arity)) if order == 1 else (0,) * op.arity
    y = op.forward(*[inputs[r] for r in refs], c)
    gy = np.full(np.shape(y), 0.75)
    return fuzz.Graph(inputs, [(name, refs, c)], gy=gy, gv=None if order == 1 else
                      np.full(shapes[0], 1.5), order=order, many=k > 1, tensor=tensor,
                      broadcast=tensor)


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

    def test_reference_stage3_passes_graphs_of_one_shape(self):
        """The graphs every engine before stage 4 gets, on the stage-3 reference."""
        for order in (1, 2):
            with self.subTest(order=order):
                self.assert_no_false_alarm("reference_stage3", DEFAULT_SEED, GRAPHS, order)

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
                      ("reference", "reference_stage3", "reference_stage2", "reference_stage1")}
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
        self.assertIn(("step36_book.py", "reference_stage3"), matched)
        self.assertIn(("core_simple_step24.py", "reference_stage2"), matched)

    def test_an_engine_lacking_some_operations_still_shares_most_graphs(self):
        """Each node's operation is drawn from all of OPS and only a missing one replaced, so
        reference_stage2 (no sin, cos, tanh) runs most of reference_stage3's graphs."""
        pairs = zip(graphs("reference_stage3", DEFAULT_SEED, GRAPHS, 1),
                    graphs("reference_stage2", DEFAULT_SEED, GRAPHS, 1))
        shared = sum(fuzz.key(a) == fuzz.key(b) for a, b in pairs) / GRAPHS
        self.assertGreaterEqual(shared, SHARED_WITH_FEWER_OPS_MIN,
                                f"{shared:.3f} of the graphs are the same")

    def test_a_tensor_engine_lacking_the_methods_still_shares_most_graphs(self):
        """The same for tensor graphs: an engine whose values have no methods (x.T,
        x.reshape(...): a functional engine) runs most of the reference's."""
        R = engine("reference")
        E = at_step(R, 46, absent="tensor_methods")
        self.assertNotIn(".T", fuzz.operations(E))
        shared = sum(fuzz.key(fuzz.generate(E, DEFAULT_SEED, i)) == fuzz.key(g)
                     for i, g in enumerate(graphs("reference", DEFAULT_SEED, GRAPHS, 1)))
        self.assertGreaterEqual(shared / GRAPHS, SHARED_WITHOUT_METHODS_MIN,
                                f"{shared / GRAPHS:.3f} of the graphs are the same")

    def test_an_engine_before_the_tensor_operations_gets_the_graphs_of_one_shape(self):
        """The stage-4 reference judged at step 37 (tensors, no reshape yet) has stage 3's
        operations, and runs reference_stage3's graphs, key for key."""
        R = engine("reference")
        at37 = at_step(R, 37)
        self.assertEqual(fuzz.operations(at37), fuzz.operations(engine("reference_stage3")))
        for order in (1, 2):
            for index in range(20):
                with self.subTest(order=order, index=index):
                    graph = fuzz.generate(at37, DEFAULT_SEED, index, order)
                    self.assertFalse(graph.tensor)
                    self.assertEqual(fuzz.key(graph), fuzz.key(
                        graphs("reference_stage3", DEFAULT_SEED, GRAPHS, order)[index]))

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
    """What the generator draws for an engine before stage 4 (graphs of one shape), over the
    first 500 graphs of the default seed on reference_stage3."""

    @classmethod
    def setUpClass(cls):
        cls.first = graphs("reference_stage3", DEFAULT_SEED, COVERAGE_GRAPHS, 1)

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
        missing = [op for op in fuzz.operations(engine("reference_stage3")) if op not in used]
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
        second = graphs("reference_stage3", DEFAULT_SEED, COVERAGE_GRAPHS, 2)
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


def shapes_of(graph):
    """The shape of every value of a graph (inputs, then nodes)."""
    with np.errstate(all="ignore"):
        return [np.shape(v) for v in fuzz.evaluate(graph, [x.astype(np.float64)
                                                            for x in graph.inputs])]


def tensor_nodes(graphs_):
    """(graph, node, operands' shapes, value's shape) of every node of the graphs."""
    for g in graphs_:
        shapes = shapes_of(g)
        n = len(g.inputs)
        for k, node in enumerate(g.nodes):
            yield g, node, [shapes[r] for r in node[1]], shapes[n + k]


def at_step(E, step, absent=()):
    """The adapter E as if judged at step, with the capabilities absent declared absent."""
    at = types.SimpleNamespace(**{k: getattr(E, k) for k in dir(E) if not k.startswith("__")})
    at.STEP = step
    absent = (absent,) if isinstance(absent, str) else absent
    at.ABSENT = dict(E.ABSENT, **dict.fromkeys(absent, "absent in this test"))
    return at


class TestTensorCoverage(unittest.TestCase):
    """What the generator draws for a stage-4 engine (the reference): tensor graphs, over the
    first 500 graphs of the default seed, each case the issue asks for."""

    @classmethod
    def setUpClass(cls):
        cls.first = graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS, 1)
        cls.nodes = list(tensor_nodes(cls.first))

    def test_the_graphs_are_tensor_graphs_with_broadcasting(self):
        self.assertEqual({(g.tensor, g.broadcast) for g in self.first}, {(True, True)})

    def test_every_operation_of_the_engine_occurs(self):
        used = collections.Counter(node[0] for _, node, _, _ in self.nodes)
        missing = [op for op in fuzz.operations(engine("reference")) if op not in used]
        self.assertEqual(missing, [], f"operations drawn: {dict(used)}")
        self.assertTrue(fuzz.TENSOR_OPS <= set(fuzz.operations(engine("reference"))))

    def test_every_input_shape_occurs_with_mixed_ranks_and_size_1_axes(self):
        shapes = collections.Counter(x.shape for g in self.first for x in g.inputs)
        self.assertEqual(set(shapes), set(fuzz.INPUT_SHAPES), f"shapes drawn: {dict(shapes)}")
        mixed = [g for g in self.first if len({x.ndim for x in g.inputs}) > 1]
        self.assertGreater(len(mixed), COVERAGE_GRAPHS // 10, "inputs of different ranks")
        counts = collections.Counter(len(g.inputs) for g in self.first)
        self.assertEqual(set(counts), {1, 2, 3}, f"numbers of inputs drawn: {dict(counts)}")
        dtypes = collections.Counter(np.dtype(g.dtype).name for g in self.first)
        self.assertEqual(set(dtypes), {"float32", "float64"}, f"dtypes drawn: {dict(dtypes)}")

    def test_sums_over_every_kind_of_axis_both_with_and_without_keepdims(self):
        def kind(axis):
            if axis is None:
                return "None"
            if isinstance(axis, tuple):
                return "tuple" if len(axis) > 1 else "1-tuple"
            return "negative" if axis < 0 else "int"
        seen = collections.Counter((kind(c[0]), c[1]) for _, (name, _, c), _, _ in self.nodes
                                   if name in ("sum", ".sum"))
        want = {(k, keep) for k in ("None", "int", "negative", "tuple") for keep in (True, False)}
        self.assertEqual(want - set(seen), set(), f"sums drawn: {dict(seen)}")
        unsorted = [c[0] for _, (name, _, c), _, _ in self.nodes if name in ("sum", ".sum")
                    and isinstance(c[0], tuple) and list(c[0]) != sorted(c[0])]
        self.assertTrue(unsorted, "no sum over axes given out of order")

    def test_transposes_that_are_not_their_own_inverse_occur_on_3d_values(self):
        found = [(c, ins[0]) for _, (name, _, c), ins, _ in self.nodes
                 if name in ("transpose", ".transpose") and c is not None and len(ins[0]) == 3
                 and tuple(np.argsort([a % 3 for a in c])) != tuple(a % 3 for a in c)]
        self.assertGreaterEqual(len(found), 5, found)
        self.assertTrue(any(min(c) < 0 for c, _ in found), "no negative axis in a transpose")
        self.assertTrue(any(name == ".T" and len(ins[0]) == 3
                            for _, (name, _, _), ins, _ in self.nodes), "no x.T of a 3-d value")

    def test_broadcasting_in_both_directions(self):
        """A scalar, a (3,) row and a (2, 1) column meet a larger value in + - * / (or add ...
        div), on the left and on the right; ndarray constants broadcast either way."""
        for small in ((), (3,), (2, 1)):
            for side in (0, 1):
                with self.subTest(small=small, side=side):
                    self.assertTrue(any(
                        name in fuzz.ELEMENTWISE_PAIRS and ins[side] == small
                        and math.prod(ins[1 - side]) > max(1, math.prod(small))
                        for _, (name, _, _), ins, _ in self.nodes))
        wider = [c.shape for _, (_, _, c), ins, y in self.nodes if isinstance(c, np.ndarray)
                 and c.shape == y != ins[0]]
        narrower = [c.shape for _, (_, _, c), ins, y in self.nodes if isinstance(c, np.ndarray)
                    and ins[0] == y != c.shape]
        self.assertTrue(wider and narrower, "ndarray constants broadcasting both ways")

    def test_reductions_followed_by_broadcasts(self):
        """A sum's value (or sum_to's) broadcast again: by broadcast_to, or against a larger
        operand."""
        found = []
        for g in self.first:
            shapes, n = shapes_of(g), len(g.inputs)
            reduced = {n + k for k, (name, _, _) in enumerate(g.nodes)
                       if name in ("sum", ".sum", "sum_to")}
            for k, (name, refs, _) in enumerate(g.nodes):
                for r in refs:
                    if r in reduced and shapes[r] != shapes[n + k] and (
                            name == "broadcast_to" or name in fuzz.ELEMENTWISE_PAIRS):
                        found.append((g.index, name))
        self.assertGreaterEqual(len(found), 10, found)
        self.assertTrue(any(name == "broadcast_to" for _, name in found), found)

    def test_reshapes_broadcast_to_sum_to_and_matmul_change_shapes(self):
        def changed(names):
            return [(ins, y) for _, (name, _, _), ins, y in self.nodes if name in names]
        for names in (("reshape", ".reshape"), ("broadcast_to",), ("sum_to",)):
            with self.subTest(names[0]):
                self.assertTrue(all(ins[0] != y for ins, y in changed(names)))
                self.assertGreaterEqual(len(changed(names)), 10)
        products = changed(("matmul",))
        self.assertTrue(any(a[0] != a[1] or b[0] != b[1] for (a, b), _ in products),
                        "a matmul of matrices that are not square")
        self.assertTrue(any(a == b and a[0] == a[1] for (a, b), _ in products),
                        "a matmul of square matrices (where a missing transpose keeps shapes)")
        for form in ((3, 2), (6,)):  # x.reshape(3, 2) and x.reshape(6): not as one tuple
            self.assertTrue(any(name == ".reshape" and not c[1] and len(c[0]) == len(form)
                                for _, (name, _, c), _, _ in self.nodes), form)

    def test_every_graph_is_valid_and_its_seeds_have_its_shapes(self):
        invalid = [shown(g, "not valid") for g in self.first if not fuzz.valid(g)]
        self.assertEqual(invalid, [], "\n\n".join(invalid[:LISTED]))
        for g in self.first:
            self.assertEqual(g.gy.shape, shapes_of(g)[-1])
        second = graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS // 2, 2)
        invalid = [shown(g, "not valid") for g in second if not fuzz.valid(g)]
        self.assertEqual(invalid, [], "\n\n".join(invalid[:LISTED]))
        self.assertEqual({(len(g.inputs), g.gv.shape == g.shape) for g in second}, {(1, True)})
        linear = [g for g in second if all(name in fuzz.LINEAR for name, _, _ in g.nodes)]
        self.assertEqual(linear, [], "a second-order graph of linear operations alone")

    def test_each_operator_from_its_books_step(self):
        """Step 20 overloads + and * between Variables, step 21 takes a float or an ndarray
        on either side, step 22 adds -, /, unary minus and **."""
        book = {20: ("+", "*"), 21: ("c+x", "x+c", "c*x", "x*c"),
                22: ("-", "/", "-x", "x**c", "c-x", "x-c", "c/x", "x/c")}
        for step, names in book.items():
            for name in names:
                with self.subTest(name):
                    self.assertEqual(fuzz.OP_STEP[name], step)

    def test_the_matrix_products_the_input_shapes_are_chosen_for(self):
        """(2, 3) @ (3, 2), (2, 3) @ (3, 4), (2, 1) @ (1, 3) and a square (3, 3) with itself
        (conformance/fuzz/shapes.py), and matmul drawn often enough to meet them: it takes a
        pair of 2-d values, so it is drawn with extra weight (33 of the first 500 graphs'
        nodes, measured; 17 without the weight)."""
        products = collections.Counter(tuple(ins) for _, (name, _, _), ins, _ in self.nodes
                                       if name == "matmul")
        for pair in (((2, 3), (3, 2)), ((2, 3), (3, 4)), ((2, 1), (1, 3)), ((3, 3), (3, 3))):
            self.assertIn(pair, products, dict(products))
        self.assertGreaterEqual(sum(products.values()), MATMUL_NODES_MIN, dict(products))

    def test_each_tensor_operation_from_its_books_step_and_capability(self):
        """reshape, transpose and the values' .T, .reshape, .transpose from step 38, sum and
        .sum from 39, broadcast_to and sum_to from 40, matmul from 41; an engine without
        tensor_shape gets no reshape or transpose, one without tensor_methods no methods."""
        R = engine("reference")
        first = {38: {"reshape", "transpose", ".T", ".reshape", ".transpose"},
                 39: {"sum", ".sum"}, 40: {"broadcast_to", "sum_to"}, 41: {"matmul"}}
        for step in range(37, 43):
            at = at_step(R, step)
            with self.subTest(step=step):
                want = set().union(*(names for s, names in first.items() if s <= step))
                self.assertEqual(set(fuzz.operations(at)) & fuzz.TENSOR_OPS, want)
        for capability, gone in (("tensor_shape", {"reshape", "transpose"}),
                                 ("tensor_methods", {".T", ".reshape", ".transpose", ".sum"})):
            at = at_step(R, 46, absent=capability)
            with self.subTest(absent=capability):
                self.assertEqual(set(fuzz.operations(at)) & gone, set())
                self.assertTrue(set(fuzz.operations(at)) & fuzz.TENSOR_OPS - gone)

    def test_an_engine_lacking_an_operation_never_gets_it_at_order_2(self):
        """A second-order graph is curved with operations the engine has: one without sin, cos
        and tanh gets none of them, and every graph still runs on it."""
        R = engine("reference")
        lacking = at_step(R, 46, absent=("sin_cos", "tanh"))
        drawn = [fuzz.generate(lacking, DEFAULT_SEED, i, 2) for i in range(STYLE_GRAPHS)]
        used = {name for g in drawn for name, _, _ in g.nodes}
        self.assertEqual(used & {"sin", "cos", "tanh"}, set())
        self.assertTrue(used - fuzz.LINEAR, used)

    def test_a_second_operand_is_drawn_from_every_value_that_fits(self):
        """x + y's second operand: among all the values whose shapes join the first's, by the
        draw `other`; an input not used yet when `other` < 0.5 (and 0.5 itself is a draw of
        the values that fit, the first half-open interval ending there)."""
        shapes = [(2, 3), (2, 3), (3, 4), (3,), (2, 3)]  # (3, 4) does not join (2, 3)

        def second(other, unused=()):
            refs, _ = fuzz.generator._operands(fuzz.OPS["+"], 0, shapes, unused, other, 0.9,
                                               True, None, np.float64, *[None] * 6)
            return refs[1]
        fits = [0, 1, 3, 4]
        for other in (0.0, 0.3, 0.6, 0.9):
            with self.subTest(other=other):
                self.assertEqual(second(other), fits[int(other * len(fits))])
        self.assertEqual(second(0.3, unused=(1, 2, 4)), 4)  # fresh: 1 and 4; 2 does not fit
        self.assertEqual(second(0.5, unused=(1, 4)), fits[2])

    def test_an_engine_without_broadcasting_gets_operands_of_one_shape(self):
        """At step 39 (sum, no broadcast_to yet) + - * / and ndarray constants take operands of
        one shape; reshape, transpose and sum still change shapes."""
        R = engine("reference")
        at39 = at_step(R, 39)
        ops = fuzz.operations(at39)
        self.assertNotIn("broadcast_to", ops)
        self.assertNotIn("matmul", ops)
        self.assertIn("sum", ops)
        drawn = [fuzz.generate(at39, DEFAULT_SEED, i) for i in range(STYLE_GRAPHS)]
        self.assertEqual({(g.tensor, g.broadcast) for g in drawn}, {(True, False)})
        for g, (name, _, c), ins, _ in tensor_nodes(drawn):
            if name in fuzz.ELEMENTWISE_PAIRS or isinstance(c, np.ndarray):
                self.assertEqual(len(set(ins + ([c.shape] if isinstance(c, np.ndarray)
                                                else []))), 1, shown(g, name))
        self.assertTrue(any(ins[0] != y for _, _, ins, y in tensor_nodes(drawn)))
        found = false_alarms(R, drawn)
        self.assertEqual(found, [], report(found, "graphs at step 39"))


class TestShapes(unittest.TestCase):
    """The shape tables the tensor draw chooses from (conformance/fuzz/shapes.py)."""

    def test_joint_is_numpys_broadcast(self):
        for a in fuzz.shapes.TARGETS[:40]:
            for b in fuzz.INPUT_SHAPES:
                try:
                    want = np.broadcast_shapes(a, b)
                except ValueError:
                    want = None
                self.assertEqual(fuzz.shapes.joint(a, b), want, (a, b))

    def test_each_operations_targets_are_what_numpy_takes(self):
        for shape in fuzz.INPUT_SHAPES + ((6,), (1, 1), (2, 2, 3)):
            x = np.ones(shape)
            with self.subTest(shape=shape):
                for target in fuzz.shapes.reshapes(shape):
                    self.assertEqual(x.reshape(target).shape, target)
                for target in fuzz.shapes.widenings(shape):
                    self.assertEqual(np.broadcast_to(x, target).shape, target)
                for target in fuzz.shapes.narrowings(shape):
                    self.assertEqual(np.broadcast_to(np.ones(target), shape).shape, shape)
                    self.assertNotEqual(target, shape)
                for axis in fuzz.shapes.SUM_AXES[len(shape)]:
                    x.sum(axis=axis)
                for axes in fuzz.shapes.PERMUTATIONS[len(shape)]:
                    x.transpose(axes)
                for other in fuzz.shapes.related(shape, True, True):
                    self.assertTrue(fuzz.shapes.joint(other, shape) is not None or (
                        len(other) == len(shape) == 2
                        and (other[0] == shape[1] or other[1] == shape[0])), other)
                self.assertTrue(all(np.prod(t) <= fuzz.shapes.MAX_ELEMENTS
                                    for t in fuzz.shapes.TARGETS))

    def test_a_value_may_be_flattened_or_reversed(self):
        """Among the reshape targets: the flat (6,) of a (2, 3) value (the book's
        x.reshape(6)) and its axes reversed, (3, 2); the same of (2, 3, 4). (A (3, 3) value
        is not flattened: 9 is not among the lengths of TARGETS.)"""
        for shape, flat in (((2, 3), (6,)), ((2, 3, 4), (24,)), ((3, 4), (12,))):
            with self.subTest(shape=shape):
                targets = fuzz.shapes.reshapes(shape)
                self.assertIn(flat, targets)
                self.assertIn(shape[::-1], targets)

    def test_the_3d_inputs_are_a_stack_of_matrices_and_one_with_a_size_1_axis(self):
        """As conformance/fuzz/shapes.py says: a stack of (2, 3) matrices, and a 3-d value with
        a size-1 axis; and one of three different lengths, whose transposes all change it."""
        cubes = [s for s in fuzz.INPUT_SHAPES if len(s) == 3]
        self.assertTrue(any(s[1:] == (2, 3) for s in cubes), cubes)
        self.assertTrue(any(1 in s for s in cubes), cubes)
        self.assertTrue(any(len(set(s)) == 3 for s in cubes), cubes)

    def test_the_tables_repeat_nothing_and_hold_negative_axes(self):
        """Each input shape and each transpose's axes (as written: (-1, 0) is there for its
        negative axis, beside (1, 0)) once; negative axes in the sums and transposes of 2-d
        and 3-d values (two engines' transposes fail only on those: matrix/FINDINGS.md)."""
        self.assertEqual(len(set(fuzz.INPUT_SHAPES)), len(fuzz.INPUT_SHAPES), fuzz.INPUT_SHAPES)
        for ndim in (2, 3):
            with self.subTest(ndim=ndim):
                perms = fuzz.shapes.PERMUTATIONS[ndim]
                self.assertEqual(len(set(perms)), len(perms), perms)
                self.assertTrue(any(p is not None and min(p) < 0 for p in perms), perms)
                axes = [a for a in fuzz.shapes.SUM_AXES[ndim] if a is not None]
                self.assertTrue(any(min(np.atleast_1d(a)) < 0 for a in axes), axes)


class TestDual(unittest.TestCase):
    """Dual numbers carry each operation's derivative: checked against closed forms."""

    def test_linear_holds_exactly_the_operations_of_no_curvature(self):
        """An operation of one operand is in LINEAR exactly when the kit's Hessian-vector
        product through it is zero, and in CURVES exactly when it is not."""
        x = np.array([0.7, 1.3])
        constants = {"exponent": 3.0, "scalar": 2.0, "array": np.full(2, 0.5), None: None}
        for name, op in fuzz.OPS.items():
            if op.arity != 1 or name in fuzz.TENSOR_OPS:
                continue
            graph = fuzz.Graph([x], [(name, (0,), constants[op.const])], gy=np.ones(2),
                               gv=np.ones(2), order=2)
            _, (hvp,) = fuzz.oracle(graph)
            with self.subTest(name):
                self.assertEqual(name in fuzz.LINEAR, not np.any(hvp), hvp)
                self.assertEqual(name in fuzz.CURVES, bool(np.any(hvp)), hvp)

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

    def test_tensor_operations_carry_the_derivative(self):
        """Linear in both parts (reshape, transpose, sum, broadcast_to, sum_to), a product
        rule for matmul, whichever side the plain operand is on."""
        a = np.arange(24.0).reshape(2, 3, 4) / 16 - 0.5
        d = np.cos(3 * a)
        x = fuzz.Dual(a, d)
        linear = {"reshape": ((6, 4), lambda t: t.reshape(6, 4)),
                  "transpose": ((1, 2, 0), lambda t: t.transpose(1, 2, 0)),
                  ".T": (None, lambda t: t.T),
                  "sum": (((2, 0), True), lambda t: t.sum(axis=(2, 0), keepdims=True)),
                  ".sum": ((-1, False), lambda t: t.sum(axis=-1)),
                  "broadcast_to": ((5, 2, 3, 4), lambda t: np.broadcast_to(t, (5, 2, 3, 4))),
                  "sum_to": ((3, 1), lambda t: t.sum(axis=(0, 2)).reshape(3, 1))}
        for name, (c, closed) in linear.items():
            with self.subTest(name):
                self.assert_dual(fuzz.OPS[name].forward(x, c), closed(a), closed(d), name)
        m, dm = a[0], d[0]  # (3, 4)
        w, dw = a[1].T, d[1].T  # (4, 3)
        for what, got, value, derivative in (
                ("Dual @ Dual", fuzz.Dual(m, dm) @ fuzz.Dual(w, dw), m @ w, dm @ w + m @ dw),
                ("Dual @ array", fuzz.Dual(m, dm) @ w, m @ w, dm @ w),
                ("array @ Dual", w @ fuzz.Dual(m, dm), w @ m, w @ dm)):
            with self.subTest(what):
                self.assert_dual(got, value, derivative, what)

    def test_a_larger_plain_operand_broadcasts_the_derivative_too(self):
        """x of (3,) plus or minus an ndarray of (2, 3): the value and its derivative both
        (2, 3), whichever side the ndarray is on."""
        a, da, big = self.A, self.DA, np.ones((2, 3)) * np.array([[1.0], [2.0]])
        x = fuzz.Dual(a, da)
        for what, got, value, derivative in (("x + A", x + big, a + big, da + 0 * big),
                                             ("A + x", big + x, big + a, da + 0 * big),
                                             ("x - A", x - big, a - big, da + 0 * big),
                                             ("A - x", big - x, big - a, -da + 0 * big),
                                             ("x * A", x * big, a * big, da * big)):
            with self.subTest(what):
                self.assert_dual(got, value, derivative, what)
                self.assertEqual(np.shape(got.d), (2, 3), what)

    def test_oracle_gradients_of_tensor_operations_match_closed_forms(self):
        """Each tensor operation's gradient, and an operand broadcast by +, from the oracle:
        numpy's own transpose, spread, sum and products."""
        def oracle_of(name, shapes=None):
            graph = single(name, shapes=shapes)
            _, gs = fuzz.oracle(graph)
            return graph, gs
        g, (gx,) = oracle_of("transpose")  # (1, 2, 0): the inverse is (2, 0, 1)
        np.testing.assert_array_equal(gx, g.gy.transpose(2, 0, 1))
        g, (gx,) = oracle_of("sum")  # axes (2, 0) of (2, 3, 4), keepdims False: gy (3,)
        np.testing.assert_array_equal(gx, np.broadcast_to(g.gy[None, :, None], (2, 3, 4)))
        g, (gx,) = oracle_of(".sum")  # axis -1 of (2, 3), keepdims True: gy (2, 1)
        np.testing.assert_array_equal(gx, np.broadcast_to(g.gy, (2, 3)))
        g, (gx,) = oracle_of("broadcast_to")  # (2, 1) to (4, 2, 3)
        np.testing.assert_array_equal(gx, g.gy.sum(axis=(0, 2))[:, None])
        g, (gx,) = oracle_of("sum_to")  # (2, 3, 4) to (3, 1)
        np.testing.assert_array_equal(gx, np.broadcast_to(g.gy, (2, 3, 4)))
        g, (gx, gw) = oracle_of("matmul")  # (2, 3) @ (3, 4)
        np.testing.assert_allclose(gx, g.gy @ g.inputs[1].T, rtol=1e-15)
        np.testing.assert_allclose(gw, g.inputs[0].T @ g.gy, rtol=1e-15)
        for name in ("add", "*", "/"):
            with self.subTest(name):
                g, (ga, gb) = oracle_of(name, ((2, 3), (3,)))
                self.assertEqual((ga.shape, gb.shape), ((2, 3), (3,)))
                forward, (a, b) = fuzz.OPS[name].forward, g.inputs
                h = 1e-6  # b's gradient is gy's derivative summed over the broadcast axis
                numeric = [np.sum(g.gy * (forward(a, b + h * e, None)
                                          - forward(a, b - h * e, None))) / (2 * h)
                           for e in np.eye(3)]
                np.testing.assert_allclose(gb, numeric, rtol=1e-7)

    def test_oracle_hessian_vector_product_of_a_matmul(self):
        """y = x @ x: g = gy @ x^T + x^T @ gy, and its derivative along v is
        gy @ v^T + v^T @ gy."""
        graph = single("matmul", order=2)
        x, gy, v = graph.inputs[0], graph.gy, graph.gv
        g, (hvp,) = fuzz.oracle(graph)
        np.testing.assert_allclose(g, gy @ x.T + x.T @ gy, rtol=1e-14)
        np.testing.assert_allclose(hvp, gy @ v.T + v.T @ gy, rtol=1e-14)

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

    def assert_numpy_float32_within_bound(self, order, spec="reference_stage3"):
        """Each graph run in numpy float32 against the float64 oracle: the error is within the
        raw bound (without SAFETY) for OP_ULPS ulps per operation. A tensor graph is cast as
        it is, and left out where a value is 0-d (numpy before 2.0 computes a 0-d float32
        array with a Python float in float64)."""
        u = fuzz.OP_ULPS * EPS32
        worst, beyond, judged = 0.0, [], 0
        for graph in graphs(spec, DEFAULT_SEED, BOUND_GRAPHS, order):
            if graph.tensor and () in shapes_of(graph):
                continue
            judged += 1
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
        self.assertGreater(judged, BOUND_GRAPHS // 2)
        return worst

    def test_numpy_float32_is_within_the_bound_on_first_order_graphs(self):
        self.assert_numpy_float32_within_bound(1)

    def test_numpy_float32_is_within_the_bound_on_second_order_graphs(self):
        self.assert_numpy_float32_within_bound(2)

    def test_numpy_float32_is_within_the_bound_on_tensor_graphs(self):
        """Sums, matmuls and broadcasts summed back, in float32, of up to 24 terms."""
        for order in (1, 2):
            with self.subTest(order=order):
                self.assert_numpy_float32_within_bound(order, "reference")

    def test_moving_data_rounds_nothing_and_a_sum_of_n_terms_n_minus_1_times(self):
        u = 1e-7
        v = np.array([[1.5, -2.0, 0.25], [3.0, 0.5, -1.0]])
        a = fuzz.Bound(v, 0.0, np.abs(v), u)
        for what, got in (("reshape", a.reshape((3, 2))), ("transpose", a.transpose((1, 0))),
                          ("broadcast_to", a.broadcast_to((4, 2, 3))), ("T", a.T)):
            with self.subTest(what):
                self.assertEqual(float(np.max(got.e)), 0.0)
                np.testing.assert_array_equal(np.ravel(got.m), np.ravel(np.abs(got.v)))
        total = a.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(total.e, 2 * u * np.abs(v).sum(axis=1, keepdims=True),
                                   rtol=1e-15)
        self.assertEqual(total.v.shape, (2, 1))
        product = a @ np.ones((3, 4))  # three products and two additions per element
        np.testing.assert_allclose(product.e, 3 * u * np.abs(v) @ np.ones((3, 4)), rtol=1e-15)
        left = np.ones((4, 2)) @ a  # ndarray @ Bound: the Bound's rule
        self.assertIsInstance(left, fuzz.Bound)
        np.testing.assert_allclose(left.e, 2 * u * np.ones((4, 2)) @ np.abs(v), rtol=1e-15)


class TestWideConstants(unittest.TestCase):
    """The kit computes an ndarray constant in float64 on every numpy: numpy before 2.0 takes
    a 0-d float64 value times a float32 array in float32 (value-based casting), which the
    oracle must not (on numpy 2 the two agree, and this test cannot fail there)."""

    def test_a_float32_constant_meets_a_0d_float64_input_in_float64(self):
        c = np.full((2, 3), 0.1, np.float32)
        graph = fuzz.Graph([np.array(0.3)], [("x*A", (0,), c)], gy=np.full((2, 3), 0.5),
                           tensor=True, broadcast=True)
        want = 0.3 * c.astype(np.float64)
        y, (gx,) = fuzz.oracle(graph)
        np.testing.assert_array_equal(y, want)
        self.assertEqual(y.dtype, np.float64)
        np.testing.assert_array_equal(gx, np.sum(0.5 * c.astype(np.float64)))
        self.assertTrue(fuzz.valid(graph))
        bound = fuzz.bounds(graph, EPS32)[0]
        self.assertTrue(np.all(bound < 1e-6), bound)

    def test_at_order_2_too(self):
        """square(x * A) at a 0-d x: g = sum(gy * 2 x A * A), from values in float64."""
        c = np.full((2, 3), 0.1, np.float32)
        c64 = c.astype(np.float64)
        graph = fuzz.Graph([np.array(0.3)], [("x*A", (0,), c), ("square", (1,), None)],
                           gy=np.full((2, 3), 0.5), gv=np.array(1.0), order=2, tensor=True,
                           broadcast=True)
        g, (hvp,) = fuzz.oracle(graph)
        np.testing.assert_allclose(g, np.sum(0.5 * 2 * 0.3 * c64 * c64), rtol=WIDE_RTOL)
        np.testing.assert_allclose(hvp, np.sum(0.5 * 2 * c64 * c64), rtol=WIDE_RTOL)


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

    def test_the_tensor_rules_an_engine_gets_wrong_are_caught_in_the_oracle(self):
        """The oracle's own tensor rules broken as the stage-4 mutants break an engine's, where
        the shapes let them run: a transpose by the same axes (a (2, 2, 2) value), a sum's
        gradient broadcast without its axis restored (a square), matmul without a transpose
        (x @ x). Each is caught by the cross-check."""
        arith = fuzz.arith
        cube = np.round(np.linspace(0.6, 1.4, 8).reshape(2, 2, 2) * 1024) / 1024
        square = cube[0] @ np.array([[1.0, 0.25], [-0.5, 1.0]])
        cases = {
            "transpose": (fuzz.Graph([cube], [("transpose", (0,), (1, 2, 0))],
                                     gy=cube[::-1] + 0.25, tensor=True),
                          lambda g, a, y, c: [arith._transpose(g, c)]),
            "sum": (fuzz.Graph([square], [("sum", (0,), (1, False))], gy=np.array([0.5, 1.5]),
                               tensor=True),
                    lambda g, a, y, c: [arith._broadcast_to(g, arith._shape(a))]),
            "matmul": (fuzz.Graph([square], [("matmul", (0, 0), None)], gy=square.T + 1,
                                  tensor=True),
                       lambda g, a, b, y, c: [g @ b, arith._transpose(a) @ g])}
        for name, (graph, rule) in cases.items():
            with self.subTest(name):
                self.assertIsNone(fuzz.oracle_agrees(graph))
                with self.wrong(name, rule):
                    self.assertIsNotNone(fuzz.oracle_agrees(replace(graph)))

    def test_the_sum_back_to_a_broadcast_operands_shape_is_the_oracles(self):
        """+ - * / broadcasting (2, 3) with (3,) or (2, 1): every single graph agrees with its
        central difference, and the gradients have the operands' shapes."""
        for name in fuzz.ELEMENTWISE_PAIRS:
            for shapes in (((2, 3), (3,)), ((2, 1), (2, 3)), ((), (2, 3)), ((2, 1), (1, 3))):
                with self.subTest(name, shapes=shapes):
                    graph = single(name, shapes=shapes)
                    self.assertIsNone(fuzz.oracle_agrees(graph))
                    _, gs = fuzz.oracle(graph)
                    self.assertEqual([g.shape for g in gs], list(shapes))


class TestFailureText(unittest.TestCase):
    """A value of the wrong shape is named with whose shape it must have."""

    def test_a_graph_is_described_by_its_nodes_inputs_shapes_and_dtype(self):
        x = np.ones((2, 3))
        cases = [
            (fuzz.Graph([x], [("square", (0,), None)]), "1 node over 1 input of shape (2, 3) "
                                                        "float64"),
            (fuzz.Graph([x, np.ones(3)], [("+", (0, 1), None), ("exp", (2,), None)],
                        tensor=True), "2 nodes over 2 inputs of shapes (2, 3), (3,) float64"),
            (fuzz.Graph([x.astype(np.float32), x.astype(np.float32)], [("*", (0, 1), None)],
                        order=2, tensor=True),
             "1 node over 2 inputs of shape (2, 3) float32, second order")]
        for graph, text in cases:
            with self.subTest(text):
                self.assertEqual(graph.describe(), text)

    def failure(self, graph, wrong):
        """check()'s Failure when the engine gives the oracle's values but for one, of the
        wrong shape: wrong(y, gradients) changes them in place."""
        def run(adapter, graph_, given=None):
            y, gs = fuzz.oracle(graph_)
            y, gs = np.array(y), [np.array(g) for g in gs]
            return wrong(y, gs)
        with mock.patch.object(fuzz, "run", run):
            return fuzz.check(engine("reference"), graph)

    def test_each_value_names_whose_shape_it_must_have(self):
        x = np.arange(1.0, 7.0).reshape(2, 3) / 8
        c = np.full((3,), 0.5)
        one = fuzz.Graph([x, c], [("+", (0, 1), None)], gy=np.ones((2, 3)), tensor=True,
                         broadcast=True)
        second = fuzz.Graph([x], [("square", (0,), None)], gy=np.ones((2, 3)),
                            gv=np.ones((2, 3)), order=2, tensor=True, broadcast=True)
        flat = fuzz.Graph([np.array([0.5, 0.25])], [("square", (0,), None)], gy=np.ones(2))
        cases = [
            (one, lambda y, gs: (y.T, gs),
             "y has shape (3, 2), must have the kit's y's shape (2, 3)"),
            (one, lambda y, gs: (y, [gs[0], np.ones((2, 3))]),
             "gx1 has shape (2, 3), must have x1's shape (3,)"),
            (second, lambda y, gs: (y, [gs[0].T]),
             "hvp has shape (3, 2), must have x0's shape (2, 3)"),
            (flat, lambda y, gs: (y, [gs[0][:1]]),
             "gx0 has shape (1,), must have the inputs' shape (2,)")]
        for graph, wrong, text in cases:
            with self.subTest(text):
                found = self.failure(graph, wrong)
                self.assertEqual((found.what, found.kind), (text, "wrong shape"))


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
        for clause, names in TENSOR_MUTANTS.items():
            for name in names:
                with self.subTest(name, clause=clause):
                    self.assertFalse(BY_NAME[name].isolated)
                    self.assertEqual(BY_NAME[name].base, "stage4")

    def assert_found_and_shrunk(self, name, order, most=SHRUNK_NODES_MAX):
        """Each way the mutant fails (Failure.kind): its first graph shrunk to a valid graph
        of at most `most` nodes, no larger, that still fails the same way."""
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
            self.assertLessEqual(len(small.nodes), most, what)
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

    def test_stage4_mutants_are_found_and_shrunk(self):
        """The bugs of the tensor operations' backward (tests/broken's stage-4 mutants),
        found without being looked for: the fast tier a sample of each clause's."""
        for clause, names in TENSOR_MUTANTS.items():
            for name in names if FULL else names[::4]:
                with self.subTest(name, clause=clause):
                    self.assert_found_and_shrunk(name, 1 if clause == "S44" else 2,
                                                 TENSOR_SHRUNK_NODES_MAX)

    def test_the_reference_passes_the_shrunk_graphs(self):
        """What a mutant fails is the mutant's fault: the reference passes the same graph."""
        R = engine("reference")
        tensor = [(names if FULL else names[::4], 1 if clause == "S44" else 2)
                  for clause, names in TENSOR_MUTANTS.items()]
        for names, order in [(FIRST_ORDER_MUTANTS, 1), (SECOND_ORDER_MUTANTS, 2)] + tensor:
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

    def test_a_function_and_a_method_are_printed_as_such(self):
        """E.sum(x0, axis=1) for the adapter's sum, x0.sum(axis=1) for the value's method (an
        engine may have one and not the other), and likewise reshape and transpose."""
        x = np.arange(6.0).reshape(2, 3)
        cases = [("sum", (1, False), "t1 = E.sum(x0, axis=1)"),
                 (".sum", (1, True), "t1 = x0.sum(axis=1, keepdims=True)"),
                 ("reshape", (3, 2), "t1 = E.reshape(x0, (3, 2))"),
                 ("transpose", (1, 0), "t1 = E.transpose(x0, (1, 0))"),
                 (".transpose", (1, 0), "t1 = x0.transpose(1, 0)"),
                 (".T", None, "t1 = x0.T")]
        for name, c, line in cases:
            with self.subTest(name):
                graph = fuzz.Graph([x], [(name, (0,), c)], tensor=True, broadcast=True)
                self.assertIn(line, fuzz.code(graph))

    def test_tensor_graphs_reproduce_every_form_of_call(self):
        """For each tensor operation the first graph using it: the printed Python (E.sum(x,
        axis=..., keepdims=True), x.reshape(3, 2), x.transpose(1, 2, 0), x.T, ...) gives
        exactly what the check's run gave."""
        R = engine("reference")
        chosen = {}
        for graph in graphs("reference", DEFAULT_SEED, COVERAGE_GRAPHS, 1):
            for name, _, _ in graph.nodes:
                if name in fuzz.TENSOR_OPS:
                    chosen.setdefault(name, graph)
        self.assertEqual(set(chosen), set(fuzz.TENSOR_OPS))
        for name, graph in sorted(chosen.items()):
            with self.subTest(name, index=graph.index):
                y, gs = self.run_code(graph, R)
                run_y, run_gs = fuzz.run(R, graph)
                for got, ran in zip([y] + gs, [run_y] + run_gs):
                    np.testing.assert_array_equal(np.asarray(got), np.asarray(ran))
                    self.assertEqual(np.shape(got), np.shape(ran))

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


class TestTensorShrinking(unittest.TestCase):
    """What shrinking a tensor graph relies on: valid() refuses the shapes an operation does
    not take, axes cut alike keep a graph together, and gy follows the output's shape."""

    def graph(self, nodes, shapes, broadcast=True, **more):
        inputs = [np.full(s, 0.75) + np.arange(math.prod(s)).reshape(s) / 8 for s in shapes]
        try:
            gy = np.full(np.shape(fuzz.evaluate(fuzz.Graph(inputs, nodes), inputs)[-1]), 0.5)
        except ValueError:  # numpy refuses the shapes: no gy to give
            gy = None
        return fuzz.Graph(inputs, nodes, gy=gy, tensor=True, broadcast=broadcast, **more)

    def test_valid_refuses_what_the_engine_does_not_take(self):
        self.assertTrue(fuzz.valid(self.graph([("matmul", (0, 1), None)], [(2, 3), (3, 2)])))
        refused = {
            "matmul of 1-d values": self.graph([("matmul", (0, 1), None)], [(3,), (3,)]),
            "axis 0 of a 0-d value": self.graph([("sum", (0,), (0, False))], [()]),
            "a repeated axis": self.graph([("sum", (0,), ((1, -1), False))], [(2, 3)]),
            "a transpose's axes of another rank": self.graph([("transpose", (0,), (1, 0))],
                                                             [(2, 3, 4)]),
            "broadcasting before step 40": self.graph([("+", (0, 1), None)], [(2, 3), (3,)],
                                                      broadcast=False),
            "an ndarray constant of another shape before step 40": self.graph(
                [("x*A", (0,), np.full((2, 3), 0.5))], [(3,)], broadcast=False)}
        reshaped = self.graph([("reshape", (0,), (3, 2))], [(2, 3)])
        refused["a reshape to another size"] = replace(reshaped, nodes=[("reshape", (0,), (4,))])
        summed = self.graph([("sum", (0,), (1, False))], [(2, 3)])
        refused["gy not of y's shape"] = replace(summed, gy=np.ones((2, 3)))
        for what, graph in refused.items():
            with self.subTest(what):
                self.assertFalse(fuzz.valid(graph))
        self.assertTrue(fuzz.valid(reshaped) and fuzz.valid(summed))

    def test_cutting_an_axis_everywhere_keeps_the_graph_together(self):
        """x (2, 3) reshaped to (3, 2) and transposed: every axis of 3 cut to 1 at once (the
        reshape's target too) gives a valid graph over (2, 1), smaller."""
        graph = self.graph([("reshape", (0,), (3, 2)), ("transpose", (1,), (1, 0)),
                            ("*", (2, 0), None)], [(2, 3)])
        self.assertTrue(fuzz.valid(graph))
        narrowed = [g for g in fuzz.shrinker._narrowed(graph) if fuzz.valid(g)]
        self.assertIn(((2, 1), (1, 2)), [(g.inputs[0].shape, g.nodes[0][2]) for g in narrowed])
        for g in narrowed:
            self.assertLess(g.size(), graph.size())

    def test_a_candidate_s_gy_follows_its_output_s_shape(self):
        graph = self.graph([("sum", (0,), (1, False)), ("square", (1,), None)], [(2, 3)])
        earlier = fuzz.shrinker._refit(replace(graph, nodes=graph.nodes[:1]))
        self.assertEqual(earlier.gy.shape, (2,))
        same = fuzz.shrinker._refit(graph)
        self.assertIs(same.gy, graph.gy)
        for candidate in fuzz.shrinker._candidates(graph):
            if candidate is not None and fuzz.valid(candidate):
                self.assertEqual(candidate.gy.shape, shapes_of(candidate)[-1])

    def test_two_nodes_are_bypassed_at_once_where_one_alone_will_not_do(self):
        """A failure that needs an odd number of negations and two squares, the last at the
        output: from neg, square, neg, neg, square no single change keeps it (one negation
        bypassed, an operand replaced by the input, an earlier output, a simpler operation),
        two negations bypassed together do."""
        nodes = [("neg", (0,), None), ("square", (1,), None), ("neg", (2,), None),
                 ("neg", (3,), None), ("square", (4,), None)]
        graph = replace(self.graph(nodes, [(2,)]), ops=("neg", "square"))
        self.assertTrue(fuzz.valid(graph))

        def check(adapter, candidate):
            names = [name for name, _, _ in candidate.nodes]
            fails = names.count("neg") % 2 and names.count("square") == 2 \
                and names[-1] == "square"
            return fuzz.Failure("wrong") if fails else None
        with mock.patch.object(fuzz.shrinker, "check", check):
            small, _, _ = fuzz.shrinker.shrink(None, graph, fuzz.Failure("wrong"))
        self.assertEqual(len(small.nodes), 3, small.nodes)

    def test_an_input_cut_alone_takes_gv_with_it(self):
        """At order 2, x0 cut to its first row along one axis cuts gv the same way (gv has x0's
        shape); another input cut alone leaves gv as it was."""
        x0 = np.arange(1.0, 7.0).reshape(2, 3) / 8
        x1 = np.full((3,), 0.5)
        gv = np.arange(11.0, 17.0).reshape(2, 3)
        graph = replace(self.graph([("+", (0, 1), None)], [(2, 3), (3,)]), inputs=[x0, x1],
                        gv=gv, order=2)
        cuts = {(g.inputs[0].shape, g.inputs[1].shape): g
                for g in fuzz.shrinker._narrowed(graph) if g.gv is not None}
        np.testing.assert_array_equal(cuts[(1, 3), (3,)].gv, gv[:1])
        np.testing.assert_array_equal(cuts[(2, 1), (3,)].gv, gv[:, :1])
        np.testing.assert_array_equal(cuts[(2, 3), (1,)].gv, gv)

    def test_a_tensor_graph_of_fewer_axes_is_smaller(self):
        """Shrinking keeps a candidate only when it is smaller: of the same elements, fewer
        axes (6,) against (2, 3), so that a failure is shown on the simplest shape."""
        flat = self.graph([("square", (0,), None)], [(6,)])
        matrix = self.graph([("square", (0,), None)], [(2, 3)])
        self.assertLess(flat.size(), matrix.size())


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
