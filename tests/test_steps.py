"""Judging at a book step: the inferred step, CONFORMANCE_STEP, names a step needs (a failure,
not a skip), clauses beyond the step not collected, and the reference engines judged strictly."""
import os
import re
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

from dezero_conformance import adapters
from dezero_conformance.adapters import book
from dezero_conformance.conformance import runner

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINES = os.path.join(ROOT, "tests", "engines")
STAGE2 = os.path.join(ROOT, "reference", "stage2.py")
STAGE3 = os.path.join(ROOT, "reference", "stage3.py")


def suite_run(engine, **env):
    return subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance", "-v"],
                          cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, CONFORMANCE_ENGINE=engine, **env))


def failing(outcomes):
    return sorted((c for c, (s, _) in outcomes.items() if s in (runner.FAIL, runner.ERROR)),
                  key=lambda c: (c[0], int(c[1:])))


def without_exp(path):
    """The source at path with its Exp class and exp function removed."""
    with open(path) as f:
        src = f.read()
    src = re.sub(r"\nclass Exp\(Function\):.*?\n\n\n", "\n", src, flags=re.S)
    src = re.sub(r"\ndef exp\(x\):.*?\n\n\n", "\n", src, flags=re.S)
    assert "class Exp" not in src and "def exp(" not in src, path
    return src


class TestInferredStep(unittest.TestCase):

    def test_each_engine_is_judged_at_the_highest_step_its_names_reach(self):
        for name, step in (("step10_book.py", 10), ("grads_as_variables.py", 10),
                           ("hostile_dunders.py", 10), ("step13_book.py", 13),
                           ("step14_book.py", 14),
                           ("later_steps_style.py", 18), ("core_simple_step24.py", 24),
                           ("heap_generations_step24.py", 24),
                           ("grads_as_variables_step24.py", 24), (STAGE2, 24),
                           ("step36_book.py", 36), (STAGE3, 36)):
            with self.subTest(name):
                engine = adapters.load(os.path.join(ENGINES, name))
                self.assertEqual(engine.STEP, step, engine.STEP_WHY)
                self.assertEqual(engine.MISSING, {})

    def test_a_step_that_adds_no_names_is_reached_from_the_one_before(self):
        module = types.ModuleType("m")
        module.Variable = type("Variable", (), {})
        module.add = module.square = lambda *a: None
        self.assertEqual(book.infer_step(module),
                         (13, "m defines add (step 12); step 13 adds no names"))


class TestStepSetting(unittest.TestCase):

    def test_the_run_says_the_step_and_why_on_its_first_line(self):
        run = suite_run(os.path.join(ENGINES, "step14_book.py"))
        first = run.stderr.splitlines()[0]
        self.assertIn("at book step 14 (step14_book.py defines Variable.cleargrad (step 14)", first)
        run = suite_run("reference", CONFORMANCE_STEP="12")
        self.assertIn("at book step 12 (CONFORMANCE_STEP=12;", run.stderr.splitlines()[0])

    def test_clauses_beyond_the_step_are_not_collected(self):
        run = suite_run("reference", CONFORMANCE_STEP="13")
        self.assertEqual(run.returncode, 1, "steps 7-13 keep intermediate grads; the step-36 "
                                            "reference drops them")
        ran = set(re.findall(r"^(S\d+) \(step (\d+)\)", run.stderr, flags=re.M))
        self.assertEqual({c for c, _ in ran},
                         {f"S{i}" for i in range(1, 19)} | {"S44"}, run.stderr[-2000:])
        self.assertTrue(all(int(step) <= 13 for _, step in ran))
        self.assertIn("S8 (step 7): steps 7-17 need backward() to keep the grads", run.stderr)

    def test_step_10_on_a_step_10_engine_is_the_stage_1_run(self):
        run = suite_run(os.path.join(ENGINES, "step10_book.py"), CONFORMANCE_STEP="10")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertIn("Ran 18 tests", run.stderr)
        self.assertTrue(run.stderr.rstrip().endswith("OK"), run.stderr[-300:])

    def test_a_bad_step_stops_the_run_in_one_line(self):
        for engine in ("reference", os.path.join(ENGINES, "step10_book.py"), "reference_stage1"):
            for bad in ("0", "47", "x", "10.5", "-3"):
                with self.subTest(engine=engine, step=bad):
                    run = suite_run(engine, CONFORMANCE_STEP=bad)
                    self.assertEqual(run.returncode, 2)
                    lines = run.stderr.splitlines()
                    self.assertEqual(len(lines), 1, run.stderr)
                    self.assertIn(f"CONFORMANCE_STEP={bad!r} is not a book step; set it to a "
                                  f"whole number from 1 to 46", lines[0])


