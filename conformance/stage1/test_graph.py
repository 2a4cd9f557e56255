"""Step 7: define-by-run links between Variables and Functions."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)


class GraphClauses(Clauses):

    def test_s7_creator_links(self):
        ("""S7 (step 7): y.creator is C, C.input is b, ... x.creator is None; a Function keeps """
         """input and output.""")
        self.require("variable", "function_classes", "graph_links")
        E = self.engine
        self.call("A, B, C = E.Square(), E.Exp(), E.Square()\nx = E.Variable(np.array(0.5))\n"
                  "a = A(x)\nb = B(a)\ny = C(b)\n"
                  "print(E.creator_of(y) is C, E.input_of(C) is b, E.output_of(C) is y)")
        A, B, C = E.Square(), E.Exp(), E.Square()
        x = E.Variable(np.array(0.5))
        a = A(x)
        b = B(a)
        y = C(b)
        links = (("y.creator", E.creator_of(y), C, "C"), ("C.input", E.input_of(C), b, "b"),
                 ("b.creator", E.creator_of(b), B, "B"), ("B.input", E.input_of(B), a, "a"),
                 ("a.creator", E.creator_of(a), A, "A"), ("A.input", E.input_of(A), x, "x"),
                 ("A.output", E.output_of(A), a, "a"), ("B.output", E.output_of(B), b, "b"),
                 ("C.output", E.output_of(C), y, "y"))
        for link, got, want, name in links:
            self.assertSame(got, want, link, name)
        self.assertSame(E.creator_of(x), None, "x.creator of a leaf", "None")


class TestGraph(GraphClauses, unittest.TestCase):
    pass
