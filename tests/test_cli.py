"""The ways people run the kit: the dezero-conformance command (python -m dezero_conformance),
pytest over the suite, and check() from Python; the report they read; its JSON and JUnit XML.

The engines are a correct step-10 file in the book's shape (tests/engines/step10_book.py) and
the same file with Square's backward missing its 2 * x."""
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from dezero_conformance import judge, report
from dezero_conformance.conformance import isolation
from tests import thorough

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEP10 = os.path.join(ROOT, "tests", "engines", "step10_book.py")
BUG = ("        gx = 2 * x * gy\n", "        gx = x * gy\n")  # Square.backward
SCREEN = 25  # lines of a terminal: the summary before the first failure's details fits in it


def engines(tmp):
    """(a correct step10.py, the same with Square's backward wrong), written into tmp."""
    with open(STEP10, encoding="utf-8") as f:
        source = f.read()
    assert source.count(BUG[0]) == 1, "the test engine changed: update BUG"
    paths = []
    source += "\nx = Variable(np.array(2.0))\nprint(square(x).data)\n"  # demo code
    for name, text in (("ok", source), ("bug", source.replace(*BUG))):
        os.makedirs(os.path.join(tmp, name))
        paths.append(os.path.join(tmp, name, "step10.py"))
        with open(paths[-1], "w", encoding="utf-8") as f:
            f.write(text)
    return paths


