"""Step 9: as_array turns scalars into 0-d arrays and passes everything else through."""
import unittest

import numpy as np

from conformance.support import Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

SCALARS = ((1.0, np.float64), (3, np.array(3).dtype.type), (np.float32(2), np.float32),
           (np.float64(0.5), np.float64), (True, np.bool_))


class AsArrayClauses(Clauses):

    def test_s13_as_array(self):
        """S13: as_array(x) is np.array(x) when np.isscalar(x), else x itself."""
        self.require("as_array")
        as_array = self.engine.as_array
        for x, dtype in SCALARS:
            with self.subTest(f"as_array({x!r})"):
                self.call(f"got = E.as_array({x!r})\nprint(type(got), got.dtype, got.ndim)")
                got = as_array(x)
                self.assertIs(type(got), np.ndarray, f"{self.clause}: as_array({x!r}) returned "
                                                     f"{type(got).__name__}, must be np.ndarray")
                self.assertEqual((got.ndim, got.dtype.type), (0, dtype),
                                 f"{self.clause}: as_array({x!r}) must be a 0-d "
                                 f"{dtype.__name__} array like np.array(x)")
                self.assertEqual(got.item(), x, f"{self.clause}: as_array({x!r}) value")
        for x in (np.array(1.0), np.array([1.0, 2.0]), np.zeros((2, 3), np.float32)):
            with self.subTest(f"as_array(ndarray of shape {x.shape})"):
                self.assertIs(as_array(x), x, f"{self.clause}: as_array(a) must return a itself")


class TestAsArray(AsArrayClauses, unittest.TestCase):
    pass
