"""The matrix tool: an engine env is green exactly when its failures are the listed ones."""
import io
import json
import os
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

from dezero_conformance.conformance import fuzz, runner, support
from matrix import book, expectations, render
from matrix import check as matrix_check
from tests import thorough
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


@thorough  # the matrix's own tooling, the same on every Python: run once
class TestCheck(unittest.TestCase):

    def test_reference_is_green_and_writes_its_record(self):
        code, rec, out = check("reference")
        self.assertEqual(code, 0, out)
        for key in ("engine", "version", "python", "numpy", "date", "clauses", "unexpected"):
            self.assertIn(key, rec)
        self.assertEqual({c["status"] for c in rec["clauses"].values()}, {"pass"}, out)
        self.assertEqual(rec["absent_probes"], {"retains_grads": "unprobed: from step 18 the "
                                                "book's own backward() drops them too"})
        graphs = rec["graphs"]  # every random graph S44 and S45 ran, each once
        self.assertEqual({o: len(keys.split()) for o, keys in graphs["run"].items()},
                         {"1": 300, "2": 150})
        self.assertEqual((graphs["seeds"], graphs["failed"]), ([support.DEFAULT_SEED], {}))
        self.assertIn("matrix: reference: random graphs: 450 run (300 order 1, 150 order 2), "
                      "0 failed", out)

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
                f.write("S1 defect: a\nS62 difference: b\nS63 defect: c\n")
            err = io.StringIO()
            with mock.patch.object(sys, "stderr", err):
                self.assertEqual(sorted(support.read_expected(path)), ["S1", "S62", "S63"])
        self.assertEqual(err.getvalue(), f"conformance: warning: {path}:3: S63 matches no "
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

    def test_engines_with_the_same_operations_are_compared_graph_by_graph(self):
        # The mutant patches reference_stage1: the same operations, so the same graphs.
        mutant = next(m for m in MUTANTS if m.name == "exp_backward_abs")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(mutant.source())
            code, broken, out = check(path)
        self.assertEqual(code, 1, out)
        clean = check("reference_stage1")[1]
        failed = broken["graphs"]["failed"]
        self.assertTrue(failed, out)
        self.assertEqual(broken["graphs"]["run"], clean["graphs"]["run"])
        # S44's message lists the first failing graphs: those the log has failed.
        listed = ", ".join(str(g["index"]) for g in sorted(failed.values(),
                                                           key=lambda g: g["index"])[:12])
        self.assertIn(f"graphs {listed}", broken["clauses"]["S44"]["message"])
        disagree, all_failed, counts = render.graph_disagreements(
            {"engines": {"broken": broken, "clean": clean}})
        self.assertEqual(all_failed, [])
        self.assertEqual(sorted(k for k, _ in disagree), sorted(failed))
        for key, g in disagree:
            self.assertEqual((g["failed"], g["passed"], g["indices"]),
                             ({"broken": failed[key]["failure"]}, ["clean"],
                              [failed[key]["index"]]))
        run = len(clean["graphs"]["run"]["1"].split())
        self.assertEqual(counts, {
            "broken": {"run": run, "failed": len(failed), "shared": run, "alone": len(failed)},
            "clean": {"run": run, "failed": 0, "shared": run, "alone": 0}})


class TestGraphLog(unittest.TestCase):
    """matrix.check keeps the random graphs' log (fuzz.LOG_VAR) in the record."""

    def test_the_run_logs_to_a_fresh_file_then_restores_the_environment(self):
        lines = [{"key": "k1", "index": 0, "order": 1, "seed": 7, "failure": None},
                 {"key": "k2", "index": 1, "order": 1, "seed": 7, "failure": "gx0 off " * 60},
                 {"key": "k1", "index": 5, "order": 1, "seed": 7, "failure": None},
                 {"key": "k3", "index": 0, "order": 2, "seed": 7, "failure": "hvp off"}]
        seen = []

        def run(engine, spec):
            path = os.environ[fuzz.LOG_VAR]
            seen.append(path)
            self.assertEqual(os.path.getsize(path), 0)
            with open(path, "a") as f:  # as each clause's worker does
                f.write("".join(json.dumps(g) + "\n" for g in lines[:2]) + "\n")
            with open(path, "a") as f:
                f.write("".join(json.dumps(g) + "\n" for g in lines[2:]))
            return {"S44": ("pass", "")}

        for before in (None, "/somewhere/else.jsonl"):
            with self.subTest(before=before), mock.patch.object(runner, "run", run), \
                    mock.patch.dict(os.environ):
                os.environ.pop(fuzz.LOG_VAR, None)
                if before is not None:
                    os.environ[fuzz.LOG_VAR] = before
                outcomes, graphs = matrix_check.run_logged(None, "e")
                self.assertEqual(os.environ.get(fuzz.LOG_VAR), before)
                self.assertFalse(os.path.exists(seen[-1]))
                self.assertEqual(outcomes, {"S44": ("pass", "")})
                self.assertEqual(graphs, {
                    "seeds": [7], "run": {"1": "k1 k2", "2": "k3"},
                    "failed": {"k2": {"order": 1, "index": 1,
                                      "failure": ("gx0 off " * 60)[:matrix_check.FAILURE_CHARS]},
                               "k3": {"order": 2, "index": 0, "failure": "hvp off"}}})
        self.assertNotEqual(*seen)

    def test_the_log_is_removed_when_the_run_fails(self):
        seen = []

        def run(engine, spec):
            seen.append(os.environ[fuzz.LOG_VAR])
            raise KeyboardInterrupt

        with mock.patch.object(runner, "run", run), mock.patch.dict(os.environ):
            os.environ.pop(fuzz.LOG_VAR, None)
            with self.assertRaises(KeyboardInterrupt):
                matrix_check.run_logged(None, "e")
            self.assertNotIn(fuzz.LOG_VAR, os.environ)
        self.assertFalse(os.path.exists(seen[0]))


def engine_record(name, run, failed=(), order=1):
    """A record of engine name that ran graphs run (keys) of order, failing those in failed
    ({key: (index, failure)})."""
    failed = dict(failed)
    graphs = {"seeds": [1], "run": {str(order): " ".join(run)},
              "failed": {k: {"order": order, "index": i, "failure": w}
                         for k, (i, w) in failed.items()}}
    return {"engine": name, "version": "1", "python": "3.11", "numpy": "2", "date": "d",
            "absent": {}, "unexpected": {}, "clauses": {}, "graphs": graphs}


class TestGraphDisagreements(unittest.TestCase):

    def test_a_graph_some_engines_fail_and_others_pass_is_a_disagreement(self):
        results = {"engines": {
            "a": engine_record("a", ["g1", "g2", "g3", "g4", "g5"],
                               {"g2": (1, "a: gx0 off"), "g3": (2, "a: y off"),
                                "g5": (4, "a: raised")}),
            "b": engine_record("b", ["g1", "g2", "g3", "g4"], {"g3": (7, "b: y off")}),
            "c": engine_record("c", ["g2", "g3", "g6"], {"g3": (2, "c: y off"),
                                                         "g6": (0, "c: nan")}),
            "d": {"engine": "d", "not_run": "no wheel"},
            "old": dict(engine_record("old", []), graphs=None)}}  # before graphs were logged
        disagree, all_failed, counts = render.graph_disagreements(results)
        self.assertEqual(disagree, [
            ("g2", {"order": 1, "indices": [1], "failed": {"a": "a: gx0 off"},
                    "passed": ["b", "c"]})])
        # g3: every engine that ran it failed (suspect the kit); g5, g6: only one engine ran
        # them, so there is nothing to compare.
        self.assertEqual(all_failed, [
            ("g3", {"order": 1, "indices": [2, 7], "failed": {"a": "a: y off", "b": "b: y off",
                                                              "c": "c: y off"}, "passed": []})])
        self.assertEqual(counts, {"a": {"run": 5, "failed": 3, "shared": 4, "alone": 1},
                                  "b": {"run": 4, "failed": 1, "shared": 4, "alone": 0},
                                  "c": {"run": 3, "failed": 2, "shared": 2, "alone": 0}})

    def test_the_section_lists_disagreements_and_unanimous_failures_capped(self):
        keys = [f"g{i:02}" for i in range(25)]
        results = {"engines": {
            "a": engine_record("a", keys, {k: (i, f"a | {k} off") for i, k in enumerate(keys)}),
            "b": engine_record("b", keys, {"g00": (0, "b: g00 off")}),
            "c": engine_record("c", keys[:2], {"g00": (0, "c: g00 off")}),
            "d": engine_record("d", keys[20:], {"g24": (24, "d: " + "x" * 300)}),
            "e": {"engine": "e", "not_run": "no wheel"}}}
        text = render.markdown(results)
        self.assertIn("## Random graphs: where engines disagree", text)
        self.assertIn("25 graphs were run by two or more engines: engines disagree on 24, and "
                      "every engine that ran them failed 1.", text)
        self.assertIn("| a | 25 | 25 | 25 | 24 |\n| b | 25 | 1 | 25 | 0 |\n"
                      "| c | 2 | 1 | 2 | 0 |\n| d | 5 | 1 | 5 | 1 |\n\nNo graph log (not run, "
                      "or recorded before graphs were logged): e.\n", text)
        # Graph 24, failed by a and d, comes second: each set of failing engines is shown.
        self.assertIn("|---|---|---|\n"
                      "| order 1, graph 1 (`g01`) | a: `a \\| g01 off` | b, c |\n"
                      f"| order 1, graph 24 (`g24`) | a: `a \\| g24 off`; d: `d: {'x' * 194}...` "
                      "| b |\n| order 1, graph 2 (`g02`) | a: `a \\| g02 off` | b |\n", text)
        self.assertIn("| order 1, graph 19 (`g19`) | a: `a \\| g19 off` | b |\n\n"
                      "... and 4 more graphs where engines disagree", text)
        self.assertNotIn("`g20`", text)
        self.assertIn("### Failed by every engine that ran them (suspect the kit)\n\n"
                      "- order 1, graph 0 (`g00`): a: `a \\| g00 off`; b: `b: g00 off`; "
                      "c: `c: g00 off`\n", text)

    def test_no_section_without_graph_logs(self):
        results = {"engines": {"a": {"engine": "a", "not_run": "no wheel"}}}
        self.assertEqual(render.graph_section(results), [])
        self.assertNotIn("Random graphs", render.markdown(results))


class TestReport(unittest.TestCase):

    def test_headline_is_the_line_that_says_what_is_wrong(self):
        for message, want in (
                ("Traceback\nAssertionError: x\nS9 (step 8): grad of 1000 squares must give 0\n"
                 "Reproduce:\n    python -m unittest t",
                 "S9 (step 8): grad of 1000 squares must give 0"),
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



class TestProgress(unittest.TestCase):
    """A matrix run says how far it is while an engine's environment runs."""

    def test_wait_reports_each_second_and_ends_a_run_past_its_timeout(self):
        from matrix import __main__ as matrix_main
        seen = []
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2.5)"])
        self.assertEqual(matrix_main.wait(proc, 60, seen.append), 0)
        self.assertGreaterEqual(len(seen), 2)
        self.assertEqual(seen, sorted(seen))
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.assertIsNone(matrix_main.wait(proc, 1.5, seen.append))
        self.assertIsNotNone(proc.poll(), "the run past its timeout was not ended")


class TestBook(unittest.TestCase):
    """python -m matrix.book reads the kit's own lines, whatever Python printed before them."""

    def judged(self, stderr):
        done = types.SimpleNamespace(stderr=stderr, stdout="")
        with mock.patch.object(book.subprocess, "run", return_value=done):
            return book.judge("/x/steps/step40.py")

    def test_the_kits_first_line_is_found_past_a_warning_python_printed_while_compiling(self):
        warning = '/x/dezero/datasets.py:235: SyntaxWarning: "is" with a literal.\n'
        verdict, first, _ = self.judged(
            warning + "conformance: testing engine /x/steps/step40.py unversioned at book step "
                      "40 (the file is named step40.py)\n....\nOK (skipped=1)\n")
        self.assertEqual((verdict, book.step_judged(first)), ("OK (skipped=1)", 40))
        verdict, _, _ = self.judged(warning + "conformance: CONFORMANCE_ENGINE='x': no Variable\n")
        self.assertEqual(verdict, "refused: CONFORMANCE_ENGINE='x': no Variable")
        verdict, _, _ = self.judged("Segmentation fault\n")
        self.assertEqual(verdict, "refused: Segmentation fault")


if __name__ == "__main__":
    unittest.main()
