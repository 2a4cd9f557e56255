"""Step 8: backward is a loop, so graph depth is bounded by memory, not the call stack."""
import ctypes
import gc
import os
import sys
import threading
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    EXACT,
    Clauses,
    heavy,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)

# 2**1000 overflows float32: an engine without float64 gets the longest chain whose gradient
# float32 holds exactly (2**127).
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
# Recursion in native code (an extension's backward, or a graph freed node by node in C)
# shows in no Python frame: the native stack it touches is measured instead, each chain run
# (forward, backward, the graph freed) in a new thread with a stack of its own, the stacks of
# the engine's own threads measured with it, doubling the length until a doubling adds
# nothing. CPython 3.13 frees a chain of objects recursively for
# for up to 10,000 nested deallocations (its C recursion limit) before it defers the rest, so
# a correct engine's stack there grows by up to about 1 MiB (measured on the references: 0.7
# MiB by 4,000 squares), then stops: with at least one object a square, every CPython has
# levelled off by 16,000 squares, so the doubling from 16,000 to 32,000 must add nothing.
NATIVE_LENGTHS = (1000, 2000, 4000, 8000, 16000, 32000)
# A doubling that adds less than this many bytes per added square, or NATIVE_NOISE_KIB in
# all, is flat: a recursion's frame holds at least a return address and a saved register.
NATIVE_SLACK = 8
NATIVE_NOISE_KIB = 16
# The measuring thread's stack (virtual memory, touched only as used): room for the longest
# chain at 2 KiB a square, so a recursive engine is measured rather than crashed.
THREAD_STACK = 64 * 1024 * 1024
# Where the native stack cannot be measured (no /proc/thread-self: not Linux), the contract's
# own check: this many squares in the main thread, which a native recursion overflows.
FALLBACK_LENGTH = 100_000
PAGE = 4096


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