class TestMissingNames(unittest.TestCase):

    def test_a_step_10_file_without_exp_gets_the_kits_exp_and_a_step_9_one_fails(self):
        """The book's step10.py has no Exp (its step 9 has): at step 10 the kit's Exp stands
        in, on the file's Function; at step 9 Exp is missing, naming step 3."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(without_exp(os.path.join(ENGINES, "step10_book.py")))
            at10 = suite_run(path)
            at9 = suite_run(path, CONFORMANCE_STEP="9")
        self.assertEqual(at10.returncode, 0, at10.stderr[-2000:])
        self.assertIn("at book step 10 (the file is named step10.py", at10.stderr)
        self.assertIn(f"{path} defines no Exp, which the book's own code at step 10 has not "
                      f"either: the kit's Exp", at10.stderr)
        self.assertEqual(at9.returncode, 1, at9.stderr[-2000:])
        self.assertIn("S4 (step 3): step 3 needs Exp (and exp from step 9); "
                      f"{path} defines none (judged at step 9)", at9.stderr)
        self.assertNotIn("skipped", at9.stderr)

    def test_the_references_are_judged_strictly(self):
        for path, step, name in ((STAGE3, 36, "reference"), (STAGE2, 24, "reference_stage2"),
                                 (os.path.join(ROOT, "reference", "stage1.py"), 10,
                                  "reference_stage1")):
            with self.subTest(name):
                module = types.ModuleType("noexp")
                exec(compile(without_exp(path), path, "exec"), module.__dict__)
                engine = book.adapt(module, name, default_step=step, standins=False)
                outcomes = runner.run(engine)
                failed = failing(outcomes)
                self.assertIn("S4", failed)
                for clause in failed:
                    self.assertIn("step 3 needs Exp", outcomes[clause][1], clause)
                self.assertEqual([c for c, (s, _) in outcomes.items() if s == runner.SKIP], [])

    def test_a_package_module_gets_its_operators_from_setup_variable(self):
        with open(os.path.join(ENGINES, "core_simple_step24.py")) as f:
            src = f.read()
        head, tail = src.split("Variable.__add__ = add\n", 1)
        src = head + "\n\ndef setup_variable():\n    Variable.__add__ = add\n" + "".join(
            f"    {line}\n" for line in tail.strip().splitlines())
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "core_simple.py")
            with open(path, "w") as f:
                f.write(src)
            run = suite_run(path)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertIn("setup_variable() was called", run.stderr)
        self.assertIn("not judged at step 24: numerical_diff", run.stderr)
        self.assertNotIn("skipped", run.stderr)

    def test_a_step_36_file_without_create_graph_fails_naming_step_32(self):
        with open(os.path.join(ENGINES, "step36_book.py")) as f:
            src = f.read()
        src = src.replace("def backward(self, retain_grad=False, create_graph=False):",
                          "def backward(self, retain_grad=False):")
        src = src.replace('with using_config("enable_backprop", create_graph):',
                          'with using_config("enable_backprop", False):')
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step36.py")
            with open(path, "w") as f:
                f.write(src)
            run = suite_run(path)
        self.assertEqual(run.returncode, 1, run.stderr[-2000:])
        self.assertIn("at book step 36 (the file is named step36.py", run.stderr)
        failed = set(re.findall(r"^FAIL: \w+ \(\S+\)\n(S\d+) ", run.stderr, flags=re.M))
        self.assertEqual(failed, {"S36", "S37", "S38", "S39", "S40", "S41", "S42", "S43", "S45"},
                         run.stderr[-3000:])
        self.assertIn("S37 (step 33): step 32 needs Variable.backward(create_graph=...); "
                      f"{path} defines none (judged at step 36)", run.stderr)
        self.assertNotIn("skipped", run.stderr)

    def test_a_file_with_sin_alone_fails_for_cos_where_the_books_code_has_cos(self):
        """The book's step 27 writes Sin alone and its package has sin and cos from step 34:
        judged at 34 a file with sin alone fails S32 naming cos; inferred (step 31, where the
        book's code has neither) sin and cos are not judged, and the first lines say so."""
        with open(os.path.join(ENGINES, "step36_book.py")) as f:
            src = f.read()
        src = src.split("\nclass Cos(Function):")[0] + "\n\ndef sin(x):\n    return Sin()(x)\n"
        src = src.replace("return gy * cos(x)", "return gy * np.cos(x.data)").replace(
            "def backward(self, retain_grad=False, create_graph=False):",
            "def backward(self, retain_grad=False):").replace(
            'with using_config("enable_backprop", create_graph):',
            'with using_config("enable_backprop", False):')
        module = types.ModuleType("step27")
        exec(compile(src, "step27.py", "exec"), module.__dict__)
        engine = book.adapt(module, "step27.py")
        self.assertEqual(engine.STEP, 31, engine.STEP_WHY)
        self.assertIn("step27 defines sin (step 27); steps 28-31 add no names",
                      engine.STEP_WHY)
        self.assertEqual(engine.MISSING, {})
        self.assertIn("sin_cos", engine.RETIRED)
        self.assertIn("not judged at step 31: cos, numerical_diff, sin", " ".join(engine.NOTICES))
        with mock.patch.dict(os.environ, {book.STEP_VAR: "34"}):
            engine = book.adapt(module, "step27.py")
        self.assertEqual(engine.MISSING["sin_cos"],
                         "step 27 needs cos; step27.py defines sin but not cos")
        outcomes = runner.run(engine)
        self.assertIn("S32", failing(outcomes))
        self.assertIn("step 27 needs cos", outcomes["S32"][1])

    def test_from_step_20_the_kits_square_and_exp_stand_in(self):
        engine = adapters.load(os.path.join(ENGINES, "core_simple_step24.py"))
        self.assertEqual(engine.Square.__module__, "dezero_conformance.adapters.book")
        self.assertIn("numerical_diff", engine.RETIRED)
        notices = " ".join(engine.NOTICES)
        self.assertIn("the kit's Exp, a subclass of", notices)
        with mock.patch.dict(os.environ, {book.STEP_VAR: "19"}), \
                self.assertRaises(adapters.AdapterError) as ctx:
            adapters.load(os.path.join(ENGINES, "core_simple_step24.py"))
        self.assertIn("defines no square or Square, which step 2 needs (judged at step 19)",
                      str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
