"""What every clause group shares: the engine binding, capability skips, tolerances, seeds."""
import contextlib
import functools
import itertools
import os
import platform
import re
import sys
import tempfile
import time
import unittest

from dezero_conformance import adapters
from dezero_conformance.conformance import isolation


def _start_early():
    """Under `python -m unittest`, where the engine's process must be a new interpreter (not
    Linux, or threads running: isolation.fork_for_engine), start it before this one imports numpy (a
    tenth of a second that the engine's process spends loading instead); otherwise it is
    forked from this process once the first clause module has imported the kit (load_tests).
    A bad setting starts nothing here: current_engine() stops the run, saying why."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(spec, "name", None) != "unittest.__main__" or not isolation.enabled() \
            or isolation.fork_for_engine():
        return
    try:
        isolation.timeout(), isolation.jobs(), int(os.environ.get("CONFORMANCE_SEED") or 0)
    except ValueError:
        return
    isolation.pool(adapters.resolve(os.environ.get("CONFORMANCE_ENGINE", "")))


_start_early()

import numpy as np  # noqa: E402 (after the engine's process is started)

from dezero_conformance.adapters import book  # noqa: E402
from dezero_conformance.conformance import fuzz  # noqa: E402
from dezero_conformance.judge import order_key  # noqa: E402

__unittest = True  # unittest leaves this module's frames out of failure tracebacks

ENGINE_VAR = "CONFORMANCE_ENGINE"
SEED_VAR = "CONFORMANCE_SEED"
EXPECTED_VAR = "CONFORMANCE_EXPECTED"
EXPECTED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected")
DEFAULT_SEED = 20261126
# How often a long clause reports its progress (a status line on a terminal).
PROGRESS_EVERY = 0.25
# Arrays up to this size go into a reproduce snippet as literals; larger ones as .npy files.
LITERAL_MAX = 32

F64_EPS = np.finfo(np.float64).eps
F32_EPS = np.finfo(np.float32).eps
# Values built from square alone are IEEE-exact (4.0, 6.0, 100, 2**1000): no slack at all.
EXACT = 0.0
# exp differs by up to 1 ulp between numpy builds, and a composite adds a few roundings.
ULP_RTOL = 8 * F64_EPS
# The same, for an engine that declares it computes in float32 only.
ULP_RTOL_F32 = 8 * F32_EPS
# sin, cos and tanh: libm, numpy's SIMD loops and other engines' vector libraries each round
# them within 1-2 ulps, and a value or first derivative built from one adds a rounding or two.
TRIG_ULPS = 4
# A 2nd-4th derivative of sin, cos or tanh, or of a polynomial, sums and multiplies a few such
# values (up to 8 terms for tanh's 4th), each rounded, in an order each engine chooses.
DERIVED_ULPS = 16
# numerical_diff divides 1-ulp differences of f by 2*eps = 2e-4; a forward difference or a
# wrong eps is off by 1e-6 or more.
NUMDIFF_RTOL = 1e-9

_engine = None
_expected = {}
_SAVES = itertools.count()  # names the .npy files of reproduce snippets, one per array


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
    engine, problem = engine_or_problem()
    if problem:
        stop(problem)
    return engine


def engine_or_problem(announce=True):
    """(the engine named by CONFORMANCE_ENGINE, None), loaded once and announced on stderr;
    or (None, one line saying which setting is wrong or why the engine cannot be judged)."""
    global _engine, _expected
    if _engine is not None:
        return _engine, None
    problem = settings_problem()
    if problem:
        return None, problem
    try:
        if isolation.enabled():
            engine = isolation.pool(engine_spec()).engine
        else:
            engine = load_engine()
            engine.NOTICES = list(adapters.NOTICES) + list(getattr(engine, "NOTICES", []))
        _expected = read_expected(expected_path(engine))
    except (adapters.AdapterError, ValueError) as exc:
        return None, (f"{ENGINE_VAR}={os.environ.get(ENGINE_VAR, '')!r}: {exc}"
                      if isinstance(exc, adapters.AdapterError) else str(exc))
    _engine = engine
    if announce:
        sys.stderr.write(f"conformance: testing {describe(_engine)}\n")
        for notice in getattr(engine, "NOTICES", ()):
            sys.stderr.write(f"conformance: notice: {notice}\n")
    return _engine, None


def reset():
    """Forget the engine (and close its process): the next clause loads the one
    CONFORMANCE_ENGINE names then (check() judging two namespaces in one process)."""
    global _engine, _expected
    _engine, _expected = None, {}
    stack = list(Clauses.__subclasses__())
    while stack:  # the suite's classes took the engine in setUpClass
        cls = stack.pop()
        stack += cls.__subclasses__()
        for name in ("engine", "spec", "expected", "_isolate"):
            if issubclass(cls, unittest.TestCase) and name in vars(cls):
                delattr(cls, name)
    isolation.close_pool()
    adapters.NOTICES.clear()


def settings_problem():
    """One line naming the first setting (environment variable) that is not valid, or None."""
    raw = os.environ.get(SEED_VAR, "")
    try:
        int(raw or 0)
    except ValueError:
        return (f"{SEED_VAR}={raw!r} is not an integer; set it to a whole number such as "
                f"{DEFAULT_SEED}")
    try:
        isolation.timeout(), isolation.jobs(), book.step_from_env(), fuzz.budget(1)
    except ValueError as exc:
        return str(exc)
    return None


def engine_spec():
    """CONFORMANCE_ENGINE resolved once, up front: a relative path stays right even if the
    engine changes directory on import."""
    return adapters.resolve(os.environ.get(ENGINE_VAR, ""))


def load_tests(loader, tests, pattern):
    """unittest's hook, imported by each clause module: the clauses are noted so the engine's
    process starts them while the rest of the run is still being collected (see
    isolation.plan); only those of the engine's book step run (StepSuite)."""
    flat, requests = StepSuite(), []
    stack = [tests]
    while stack:
        item = stack.pop(0)
        if isinstance(item, unittest.TestSuite):
            stack[:0] = list(item)
        else:
            flat.addTest(item)
            if isinstance(item, Clauses):
                requests.append(item._request(item._testMethodName))
    isolation.plan(requests)
    if isolation.enabled() and _engine is None:
        if settings_problem():
            return flat  # current_engine() stops the run, saying why
        isolation.pool(engine_spec())
    return flat


