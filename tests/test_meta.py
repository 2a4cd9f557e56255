"""The kit tests itself: the reference passes every clause, each mutant fails exactly the
clauses it names, and correct engines in other styles of the book's API pass."""
import glob
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

import adapters
from adapters import book
from conformance import isolation, runner
from tests.broken import BY_NAME, MUTANTS, UNRULY

CLAUSES = {f"S{i}" for i in range(1, 17)} | {"C1"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STYLES = sorted(glob.glob(os.path.join(ROOT, "tests", "engines", "*.py")))


def failing(outcomes):
    return {c for c, (status, _) in outcomes.items() if status in (runner.FAIL, runner.ERROR)}


def by_id(clauses):
    return sorted(clauses, key=lambda c: (c[0], int(c[1:])))


class TestReference(unittest.TestCase):

    def test_reference_passes_every_clause(self):
        outcomes = runner.run(adapters.load("reference"))
        self.assertEqual(set(outcomes), CLAUSES, "the suite must report S1-S16 and C1")
        for clause, (status, message) in outcomes.items():
            self.assertEqual(status, runner.PASS, f"reference: {clause}: {message}")


def run_isolated(mutant, reverse=False):
    """The mutant's outcomes with each clause in a fresh child of its engine process, the
    engine named by a path relative to here (as a learner types it)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{mutant.name}.py")
        with open(path, "w") as f:
            f.write(mutant.source())
        with mock.patch.dict(os.environ, {isolation.TIMEOUT_VAR: "5"}):
            return runner.run(spec=os.path.relpath(path), reverse=reverse)


def outcomes_of(mutant):
    if mutant.isolated:
        return run_isolated(mutant)
    return runner.run(book.adapt(mutant.module(), mutant.name))


class TestMutants(unittest.TestCase):

    def test_every_clause_is_proven_by_a_mutant(self):
        covered = set().union(*(m.breaks for m in MUTANTS))
        self.assertEqual(by_id(CLAUSES - covered), [], "clauses no mutant shows failing")

    def test_each_mutant_fails_exactly_the_clauses_it_breaks(self):
        for m in MUTANTS:
            with self.subTest(m.name):
                outcomes = outcomes_of(m)
                for clause, marker in (m.misbehaves or {}).items():
                    self.assertIn(f"{clause}: {marker}", outcomes[clause][1],
                                  f"mutant {m.name} in {clause}")
                got = failing(outcomes)
                detail = "; ".join(f"{c}: {outcomes[c][1].splitlines()[0] if outcomes[c][1] else ''}"
                                   for c in by_id(got ^ m.breaks) if c in outcomes)
                self.assertEqual(by_id(got), by_id(m.breaks),
                                 f"mutant {m.name} ({m.why}) failed {by_id(got)}, "
                                 f"expected {by_id(m.breaks)}: {detail}")

    def test_outcomes_do_not_depend_on_clause_order(self):
        """Engines that change their process (state left behind, a recursion limit): each
        clause meets a fresh engine, so running the clauses backwards changes nothing."""
        for m in MUTANTS:
            if m.isolated and not m.misbehaves:
                with self.subTest(m.name):
                    forward, backward = run_isolated(m), run_isolated(m, reverse=True)
                    self.assertEqual({c: s for c, (s, _) in forward.items()},
                                     {c: s for c, (s, _) in backward.items()})
                    self.assertEqual(by_id(failing(backward)), by_id(m.breaks))

    def test_unruly_engines_pass_every_clause(self):
        """Right in every value, hostile as processes: nothing fails, nothing is skipped."""
        for m in UNRULY:
            with self.subTest(m.name):
                outcomes = run_isolated(m)
                bad = {c: o for c, o in outcomes.items() if o[0] != runner.PASS}
                self.assertEqual(bad, {}, f"{m.name} ({m.why})")

    def test_a_mutant_given_by_path_fails_with_its_clause_id(self):
        mutant = next(m for m in MUTANTS if m.name == "recursive_backward")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(mutant.source())
            run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                                 cwd=ROOT, capture_output=True, text=True,
                                 env=dict(os.environ, CONFORMANCE_ENGINE=path))
        self.assertNotEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertIn(f"testing engine {path}", run.stderr)
        self.assertIn("S9: backward through 1000 squares raised RecursionError", run.stderr)
        self.assertIn("FAILED (failures=", run.stderr)


class TestReproduce(unittest.TestCase):

    def test_every_failure_carries_a_snippet_that_runs(self):
        snippets = set()
        for name in ("skips_last_step", "shared_exp_instance", "copies_data", "seeds_float64"):
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "step10.py")
                with open(path, "w") as f:
                    f.write(BY_NAME[name].source())
                run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                                     cwd=ROOT, capture_output=True, text=True,
                                     env=dict(os.environ, CONFORMANCE_ENGINE=path,
                                              **{isolation.TIMEOUT_VAR: "10"}))
                reports = run.stderr.split("=" * 70)[1:]
                self.assertTrue(reports, run.stderr[-2000:])
                for report in reports:
                    self.assertIn(f"CONFORMANCE_ENGINE={path} CONFORMANCE_SEED=", report)
                    if "  or in Python:\n" not in report:
                        continue
                    snippet = textwrap.dedent(report.split("  or in Python:\n", 1)[1]
                                              .split("\n\n", 1)[0])
                    if snippet in snippets:
                        continue
                    snippets.add(snippet)
                    check = subprocess.run([sys.executable, "-c", snippet], cwd=ROOT,
                                           capture_output=True, text=True, timeout=60)
                    self.assertEqual(check.returncode, 0, f"{snippet}\n{check.stderr}")


class TestOtherStyles(unittest.TestCase):
    """Correct engines written to the book's API in styles the reference does not use."""

    def test_there_are_several_styles(self):
        self.assertGreaterEqual(len(STYLES), 4)

    def test_each_style_passes_every_clause(self):
        for path in STYLES:
            with self.subTest(os.path.basename(path)):
                outcomes = runner.run(adapters.load(path))
                bad = {c: outcomes[c][1] for c in failing(outcomes)}
                self.assertEqual(bad, {}, f"{path} is correct but failed")
                skipped = {c: m for c, (s, m) in outcomes.items() if s == runner.SKIP}
                self.assertEqual(skipped, {}, f"{path} defines the whole API but was skipped")


if __name__ == "__main__":
    unittest.main()
