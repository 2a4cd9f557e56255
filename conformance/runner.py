"""Run the clause groups against an adapter in-process and report one outcome per clause.

Used by the project's meta-tests and by the cross-engine matrix; the suite itself runs under
plain `python -m unittest discover conformance`.
"""
import importlib
import pkgutil
import unittest

from dezero_conformance import adapters, conformance
from dezero_conformance.conformance import isolation
from dezero_conformance.conformance.support import Clauses, applicable, clause_id

PASS, FAIL, ERROR, SKIP = "pass", "fail", "error", "skip"
_RANK = {PASS: 0, SKIP: 1, FAIL: 2, ERROR: 3}


def clause_groups():
    """The mixin classes of every clause module (conformance/test_*.py and the stages'
    conformance/stage*/test_*.py), in module order."""
    groups = []
    for info in sorted(pkgutil.walk_packages(conformance.__path__, f"{conformance.__name__}."),
                       key=lambda m: m.name):
        if info.name.rsplit(".", 1)[-1].startswith("test_"):
            module = importlib.import_module(info.name)
            groups += [obj for obj in vars(module).values()
                       if isinstance(obj, type) and issubclass(obj, Clauses)
                       and obj is not Clauses and not issubclass(obj, unittest.TestCase)]
    return groups


def clause_of(test):
    doc = getattr(test, "_testMethodDoc", None) or ""
    return clause_id(doc) or test.id()


class _Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.outcomes = {}
        self.parts = {}
        self.ran = set()

    def _note(self, test, status, message=""):
        clause = clause_of(getattr(test, "test_case", test))
        old = self.outcomes.get(clause)
        if old is None or _RANK[status] > _RANK[old[0]]:
            self.outcomes[clause] = (status, message)

    def startTest(self, test):
        super().startTest(test)
        self.ran.add(clause_of(test))

    def finish(self):
        """{clause: (status, message)}. A skipped part leaves unittest no success to report
        (Python 3.11 on): a clause that ran with no failure and was not skipped as a whole
        passed what applied, and its message lists the parts skipped."""
        for clause in self.ran:
            status, message = self.outcomes.get(clause, (PASS, ""))
            if status == PASS:
                message = "; ".join(self.parts.get(clause, ()))
            self.outcomes[clause] = (status, message)
        return self.outcomes

    def addSkip(self, test, reason):
        if getattr(test, "test_case", None) is None:
            self._note(test, SKIP, reason)
        else:  # a skipped part: the clause passes on what applies, and says what was skipped
            self.parts.setdefault(clause_of(test.test_case), []).append(
                f"{test._subDescription()} skipped: {reason}")

    def addFailure(self, test, err):
        self._note(test, FAIL, str(err[1]))

    def addError(self, test, err):
        self._note(test, ERROR, f"{err[0].__name__}: {err[1]}")

    def addSubTest(self, test, subtest, err):
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            self._note(test, FAIL if failed else ERROR,
                       str(err[1]) if failed else f"{err[0].__name__}: {err[1]}")


def run(engine=None, spec=None, reverse=False):
    """{clause id: (status, message)} for every clause, run against `engine`.

    In-process by default; given the engine's CONFORMANCE_ENGINE `spec`, each clause runs in
    a fresh child of the engine's process (isolation.py), so a hang or crash is that
    clause's TIMEOUT or CRASH, and `engine` may be None (the engine's process describes it).
    reverse=True runs the clauses in reverse order.
    """
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    if spec is not None:
        spec = adapters.resolve(spec)
        engine = engine or isolation.pool(spec).engine
    attrs = {"engine": engine}
    if spec is not None:
        attrs.update(spec=spec, _isolate=True)
    tests = []
    for group in clause_groups():
        bound = type(group.__name__, (group, unittest.TestCase), attrs)
        tests += [t for t in loader.loadTestsFromTestCase(bound) if applicable(t, engine)]
    if reverse:
        tests.reverse()
    suite.addTests(tests)
    if spec is not None:
        isolation.plan([test._request(test._testMethodName) for test in tests])
    result = _Result()
    suite.run(result)
    return result.finish()
