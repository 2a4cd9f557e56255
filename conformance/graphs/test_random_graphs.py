"""Random graphs over the engine's own operations (conformance/fuzz/): shared nodes at
different depths, constants and ndarrays on either side, 0-d to (2, 3), float64 and float32;
for a stage-4 engine tensor graphs (reshape, transpose, sum, broadcast_to, sum_to, matmul,
+ - * / broadcasting, values of many shapes); the values and gradients must be the kit's, in
its shapes, within each graph's own rounding bound; a failure is shrunk to a smallest failing
graph and printed as Python."""
import os
import unittest

from dezero_conformance.conformance import fuzz
from dezero_conformance.conformance.support import (
    Clauses,
    heavy,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    seed,
)

# Graphs per run without CONFORMANCE_FUZZ: a few seconds on the reference, and every one of
# the kit's broken stage-2 and stage-3 engines caught, and the stage-4 ones broken in a tensor
# operation's backward (tests/test_fuzz.py).
FIRST_GRAPHS = 300
SECOND_GRAPHS = 150
LISTED = 12  # failing graphs named in a message


class RandomGraphsClauses(Clauses):

    @heavy
    def test_s44_random_graphs(self):
        ("""S44 (step 9): random graphs of the engine's operations give the kit's values and """
         """gradients.""")
        self.check_graphs(1, FIRST_GRAPHS)

    @heavy
    def test_s45_random_second_derivatives(self):
        ("""S45 (step 33): the gradients of random graphs differentiate again to the kit's """
         """Hessian-vector products.""")
        self.require("higher_order")
        self.check_graphs(2, SECOND_GRAPHS)

    def check_graphs(self, order, default):
        self.require("backprop")
        E = self.engine
        count = fuzz.budget(default)
        result = fuzz.search(E, count, seed(), order, log=os.environ.get(fuzz.LOG_VAR),
                             progress=self.progress("graphs"))
        if result.oracle_faults:
            index, why = result.oracle_faults[0]
            raise RuntimeError(f"{self.clause}: graph {index}: {why}")
        if result.ok:
            return
        listed = ", ".join(map(str, result.failed[:LISTED])) + (
            ", ..." if len(result.failed) > LISTED else "")
        ways = list(result.kinds.items())
        summary = (f"{self.clause}: {len(result.failed)} of {count} random graphs failed "
                   f"({fuzz.FUZZ_VAR}={count}, seed {seed()}; graphs {listed}), in {len(ways)} "
                   f"way{'s' * (len(ways) > 1)}: " + ", ".join(f"{w['count']} {kind}"
                                                               for kind, w in ways))
        for kind, way in ways:  # each way a failed sub-case, its graph shrunk
            with self.subTest(kind):
                graph, failure = way["first"]
                if way["shrunk"] is None:  # beyond fuzz.SHRUNK_KINDS
                    self.fail(f"{summary}\n{kind}: graph {graph.index} ({graph.describe()}): "
                              f"{failure.what} (not shrunk)")
                small, why, runs = way["shrunk"]
                self.call(fuzz.code(small))
                self.fail(f"{summary}\n{kind}: graph {graph.index} ({graph.describe()}): "
                          f"{failure.what}. Shrunk in {runs} runs to {small.describe()}: "
                          f"{why.what}:\n{fuzz.code(small)}")


class TestRandomGraphs(RandomGraphsClauses, unittest.TestCase):
    pass
