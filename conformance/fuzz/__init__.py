"""Random computation graphs, the kit's own exact oracle, and the smallest failing graph.

Public API (for engine authors as well as for clauses S44 and S45):

    operations(adapter) -> the names of the operations the engine has (OPS, by capability)
    generate(adapter, seed, index, order=1) -> Graph, deterministic for (seed, index, the ops)
    check(adapter, graph) -> None, or a Failure saying what the engine got wrong
    shrink(adapter, graph, failure) -> (a smallest Graph that still fails, its Failure, runs)
    search(adapter, count, seed, order=1) -> Search (every graph's outcome, the first failure
                                             shrunk, and Python that reproduces it)
    code(graph, spec) -> Python over the adapter `E` that rebuilds and runs the graph

A Graph has inputs x0..xk (float64 or float32 arrays, one shape from 0-d to (2, 3)) and
nodes, each an operation applied to earlier values (inputs or nodes: shared by several later
nodes at different depths) and, for the operators, a constant (a Python number on either
side, or an ndarray on either side of + and *). For an engine with the tensor operations of
stage 4 (reshape, transpose, sum, broadcast_to, sum_to, matmul, the values' own x.T,
x.reshape, x.transpose, x.sum) it is a tensor graph (Graph.tensor): inputs of several shapes
up to three axes, the constant of a tensor operation a shape, axes or (axis, keepdims), and
from step 40 the operands of + - * / broadcasting each other. The last node is the output y. order 1
checks y and every input's gradient, backpropagated from gy (E.grads, or E.grad for an
engine without many inputs); order 2 (one input) checks the engine's own gradient g =
E.gradient(f, gy) and its backward seeded by gv, E.grad(g, x, gv), a Hessian-vector product.

The oracle is the kit's small interpreter of the graph: the forward and each operation's
derivative (reverse mode), in float64, written once over any number type with + - * / **, @,
exp, sin, cos, tanh and the tensor functions of arith (a broadcast operand's gradient summed
back to its shape). Run on arrays it gives y and the gradients; on Dual numbers (forward mode
over the reverse pass) the Hessian-vector product; on Bound numbers a first-order bound on the
rounding error of an engine that computes the same graph, each operation within OP_ULPS of
exact, in whatever order it sums (sums are bounded by the magnitudes of their terms). The
allowed error of each element is SAFETY times that bound: derived per graph, never a fixed
tolerance. A graph's oracle is cross-checked against its own central difference
(oracle_agrees) wherever it would judge the engine wrong; the engine's numbers are never the
judge.

Generation keeps every operation where it is finite and well conditioned (DOMAIN): exp and
tanh of arguments up to 3, divisors and negative powers' bases at least 0.5 in magnitude,
fractional powers of values at least 0.25, every value at most 100 and 0 or at least 1e-6,
and graphs whose error bound exceeds COND_MAX ulps of their values' scale are drawn again.
Inputs and constants are exact in float32 (multiples of 1/1024), so the engine is given
exactly what the oracle uses.

Shrinking is the kit's own (the core is numpy-only; hypothesis is not used): greedy, to a
fixed point, each candidate kept only if it is still in the domain and still fails: an earlier
node as the output, a node bypassed by one of its operands, a node's operand replaced by an
input, unused inputs dropped, a smaller shape (in a tensor graph: axes cut, every axis of one
length at once, or one input's alone), simpler values (1, 0.5, a value rounded), ones for gy
and gv, float64 for float32, order 1 for order 2.

The modules (this package's __init__ re-exports their public names):

    arith        the oracle's number types, Dual and Bound
    ops          OPS, operations(adapter), has(adapter, cap) and each operation's domain
    shapes       the shapes a tensor graph's inputs and tensor operations are drawn from
    graph        Graph, sharing(adapter), pruning, a graph's key
    generator    generate(): the random draw
    interpreter  the oracle: evaluate, backpropagate, oracle, bounds, valid, oracle_agrees
    engine       run() and check(): the engine's values against the oracle's (Failure)
    shrinker     shrink(): a smallest failing graph
    reproduce    code() and key(): Python that reproduces a graph
    searching    search() and budget(): what the clauses call
"""
from dezero_conformance.conformance.fuzz.arith import Bound, Dual, _fn
from dezero_conformance.conformance.fuzz.engine import Failure, build, check, run
from dezero_conformance.conformance.fuzz.generator import (
    CONSTANTS,
    DRAW_NUMBERS,
    EXPONENTS,
    GRID,
    MAX_INPUTS,
    MAX_NODES,
    REUSE,
    SHAPES,
    TENSOR_UNIVERSE,
    UNIVERSE,
    _generate,
    generate,
)
from dezero_conformance.conformance.fuzz.graph import (
    SHARE_ANY,
    SHARE_INPUTS,
    SHARE_NONE,
    Graph,
    _key,
    sharing,
)
from dezero_conformance.conformance.fuzz.interpreter import (
    COND_MAX,
    F64_EPS,
    OP_ULPS,
    ORACLE_RTOL,
    ORACLE_STEP,
    SAFETY,
    _unit,
    backpropagate,
    bounds,
    evaluate,
    oracle,
    oracle_agrees,
    valid,
)
from dezero_conformance.conformance.fuzz.ops import (
    CURVES,
    DIVISOR_MIN,
    ELEMENTWISE_PAIRS,
    EXP_MAX,
    LINEAR,
    OP_STEP,
    OPS,
    ROOT_MIN,
    TANH_MAX,
    TENSOR_OPS,
    TRIG_MAX,
    VALUE_MAX,
    VALUE_MIN,
    Op,
    has,
    operations,
)
from dezero_conformance.conformance.fuzz.reproduce import code, key
from dezero_conformance.conformance.fuzz.searching import FUZZ_VAR, LOG_VAR, Search, budget, search
from dezero_conformance.conformance.fuzz.shapes import INPUT_SHAPES, MAX_ELEMENTS
from dezero_conformance.conformance.fuzz.shrinker import (
    SHRINK_RUNS,
    SHRINK_SECONDS,
    SHRUNK_KINDS,
    shrink,
)

__all__ = [
    # the public API
    "operations", "has", "generate", "check", "run", "build", "shrink", "search", "budget",
    "code", "key", "oracle", "bounds", "valid", "oracle_agrees", "evaluate", "backpropagate",
    "sharing", "Graph", "Failure", "Search", "Op", "OPS", "OP_STEP", "Dual", "Bound",
    "FUZZ_VAR", "LOG_VAR",
    # the numbers that tune it
    "OP_ULPS", "SAFETY", "COND_MAX", "ORACLE_STEP", "ORACLE_RTOL", "F64_EPS", "MAX_NODES",
    "REUSE", "MAX_INPUTS", "SHRINK_RUNS", "SHRUNK_KINDS", "SHRINK_SECONDS", "EXP_MAX",
    "TANH_MAX", "TRIG_MAX", "DIVISOR_MIN", "ROOT_MIN", "VALUE_MAX", "VALUE_MIN", "CONSTANTS",
    "EXPONENTS", "SHAPES", "SHARE_NONE", "SHARE_INPUTS", "SHARE_ANY", "GRID", "DRAW_NUMBERS",
    "UNIVERSE", "TENSOR_UNIVERSE",
    # the tensor graphs (stage 4)
    "TENSOR_OPS", "ELEMENTWISE_PAIRS", "LINEAR", "CURVES", "INPUT_SHAPES", "MAX_ELEMENTS",
    # internals the kit's tests and benchmarks reach for
    "_fn", "_generate", "_key", "_unit",
]
