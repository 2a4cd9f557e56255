"""What every clause group shares: the engine binding, capability skips, tolerances, seeds."""
import contextlib
import functools
import os
import platform
import re
import sys
import unittest

import numpy as np

import adapters
from conformance import isolation

__unittest = True  # unittest leaves this module's frames out of failure tracebacks

ENGINE_VAR = "CONFORMANCE_ENGINE"
SEED_VAR = "CONFORMANCE_SEED"
EXPECTED_VAR = "CONFORMANCE_EXPECTED"
EXPECTED_DIR = os.path.join(isolation.ROOT, "matrix", "expected")
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
_expected = {}


def load_engine():
    """The engine named by CONFORMANCE_ENGINE; raises AdapterError."""
    return adapters.load(os.environ.get(ENGINE_VAR, ""))


def stop(message):
    """End the run before any test, with one line on stderr and exit status 2."""
    sys.stderr.write(f"conformance: {message}\n")
    sys.stderr.flush()
    os._exit(2)  # unittest would turn an exception here into one failure per module


def current_engine():
    """The engine named by CONFORMANCE_ENGINE, loaded once; a bad setting ends the run at once.

    Isolated, this process never imports the engine: it gets the engine's name, version and
    capabilities from the engine's own process (isolation.Pool)."""
    global _engine, _expected
    if _engine is None:
        try:
            seed()
            isolation.timeout()
            isolation.jobs()
            engine = (isolation.pool(engine_spec()).engine if isolation.enabled()
                      else load_engine())
            _expected = read_expected(expected_path(engine))
        except (adapters.AdapterError, ValueError) as exc:
            stop(f"{ENGINE_VAR}={os.environ.get(ENGINE_VAR, '')!r}: {exc}"
                 if isinstance(exc, adapters.AdapterError) else str(exc))
        _engine = engine
        sys.stderr.write(f"conformance: testing {describe(_engine)}\n")
    return _engine


def engine_spec():
    """CONFORMANCE_ENGINE resolved once, up front: a relative path stays right even if the
    engine changes directory on import."""
    return adapters.resolve(os.environ.get(ENGINE_VAR, ""))


def load_tests(loader, tests, pattern):
    """unittest's hook, imported by each clause module: the clauses a run will make are noted,
    so the engine's process can start them ahead (see isolation.plan)."""
    requests = []
    stack = [tests]
    while stack:
        item = stack.pop(0)
        if isinstance(item, unittest.TestSuite):
            stack[:0] = list(item)
        elif isinstance(item, Clauses):
            requests.append(item._request(item._testMethodName))
    isolation.plan(requests)
    return tests


def expected_path(engine):
    """CONFORMANCE_EXPECTED, else matrix/expected/<adapter name>.txt if there is one."""
    path = os.environ.get(EXPECTED_VAR) or os.path.join(EXPECTED_DIR, f"{engine.NAME}.txt")
    if os.environ.get(EXPECTED_VAR) and not os.path.isfile(path):
        raise ValueError(f"{EXPECTED_VAR}={path!r} does not exist; give the path of a file of "
                         f"lines 'S9 reason', or unset it")
    return path if os.path.isfile(path) else None


def read_expected(path):
    """{clause id: reason} from lines 'S9 reason' ('#' comments and blank lines ignored)."""
    if path is None:
        return {}
    known = {f"S{i}" for i in range(1, 17)}
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            clause, _, reason = line.partition(" ")
            if not re.fullmatch(r"S\d+", clause) or not reason.strip():
                raise ValueError(f"{path}:{number}: {line!r} is not 'S<n> reason'; write the "
                                 f"clause id, a space, and why it is expected to fail")
            if clause not in known:
                sys.stderr.write(f"conformance: warning: {path}:{number}: {clause} matches no "
                                 f"clause; remove the line\n")
            expected[clause] = f"{reason.strip()} ({os.path.basename(path)}:{number})"
    return expected


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


