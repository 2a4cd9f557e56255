"""Judge one engine and keep a record per clause: what the command line, check() and the
reports share. The clauses run as under `python -m unittest discover` (the same isolation,
expected failures and verdicts); only the order differs: simplest first (by book step, then
clause number), the random graphs last, so that -x stops at the clause that names the bug.
"""
import os
import re
import time
import unittest
from dataclasses import asdict, dataclass, field

import dezero_conformance

SETTINGS = {"engine": "CONFORMANCE_ENGINE", "step": "CONFORMANCE_STEP",
            "seed": "CONFORMANCE_SEED", "fuzz": "CONFORMANCE_FUZZ",
            "timeout": "CONFORMANCE_TIMEOUT", "jobs": "CONFORMANCE_JOBS"}
RANDOM = ("S44", "S45")  # the random-graph clauses: after the hand-written ones
PASSED, FAILED, ERROR, SKIPPED, XFAIL, XPASS = ("pass", "fail", "error", "skip",
                                                "expected failure", "unexpected pass")
BAD = (FAILED, ERROR)
PART_BREAK = "\n\n"  # between the messages of a clause's failing sub-cases


class Unjudged(Exception):
    """The engine could not be judged (a bad setting, a file that does not load): one line."""


@dataclass
class Record:
    """One clause's outcome: its id ("S3"), book step, text, outcome, the message (the
    failure in full, or why it was skipped; for a pass, the parts skipped), and seconds."""
    id: str
    step: int
    title: str
    outcome: str = PASSED
    message: str = ""
    seconds: float = 0.0
    test: str = ""  # the unittest name, for reproducing
    expected: str = ""  # the expected-failure file's reason, if the clause is listed there
    cause: str = ""  # where an error was raised in the engine ("step10.py line 41"), if known
    failed_parts: int = 0  # sub-cases that failed (the message holds each)

    @property
    def random(self):
        return self.id in RANDOM

    @property
    def failed(self):
        return self.outcome in BAD

    def first_line(self):
        """What the message says in a line: the clause's own statement of what went wrong
        (without its "S6 (step 6): " prefix), else the exception raised, else its first line."""
        lines = [line.strip() for line in self.message.splitlines() if line.strip()]
        own = re.compile(rf"^(?:\w+: )?{re.escape(self.id)} \(step \d+\): (.+)")
        for line in lines:
            match = own.match(line)
            if match:
                return match.group(1)
        for line in reversed(lines):
            if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", line):
                return line
        rest = [line for line in lines if not line.startswith(("Traceback", "File ", "["))]
        return (rest or lines or [""])[0]

    def first_part(self):
        """The message of the first failing sub-case (or the whole message)."""
        return self.message.split(PART_BREAK, 1)[0]


@dataclass
class Result:
    """A judged engine: .ok, .failures, .records (one per clause run, simplest first)."""
    engine: str
    step: int
    description: str
    notices: list = field(default_factory=list)
    records: list = field(default_factory=list)
    seconds: float = 0.0
    seed: int = 0
    stopped: bool = False  # -x stopped the run at the first failure
    problem: str = ""  # why the engine could not be judged (then there are no records)

    @property
    def failures(self):
        return [r for r in self.records if r.failed]

    @property
    def ok(self):
        return bool(self.records) and not self.failures and not self.problem

    def counts(self):
        counts = {}
        for record in self.records:
            counts[record.outcome] = counts.get(record.outcome, 0) + 1
        return counts

    def to_dict(self):
        return {"kit": f"dezero-conformance {dezero_conformance.__version__}",
                "engine": self.engine, "step": self.step, "description": self.description,
                "notices": list(self.notices), "seed": self.seed, "ok": self.ok,
                "seconds": round(self.seconds, 3), "stopped": self.stopped,
                "problem": self.problem,
                "counts": self.counts(),
                "clauses": [dict(asdict(r), seconds=round(r.seconds, 3)) for r in self.records]}

    def __repr__(self):
        if self.problem:
            return f"<Result could not judge {self.engine}: {self.problem}>"
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        return (f"<Result {'ok' if self.ok else 'FAILED'}: {self.engine} at step {self.step}"
                f" ({counts})>")


def order_key(record_or_request):
    """Simplest first: hand-written before random graphs, then book step, then number."""
    cid, step = record_or_request
    return (cid in RANDOM, step or ADAPTER_STEP, cid[:1] != "S",
            int(re.sub(r"\D", "", cid) or 0))


ADAPTER_STEP = 10 ** 6  # a clause of no book step (C1: the adapter's own declarations): last


def selected(cid, title, patterns):
    """Whether -k patterns choose the clause: a clause id ("S12", any case) matches exactly,
    anything else as a case-insensitive part of the clause's text."""
    if not patterns:
        return True
    for pattern in patterns:
        pattern = pattern.strip()
        if re.fullmatch(r"[A-Za-z]\d+", pattern):
            if pattern.upper() == cid:
                return True
        elif pattern.lower() in title.lower():
            return True
    return False


def apply_settings(**settings):
    """Each given setting into its environment variable (the same settings either way)."""
    for name, value in settings.items():
        if value is not None:
            os.environ[SETTINGS[name]] = str(value)