def command(*args, env=None):
    """python -m dezero_conformance ARGS, with no setting from the environment but env's."""
    clean = {k: v for k, v in os.environ.items() if k not in judge.SETTINGS.values()}
    return subprocess.run([sys.executable, "-m", "dezero_conformance", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env=dict(clean, PYTHONPATH=ROOT, **(env or {})))


class TestCommand(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.ok, cls.bug = engines(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_correct_file_passes_and_a_buggy_one_fails_first_on_the_clause_naming_the_bug(self):
        run = command(self.ok)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertTrue(run.stdout.startswith(f"judging {self.ok}: 18 clauses\n"), run.stdout)
        self.assertEqual(run.stderr, "")  # the suite's own first line is the command's to say
        self.assertIn("\n  notice: ", run.stdout)  # the file's demo code, not run
        self.assertRegex(run.stdout, r"\nPASS: 18 clauses at step 10 in [\d.]+ s: 18 passed\n$")
        run = command(self.bug)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        lines = run.stdout.splitlines()
        first = next(i for i, line in enumerate(lines) if re.match(r"S\d+ \(step \d+\): ", line))
        self.assertTrue(lines[first].startswith("S6 (step 6): Square backward"), lines[first])
        self.assertLessEqual(first, SCREEN, "the summary before the details fits on a screen:\n"
                             + "\n".join(lines[:first]))
        self.assertIn("backward of square at 3.0 with gy=1.0 must give 6.0", run.stdout)
        self.assertNotIn("S5", re.findall(r"S\d+ FAIL", run.stdout))
        self.assertRegex(lines[-1], r"^FAIL: 18 clauses at step 10 in [\d.]+ s: 12 passed, "
                                    r"6 failed$")

    @thorough
    def test_json_and_junit_reports_hold_every_clause(self):
        with tempfile.TemporaryDirectory() as out:
            j, x = os.path.join(out, "r.json"), os.path.join(out, "r.xml")
            run = command(self.bug, "-q", "--json", j, "--junitxml", x)
            self.assertEqual(run.returncode, 1, run.stderr)
            with open(j, encoding="utf-8") as f:
                data = json.load(f)
            self.assertFalse(data["ok"])
            self.assertEqual(data["step"], 10)
            self.assertEqual(len(data["clauses"]), 18)
            failed = [c["id"] for c in data["clauses"] if c["outcome"] == "fail"]
            self.assertEqual(failed, ["S6", "S8", "S9", "S11", "S15", "S44"])
            for c in data["clauses"]:
                self.assertEqual(set(c) >= {"id", "step", "outcome", "message", "seconds"}, True)
            suite = ET.parse(x).getroot().find("testsuite")
            self.assertEqual((suite.get("tests"), suite.get("failures")), ("18", "6"))
            names = [c.get("name").split()[0] for c in suite.iter("testcase")
                     if c.find("failure") is not None]
            self.assertEqual(names, failed)

    def test_bad_input_is_one_line_status_2_and_nothing_written(self):
        with tempfile.TemporaryDirectory() as out:
            j = os.path.join(out, "r.json")
            for args, says in (((os.path.join(out, "step10.py"), "--json", j), "does not exist"),
                               ((self.ok, "--step", "99"), "not a book step"),
                               ((self.ok, "-k", "S98,S99"), "no clause matches -k S98, S99 "
                                                             "at step 10; --list shows the "
                                                             "clauses"),
                               ((self.ok, "--json", os.path.join(out, "no", "r.json")),
                                "does not exist")):
                with self.subTest(args=args[1:]):
                    run = command(*args)
                    self.assertEqual(run.returncode, 2, run.stderr)
                    error = [line for line in run.stderr.splitlines() if "error:" in line]
                    self.assertEqual(len(error), 1, run.stderr)
                    self.assertIn(says, error[0])
                    self.assertNotIn("Traceback", run.stderr)
                    self.assertFalse(os.path.exists(j))

    @thorough
    def test_options_are_the_environment_variables(self):
        by_option = command(self.ok, "--step", "8", "--list")
        by_env = command(self.ok, "--list", env={"CONFORMANCE_STEP": "8"})
        self.assertEqual(by_option.returncode, 0, by_option.stderr)
        self.assertEqual(by_option.stdout.replace("--step 8", ""), by_env.stdout)
        self.assertIn("at book step 8 (", by_option.stdout)
        self.assertNotIn("S44", by_option.stdout)  # a clause of step 9

    def test_k_selects_and_x_stops_at_the_first_failure(self):
        run = command(self.bug, "-k", "S1,S6", "-k", "walks the creators", "-v")
        self.assertEqual(re.findall(r"^  (S\d+) +step", run.stdout, re.M), ["S1", "S6", "S8"])
        run = command(self.bug, "-x", "-q")
        self.assertEqual(run.returncode, 1)
        self.assertIn("stopped at the first failure (-x)", run.stdout)
        self.assertEqual(re.findall(r"^(S\d+) \(step", run.stdout, re.M), ["S6"])
        run = command(self.bug, "-x", "-q", "-k", "S6")  # the failure is the last clause
        self.assertEqual(run.returncode, 1)
        self.assertNotIn("stopped", run.stdout)
        seconds = float(re.search(r"in ([\d.]+) s:", run.stdout).group(1))
        self.assertTrue(0 < seconds < 120, run.stdout)

    def test_version_and_help(self):
        run = command("--version")
        self.assertRegex(run.stdout, r"^dezero-conformance \d+\.\d+\.\d+\n$")
        run = command("--help")
        self.assertIn("examples:", run.stdout)
        self.assertIn("dezero-conformance step10.py", run.stdout)


class TestCheck(unittest.TestCase):

    def test_a_script_checks_itself_without_running_its_demo_or_the_check_again(self):
        with tempfile.TemporaryDirectory() as tmp:
            ok, bug = engines(tmp)
            for path, status in ((ok, 0), (bug, 1)):
                with open(path, "a", encoding="utf-8") as f:
                    f.write("\nimport sys\nfrom dezero_conformance import check\n"
                            "result = check(step=10)\nprint('checked:', result)\n"
                            "sys.exit(0 if result.ok else 1)\n")
                run = subprocess.run([sys.executable, path], capture_output=True, text=True,
                                     timeout=300, env=dict(os.environ, PYTHONPATH=ROOT),
                                     cwd=tmp, stdin=subprocess.DEVNULL)
                with self.subTest(os.path.basename(os.path.dirname(path))):
                    self.assertEqual(run.returncode, status, run.stdout + run.stderr)
                    self.assertEqual(run.stdout.count("checked: <Result"), 1, run.stdout)
                    if status:
                        self.assertIn("S6 (step 6): Square backward", run.stdout)

    def test_a_namespace_without_source_is_judged_here_and_says_so(self):
        code = ("import numpy as np, unittest\nns = {}\n"
                f"exec(open({STEP10!r}).read().split('class SquareTest')[0], ns)\n"
                "from dezero_conformance import check\n"
                "r = check(ns, step=10, clause='S6', display=False)\n"
                "print(r.ok, [x.id for x in r.records], r.notices[0][:22])\n")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300, env=dict(os.environ, PYTHONPATH=ROOT),
                             stdin=subprocess.DEVNULL)
        self.assertEqual(run.stdout.strip(), "True ['S6'] judged in this process", run.stderr)


def record(cid, step, outcome="pass", message="", cause=""):
    return judge.Record(id=cid, step=step, title=f"clause {cid}", outcome=outcome,
                        message=message, cause=cause,
                        failed_parts=int(outcome in judge.BAD))


class TestReport(unittest.TestCase):
    """The report from records, without running an engine."""

    def result(self, *records):
        return judge.Result(engine="step10.py", step=10, description="engine step10.py",
                            records=list(records), seconds=1.0)

    def test_simplest_first_random_graphs_last_the_adapter_after_the_book(self):
        keys = [("S44", 9), ("C1", 0), ("S15", 10), ("S6", 6), ("S12", 9), ("S3", 2)]
        self.assertEqual([k[0] for k in sorted(keys, key=judge.order_key)],
                         ["S3", "S6", "S12", "S15", "C1", "S44"])

    def test_steps_are_ranges_of_passes_and_a_row_per_failing_step(self):
        r = self.result(record("S1", 1), record("S3", 2), record("S6", 6, "fail", "S6 (step 6): "
                        "wrong"), record("S9", 8), record("S11", 9), record("C1", 0))
        rows = [(a, b, v, [x.id for x in rs]) for a, b, v, rs in report.steps(r)]
        self.assertEqual(rows, [(1, 2, "pass", ["S1", "S3"]), (6, 6, "FAIL", ["S6"]),
                                (8, 9, "pass", ["S9", "S11"]),
                                (judge.ADAPTER_STEP, judge.ADAPTER_STEP, "pass", ["C1"])])

    def test_the_first_failure_in_full_the_others_in_a_line_with_their_shared_cause(self):
        error = ('Traceback (most recent call last):\n  File "/x/step10.py", line 41, in '
                 'backward\n    return gy[0]\nIndexError: invalid index\n')
        r = self.result(record("S6", 6, "error", error, cause="step10.py line 41"),
                        record("S8", 7, "error", error, cause="step10.py line 41"),
                        record("S9", 8, "fail", "[1000 squares]\nS9 (step 8): 1000 squares "
                                                "must give 2**1000"),
                        record("S44", 9, "fail", "S44 (step 9): 3 of 300 random graphs failed"))
        text = report.summary(r)
        # the rows of steps 6 and 7, and S6's details: S8's is not repeated
        self.assertEqual(text.count("IndexError: invalid index"), 3)
        also = text.split("Also failing")[1]
        self.assertIn("S8   step 7   the same error as S6 (step10.py line 41)", also)
        self.assertIn("S9   step 8   1000 squares must give 2**1000", also)
        self.assertIn("S44  step 9   random graphs; S6, S8, S9 above fail too", also)
        self.assertIn("    return gy[0]", text)  # the engine's own frame stays
        crash = "S6 (step 6): CRASH: the engine's process was killed by SIGKILL"
        r = self.result(record("S6", 6, "fail", crash),
                        record("S8", 7, "fail", crash.replace("S6 (step 6)", "S8 (step 7)")))
        self.assertIn("S8   step 7   the same as S6: CRASH: the engine's process was killed",
                      report.summary(r))

    def test_a_clauses_statement_is_its_first_line(self):
        message = ("[square at 3.0]\nTraceback (most recent call last):\n  File \"/k/t.py\", "
                   "line 9, in test\nAssertionError: Not equal to tolerance rtol=0, atol=0\n"
                   "S6 (step 6): backward of square at 3.0 must give 6.0 (rtol=0)\n")
        self.assertEqual(record("S6", 6, "fail", message).first_line(),
                         "backward of square at 3.0 must give 6.0 (rtol=0)")
        self.assertEqual(record("S6", 6, "error", "x\nValueError: bad\n").first_line(),
                         "ValueError: bad")


    def test_the_counts_line_and_the_verdict_of_each_outcome(self):
        r = self.result(record("S1", 1), record("S2", 2, "skip", "lacks x"),
                        record("S3", 2, "expected failure", "S3 (step 2): off"),
                        record("S4", 3, "unexpected pass"), record("S5", 4, "error", "E: x"),
                        record("S6", 6, "fail", "S6 (step 6): wrong"))
        self.assertEqual(report.counts_line(r),
                         "FAIL: 6 clauses at step 10 in 1.0 s: 1 passed, 1 failed, 1 error, "
                         "1 skipped, 1 expected failure, 1 unexpected pass")
        r.stopped = True
        self.assertTrue(report.counts_line(r).endswith("; stopped at the first failure (-x)"))
        ok = self.result(record("S1", 1), record("S3", 2, "expected failure"))
        self.assertTrue(ok.ok)
        self.assertEqual(report.counts_line(ok), "PASS: 2 clauses at step 10 in 1.0 s: "
                                                 "1 passed, 1 expected failure")
        self.assertIn("steps 1-2     pass     S1 S3 (S3 expected to fail)", report.summary(ok))
        self.assertEqual(report.details(ok), [])
        self.assertFalse(self.result().ok)
        self.assertEqual(report.counts_line(self.result()),
                         "NOTHING RUN: 0 clauses at step 10 in 1.0 s: none run")
        rows = report.steps(self.result(record("S1", 1, "skip"), record("S2", 2, "skip"),
                                        record("S4", 3)))
        self.assertEqual([(a, b, v) for a, b, v, _ in rows], [(1, 2, "skipped"),
                                                              (3, 3, "pass")])

    def test_verbose_shows_every_failure_in_full_and_the_rest_count_their_parts(self):
        one = record("S6", 6, "fail", "[a]\nS6 (step 6): first part" + judge.PART_BREAK
                     + "[b]\nS6 (step 6): second part")
        one.failed_parts = 2
        other = record("S9", 8, "fail", "[c]\nS9 (step 8): deep\nmore detail")
        short = report.summary(self.result(one, other))
        self.assertIn("first part", short)
        self.assertNotIn("second part", short)
        self.assertIn("... and 1 more failing sub-case of S6 (-v shows them)", short)
        self.assertNotIn("more detail", short)
        full = report.summary(self.result(one, other), verbose=True)
        for text in ("first part", "second part", "S9 (step 8): clause S9", "more detail"):
            self.assertIn(text, full)
        self.assertNotIn("Also failing", full)
        three = record("S6", 6, "fail", "x")
        three.failed_parts = 3
        self.assertIn("... and 2 more failing sub-cases of S6", report.summary(
            self.result(three)))

    def test_trim_drops_the_kits_frames_and_keeps_the_engines(self):
        kit = os.path.join(ROOT, "conformance", "stage1", "test_backward.py")
        text = (f'Traceback (most recent call last):\n  File "{kit}", line 67, in test\n'
                f'    self.assertValues(gx)\n  File "/home/me/step10.py", line 41, in '
                f'backward\n    return gy[0]\nIndexError: invalid index')
        self.assertEqual(report.trim(text), '  File "/home/me/step10.py", line 41, in '
                                            'backward\n    return gy[0]\nIndexError: '
                                            'invalid index')
        self.assertEqual(judge._engine_frame(text), "step10.py line 41")
        self.assertEqual(judge._engine_frame(f'File "{kit}", line 3'), "")

    def test_json_junit_and_html_hold_every_clause(self):
        r = self.result(record("S1", 1), record("S6", 6, "fail", "[a]\nS6 (step 6): wrong <x>"),
                        record("S5", 4, "error", "ValueError: bad"),
                        record("S2", 2, "skip", "lacks it"),
                        record("S3", 2, "expected failure", "S3 (step 2): known"))
        r.records[4].expected = "defect: known (x.txt:1)"
        with tempfile.TemporaryDirectory() as tmp:
            report.to_json(r, os.path.join(tmp, "r.json"))
            with open(os.path.join(tmp, "r.json"), encoding="utf-8") as f:
                data = json.load(f)
            report.to_junit(r, os.path.join(tmp, "r.xml"))
            root = ET.parse(os.path.join(tmp, "r.xml")).getroot()
        self.assertEqual((data["ok"], data["step"], data["counts"]["fail"]), (False, 10, 1))
        self.assertEqual([c["id"] for c in data["clauses"]], ["S1", "S6", "S5", "S2", "S3"])
        self.assertEqual(data["clauses"][1]["message"], "[a]\nS6 (step 6): wrong <x>")
        suite = root.find("testsuite")
        self.assertEqual([suite.get(k) for k in ("tests", "failures", "errors", "skipped")],
                         ["5", "1", "1", "2"])  # a skip and an expected failure
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        self.assertEqual((props["engine"], props["step"]), ("step10.py", "10"))
        cases = {c.get("name").split()[0]: c for c in suite.iter("testcase")}
        self.assertEqual(cases["S6"].get("classname"), "dezero_conformance.step06")
        self.assertEqual(cases["S6"].find("failure").get("message"), "wrong <x>")
        self.assertEqual(cases["S5"].find("error").text, "ValueError: bad")
        self.assertEqual(cases["S2"].find("skipped").get("message"), "lacks it")
        self.assertIn("expected failure: defect: known", cases["S3"].find("skipped").get(
            "message"))
        self.assertIsNone(cases["S1"].find("failure"))
        html = report.to_html(r)
        self.assertIn("wrong &lt;x&gt;", html)
        self.assertNotIn("<x>", html)
        self.assertEqual(html.count("<details>"), 2)  # S6 and S5
        self.assertIn("<b>FAIL</b>", html)

    def test_a_result_reads_back_from_its_json(self):
        from dezero_conformance import checking
        r = self.result(record("S1", 1), record("S6", 6, "fail", "S6 (step 6): wrong"))
        back = checking.from_dict(json.loads(json.dumps(r.to_dict())))
        self.assertEqual(back.records, r.records)
        self.assertEqual((back.ok, back.step, repr(back)), (False, 10, repr(r)))
        self.assertIn("FAILED", repr(r))
        self.assertIn("could not judge", repr(judge.Result("e", 1, "", problem="no file")))

    def golden(self):
        r = self.result(record("S1", 1), record("S16", 1), record("S2", 2, "skip", "lacks it"),
                        record("S4", 3, "expected failure", "S4 (step 3): known"),
                        record("S6", 6, "fail", "[square at 3.0]\nS6 (step 6): backward of "
                                                "square at 3.0 must give 6.0 <&>"),
                        record("S7", 6, "unexpected pass", "listed; remove the line"),
                        record("S9", 8, "error", "ValueError: deep"), record("S12", 9),
                        record("S13", 9), record("C1", 0))
        r.description = ("engine step10.py at book step 10 (the file is named step10.py; "
                         "numpy 2.4.6, Python 3.11.7; capabilities absent: add, arithmetic)")
        r.notices = ["step10.py: 3 top-level statements that define nothing (demo code: "
                     "prints, plots, loops, tests) not run, lines 90-99"]
        return r

    def test_the_summary_reads_so(self):
        self.assertEqual(report.summary(self.golden()), """\
engine step10.py at book step 10 (the file is named step10.py; numpy 2.4.6, Python 3.11.7;
  capabilities absent: add, arithmetic)
  notice: step10.py: 3 top-level statements that define nothing (demo code: prints, plots, loops,...

  step 1        pass     S1 S16
  step 2        skipped  S2
  step 3        pass     S4 (S4 expected to fail)
  step 6        FAIL     S6 FAIL, S7 UNEXPECTED PASS: backward of square at 3.0 must give 6.0 <&>
  step 8        FAIL     S9 ERROR: ValueError: deep
  step 9        pass     S12 S13
  the adapter   pass     C1

S6 (step 6): clause S6
  [square at 3.0]
  S6 (step 6): backward of square at 3.0 must give 6.0 <&>

Also failing (2; fix S6 first and run again, they may share its cause; -v shows each in full):
  S7   step 6   listed; remove the line
  S9   step 8   ValueError: deep

FAIL: 10 clauses at step 10 in 1.0 s: 5 passed, 1 failed, 1 error, 1 skipped, 1 expected \
failure, 1 unexpected pass
""")
        self.assertEqual(report.details(self.golden()), report.details(self.golden(), False))
        self.assertEqual(report.details(self.golden(), verbose=True), [
            "S6 (step 6): clause S6", "  [square at 3.0]\n  S6 (step 6): backward of square at "
            "3.0 must give 6.0 <&>", "", "S7 (step 6): clause S7", "  listed; remove the line",
            "", "S9 (step 8): clause S9", "  ValueError: deep", ""])

    def test_plurals_and_several_expected_failures(self):
        r = self.result(*[record(f"S{i}", 1, outcome) for i, outcome in enumerate(
            ["pass", "fail", "error", "skip", "expected failure", "unexpected pass"] * 2)])
        self.assertTrue(report.counts_line(r).endswith(
            "2 passed, 2 failed, 2 errors, 2 skipped, 2 expected failures, 2 unexpected passes"))
        both = self.result(record("S1", 1, "expected failure"), record("S2", 1,
                                                                        "expected failure"))
        self.assertIn("S1 S2 (S1, S2 expected to fail)", report.summary(both))

    def test_the_html_reads_so(self):
        self.assertEqual(report.to_html(self.golden()), (
            "<div><p><b>FAIL</b>: step10.py<br><small>engine step10.py at book step 10 (the "
            "file is named step10.py; numpy 2.4.6, Python 3.11.7; capabilities absent: add, "
            "arithmetic)</small></p><ul><small><li>step10.py: 3 top-level statements that "
            "define nothing (demo code: prints, plots, loops, tests) not run, lines 90-99</li>"
            "</small></ul><table><tr><th>step</th><th>verdict</th><th>clauses</th><th>first "
            "failure</th></tr>"
            "<tr><td>1</td><td style='color:#1a7f37;font-weight:bold'>pass</td><td>S1 S16</td>"
            "<td></td></tr>"
            "<tr><td>2</td><td style='color:#6e7781;font-weight:bold'>skipped</td><td>S2</td>"
            "<td></td></tr>"
            "<tr><td>3</td><td style='color:#1a7f37;font-weight:bold'>pass</td><td>S4</td>"
            "<td></td></tr>"
            "<tr><td>6</td><td style='color:#cf222e;font-weight:bold'>FAIL</td><td>S6 S7</td>"
            "<td>backward of square at 3.0 must give 6.0 &lt;&amp;&gt;</td></tr>"
            "<tr><td>8</td><td style='color:#cf222e;font-weight:bold'>FAIL</td><td>S9</td>"
            "<td>ValueError: deep</td></tr>"
            "<tr><td>9</td><td style='color:#1a7f37;font-weight:bold'>pass</td><td>S12 S13"
            "</td><td></td></tr>"
            "<tr><td>adapter</td><td style='color:#1a7f37;font-weight:bold'>pass</td><td>C1"
            "</td><td></td></tr></table>"
            "<details><summary><b>S6</b> (step 6): clause S6</summary><pre>[square at 3.0]\n"
            "S6 (step 6): backward of square at 3.0 must give 6.0 &lt;&amp;&gt;</pre>"
            "</details><details><summary><b>S7</b> (step 6): clause S7</summary><pre>listed; "
            "remove the line</pre></details><details><summary><b>S9</b> (step 8): clause S9"
            "</summary><pre>ValueError: deep</pre></details><p><small>FAIL: 10 clauses at "
            "step 10 in 1.0 s: 5 passed, 1 failed, 1 error, 1 skipped, 1 expected failure, 1 "
            "unexpected pass</small></p></div>"))
        ranges = self.result(record("S1", 1), record("S3", 2))
        self.assertTrue(report.to_html(ranges).startswith(
            "<div><p><b>PASS</b>: step10.py<br><small>engine step10.py</small></p><table><tr>"
            "<th>step</th><th>verdict</th><th>clauses</th><th>first failure</th></tr><tr><td>"
            "1-2</td>"), report.to_html(ranges))
        ranges.notices = ["one", "two"]
        self.assertIn("<ul><small><li>one</li><li>two</li></small></ul>",
                      report.to_html(ranges))

    def test_a_line_is_cut_at_the_width(self):
        self.assertEqual(report.cut("x" * 100), "x" * 100)
        self.assertEqual(report.cut("x" * 101), "x" * 97 + "...")
        self.assertEqual(report.cut("abcdef", 5), "ab...")

    def test_junit_counts_an_unexpected_pass_as_a_failure_and_cuts_skip_messages(self):
        r = self.result(record("S7", 6, "unexpected pass", "remove the line"),
                        record("S2", 2, "skip", "y" * 600))
        with tempfile.TemporaryDirectory() as tmp:
            report.to_junit(r, os.path.join(tmp, "r.xml"))
            with open(os.path.join(tmp, "r.xml"), encoding="utf-8") as f:
                text = f.read()
        self.assertTrue(text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<testsuites>"
                                        "<testsuite name=\"dezero-conformance\" tests=\"2\" "
                                        "failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.000\">"
                                        "<properties><property name=\"engine\" value=\"step10.py"
                                        "\" /><property name=\"step\" value=\"10\" /><property "
                                        "name=\"seed\" value=\"0\" /><property name=\"description"
                                        "\" value=\"engine step10.py\" /></properties>"), text)
        self.assertIn('<testcase classname="dezero_conformance.step06" name="S7 clause S7" '
                      'time="0.000"><failure message="remove the line">remove the line'
                      '</failure></testcase>', text)
        self.assertIn(f'<skipped message="{"y" * 497}..." />', text)
        xfail = record("S3", 2, "expected failure", "S3 (step 2): off")
        xfail.expected = "defect: known (x.txt:1)"
        with tempfile.TemporaryDirectory() as tmp:
            report.to_junit(self.result(xfail), os.path.join(tmp, "r.xml"))
            with open(os.path.join(tmp, "r.xml"), encoding="utf-8") as f:
                text = f.read()
        self.assertIn('failures="0" errors="0" skipped="1"', text)  # as its test case is
        self.assertIn('<skipped message="expected failure: defect: known (x.txt:1)" />', text)

    def test_random_graphs_name_at_most_three_hand_written_failures(self):
        r = self.result(*[record(f"S{i}", i, "fail", f"S{i} (step {i}): wrong {i}")
                          for i in (1, 2, 3, 4)], record("S44", 9, "fail", "S44 (step 9): x"))
        self.assertIn("S44  step 9   random graphs; S1, S2, S3 above fail too, and usually "
                      "explain them\n", report.summary(r))
        one = record("S6", 6, "fail", "S6 (step 6): once")
        self.assertNotIn("more failing", report.summary(self.result(one)))

    def test_trim_keeps_an_engine_frame_that_follows_a_kit_frame_at_once(self):
        kit = os.path.join(ROOT, "conformance", "support.py")
        text = (f'  File "{kit}", line 1, in grad\n  File "/me/step10.py", line 4, in f\n'
                f'Traceback (most recent call last):\n  File "{kit}", line 2, in g\n'
                f'Traceback (most recent call last):\nE: x')
        self.assertEqual(report.trim(text), '  File "/me/step10.py", line 4, in f\nE: x')


class TestJudge(unittest.TestCase):
    """One record per clause from unittest's outcomes, in this process, on the reference and
    on broken engines (tests/broken)."""

    def collect(self, engine, group, expected=None, exitfirst=False):
        from dezero_conformance import adapters
        engine = adapters.load(engine) if isinstance(engine, str) else engine
        case = type(group.__name__, (group, unittest.TestCase),
                    {"engine": engine, "expected": expected or {}})
        result, seen = judge.Result("e", 10, ""), []
        collector = judge._Collector(result, seen.append, exitfirst)
        unittest.TestLoader().loadTestsFromTestCase(case).run(collector)
        self.assertEqual(seen, result.records)
        return result, collector

    def broken(self, name):
        from dezero_conformance.adapters import book
        from tests.broken import BY_NAME
        return book.adapt(BY_NAME[name].module(), name)

    def test_a_failing_clause_is_one_record_with_each_failing_part(self):
        from dezero_conformance.conformance.stage1.test_backward import BackwardClauses
        result, _ = self.collect(self.broken("exp_rounded_e"), BackwardClauses)
        by_id = {r.id: r for r in result.records}
        self.assertEqual(sorted(by_id), ["S11", "S6", "S8"])
        s6 = by_id["S6"]
        self.assertEqual((s6.outcome, s6.step, s6.title[:22]),
                         ("fail", 6, "Square backward is 2*x"))
        self.assertEqual(s6.failed_parts, 3)
        self.assertEqual(s6.message.count(judge.PART_BREAK), s6.failed_parts - 1)
        self.assertRegex(s6.message, r"^\[[^\]\n]+\]\n")  # each part: its label, its failure
        self.assertEqual(s6.test, "dezero_conformance.conformance.stage1.test_backward."
                                  "TestBackward.test_s6_square_and_exp_backward")
        self.assertTrue(0.0 <= s6.seconds < 60, s6.seconds)
        self.assertEqual(s6.message.count("\n\n["), s6.failed_parts - 1)
        self.assertEqual(by_id["S8"].expected, "")
        self.assertEqual(by_id["S11"].outcome, "pass")
        self.assertEqual((by_id["S11"].failed_parts, by_id["S11"].cause), (0, ""))

    def test_an_engine_error_names_where_it_was_raised(self):
        from dezero_conformance.conformance.stage1.test_forward import ForwardClauses
        result, _ = self.collect(self.broken("raises_in_forward"), ForwardClauses)
        errors = [r for r in result.records if r.outcome == "error"]
        self.assertTrue(errors, [(r.id, r.outcome) for r in result.records])
        self.assertRegex(errors[0].cause, r"^raises_in_forward\.py line \d+$")
        self.assertIn("ArithmeticError", errors[0].message)

    def test_expected_failures_skips_and_exitfirst(self):
        from dezero_conformance.conformance.stage1.test_backward import BackwardClauses
        result, _ = self.collect(self.broken("square_is_x_abs_x"), BackwardClauses,
                                 expected={"S6": "defect: known (x.txt:1)",
                                           "S11": "defect: listed (x.txt:2)"})
        by_id = {r.id: r for r in result.records}
        self.assertEqual((by_id["S6"].outcome, by_id["S6"].expected),
                         ("expected failure", "defect: known (x.txt:1)"))
        self.assertEqual(by_id["S11"].outcome, "unexpected pass")
        self.assertEqual(by_id["S11"].message, "listed as expected to fail (defect: listed "
                                               "(x.txt:2)) but passed; remove the line")
        self.assertEqual(by_id["S8"].outcome, "fail")
        result, collector = self.collect(self.broken("square_is_x_abs_x"), BackwardClauses,
                                         exitfirst=True)
        self.assertTrue(collector.shouldStop)
        self.assertEqual([r.id for r in result.records], ["S11", "S6"])  # test order: by name

    def test_a_clause_skipped_whole_and_parts_skipped_in_a_pass(self):
        from dezero_conformance import adapters
        from dezero_conformance.conformance.stage3.test_higher_order import HigherOrderClauses
        result, _ = self.collect("reference_stage1", HigherOrderClauses)
        self.assertEqual({r.outcome for r in result.records}, {"skip"})
        self.assertRegex(result.records[0].message, r"^not judged at step 10 \(S\d+ is a "
                                                    r"clause of step \d+\)$")
        from dezero_conformance.conformance.stage1.test_numerical_diff import (
            NumericalDiffClauses,
        )
        engine = adapters.load("reference")
        engine = types_namespace(engine, ABSENT={**engine.ABSENT, "vector": "no vectors",
                                                 "integers": "no ints"})
        result, _ = self.collect(engine, NumericalDiffClauses)
        self.assertEqual(result.records[0].outcome, "pass")
        self.assertEqual(result.records[0].message,
                         "[a vector input] skipped: reference lacks vector: no vectors\n"
                         "[an integer input] skipped: reference lacks integers: no ints")

    def test_a_failing_clause_keeps_its_failure_when_parts_were_skipped(self):
        from dezero_conformance.conformance.stage1.test_numerical_diff import (
            NumericalDiffClauses,
        )
        engine = types_namespace(self.broken("forward_difference"))
        engine.ABSENT = {**engine.ABSENT, "vector": "no vectors"}
        result, _ = self.collect(engine, NumericalDiffClauses)
        self.assertEqual(result.records[0].outcome, "fail")
        self.assertIn("must give", result.records[0].message)
        self.assertNotIn("skipped", result.records[0].message.splitlines()[0])

    def test_a_title_keeps_its_own_colons(self):
        from dezero_conformance.conformance.stage2.test_many_inputs import ManyInputsClauses
        result, _ = self.collect("reference", ManyInputsClauses)
        s18 = next(r for r in result.records if r.id == "S18")
        self.assertTrue(s18.title.startswith("backward reaches every input: add(square(x), "),
                        s18.title)

    def test_k_patterns(self):
        for cid, title, patterns, chosen in (
                ("S12", "Variable takes only arrays", (), True),
                ("S12", "Variable takes only arrays", ("s12",), True),
                ("S12", "Variable takes only arrays", ("S1",), False),
                ("S12", "Variable takes only arrays", ("S1", "S12"), True),
                ("S12", "Variable takes only arrays", ("only ARRAYS",), True),
                ("S12", "Variable takes only arrays", (" S12 ",), True),
                ("S12", "Variable takes only arrays", ("tensors",), False)):
            with self.subTest(cid=cid, patterns=patterns):
                self.assertEqual(judge.selected(cid, title, patterns), chosen)

    def test_messages_of_failures_and_errors(self):
        from dezero_conformance.conformance import isolation
        self.assertEqual(judge._text((None, isolation.Failed("\nS6 (step 6): x\n"), None)),
                         "S6 (step 6): x")
        self.assertEqual(judge._text((None, ValueError("bad"), None)), "ValueError: bad")
        self.assertEqual(judge._text((None, AssertionError("\nwrong"), None)), "wrong")
        self.assertEqual(record("S6", 6, "fail", "[a]\nFile x\nTraceback\nplain").first_line(),
                         "plain")
        self.assertEqual(record("S6", 6, "fail", "[only a label]").first_line(),
                         "[only a label]")
        self.assertEqual(record("S6", 6, "fail", "").first_line(), "")
        r = record("S6", 6, "fail", "one" + judge.PART_BREAK + "two")
        self.assertEqual(r.first_part(), "one")
        self.assertTrue(r.failed and not r.random and record("S45", 33).random)

    def test_raised_and_failed_texts_keep_their_own_words(self):
        from dezero_conformance.conformance import isolation
        self.assertEqual(judge._text((None, isolation.Raised("\nboom"), None)), "boom")
        self.assertEqual(judge._text((None, isolation.Failed("\nX marks"), None)), "X marks")
        stdlib = os.path.dirname(os.__file__)
        self.assertEqual(judge._engine_frame(
            f'File "{stdlib}/site-packages/eng/core.py", line 7\nFile "{stdlib}/json/x.py", '
            f'line 9'), "core.py line 7")

    def test_order_and_settings(self):
        self.assertLess(judge.order_key(("S9", 5)), judge.order_key(("C1", 5)))
        self.assertEqual(judge.order_key(("C", 0))[3], 0)
        self.assertLess(judge.order_key(("S43", 36)), judge.order_key(("C1", 0)))
        with mock.patch.dict(os.environ, {}, clear=False):
            judge.apply_settings(engine="e.py", step=3, seed=4, fuzz=5, timeout=6, jobs=7)
            self.assertEqual([os.environ[v] for v in (
                "CONFORMANCE_ENGINE", "CONFORMANCE_STEP", "CONFORMANCE_SEED",
                "CONFORMANCE_FUZZ", "CONFORMANCE_TIMEOUT", "CONFORMANCE_JOBS")],
                ["e.py", "3", "4", "5", "6", "7"])

    def test_a_records_defaults_and_rounding(self):
        r = judge.Result("e", 1, "", records=[judge.Record("S1", 1, "t")], seconds=1.23456)
        self.assertEqual(r.to_dict()["clauses"], [{
            "id": "S1", "step": 1, "title": "t", "outcome": "pass", "message": "",
            "seconds": 0.0, "test": "", "expected": "", "cause": "", "failed_parts": 0}])
        self.assertEqual(r.to_dict()["seconds"], 1.235)
        self.assertEqual(judge.Result("e", 1, "").to_dict()["seconds"], 0.0)
        r.records[0].seconds = 0.12345
        self.assertEqual(r.to_dict()["clauses"][0]["seconds"], 0.123)

    def test_a_result_counts_and_says_itself(self):
        r = judge.Result("step10.py", 10, "d", records=[record("S1", 1), record("S2", 2),
                                                        record("S6", 6, "fail", "x")])
        self.assertEqual(r.counts(), {"pass": 2, "fail": 1})
        self.assertEqual(repr(r), "<Result FAILED: step10.py at step 10 (2 pass, 1 fail)>")
        r.records.pop()
        self.assertEqual(repr(r), "<Result ok: step10.py at step 10 (2 pass)>")
        d = r.to_dict()
        self.assertEqual((d["ok"], d["engine"], d["step"], d["counts"], d["problem"],
                          d["stopped"]), (True, "step10.py", 10, {"pass": 2}, "", False))
        self.assertTrue(d["kit"].startswith("dezero-conformance "))
        self.assertEqual(repr(judge.Result("x.py", 3, "", problem="no such file")),
                         "<Result could not judge x.py: no such file>")
        self.assertFalse(judge.Result("x.py", 3, "", records=[record("S1", 1)],
                                      problem="p").ok)


def types_namespace(engine, **changes):
    import types
    return types.SimpleNamespace(**{**{k: getattr(engine, k) for k in dir(engine)
                                       if not k.startswith("__")}, **changes})

class TestProgress(unittest.TestCase):

    def event(self, elapsed):
        return {"clause": "S44", "what": "graphs", "done": 500, "total": 2000, "failed": 1,
                "elapsed": elapsed}

    def test_a_status_line_on_a_terminal_after_two_seconds_and_none_elsewhere(self):
        class Tty(io.StringIO):
            def isatty(self):
                return True
        for stream, elapsed, shown in ((Tty(), 4.0, True), (Tty(), 1.0, False),
                                       (io.StringIO(), 4.0, False)):
            progress = isolation.Progress(stream)
            progress.show(self.event(elapsed))
            progress.clear()
            text = stream.getvalue()
            with self.subTest(tty=stream.isatty(), elapsed=elapsed):
                if shown:
                    self.assertIn("S44: 500/2000 graphs, 1 failed, 125/s, 12 s left", text)
                    self.assertTrue(text.endswith("\r\033[K"))
                else:
                    self.assertEqual(text, "")


class TestPytest(unittest.TestCase):
    """pytest over the suite: the clauses of the step and no others, the same verdicts."""

    def pytest(self, *args, engine=None, cwd=ROOT):
        env = dict(os.environ, PYTHONPATH=ROOT)
        env.pop("CONFORMANCE_ENGINE", None)
        env.pop("PYTEST_ADDOPTS", None)
        extra = ["--dezero-engine", engine] if engine else []
        # the plugin: conformance/conftest.py loads it, unless its entry point has (a built
        # checkout's egg-info makes the entry point visible from the checkout's root)
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                               *extra, *args],
                              capture_output=True, text=True, timeout=600, env=env, cwd=cwd,
                              stdin=subprocess.DEVNULL)

    @thorough  # tox -e installed runs the plugin on a step-10 file on every CI run
    def test_a_step_10_file_collects_its_clauses_and_gets_the_commands_verdict(self):
        with tempfile.TemporaryDirectory() as tmp:
            ok, bug = engines(tmp)
            run = self.pytest("-q", "conformance", engine=ok)
            self.assertEqual(run.returncode, 0, run.stdout[-3000:])
            self.assertRegex(run.stdout, r"18 passed, 45 deselected")  # of the 63 clauses
            run = self.pytest("-q", "-rf", "conformance", engine=bug)
            self.assertEqual(run.returncode, 1)
            failed = {re.sub(r"test_(s\d+)_\w+", r"\1", line.split("::")[-1])
                      for line in run.stdout.splitlines()
                      if line.startswith(("FAILED", "SUBFAILED"))}
            failed = sorted(failed)
            self.assertEqual(failed, ["s11", "s15", "s44", "s6", "s8", "s9"])

    @thorough
    def test_the_reference_each_clause_once_k_by_id_and_xdist(self):
        run = self.pytest("-q", "conformance", "-n", "2")
        self.assertEqual(run.returncode, 0, run.stdout[-3000:])
        self.assertRegex(run.stdout, r"\b63 passed\b")
        run = self.pytest("-q", "conformance", "-k", "S44 or S12", "--co")
        self.assertEqual(sorted(re.findall(r"::(test_\w+)", run.stdout)),
                         ["test_s12_variable_rejects_non_arrays", "test_s44_random_graphs"])

    @thorough
    def test_a_bad_engine_is_one_line_and_status_2_with_or_without_xdist(self):
        for extra in ((), ("-n", "2")):
            with self.subTest(extra=extra):
                run = self.pytest("-q", "conformance", *extra, engine="no/such/step10.py")
                self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
                self.assertIn("engine file 'no/such/step10.py' does not exist".replace(
                    "'no/such/step10.py'", repr(os.path.join(ROOT, "no/such/step10.py"))),
                    run.stdout + run.stderr)
                self.assertNotIn("INTERNALERROR", run.stdout + run.stderr)


