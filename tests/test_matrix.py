"""The matrix tool: an engine env is green exactly when its failures are the listed ones."""
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

from dezero_conformance.conformance import support
from matrix import check as matrix_check, expectations, render
from tests.broken import MUTANTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check(engine, expected_lines=None):
    """Run `python -m matrix.check`; return (exit status, JSON record or None, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CONFORMANCE_ENGINE=engine,
                   MATRIX_RESULT=os.path.join(tmp, "result.json"))
        env.pop("CONFORMANCE_EXPECTED", None)
        if expected_lines is not None:
            env["CONFORMANCE_EXPECTED"] = os.path.join(tmp, "expected.txt")
            with open(env["CONFORMANCE_EXPECTED"], "w") as f:
                f.write("".join(line + "\n" for line in expected_lines))
        run = subprocess.run([sys.executable, "-m", "matrix.check"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        rec = None
        if os.path.exists(env["MATRIX_RESULT"]):
            with open(env["MATRIX_RESULT"]) as f:
                rec = json.load(f)
    return run.returncode, rec, run.stdout + run.stderr


class TestUnexpected(unittest.TestCase):

    def test_only_listed_failures_are_expected(self):
        outcomes = {"S1": ("pass", ""), "S2": ("fail", "m"), "S3": ("error", "m"),
                    "S4": ("skip", "r"), "S5": ("fail", "m")}
        bad = expectations.unexpected(outcomes, {"S2": "why", "S3": "why", "S4": "why",
                                                 "S1": "why"})
        self.assertEqual(sorted(bad), ["S1", "S4", "S5"])


class TestCheck(unittest.TestCase):

    def test_reference_is_green_and_writes_its_record(self):
        code, rec, out = check("reference")
        self.assertEqual(code, 0, out)
        for key in ("engine", "version", "python", "numpy", "date", "clauses", "unexpected"):
            self.assertIn(key, rec)
        self.assertEqual({c["status"] for c in rec["clauses"].values()}, {"pass"}, out)
        self.assertEqual(rec["absent_probes"], {"retains_grads": "unprobed: from step 18 the "
                                                "book's own backward() drops them too"})

    def test_an_expected_failure_without_its_category_stops_the_check(self):
        code, rec, out = check("reference", ["S9 it recurses"])
        self.assertEqual(code, 2, out)
        self.assertIn("'S9 it recurses' is not 'S<n> <category>: reason'; write the clause id, "
                      "a space, 'defect:' or 'difference:'", out)

    def test_a_clause_may_be_expected_to_fail_for_a_defect_and_a_difference(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "e.txt")
            with open(path, "w") as f:
                f.write("S4 difference: float32 by design\nS4 defect: exp 30 ulp off\n")
            self.assertEqual(support.read_expected(path)["S4"],
                             "defect: exp 30 ulp off (e.txt:2); difference: float32 by design "
                             "(e.txt:1)")
            for lines in ("S4 defect: a\nS4 defect: b\n",
                          "S4 defect: a\nS4 difference: b\nS4 difference: c\n"):
                with open(path, "w") as f:
                    f.write(lines)
                with self.assertRaisesRegex(ValueError, "e.txt:[23]: a second '(defect|"
                                                        "difference)' line for S4"):
                    support.read_expected(path)

    def test_a_line_naming_no_clause_is_warned_about(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "e.txt")
            with open(path, "w") as f:
                f.write("S1 defect: a\nS45 difference: b\nS46 defect: c\n")
            err = io.StringIO()
            with mock.patch.object(sys, "stderr", err):
                self.assertEqual(sorted(support.read_expected(path)), ["S1", "S45", "S46"])
        self.assertEqual(err.getvalue(), f"conformance: warning: {path}:3: S46 matches no "
                                         f"clause; remove the line\n")

    def test_a_listed_clause_that_passes_is_unexpected(self):
        code, rec, out = check("reference", ["S9 defect: pretend it recurses"])
        self.assertEqual(code, 1, out)
        self.assertEqual(list(rec["unexpected"]), ["S9"])

    def test_a_mutant_is_green_exactly_when_its_failures_are_listed(self):
        mutant = next(m for m in MUTANTS if m.name == "recursive_backward")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(mutant.source())
            unlisted = check(path)
            listed = check(path, [f"{c} defect: {mutant.why}" for c in sorted(mutant.breaks)])
        self.assertEqual(unlisted[0], 1, unlisted[2])
        self.assertEqual(sorted(unlisted[1]["unexpected"]), sorted(mutant.breaks))
        self.assertEqual(listed[0], 0, listed[2])
        self.assertEqual({c for c, v in listed[1]["clauses"].items()
                          if v["expected"] is not None}, set(mutant.breaks))


class TestReport(unittest.TestCase):

    def test_headline_is_the_line_that_says_what_is_wrong(self):
        for message, want in (
                ("Traceback\nAssertionError: x\nS9 (step 8): grad of 1000 squares must give 0\n"
                 "Reproduce:\n    python -m unittest t", "S9 (step 8): grad of 1000 squares must give 0"),
                ("boom: S9: wrong there", "S9: wrong there"),
                ("Raised: \nTraceback (most recent call last):\n  File x\nTypeError: bad\n"
                 "Reproduce:\n    python -m unittest t", "TypeError: bad"),
                ("S19 (step 14): another clause's line\nlast line", "last line"),
                ("KeyError: 'k'\nReproduce:\n    cmd", "KeyError: 'k'"),
                ("", "")):
            with self.subTest(message):
                self.assertEqual(matrix_check.headline("S9", message), want)

    def test_report_prints_one_line_a_clause_and_the_verdict(self):
        def c(status, message="", expected=None):
            return {"status": status, "message": message, "expected": expected}
        rec = {"engine": "e", "version": "1", "python": "3.11", "numpy": "2",
               "clauses": {"S1": c("pass"), "S2": c("skip", "e lacks variable: none"),
                           "S3": c("pass", "[x] skipped: cannot fail here: copies"),
                           "S4": c("fail", "S4: off", "defect: exp (e.txt:1)"),
                           "S5": c("error", "Raised:\nKeyError: 'k'\nReproduce:\n  cmd"),
                           "C1": c("pass")},
               "unexpected": {"S5": "error, not listed as expected"}}
        out = io.StringIO()
        matrix_check.report(rec, out)
        self.assertEqual(out.getvalue().splitlines(), [
            "matrix: e 1 (Python 3.11, numpy 2)",
            "  S1   pass   ",
            "  S2   skip   e lacks variable: none",
            "  S3   pass°  [x] skipped: cannot fail here: copies",
            "  S4   defect expected fail (defect: exp (e.txt:1)): S4: off",
            "  S5   error  KeyError: 'k'  UNEXPECTED",
            "  C1   pass   ",
            "",
            "S5 is unexpected: error, not listed as expected",
            "Raised:", "KeyError: 'k'", "Reproduce:", "  cmd",
            "matrix: e: 1 error, 1 expected fail, 3 pass, 1 skip; 1 unexpected (S5)"])


class TestRender(unittest.TestCase):

    def test_table_marks_expected_and_unexpected_and_lists_engines_not_run(self):
        def clause(status, expected=None):
            return {"status": status, "message": "S9: boom", "expected": expected}
        results = {"engines": {
            "a": {"engine": "a", "version": "1", "python": "3.11", "numpy": "2", "date": "d",
                  "absent": {}, "unexpected": {"S2": "fail, not listed as expected"},
                  "clauses": {"S1": clause("fail", "defect: known"), "S2": clause("fail"),
                              "S3": clause("error", "difference: by design"),
                              "S4": {"status": "pass", "message": "[x] skipped: cannot fail "
                                                                  "here: it copies"},
                              "S5": {"status": "pass", "message": "[y] skipped: a lacks z"},
                              "S6": clause("fail", "defect: d (a.txt:2); difference: e (a.txt:1)")
                              }},
            "b": {"engine": "b", "not_run": "tox -e b exited 1 with no result: no wheel"}}}
        text = render.markdown(results)
        self.assertIn("| a | 1 | 3.11 | 2 | defect | **FAIL** | differs | pass° | pass* | "
                      "defect + differs | 1 unexpected: S2 |", text)
        self.assertIn("- **b**: tox -e b exited 1 with no result: no wheel", text)


if __name__ == "__main__":
    unittest.main()
