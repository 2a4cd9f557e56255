"""Step 8: backward is a loop, so graph depth is bounded by memory, not the call stack."""
import sys
import threading
import unittest

import numpy as np

from dezero_conformance.conformance.support import EXACT, Clauses, heavy
from dezero_conformance.conformance.support import load_tests  # noqa: F401 (unittest's hook: plans the run)

# 2**1000 overflows float32: an engine without float64 gets the longest chain whose gradient
# float32 holds exactly (2**127); the 100,000-square chain still needs an iterative backward.
F32_EXACT_CHAIN = 127
# Chain lengths whose deepest Python stack is measured. A loop's stays flat; recursion's
# grows by a frame or more per square. Short, so a recursive engine stays below the default
# recursion limit and is told apart from a loop on every Python, whatever limit it sets
# (from 3.11 pure-Python recursion no longer needs the C stack, so a raised limit alone
# would let it through 100,000 squares).
PROBE = (50, 200)
# Growth from the short chain to the long one that counts as recursion: an eighth of a frame
# per square. A loop's stack varies by a few frames at most (garbage-collector callbacks).
MAX_GROWTH = (PROBE[1] - PROBE[0]) // 8


def chain(square, n):
    def f(x):
        for _ in range(n):
            x = square(x)
        return x
    f.code = ("chain", (f"def chain(x):\n    for _ in range({n}):\n        x = E.square(x)\n"
                        f"    return x",))
    return f


def peak_depth(call):
    """(the deepest the Python stack went while call() ran, in frames above the caller and in
    any thread started meanwhile; call()'s result)."""
    depth, peak = {}, [0]
    ident = threading.get_ident

    def profile(frame, event, arg):
        t = ident()
        if event == "call" or event == "c_call":
            d = depth[t] = depth.get(t, 0) + 1
            if d > peak[0]:
                peak[0] = d
        else:  # return, c_return, c_exception
            depth[t] = depth.get(t, 0) - 1

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        result = call()
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return peak[0], result


class DeepChainClauses(Clauses):

    @heavy
    def test_s9_deep_chain_backward_is_iterative(self):
        """S9 (step 8): backward is a loop: its stack does not grow with depth; 1000 squares give exactly 2**1000; 100,000 raise no RecursionError."""
        E = self.engine
        recursive = self.recursion_found()
        exact = (1000, "float64") if self.has("float64") else (F32_EXACT_CHAIN, "float32")
        for n, x, want in ((exact[0], 1.0, 2.0 ** exact[0]), (100_000, 0.0, 0.0)):
            with self.subTest(f"{n} squares at {x}"):
                if recursive and n > 1000:
                    self.skipTest(f"not run: backward recurses (above), and {n} nested calls "
                                  f"may overflow the C stack")
                try:
                    y, gx = self.grad(chain(E.square, n), np.array(x))
                except RecursionError as exc:
                    self.fail(f"{self.clause}: backward through {n} squares raised "
                              f"RecursionError ({exc}): backward recurses; it must be a loop")
                self.assertValues(gx, np.array(want), f"grad of {n} nested squares at {x}",
                                  EXACT, f"powers of two are exact in {exact[1]}")

    def recursion_found(self):
        """Measure the stack over two chain lengths; fail the sub-case if it grows."""
        found = []
        with self.subTest(f"stack depth over {PROBE[0]} and {PROBE[1]} squares"):
            peaks = []
            for n in PROBE:
                try:
                    peaks.append(peak_depth(lambda: self.grad(chain(self.engine.square, n),
                                                              np.array(0.0)))[0])
                except RecursionError as exc:
                    found.append(n)
                    self.fail(f"{self.clause}: backward through {n} squares raised "
                              f"RecursionError ({exc}): backward recurses; it must be a loop")
            growth = peaks[1] - peaks[0]
            if growth > MAX_GROWTH:
                found.append(PROBE[1])
                self.fail(f"{self.clause}: backward recurses: the Python stack reached "
                          f"{peaks[0]} frames for {PROBE[0]} squares and {peaks[1]} for "
                          f"{PROBE[1]}, {growth / (PROBE[1] - PROBE[0]):.2f} more frames per "
                          f"square (a loop stays within {MAX_GROWTH}); backward must be a loop")
        return bool(found)


class TestDeepChain(DeepChainClauses, unittest.TestCase):
    pass