def _clause(fn):
    """Wrap a clause body: record its outcomes (in a worker, or in-process), then replay them."""
    @functools.wraps(fn)
    def clause(self):
        if self._sink is not None:
            return fn(self)
        events = []
        if self._isolate:
            isolation.run_in_worker(self.spec, self._request(fn.__name__), events.append)
        else:
            isolation.record(self, fn.__name__, events.append)
        self._replay(events)
    clause.wrapped = fn
    return clause


class Clauses:
    """Mixin for a clause group: combine with unittest.TestCase; `engine` may be preset.

    With the engine preset (the runner, the worker), clause bodies run in-process; with the
    engine taken from CONFORMANCE_ENGINE they run in the isolation worker (isolation.py), and
    the expected-failure file of the engine applies.
    """

    engine = None
    spec = None
    expected = {}
    _isolate = False
    _sink = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, fn in list(vars(cls).items()):
            if name.startswith("test") and callable(fn) and not hasattr(fn, "wrapped"):
                setattr(cls, name, _clause(fn))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.engine is None:
            cls.engine = current_engine()
            cls.spec = engine_spec()
            cls.expected = _expected
            cls._isolate = isolation.enabled()

    def run(self, result=None):
        if self.clause in self.expected and self._sink is None:
            setattr(self, "__unittest_expecting_failure__", True)
        return super().run(result)

    @contextlib.contextmanager
    def subTest(self, msg=None, **params):
        self._last_call = (None, ())
        if self._sink is not None:
            self._sink({"kind": "start", "sub": isolation.sub_event(msg, params)})
        try:
            with (super().subTest(msg, **params) if msg is not None
                  else super().subTest(**params)):
                yield
        finally:
            if self._sink is not None:
                self._sink({"kind": "end"})

    def _request(self, method):
        group = next(c for c in type(self).__mro__ if issubclass(c, Clauses)
                     and c is not Clauses and not issubclass(c, unittest.TestCase))
        return {"module": group.__module__.rsplit(".", 1)[-1], "group": group.__name__,
                "method": method}

    def _replay(self, events):
        """Turn recorded events back into unittest outcomes of this test."""
        open_subs, main, problems = [], None, []
        for event in events:
            kind = event["kind"]
            if kind == "start":
                open_subs.append(event["sub"])
            elif kind == "end":
                open_subs.pop()
            elif kind == "outcome" and event["sub"] is None:
                main = event
                if event["text"].startswith(("TIMEOUT", "CRASH", "EXIT", "GARBLED")):
                    event["text"] = f"{self.clause}: {event['text']}\n{self.reproduce()}"
                    event["sub"] = open_subs[-1] if open_subs else None
                    problems.append(event)
            elif kind == "outcome":
                problems.append(event)  # a sub-case's pass is replayed too: it shows what ran
        if main is not None and main["status"] in ("fail", "error") and main not in problems:
            problems.append(main)
        if self.clause in self.expected:
            failures = [p for p in problems if p["status"] in ("fail", "error")]
            if not failures and main is not None and main["status"] == "skip":
                self.skipTest(main["text"])  # skipped, so neither failed nor passed
            return self._replay_expected(failures)
        for event in problems:
            self._raise_in(event)
        if main is not None and main["status"] == "skip":
            self.skipTest(main["text"])

    def _raise_in(self, event):
        if event["status"] == "pass":
            with isolation.sub_case(self, event["sub"]):
                return
        exc = (Failed if event["status"] == "fail" else
               Raised if event["status"] == "error" else None)
        if event["sub"] is None:
            self._raise(event, exc)
        with isolation.sub_case(self, event["sub"]):
            self._raise(event, exc)

    def _raise(self, event, exc):
        if exc is None:
            self.skipTest(event["text"])
        raise exc("\n" + event["text"])

    def _replay_expected(self, failures):
        reason = self.expected[self.clause]
        if failures:
            raise Failed(f"\nexpected failure of {self.clause}: {reason}\n"
                         + "\n".join(p["text"] for p in failures))
        sys.stderr.write(f"\nconformance: unexpected pass: {self.clause} is listed as expected "
                         f"to fail ({reason}) but passed; remove the line\n")

    @property
    def clause(self):
        return (self._testMethodDoc or "").split(":", 1)[0].strip()

    def require(self, *capabilities):
        for cap in capabilities:
            if cap in self.engine.ABSENT:
                self.skipTest(f"{self.engine.NAME} lacks {cap}: {self.engine.ABSENT[cap]}")

    def has(self, capability):
        return capability not in self.engine.ABSENT

    def applies(self, *capabilities, part=None):
        """Whether the engine has these capabilities; if not, the part of the clause that
        needs them is reported as a skipped sub-case with the reason (never passed silently)."""
        missing = [c for c in capabilities if c in self.engine.ABSENT]
        if missing:
            with self.subTest(part or f"the part needing {', '.join(missing)}"):
                self.skipTest("; ".join(f"{self.engine.NAME} lacks {c}: {self.engine.ABSENT[c]}"
                                        for c in missing))
        return not missing

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

    def call(self, code, *definitions):
        """Note the Python (over `E`, the adapter, and `np`) of the engine call being made."""
        self._last_call = (code, definitions)

    def reproduce(self):
        """How to replay the failure: the unittest command and, if noted, the call in Python."""
        group = self._request(self._testMethodName)
        test = (f"conformance.{group['module']}.Test{group['group'][:-len('Clauses')]}."
                f"{self._testMethodName}")
        spec = self.spec if self.spec is not None else self.engine.NAME
        lines = ["Reproduce:", f"    {ENGINE_VAR}={spec} {SEED_VAR}={seed()} "
                               f"python -m unittest {test}"]
        code, definitions = getattr(self, "_last_call", (None, ()))
        if code:
            lines += ["  or in Python:", "    import numpy as np", "    import adapters",
                      f"    E = adapters.load({spec!r})"]
            lines += [f"    {line}" for text in (*definitions, code) for line in text.splitlines()]
        return "\n".join(lines)

    def fn_code(self, fn):
        """(expression, definitions) naming `fn` in a reproduce snippet."""
        for name in ("square", "exp"):
            if fn is getattr(self.engine, name, None):
                return f"E.{name}", ()
        return getattr(fn, "code", ("fn", ("fn = ...  # the function of this sub-case",)))

    def forward(self, fn, x):
        """The engine's forward data of fn at x (an array)."""
        name, definitions = self.fn_code(fn)
        self.call(f"print(E.value({name}(E.leaf({array_code(x)}))))", *definitions)
        return self.engine.value(fn(self.engine.leaf(x)))

    def grad(self, fn, x, gy=None):
        """(y, x.grad) from the engine as arrays; x and gy reach the engine as given."""
        name, definitions = self.fn_code(fn)
        gy_code = "" if gy is None else f", {array_code(gy)}"
        self.call(f"y, gx = E.grad({name}, {array_code(x)}{gy_code})\nprint(y, gx)",
                  *definitions)
        y, gx = self.engine.grad(fn, x, gy)
        if gx is None:
            self.fail(f"{self.clause}: backward left the input's gradient None")
        return np.asarray(y), np.asarray(gx)

    def composite(self):
        """square(exp(square(x))), the seed's running example, built from the engine's ops."""
        E = self.engine
        f = lambda x: E.square(E.exp(E.square(x)))  # noqa: E731
        f.code = ("composite", ("composite = lambda x: E.square(E.exp(E.square(x)))",))
        return f


def array_code(a):
    """Python that rebuilds the array a."""
    a = np.asarray(a)
    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype}"
    return f"np.array({a.tolist()!r}{dtype})"


Failed, Raised = isolation.Failed, isolation.Raised


def composite_np(x):
    """The suite's own float64 forward of square(exp(square(x)))."""
    return np.exp(np.asarray(x, dtype=np.float64) ** 2) ** 2


def composite_grad_np(x):
    """The suite's own float64 derivative: d/dx exp(x^2)^2 = 4 x exp(x^2)^2."""
    x = np.asarray(x, dtype=np.float64)
    return 4 * x * np.exp(x ** 2) ** 2
