"""Step 9: Variable takes only an ndarray (or None)."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    show,
    value_code,
)

# Python and numpy scalars of each kind (np.isscalar, numbers.Number and hasattr(x, "shape")
# each miss some), sequences, text, mappings and other objects.
NOT_ARRAYS = (1.0, 1, True, 2j, [1.0, 2.0], (1.0,), [], "1.0", b"1", {"data": 1.0},
              np.float64(1.0), np.float32(1.0), np.int64(1), np.bool_(True), np.str_("1"),
              range(2), object())
# Arrays of every numeric dtype, shape and size, views included.
ARRAYS = (np.array(1.0), np.array([1, 2]), np.zeros((2, 0)), np.array(2.5, np.float32),
          np.array([True]), np.arange(6.0).reshape(2, 3).T)


class TypeErrorClauses(Clauses):

    def test_s12_variable_rejects_non_arrays(self):
        """S12 (step 9): Variable takes only np.ndarray or None; anything else raises TypeError."""
        self.require("variable", "type_check")
        E = self.engine
        for data in NOT_ARRAYS + (E.Variable(np.array(1.0)),):
            with self.subTest(f"Variable of a {type(data).__name__}"):
                self.call(f"E.Variable({value_code(data)})  # must raise TypeError")
                with self.assertRaises(TypeError, msg=f"{self.clause}: Variable({show(data)}) "
                                                      f"of type {type(data).__name__}"):
                    E.Variable(data)
        self.call("print(E.Variable(None).data)  # must be None")
        self.assertIsNone(E.Variable(None).data, f"{self.clause}: Variable(None) is accepted")
        for data in ARRAYS:
            with self.subTest(f"Variable of a {data.dtype} array of shape {data.shape}"):
                got = E.Variable(data).data
                if got is not data:
                    np.testing.assert_array_equal(got, data, err_msg=f"{self.clause}: "
                                                  f"Variable({data!r}) must be accepted")


class TestTypeError(TypeErrorClauses, unittest.TestCase):
    pass
