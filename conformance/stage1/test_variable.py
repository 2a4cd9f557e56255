"""Step 1: a Variable is a box around an ndarray."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    sample,
    show,
)

# Every dtype and shape must go in as it is: an engine that casts (np.asarray(data, float))
# keeps float64 arrays but copies the rest.
ARRAYS = (np.array(1.0), np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3),
          np.array(2.5, dtype=np.float32), np.array([[1.5, -2.0]], dtype=np.float32),
          np.array([1, -2, 3]), np.array(7, dtype=np.int32), np.array([True, False]),
          np.zeros((0,)), np.arange(12.0).reshape(3, 4)[:, 1])
LARGE = (11, -1.0, 1.0, (1024, 1025))  # past 2**20 elements: no copy above some size either
NEW_DATA = (np.array(2.0), np.array([1.0, 2.0], dtype=np.float32), np.array([[7]]))


class VariableClauses(Clauses):

    def test_s1_variable_is_a_box(self):
        """S1 (step 1): Variable(data) holds the very ndarray given, and .data can be reassigned."""
        self.require("variable")
        for a in ARRAYS + (sample(*LARGE),):
            with self.subTest(f"{a.dtype} shape {a.shape}"):
                self.call(f"a = {self.array_code(a)}\nprint(E.Variable(a).data is a)")
                x = self.engine.Variable(a)
                self.assertSame(x.data, a, f"Variable(a).data for a {a.dtype} array of shape "
                                           f"{a.shape}", "a itself, not a copy")
        for b in NEW_DATA:
            with self.subTest(f"x.data = {b.dtype} shape {b.shape}"):
                x = self.engine.Variable(np.array(1.0))
                x.data = b
                self.assertSame(x.data, b, f"x.data after x.data = {show(b)}", "that array")
                self.assertValues(x.data, b, f"x.data after x.data = {show(b)}", 0.0,
                                  "a stored value reads back exactly", dtype=b.dtype)


class TestVariable(VariableClauses, unittest.TestCase):
    pass
