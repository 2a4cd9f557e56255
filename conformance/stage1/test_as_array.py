"""Step 9: as_array turns scalars into 0-d arrays and passes everything else through."""
import fractions
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    sample,
    show,
    value_code,
)

# What np.isscalar calls a scalar: Python and numpy numbers of every kind, and also str,
# bytes and np.bool_ (which numbers.Number does not cover), and any numbers.Number.
SCALARS = (1.0, 3, -7, True, 2 + 1j, np.float32(2), np.float64(0.5), np.int8(-3),
           np.uint64(5), np.bool_(False), np.complex64(1j), "1.0", b"ab", np.str_("x"),
           fractions.Fraction(1, 3))
# What it does not: arrays of any shape (returned as they are, never copied), sequences,
# None, and other objects.
OTHERS = (np.array(1.0), np.array([1.0, 2.0]), np.zeros((2, 3), np.float32), np.array(7),
          [1.0, 2.0], (1.0,), [], None, {"a": 1}, object(), range(3))
LARGE = (11, -1.0, 1.0, (1024, 1025))  # an array past 2**20 elements is not copied either


class AsArrayClauses(Clauses):

    def test_s13_as_array(self):
        """S13 (step 9): as_array(x) is np.array(x) when np.isscalar(x), else x itself."""
        self.require("as_array")
        as_array = self.engine.as_array
        for x in SCALARS:
            want = np.array(x)
            with self.subTest(f"as_array({x!r}), a {type(x).__name__}"):
                self.call(f"got = E.as_array({value_code(x)})\n"
                          f"print(type(got), got.dtype, got.ndim)")
                got = as_array(x)
                if type(got) is not np.ndarray:
                    self.fail(f"{self.clause}: as_array({x!r}) returned {show(got)} of type "
                              f"{type(got).__name__}; np.isscalar({x!r}) is True, so it must "
                              f"be np.array(x), a 0-d numpy.ndarray")
                self.assertEqual((got.shape, got.dtype), (want.shape, want.dtype),
                                 f"{self.clause}: as_array({x!r}) must be np.array(x): shape () "
                                 f"and dtype {want.dtype}")
                self.assertEqual(got.item(), want.item(), f"{self.clause}: as_array({x!r}) "
                                                          f"must hold the value given")
        for x in OTHERS + (sample(*LARGE),):
            with self.subTest(f"as_array of a {type(x).__name__} {show(x, 40)}"):
                got = as_array(x)
                if got is not x:
                    self.fail(f"{self.clause}: as_array({show(x, 40)}) returned {show(got, 80)}; "
                              f"np.isscalar of a {type(x).__name__} is False, so it must return "
                              f"its argument itself")


class TestAsArray(AsArrayClauses, unittest.TestCase):
    pass