_suites = []  # every clause module's StepSuite of this run, in the order they were loaded


class StepSuite(unittest.TestSuite):
    """A clause module's tests, of which only the clauses of the engine's book step run (and
    count): the others are dropped when the run starts, once the engine has said its step.
    The first module's suite to run runs every module's clauses, simplest first (by book
    step, then number; the random graphs last), so failures are reported in that order."""

    def __init__(self, tests=()):
        super().__init__(tests)
        self.taken = False
        _suites.append(self)

    def run(self, result, debug=False):
        engine = current_engine()
        if self.taken:
            return result  # an earlier module's suite ran these
        tests = []
        for suite in _suites:
            if not suite.taken:
                suite.taken = True
                tests += suite._tests
        self._tests = sorted((t for t in tests if not isinstance(t, Clauses)
                              or applicable(t, engine)), key=simplest_first)
        return super().run(result, debug)


def simplest_first(test):
    doc = getattr(test, "_testMethodDoc", None) or ""
    return order_key((clause_id(doc) or "", clause_step(doc)))


def heavy(fn):
    """Mark a clause that is slow on any engine: the engine's process starts it first."""
    fn.heavy = True
    return fn


def expected_path(engine):
    """CONFORMANCE_EXPECTED, else conformance/expected/<adapter name>.txt if there is one."""
    path = os.environ.get(EXPECTED_VAR) or os.path.join(EXPECTED_DIR, f"{engine.NAME}.txt")
    if os.environ.get(EXPECTED_VAR) and not os.path.isfile(path):
        raise ValueError(f"{EXPECTED_VAR}={path!r} does not exist; give the path of a file of "
                         f"lines 'S9 defect: reason' or 'S1 difference: reason', or unset it")
    return path if os.path.isfile(path) else None


VACUOUS = "cannot fail here:"  # starts the reason of a clause part that could not have failed

CATEGORIES = {
    "defect": "engine defect: against the contract and against the engine's own intent",
    "difference": "deliberate difference: the engine's documented design differs from the book's",
}