def has(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


@unittest.skipUnless(has("nbconvert") and has("ipykernel"),
                     "needs jupyter's nbconvert and ipykernel (tox -e full installs them)")
class TestJupyter(unittest.TestCase):
    """A notebook that defines a step-10 engine over several cells and calls check(step=10),
    run top to bottom by `jupyter nbconvert --execute` as a learner's Run All would."""

    def notebook(self, path, source):
        definitions = source.split("class SquareTest")[0].split("\n\n\n")
        cells = (["%load_ext autoreload\nimport numpy as np"] + definitions + [
            "x = Variable(np.array(0.5))\ny = square(exp(square(x)))\ny.backward()\n"
            "print(x.grad)",
            "from dezero_conformance import check\nresult = check(step=10)",
            "print('RESULT', result.ok, [f.id for f in result.failures])"])
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {
                "name": "python3", "display_name": "Python 3", "language": "python"}},
                "cells": [{"cell_type": "code", "id": f"c{i}", "source": c, "metadata": {},
                           "outputs": [], "execution_count": None}
                          for i, c in enumerate(cells)]}, f)

    @thorough
    def test_check_in_a_notebook_and_the_notebook_by_path_give_the_same_verdicts(self):
        with open(STEP10, encoding="utf-8") as f:
            source = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            for name, text, want in (("step10", source, "RESULT True []"),
                                     ("bug10", source.replace(*BUG), "RESULT False ['S6', "
                                      "'S8', 'S9', 'S11', 'S15', 'S44']")):
                path = os.path.join(tmp, f"{name}.ipynb")
                self.notebook(path, text)
                run = subprocess.run(
                    [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                     "--execute", path, "--output", f"{name}_run.ipynb"],
                    capture_output=True, text=True, timeout=600, cwd=tmp,
                    stdin=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=ROOT))
                self.assertEqual(run.returncode, 0, run.stderr[-3000:])
                with open(os.path.join(tmp, f"{name}_run.ipynb"), encoding="utf-8") as f:
                    outputs = [o for c in json.load(f)["cells"] for o in c["outputs"]]
                printed = "".join("".join(o.get("text", "")) for o in outputs)
                html = "".join("".join(o.get("data", {}).get("text/html", ""))
                               for o in outputs)
                with self.subTest(name):
                    self.assertIn(want, printed)
                    self.assertIn("<table>", html)
                    self.assertIn("the cells this kernel has run", html)
                    by_path = command(path, "--step", "10", "--json",
                                      os.path.join(tmp, f"{name}.json"))
                    with open(os.path.join(tmp, f"{name}.json"), encoding="utf-8") as f:
                        failed = [c["id"] for c in json.load(f)["clauses"]
                                  if c["outcome"] == "fail"]
                    self.assertEqual(f"RESULT {not failed} {failed}", want, by_path.stdout)