def clauses(patterns=()):
    """(engine, [tests]) of the engine CONFORMANCE_ENGINE names at its step, simplest first,
    chosen by -k patterns; raises Unjudged."""
    from dezero_conformance.conformance import support
    engine, problem = support.engine_or_problem(announce=False)
    if problem:
        raise Unjudged(problem)
    loader = unittest.TestLoader()
    tests = []
    for module in _clause_modules():
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, support.Clauses) \
                    and issubclass(obj, unittest.TestCase):
                tests += [t for t in loader.loadTestsFromTestCase(obj)
                          if support.applicable(t, engine)]
    tests = [t for t in tests if selected(_id(t), t._testMethodDoc or "", patterns)]
    tests.sort(key=lambda t: order_key((_id(t), _step(t))))
    return engine, tests


def _clause_modules():
    import importlib
    import pkgutil

    from dezero_conformance import conformance
    return [importlib.import_module(info.name) for info in sorted(
        pkgutil.walk_packages(conformance.__path__, f"{conformance.__name__}."),
        key=lambda m: m.name) if info.name.rsplit(".", 1)[-1].startswith("test_")]


def _id(test):
    from dezero_conformance.conformance.support import clause_id
    return clause_id(test._testMethodDoc) or test._testMethodName


def _step(test):
    from dezero_conformance.conformance.support import clause_step
    return clause_step(test._testMethodDoc)


def run(patterns=(), exitfirst=False, on_record=None, on_start=None):
    """Judge the engine CONFORMANCE_ENGINE names (see apply_settings); a Result. Raises
    Unjudged. on_start(engine, tests) before the first clause; on_record(record) after each."""
    from dezero_conformance.conformance import isolation, support
    started = time.monotonic()
    engine, tests = clauses(patterns)
    if not tests:
        raise Unjudged(f"no clause matches -k {', '.join(patterns)} at step "
                       f"{support.step_of(engine)}; --list shows the clauses" if patterns
                       else f"no clause to judge at step {support.step_of(engine)}")
    if isolation.enabled():
        isolation.plan([t._request(t._testMethodName) for t in tests])
        isolation.pool(support.engine_spec()).submit_plan()
    result = Result(engine=support.engine_spec(), step=support.step_of(engine),
                    description=support.describe(engine),
                    notices=list(getattr(engine, "NOTICES", ())), seed=support.seed())
    if on_start is not None:
        on_start(engine, tests)
    collector = _Collector(result, on_record, exitfirst)
    suite = unittest.TestSuite(tests)
    suite.run(collector)
    result.stopped = collector.shouldStop and len(result.records) < len(tests)
    result.seconds = time.monotonic() - started
    return result


class _Collector(unittest.TestResult):
    """One Record per clause from unittest's outcomes (a clause's sub-cases fold into it)."""

    def __init__(self, result, on_record, exitfirst):
        super().__init__()
        self.result, self.on_record, self.exitfirst = result, on_record, exitfirst
        self.current = None
        self.failfast = exitfirst

    def startTest(self, test):
        super().startTest(test)
        doc = test._testMethodDoc or ""
        title = doc.split(":", 1)[1].strip() if ":" in doc else doc
        self.current = Record(id=_id(test), step=_step(test), title=title,
                              test=test.unittest_name(),
                              expected=test.expected.get(test.clause_id, ""))
        self.started = time.monotonic()
        self.parts = []

    def stopTest(self, test):
        super().stopTest(test)
        record, self.current = self.current, None
        record.seconds = time.monotonic() - self.started
        if record.outcome == PASSED and self.parts:
            record.message = "\n".join(self.parts)
        self.result.records.append(record)
        if self.on_record is not None:
            self.on_record(record)

    def _set(self, outcome, message, err=None):
        record = self.current
        rank = (PASSED, SKIPPED, XPASS, XFAIL, FAILED, ERROR)
        if rank.index(outcome) >= rank.index(record.outcome):
            if outcome in BAD:
                record.failed_parts += 1
            if outcome == record.outcome and record.message and outcome in BAD:
                record.message += PART_BREAK + message  # another sub-case failed
            else:
                record.outcome, record.message = outcome, message
            if err is not None and not record.cause:
                record.cause = _engine_frame(message)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(FAILED, _text(err))

    def addError(self, test, err):
        super().addError(test, err)
        self._set(ERROR, _text(err), err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        if getattr(test, "test_case", None) is None:
            self._set(SKIPPED, reason)
        else:
            self.parts.append(f"{test._subDescription()} skipped: {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(XFAIL, _text(err))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(XPASS, f"listed as expected to fail ({self.current.expected}) but passed; "
                         f"remove the line")
        if self.failfast:
            self.stop()

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            label = subtest._subDescription()
            self._set(FAILED if failed else ERROR, f"{label}\n{_text(err)}",
                      None if failed else err)


def _text(err):
    """An outcome's message: a failure replayed from the clause's process is its text (which
    ends with how to reproduce it); anything else, its exception line."""
    value = err[1]
    text = str(value).strip("\n")
    if type(value).__name__ in ("Failed", "Raised", "Missing") or isinstance(
            value, AssertionError):
        return text
    return f"{type(value).__name__}: {text}"


FRAME = re.compile(r'File "([^"]+)", line (\d+)')


def kit_dirs():
    """The kit's own directories, as a tuple of prefixes."""
    from dezero_conformance import adapters, conformance, reference
    return tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                 for m in (dezero_conformance, adapters, conformance, reference))


def _engine_frame(text):
    """The last traceback frame outside the kit and the standard library, "step10.py line
    41": where an engine's error was raised, so that one error in many clauses is one cause."""
    kit = kit_dirs()
    stdlib = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
    found = ""
    for path, line in FRAME.findall(text):
        where = os.path.abspath(path)
        if not where.startswith(kit) and not (where.startswith(stdlib)
                                              and "site-packages" not in where):
            found = f"{os.path.basename(path)} line {line}"
    return found