def read_expected(path):
    """{clause id: "category: reason (file:line)"} from lines 'S9 defect: reason' or
    'S1 difference: reason' ('#' comments and blank lines ignored)."""
    if path is None:
        return {}
    known = {f"S{i}" for i in range(1, 63)}
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            clause, _, reason = line.partition(" ")
            category, colon, why = reason.partition(":")
            if not (re.fullmatch(r"S\d+", clause) and colon and category in CATEGORIES
                    and why.strip()):
                raise ValueError(f"{path}:{number}: {line[:60]!r} is not 'S<n> <category>: "
                                 f"reason'; write the clause id, a space, 'defect:' or "
                                 f"'difference:', and why it is expected to fail")
            if clause not in known:
                sys.stderr.write(f"conformance: warning: {path}:{number}: {clause} matches no "
                                 f"clause; remove the line\n")
            entry = f"{category}: {why.strip()} ({os.path.basename(path)}:{number})"
            if clause in expected:  # a clause may fail for a defect and for a difference
                if category_of(expected[clause]) == category or "; difference: " in \
                        expected[clause]:
                    raise ValueError(f"{path}:{number}: a second {category!r} line for "
                                     f"{clause}; give a clause one line per category")
                entry = ("; ".join(sorted((expected[clause], entry))))  # defect first
            expected[clause] = entry
    return expected


def category_of(reason):
    """'defect' or 'difference', the category an expected-failure reason starts with (a
    clause expected to fail for both starts with its defect)."""
    return reason.partition(":")[0] if reason else None


def describe(engine):
    absent = ", ".join(sorted(engine.ABSENT)) or "none"
    why = getattr(engine, "STEP_WHY", None) or "capability by capability"
    return (f"engine {engine.NAME} {engine.version()} at book step {step_of(engine)} ({why}; "
            f"numpy {np.__version__}, Python {platform.python_version()}; capabilities "
            f"absent: {absent})")


def step_of(engine):
    """The book step the engine is judged at: the adapter's STEP (a book-API module's, which
    reads CONFORMANCE_STEP itself), else CONFORMANCE_STEP, else the last step the kit has."""
    return getattr(engine, "STEP", None) or book.step_from_env() or adapters.LAST_STEP


def missing_of(engine):
    return getattr(engine, "MISSING", None) or {}


def clause_module(group):
    """The module of a clause group, named within this package ("stage1.test_backward"),
    from its file: unittest's discover, pytest and an installed kit each import the suite's
    modules under a name of their own, and the engine's process imports them under this one."""
    name = group.__module__
    path = getattr(sys.modules.get(name), "__file__", None)
    here = os.path.dirname(os.path.abspath(__file__))
    if path:
        rel = os.path.relpath(os.path.splitext(os.path.abspath(path))[0], here)
        if not rel.startswith(os.pardir):
            return rel.replace(os.sep, ".")
    return name[len(__package__) + 1:] if name.startswith(f"{__package__}.") else name


def clause_id(doc):
    """"S9" from a clause docstring "S9 (step 8): ..."."""
    match = re.match(r"\s*([A-Z]\d+)", doc or "")
    return match.group(1) if match else ""


def clause_step(doc):
    """The book step in a clause docstring's first line ("S9 (step 8): ..."); 0 if none."""
    match = re.match(r"\s*[A-Z]\d+ \(step (\d+)\)", doc or "")
    return int(match.group(1)) if match else 0


def uses(*capabilities):
    """Mark a clause that is wholly about these capabilities: it is not run for an engine
    whose step no longer has one (adapter RETIRED)."""
    def mark(fn):
        fn.uses = capabilities
        return fn
    return mark


def applicable(test, engine):
    """Whether a clause test applies to engine (see request_applies)."""
    return request_applies(test._request(test._testMethodName), engine)


def request_applies(request, engine):
    """Whether the clause of a request applies to engine: its step is within the engine's,
    and it is not about a capability the engine's step no longer has."""
    retired = getattr(engine, "RETIRED", None) or {}
    return request["step"] <= step_of(engine) and not any(c in retired for c in request["uses"])


