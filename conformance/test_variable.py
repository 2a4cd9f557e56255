"""Step 1: a Variable is a box around an ndarray."""
import unittest

import numpy as np

from conformance.support import Clauses, array_code
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)


class VariableClauses(Clauses):

    def test_s1_variable_is_a_box(self):
        """S1: Variable(data) holds the very ndarray given, and .data can be reassigned."""
        self.require("variable")
        for a in (np.array(1.0), np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3)):
            with self.subTest(data=a.tolist()):
                self.call(f"a = {array_code(a)}\nprint(E.Variable(a).data is a)")
                x = self.engine.Variable(a)
                self.assertIs(x.data, a, f"{self.clause}: Variable(a).data must be a itself, "
                                         f"not a copy (got {type(x.data).__name__} "
                                         f"{x.data!r})")
        x = self.engine.Variable(np.array(1.0))
        b = np.array(2.0)
        x.data = b
        self.assertIs(x.data, b, f"{self.clause}: after x.data = np.array(2.0), x.data must "
                                 f"be that array")
        self.assertValues(x.data, 2.0, "x.data after x.data = np.array(2.0)", 0.0,
                          "a stored value reads back exactly")


class TestVariable(VariableClauses, unittest.TestCase):
    pass
