"""Step 9: Variable takes only an ndarray (or None)."""
import unittest

import numpy as np

from conformance.support import Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

NOT_ARRAYS = (1.0, 1, True, [1.0, 2.0], (1.0,), "1.0", np.float64(1.0), np.float32(1.0),
              np.int64(1))


class TypeErrorClauses(Clauses):

    def test_s12_variable_rejects_non_arrays(self):
        """S12: Variable takes only np.ndarray or None; anything else raises TypeError."""
        self.require("variable", "type_check")
        E = self.engine
        for data in NOT_ARRAYS:
            with self.subTest(f"Variable({data!r})"):
                self.call(f"E.Variable({data!r})  # must raise TypeError")
                with self.assertRaises(TypeError, msg=f"{self.clause}: Variable({data!r}) of "
                                                      f"type {type(data).__name__}"):
                    E.Variable(data)
        self.assertIsNone(E.Variable(None).data, f"{self.clause}: Variable(None) is accepted")
        for data in (np.array(1.0), np.array([1, 2]), np.zeros((2, 0))):
            with self.subTest(f"Variable({data!r}) is accepted"):
                np.testing.assert_array_equal(E.Variable(data).data, data, err_msg=f"{self.clause}: "
                                              f"Variable({data!r}) must be accepted")


class TestTypeError(TypeErrorClauses, unittest.TestCase):
    pass