def not_judged(test):
    """Why a clause does not apply to the engine: "step 10 (S20 is a clause of step 18)"."""
    request, engine = test._request(test._testMethodName), test.engine
    retired = getattr(engine, "RETIRED", None) or {}
    cap = next((c for c in request["uses"] if c in retired), None)
    if request["step"] > step_of(engine):
        return (f"step {step_of(engine)} ({clause_id(getattr(test, '_testMethodDoc', ''))} is "
                f"a clause of step {request['step']})")
    return f"step {step_of(engine)} ({cap}: {retired[cap]})"


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
        if not applicable(self, self.engine):  # a runner that does not filter by step (pytest)
            self.skipTest(f"not judged at {not_judged(self)}")
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
        if self.clause_id in self.expected and self._sink is None:
            self.__unittest_expecting_failure__ = True
        return super().run(result)

    # A clause's docstring is one line, printed whole here: a long one is written as parts,
    # implicitly concatenated in parentheses, so that the source keeps to 100 columns.
    def shortDescription(self):
        """The clause's line; while a sub-case is reported (`-v` prints each failed one), the
        line ends with that sub-case's label."""
        line = super().shortDescription()
        sub = getattr(self, "_subtest", None)
        return f"{line} {sub._subDescription()}" if line and sub is not None else line

    @contextlib.contextmanager
    def subTest(self, msg=None, **params):
        self._last_call = (None, ())
        self._saved = {}
        if self._sink is not None:
            self._sink({"kind": "start", "sub": isolation.sub_event(msg, params)})
        try:
            with (super().subTest(msg, **params) if msg is not None
                  else super().subTest(**params)):
                yield
        finally:
            if self._sink is not None:
                self._sink({"kind": "end"})

    def progress(self, what):
        """A callback for long work: progress(done, total, failed), shown as a status line on
        a terminal (isolation.Progress), at most every PROGRESS_EVERY seconds."""
        started, last = time.monotonic(), [0.0]

        def report(done, total, failed):
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY and done < total:
                return
            last[0] = now
            event = {"kind": "progress", "clause": self.clause_id, "what": what, "done": done,
                     "total": total, "failed": failed, "elapsed": now - started}
            if self._sink is not None:
                self._sink(event)
            else:
                isolation.progress.show(event)
        return report

    def _request(self, method):
        group = next(c for c in type(self).__mro__ if issubclass(c, Clauses)
                     and c is not Clauses and not issubclass(c, unittest.TestCase))
        module = clause_module(group)
        fn = getattr(group, method)
        return {"module": module, "group": group.__name__, "method": method,
                "heavy": getattr(fn, "heavy", False), "step": clause_step(fn.__doc__),
                "uses": list(getattr(fn, "uses", ()))}

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
                if event["text"].startswith(("TIMEOUT", "CRASH", "EXIT")):
                    event["text"] = f"{self.clause}: {event['text']}\n{self.reproduce()}"
                    event["sub"] = open_subs[-1] if open_subs else None
                    problems.append(event)
            elif kind == "outcome":
                problems.append(event)  # a sub-case's pass is replayed too: it shows what ran
        if main is not None and main["status"] in ("fail", "error") and main not in problems:
            problems.append(main)
        if self.clause_id in self.expected:
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
        reason = self.expected[self.clause_id]
        if failures:
            raise Failed(f"\nexpected failure of {self.clause}: {reason}\n"
                         + "\n".join(p["text"] for p in failures))
        sys.stderr.write(f"\nconformance: unexpected pass: {self.clause} is listed as expected "
                         f"to fail ({reason}) but passed; remove the line\n")

    @property
    def clause(self):
        """The clause as failure messages name it: its id and step, "S9 (step 8)"."""
        return (self._testMethodDoc or "").split(":", 1)[0].strip()

    @property
    def clause_id(self):
        return clause_id(self._testMethodDoc)

    def require(self, *capabilities):
        self._fail_missing(capabilities)
        for cap in capabilities:
            if self._lacks(cap):
                self.skipTest(f"{self.engine.NAME} lacks {cap}: {self.engine.ABSENT[cap]}")

    def _lacks(self, cap):
        """Declared absent; "retains_grads" is had by an engine that keeps every grad when
        asked (backward(retain_grad=True), step 18 on)."""
        if cap == "retains_grads" and "retain_grad" not in self.engine.ABSENT \
                and "retain_grad" not in missing_of(self.engine):
            return False
        return cap in self.engine.ABSENT

    def _fail_missing(self, capabilities):
        """A capability the engine's step needs and the engine lacks is a failure, not a skip."""
        missing = missing_of(self.engine)
        for cap in capabilities:
            if cap in missing:
                raise isolation.Missing(f"{self.clause}: {missing[cap]} (judged at step "
                                        f"{step_of(self.engine)})")

    def backward_keeping_grads(self, y):
        """y.backward(), keeping every Variable's grad: the engine's default before step 18,
        backward(retain_grad=True) from step 18 (needs capability retains_grads)."""
        self.backprop()
        if "retains_grads" in self.engine.ABSENT:
            return self.engine.backward(y, retain_grad=True)
        return self.engine.backward(y)

    def check_retained_grads(self, name, build, grads, why):
        """Build a graph at x = 3.0 (build(x) -> {name: Variable}, with "y" the output),
        backpropagate keeping every grad, and compare each named Variable's grad (exact)."""
        E = self.engine
        self.call(f"x = E.Variable(np.array(3.0))\n{name.replace('; ', chr(10))}\n"
                  f"{self.keeping_code('y')}\n"
                  f"print({', '.join(f'E.grad_of({v})' for v in grads)})")
        x = E.Variable(np.array(3.0))
        vs = dict(build(x), x=x)
        self.backward_keeping_grads(vs["y"])
        for v, want in grads.items():
            got = E.grad_of(vs[v])
            self.assertIsNotNone(got, f"{self.clause}: {v}.grad is None after backward with "
                                      f"grads retained ({name})")
            self.assertValues(got, np.array(want), f"{v}.grad after {name} and backward at 3.0",
                              EXACT, why)

    def keeping_code(self, y):
        """backward_keeping_grads(y) as Python for a reproduce snippet."""
        return (f"E.backward({y}, retain_grad=True)" if "retains_grads" in self.engine.ABSENT
                else f"E.backward({y})")

    def has(self, capability):
        return capability not in self.engine.ABSENT and capability not in missing_of(self.engine)

    def applies(self, *capabilities, part=None):
        """Whether the engine has these capabilities; if not, the part of the clause that
        needs them is reported as a skipped sub-case with the reason (never passed silently).
        One the engine's step needs but the engine lacks fails the clause."""
        self._fail_missing(capabilities)
        retired = [c for c in capabilities if c in getattr(self.engine, "RETIRED", {})]
        if retired:
            return False  # not part of the engine's step: said on the run's first lines
        missing = [c for c in capabilities if self._lacks(c)]
        if missing:
            with self.subTest(part or f"the part needing {', '.join(missing)}"):
                self.skipTest("; ".join(f"{self.engine.NAME} lacks {c}: {self.engine.ABSENT[c]}"
                                        for c in missing))
        return not missing

    def vacuous(self, part, why):
        """Report a part of the clause that cannot fail on this engine, with the reason, as a
        skipped sub-case: it is still run, but never counted as a plain pass."""
        with self.subTest(part):
            self.skipTest(f"{VACUOUS} {why}")

    def ulp_rtol(self):
        return ULP_RTOL if self.has("float64") else ULP_RTOL_F32

    def ulps(self, n):
        """n ulps of the dtype the engine computes float64 input in, as a relative tolerance."""
        return n * (F64_EPS if self.has("float64") else F32_EPS)

    def square_rtol(self):
        """Square-only values: one rounding, so exact in float64; an engine that computes
        float64 input in float32 rounds the input too."""
        return EXACT if self.has("float64") else ULP_RTOL_F32

    def assertValues(self, actual, desired, call, rtol, why, atol=0.0, dtype=None):
        """assert_allclose, once actual has desired's shape (assert_allclose alone broadcasts:
        a (1,) result would pass for a 0-d one) and, if given, the dtype; the message names
        the clause, the call and the tolerance."""
        shape, want = np.shape(actual), np.shape(desired)
        if shape != want:
            self.fail(f"{self.clause}: {call} gave shape {shape}, must give shape {want}: "
                      f"{show(actual)}")
        if dtype is not None and np.asarray(actual).dtype != dtype:
            self.fail(f"{self.clause}: {call} gave dtype {np.asarray(actual).dtype}, must give "
                      f"{np.dtype(dtype)}")
        desired = np.asarray(desired)
        want = (repr(desired.tolist()) if desired.size <= LITERAL_MAX else
                f"the suite's own values (a {desired.dtype} array of shape {desired.shape})")
        try:
            # The kit's own arithmetic (rtol * |y| may underflow) runs whatever error state
            # the engine set for numpy (np.seterr(all="raise") on import, say).
            with np.errstate(all="ignore"):
                np.testing.assert_allclose(
                    np.asarray(actual, dtype=np.float64), desired.astype(np.float64),
                    rtol=rtol, atol=atol,
                    err_msg=f"{self.clause}: {call} must give {want} "
                            f"(rtol={rtol:.3g}, atol={atol:.3g}: {why})")
        except AssertionError as exc:
            failure = str(exc).strip()
        else:
            return
        raise self.failureException(failure)  # outside the except: numpy's frames stay out

    def assertSame(self, got, want, what, want_text):
        """got is want (identity); the message shows got only when it is not."""
        if got is not want:
            self.fail(f"{self.clause}: {what} must be {want_text}, got {show(got)}")

    def call(self, code, *definitions):
        """Note the Python (over `E`, the adapter, and `np`) of the engine call being made."""
        self._last_call = (code, definitions)

    def unittest_name(self):
        """The clause as `python -m unittest` names it in the installed package: module,
        the module's TestCase class of this group, method."""
        group = next(c for c in type(self).__mro__ if issubclass(c, Clauses)
                     and c is not Clauses and not issubclass(c, unittest.TestCase))
        module = self._request(self._testMethodName)["module"]
        case = next((name for name, obj in vars(sys.modules[group.__module__]).items()
                     if isinstance(obj, type) and issubclass(obj, group)
                     and issubclass(obj, unittest.TestCase)), f"Test{group.__name__}")
        return f"{__package__}.{module}.{case}.{self._testMethodName}"

    def reproduce(self):
        """How to replay the failure: the unittest command and, if noted, the call in Python."""
        test = self.unittest_name()
        spec = self.spec if self.spec is not None else self.engine.NAME
        lines = ["Reproduce:", f"    {ENGINE_VAR}={spec} {SEED_VAR}={seed()} "
                               f"python -m unittest {test}"]
        code, definitions = getattr(self, "_last_call", (None, ()))
        for path, a in getattr(self, "_saved", {}).items():
            if code and path in "".join((code, *definitions)):
                np.save(path, a)
        if code:
            lines += ["  or in Python:", "    import numpy as np",
                      "    from dezero_conformance import adapters",
                      f"    E = adapters.load({spec!r})"]
            lines += [f"    {line}" for text in (*definitions, code) for line in text.splitlines()]
        return "\n".join(lines)

    def array_code(self, a, copy=True):
        """Python that rebuilds the array a: a literal, or for a large array np.load of a
        copy taken now (copy=False: a is the kit's own and never reaches the engine), saved
        to a .npy file only if a reproduce snippet names it."""
        a = np.asarray(a)
        if a.size <= LITERAL_MAX:
            return array_code(a)
        if not hasattr(self, "_saved"):
            self._saved = {}
        path = os.path.join(tempfile.gettempdir(),
                            f"conformance_{self.clause_id}_{os.getpid()}_{next(_SAVES)}.npy")
        self._saved[path] = a.copy() if copy else a
        return f"np.load({path!r})"

    def fn_code(self, fn):
        """(expression, definitions) naming `fn` in a reproduce snippet."""
        for name in ("square", "exp", "sin", "cos", "tanh"):
            if fn is getattr(self.engine, name, None):
                return f"E.{name}", ()
        return getattr(fn, "code", ("fn", ("fn = ...  # the function of this sub-case",)))

    def forward(self, fn, x):
        """The engine's forward data of fn at x (an array)."""
        name, definitions = self.fn_code(fn)
        self.call(f"print(E.value({name}(E.leaf({self.array_code(x)}))))", *definitions)
        return self.engine.value(fn(self.engine.leaf(x)))

    def backprop(self):
        """A gradient is asked for: without backprop (the book's steps before 7, and 11-12),
        that part of the clause is not judged, and said (the rest of the clause still is)."""
        if "backprop" in missing_of(self.engine):
            if getattr(self, "_backprop_failed", False):  # one failure a clause, not a part
                self.skipTest("not judged: the failure above (no backward) says why")
            self._backprop_failed = True
            self._fail_missing(("backprop",))
        if not self.has("backprop"):
            self.skipTest(f"{self.engine.NAME} lacks backprop: {self.engine.ABSENT['backprop']}")

    def grad(self, fn, x, gy=None):
        """(y, x.grad) from the engine as arrays; x and gy reach the engine as given."""
        self.backprop()
        name, definitions = self.fn_code(fn)
        gy_code = "" if gy is None else f", {self.array_code(gy)}"
        self.call(f"y, gx = E.grad({name}, {self.array_code(x)}{gy_code})\nprint(y, gx)",
                  *definitions)
        y, gx = self.engine.grad(fn, x, gy)
        if gx is None:
            self.fail(f"{self.clause}: backward left the input's gradient None")
        return np.asarray(y), np.asarray(gx)

    def grads(self, fn, xs, gy=None):
        """(y, [gradient of each x]) from the engine as arrays (many inputs, step 13 on)."""
        self.backprop()
        name, definitions = self.fn_code(fn)
        gy_code = "" if gy is None else f", {self.array_code(gy)}"
        xs_code = ", ".join(self.array_code(x) for x in xs)
        self.call(f"y, gxs = E.grads({name}, [{xs_code}]{gy_code})\nprint(y, gxs)", *definitions)
        y, gxs = self.engine.grads(fn, xs, gy)
        gxs = list(gxs)
        for i, gx in enumerate(gxs):
            if gx is None:
                self.fail(f"{self.clause}: backward left the gradient of input {i} None")
        return np.asarray(y), [np.asarray(gx) for gx in gxs]

    def function(self, args, expr):
        """The function (args) -> expr (Python over E, the adapter, and np), named for
        reproduce snippets."""
        fn = eval(f"lambda {args}: {expr}", {"E": self.engine, "np": np})  # the suite's own text
        fn.code = ("f", (f"f = lambda {args}: {expr}",))
        return fn

    def expression(self, expr):
        """The function x -> expr (Python over E, the adapter, and np), named for reproduce."""
        fn = eval(f"lambda x: {expr}", {"E": self.engine, "np": np})  # the suite's own text
        fn.code = ("f", (f"f = lambda x: {expr}",))
        return fn

    def seed_for(self, x):
        """None (the engine seeds ones) for a 0-d x, or if the engine seeds any shape itself;
        else explicit ones shaped like x (for an elementwise function, y's shape)."""
        if np.ndim(x) == 0 or self.has("implicit_seed"):
            return None
        return np.ones(np.shape(x), dtype=np.asarray(x).dtype)

    def derivative(self, fn, x, n):
        """(the (n-1)-th derivative, the n-th derivative) of the elementwise fn at x, as arrays:
        the engine's gradient(...) nested n - 1 times, then its backward (grad). Each gradient
        is of the sum of the outputs (ones seeded, see seed_for)."""
        E, gy = self.engine, self.seed_for(x)
        name, definitions = self.fn_code(fn)
        d, text = fn, name
        for _ in range(n - 1):
            d = E.gradient(d, None if gy is None else gy.copy())
            text = (f"E.gradient({text})" if gy is None
                    else f"E.gradient({text}, {self.array_code(gy)})")
        if n > 1:
            d = (lambda inner: lambda v: inner(v))(d)  # the engine's function may take no code
            d.code = ("d", (*definitions, f"d = {text}"))
        return self.grad(d, x.copy(), None if gy is None else gy.copy())

    def composite(self):
        """square(exp(square(x))), the seed's running example, built from the engine's ops."""
        E = self.engine
        f = lambda x: E.square(E.exp(E.square(x)))  # noqa: E731
        f.code = ("composite", ("composite = lambda x: E.square(E.exp(E.square(x)))",))
        return f


@functools.cache
def sample(seed, low, high, shape, dtype="float64"):
    """Seeded uniform values, made on first use: large inputs cost only the clauses that
    use them, in the process that runs them. Callers copy before an engine sees them."""
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def show(value, limit=200):
    """value for a failure message: its repr, cut to `limit` characters. Never raises: an
    engine's repr may raise or recurse, and a message must not turn a check into an error."""
    try:
        text = repr(value)
    except Exception as exc:  # RecursionError included
        return f"<{type(value).__name__} object; its repr raised {type(exc).__name__}>"
    return text if len(text) <= limit else text[:limit] + "..."


def value_code(x):
    """Python that rebuilds the value x for a reproduce snippet: numpy scalars by their type
    (their repr is a bare number under numpy 1), others by repr."""
    if isinstance(x, np.generic):
        return f"np.{type(x).__name__}({x.item()!r})"
    if type(x).__module__ == "fractions":
        return f"__import__('fractions').{x!r}"
    return show(x)


def array_code(a):
    """Python that rebuilds the array a, as a literal."""
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