def _mincore():
    """libc's mincore(2), or None where there is none (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).mincore
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
    return fn


MINCORE = _mincore()


def thread_stacks(mappings=None):
    """{(start, end): KiB touched} of the stack mappings given, or of each thread of this
    process that waits in a system call (the kernel reports its stack pointer then: the
    caller does, reading the file; an engine's idle workers too); {} where /proc cannot say."""
    found = {}
    for mapping in thread_stack_mappings() if mappings is None else mappings:
        kib = resident_kib(mapping)
        if kib is not None:  # None: gone with its thread
            found[mapping] = kib
    return found


def thread_stack_mappings():
    """The stack mapping of each thread of this process that waits in a system call."""
    pointers = []
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/syscall") as f:
                    fields = f.read().split()
            except OSError:  # the thread ended meanwhile
                continue
            if len(fields) >= 9:  # number, six arguments, stack pointer, pc ("running": not)
                pointers.append(int(fields[7], 16))
        with open("/proc/self/maps") as f:
            maps = [tuple(int(a, 16) for a in line.split(None, 1)[0].split("-")) for line in f]
    except (OSError, ValueError):
        return []
    return list(dict.fromkeys(m for sp in pointers for m in maps if m[0] <= sp < m[1]))


def resident_kib(mapping):
    """KiB of the mapping's pages that have been touched (are resident), or None."""
    low, high = mapping
    vec = (ctypes.c_ubyte * ((high - low) // PAGE))()
    if MINCORE(low, high - low, vec) != 0:
        return None
    return int((np.frombuffer(vec, dtype=np.uint8) & 1).sum()) * PAGE // 1024


def in_own_thread(call, known):
    """call() in a new thread with a stack of its own (THREAD_STACK bytes): (its result, the
    KiB of native stack it added, or None where that cannot be measured, what it raised or
    None). What call() built and dropped is freed in that thread. The KiB added are those of
    the new thread and of the engine's own threads (a backward that recurses in a worker is
    seen there): known, a set, gathers the stacks of threads found waiting, before and after
    each call, so that a worker busy at one look is measured at the next call."""
    out = {"result": None, "kib": None, "raised": None}

    def body():
        known.update(thread_stack_mappings())
        before = thread_stacks(known)
        try:
            out["result"] = call()
            gc.collect()  # a graph held by reference cycles is freed here, not later
        except BaseException as exc:  # the engine's, re-raised in the clause's thread
            out["raised"] = exc
        after = thread_stacks(before)  # the same stacks, their threads running or not
        known.update(thread_stack_mappings())
        if before and after:
            out["kib"] = sum(max(0, kib - before[m]) for m, kib in after.items())

    old = threading.stack_size(THREAD_STACK)
    try:
        thread = threading.Thread(target=body, name="conformance-native-stack")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    return out["result"], out["kib"], out["raised"]


def stack_limit():
    """The main thread's stack limit in bytes, None if unlimited or unknown."""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_STACK)[0]
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft


class DeepChainClauses(Clauses):

    @heavy
    def test_s9_deep_chain_backward_is_iterative(self):
        ("""S9 (step 8): backward is a loop: neither the Python stack nor the native stack """
         """grows with depth (chains of 50 to 32,000 squares); 1000 squares give exactly """
         """2**1000.""")
        recursive = self.recursion_found()
        n, dtype = (1000, "float64") if self.has("float64") else (F32_EXACT_CHAIN, "float32")
        with self.subTest(f"{n} squares at 1.0"):
            gx = self.chain_grad(n, 1.0)
            self.assertValues(gx, np.array(2.0 ** n), f"grad of {n} nested squares at 1.0",
                              EXACT, f"powers of two are exact in {dtype}")
        if recursive:
            with self.subTest("deeper chains"):
                self.skipTest("not run: backward recurses (above), and deeper chains may "
                              "overflow the C stack")
            return
        if not self.native_stack_is_flat():
            with self.subTest(f"{FALLBACK_LENGTH} squares at 0.0"):
                self.assertValues(self.chain_grad(FALLBACK_LENGTH, 0.0), np.array(0.0),
                                  f"grad of {FALLBACK_LENGTH} nested squares at 0.0", EXACT,
                                  "0 is exact")

    def chain_grad(self, n, x):
        """The engine's gradient of n nested squares at x; a RecursionError fails the clause."""
        try:
            return self.grad(chain(self.engine.square, n), np.array(x))[1]
        except RecursionError as exc:
            self.fail(f"{self.clause}: backward through {n} squares raised RecursionError "
                      f"({exc}): backward recurses; it must be a loop")

    def native_stack_is_flat(self):
        """Measure the native stack of chains of NATIVE_LENGTHS squares at 0.0 (each run in a
        thread of its own) until a doubling adds nothing; fail the sub-case if none does.
        False where it cannot be measured (the fallback chain runs instead)."""
        if MINCORE is None:
            return False
        used, known = [], set(thread_stack_mappings())
        with self.subTest(f"the native stack over {NATIVE_LENGTHS[0]:,} to "
                          f"{NATIVE_LENGTHS[-1]:,} squares at 0.0"):
            for n in NATIVE_LENGTHS:
                gx, kib, raised = in_own_thread(lambda n=n: self.chain_grad(n, 0.0), known)
                if raised is not None and not isinstance(raised, self.failureException):
                    # the engine may work in its main thread only: the contract's own check
                    self.chain_grad(n, 0.0)
                    return False
                if raised is not None:
                    raise raised
                if kib is None:
                    return False
                self.assertValues(gx, np.array(0.0), f"grad of {n} nested squares at 0.0",
                                  EXACT, "0 is exact")
                used.append((n, kib))
                if len(used) > 1 and not self.grew(*used[-2:]):
                    return True
            (n0, kib0), (n1, kib1) = used[-2:]
            rate = (kib1 - kib0) * 1024 / (n1 - n0)  # bytes a square
            limit = stack_limit()
            runs_out = (f"at about {limit / rate:,.0f} squares a thread's stack "
                        f"({limit / 2 ** 20:g} MiB here, the main thread's and by default any "
                        f"other's) runs out and the process crashes" if limit else
                        "a deep enough chain exhausts any stack")
            if limit:  # the reproduce snippet: a chain that long
                deep = chain(self.engine.square, int(limit / rate * 1.25))
                self.call("y, gx = E.grad(chain, np.array(0.0))  # the process crashes here\n"
                          "print(gx)", *deep.code[1])
            self.fail(f"{self.clause}: backward, or freeing its graph, recurses in native code: "
                      f"the native stack a chain used grew from {kib0} KiB at {n0:,} squares to "
                      f"{kib1} KiB at {n1:,}, {rate:.0f} bytes a square ("
                      + ", ".join(f"{k} KiB at {m:,}" for m, k in used) + "; each chain run "
                      f"in a thread of its own, the engine's threads measured with it): "
                      f"{runs_out}. Backward, and freeing the graph, must be loops")
        return True

    @staticmethod
    def grew(shorter, longer):
        (n0, kib0), (n1, kib1) = shorter, longer
        return kib1 - kib0 > max(NATIVE_NOISE_KIB, NATIVE_SLACK * (n1 - n0) / 1024)

    def recursion_found(self):
        """Measure the stack over two chain lengths; fail the sub-case if it grows."""
        found = []
        with self.subTest(f"stack depth over {PROBE[0]} and {PROBE[1]} squares"):
            peaks = []
            for n in PROBE:
                try:
                    peaks.append(peak_depth(lambda n=n: self.grad(chain(self.engine.square, n),
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
