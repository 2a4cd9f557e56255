"""What every clause group shares: the engine binding, capability skips, tolerances, seeds."""
import os
import platform
import sys

import numpy as np

import adapters

__unittest = True  # unittest leaves this module's frames out of failure tracebacks

ENGINE_VAR = "CONFORMANCE_ENGINE"
SEED_VAR = "CONFORMANCE_SEED"
DEFAULT_SEED = 20261126

F64_EPS = np.finfo(np.float64).eps
F32_EPS = np.finfo(np.float32).eps
# Values built from square alone are IEEE-exact (4.0, 6.0, 100, 2**1000): no slack at all.
EXACT = 0.0
# exp differs by up to 1 ulp between numpy builds, and a composite adds a few roundings.
ULP_RTOL = 8 * F64_EPS
# The same, for an engine that declares it computes in float32 only.
ULP_RTOL_F32 = 8 * F32_EPS
# numerical_diff divides 1-ulp differences of f by 2*eps = 2e-4; a forward difference or a
# wrong eps is off by 1e-6 or more.
NUMDIFF_RTOL = 1e-9

_engine = None


def current_engine():
    """The engine named by CONFORMANCE_ENGINE, loaded once; a bad name ends the run at once."""
    global _engine
    if _engine is None:
        spec = os.environ.get(ENGINE_VAR, "")
        try:
            _engine = adapters.load(spec)
        except adapters.AdapterError as exc:
            sys.stderr.write(f"conformance: {ENGINE_VAR}={spec!r}: {exc}\n")
            sys.stderr.flush()
            os._exit(2)  # unittest would turn an exception here into one failure per module
        seed()  # a bad seed also stops the run before any test
        sys.stderr.write(f"conformance: testing {describe(_engine)}\n")
    return _engine


def describe(engine):
    absent = ", ".join(sorted(engine.ABSENT)) or "none"
    return (f"engine {engine.NAME} {engine.version()} (numpy {np.__version__}, Python "
            f"{platform.python_version()}; capabilities absent: {absent})")


def seed():
    raw = os.environ.get(SEED_VAR, "")
    try:
        return int(raw) if raw else DEFAULT_SEED
    except ValueError:
        sys.stderr.write(f"conformance: {SEED_VAR}={raw!r} is not an integer; "
                         f"set it to a whole number such as {DEFAULT_SEED}\n")
        sys.stderr.flush()
        os._exit(2)


class Clauses:
    """Mixin for a clause group: combine with unittest.TestCase; `engine` may be preset."""

    engine = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.engine is None:
            cls.engine = current_engine()

    @property
    def clause(self):
        return (self._testMethodDoc or "").split(":", 1)[0].strip()

    def require(self, *capabilities):
        for cap in capabilities:
            if cap in self.engine.ABSENT:
                self.skipTest(f"{self.engine.NAME} lacks {cap}: {self.engine.ABSENT[cap]}")

    def has(self, capability):
        return capability not in self.engine.ABSENT

    def ulp_rtol(self):
        return ULP_RTOL if self.has("float64") else ULP_RTOL_F32

    def assertValues(self, actual, desired, call, rtol, why, atol=0.0):
        """assert_allclose with a message naming the clause, the call and the tolerance."""
        try:
            np.testing.assert_allclose(
                np.asarray(actual, dtype=np.float64), np.asarray(desired, dtype=np.float64),
                rtol=rtol, atol=atol,
                err_msg=f"{self.clause}: {call} must give {np.asarray(desired).tolist()!r} "
                        f"(rtol={rtol:.3g}, atol={atol:.3g}: {why})")
        except AssertionError as exc:
            failure = str(exc).strip()
        else:
            return
        raise self.failureException(failure)  # outside the except: numpy's frames stay out

    def grad(self, fn, x, gy=None):
        """(y, x.grad) from the engine as arrays; x and gy reach the engine as given."""
        y, gx = self.engine.grad(fn, x, gy)
        if gx is None:
            self.fail(f"{self.clause}: backward left the input's gradient None")
        return np.asarray(y), np.asarray(gx)

    def composite(self):
        """square(exp(square(x))), the seed's running example, built from the engine's ops."""
        E = self.engine
        return lambda x: E.square(E.exp(E.square(x)))


def composite_np(x):
    """The suite's own float64 forward of square(exp(square(x)))."""
    return np.exp(np.asarray(x, dtype=np.float64) ** 2) ** 2


def composite_grad_np(x):
    """The suite's own float64 derivative: d/dx exp(x^2)^2 = 4 x exp(x^2)^2."""
    x = np.asarray(x, dtype=np.float64)
    return 4 * x * np.exp(x ** 2) ** 2
