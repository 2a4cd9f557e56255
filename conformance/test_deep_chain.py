"""Step 8: backward is a loop, so graph depth is bounded by memory, not the call stack."""
import unittest

import numpy as np

from conformance.support import EXACT, Clauses
from conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

# 2**1000 overflows float32: an engine without float64 gets the longest chain whose gradient
# float32 holds exactly (2**127); the 100,000-square chain still needs an iterative backward.
F32_EXACT_CHAIN = 127


def chain(square, n):
    def f(x):
        for _ in range(n):
            x = square(x)
        return x
    f.code = ("chain", (f"def chain(x):\n    for _ in range({n}):\n        x = E.square(x)\n"
                        f"    return x",))
    return f


class DeepChainClauses(Clauses):

    def test_s9_deep_chain_backward_is_iterative(self):
        """S9: a chain of 1000 squares gives exactly 2**1000; 100,000 squares raise no RecursionError."""
        E = self.engine
        exact = (1000, "float64") if self.has("float64") else (F32_EXACT_CHAIN, "float32")
        for n, x, want in ((exact[0], 1.0, 2.0 ** exact[0]), (100_000, 0.0, 0.0)):
            with self.subTest(f"{n} squares at {x}"):
                try:
                    y, gx = self.grad(chain(E.square, n), np.array(x))
                except RecursionError as exc:
                    recursion = exc
                else:
                    recursion = None
                if recursion is not None:
                    self.fail(f"{self.clause}: backward through {n} squares raised "
                              f"RecursionError ({recursion}); backward must be a loop, "
                              f"not recursion")
                self.assertValues(gx, want, f"grad of {n} nested squares at {x}", EXACT,
                                  f"powers of two are exact in {exact[1]}")


class TestDeepChain(DeepChainClauses, unittest.TestCase):
    pass
