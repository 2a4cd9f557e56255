"""Engine selection and the adapter protocol: good specs load, bad ones fail in one line."""
import ast
import os
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest
from unittest import mock

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.adapters import book
from dezero_conformance.conformance import runner
from tests.broken import BY_NAME

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def suite_run(engine):
    return subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                          cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, CONFORMANCE_ENGINE=engine))


class TestLoad(unittest.TestCase):

    def test_default_and_named_reference(self):
        for spec in (None, "", "reference", " reference "):
            with self.subTest(spec=spec):
                engine = adapters.load(spec)
                self.assertEqual((engine.NAME, engine.STEP, sorted(engine.ABSENT), engine.MISSING),
                                 ("reference", 46, ["retains_grads"], {}))
        engine = adapters.load("reference_stage3")
        self.assertEqual((engine.STEP, engine.MISSING), (36, {}))
        self.assertEqual(sorted(c for c, r in engine.ABSENT.items()
                                if r.startswith("not judged at step 36")),
                         ["assign", "broadcast", "layers", "linear", "matmul", "models", "mse",
                          "optimizers", "sum", "tensor_methods", "tensor_shape"])
        engine = adapters.load("reference_stage2")
        self.assertEqual((engine.STEP, engine.MISSING), (24, {}))
        self.assertEqual(sorted(c for c, r in engine.ABSENT.items()
                                if r.startswith("not judged at step 24")),
                         ["assign", "broadcast", "create_graph", "higher_order", "layers",
                          "linear", "matmul", "models", "mse", "optimizers", "sin_cos", "sum",
                          "tanh", "tensor_methods", "tensor_shape"])
        engine = adapters.load("reference_stage1")
        self.assertEqual((engine.STEP, engine.MISSING), (10, {}))
        self.assertTrue(all(r.startswith("not judged at step 10") for r in engine.ABSENT.values()),
                        engine.ABSENT)

    def test_dotted_module_written_to_the_book_api(self):
        engine = adapters.load("tests.engines.step10_book")
        self.assertEqual(engine.NAME, os.path.join(ROOT, "tests", "engines", "step10_book.py"))

    def assertLoadError(self, spec, *fragments):
        with self.assertRaises(adapters.AdapterError) as ctx:
            adapters.load(spec)
        message = str(ctx.exception)
        self.assertNotIn("\n", message, "an AdapterError is one line")
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_bad_specs_say_what_is_wrong_and_how_to_fix_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            def write(name, text):
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write(textwrap.dedent(text))
                return path
            cases = [
                ("no_such_engine", "unknown engine", "set CONFORMANCE_ENGINE to"),
                (os.path.join(tmp, "missing.py"), "does not exist", "set CONFORMANCE_ENGINE to"),
                (write("syntax.py", "def f(:\n"), "SyntaxError (line 1)", "fix the file"),
                (write("raises.py", "class Variable:\n    raise RuntimeError('boom')\n"),
                 "RuntimeError", "boom"),
                (write("nothing.py", "x = 1\n"), "defines nothing to judge",
                 "at least Variable (step 1)"),
                (write("half.py", "class Variable: pass\nclass Function: pass\n"),
                 "defines no square or Square",
                 "which step 2 needs"),
                (write("adapter_missing.py", "NAME = 'x'\ndef grad(fn, x, gy=None): pass\n"),
                 "lacks version, ABSENT, leaf, value, square", "must define"),
            ]
            for spec, *fragments in cases:
                with self.subTest(spec=os.path.basename(spec)):
                    self.assertLoadError(spec, *fragments)

    def test_capability_declarations_are_validated(self):
        ref = adapters.load("reference")
        def fake(**changes):
            module = types.ModuleType("fake")
            module.__dict__.update({k: v for k, v in vars(ref).items() if not k.startswith("__")})
            module.__dict__.update(changes)
            for name, value in changes.items():
                if value is None:
                    delattr(module, name)
            return module
        cases = [(fake(ABSENT={"teleport": "no"}), "unknown capabilities absent: teleport"),
                 (fake(ABSENT={"exp": " "}), "declares 'exp' absent with no reason"),
                 (fake(exp=None), "declares capability 'exp' but lacks exp")]
        for module, fragment in cases:
            with self.subTest(fragment):
                with self.assertRaises(adapters.AdapterError) as ctx:
                    adapters.validate(module, "fake")
                self.assertIn(fragment, str(ctx.exception))

    def test_a_name_the_step_needs_is_missing_not_absent(self):
        module = types.ModuleType("step07")
        module.Variable = type("Variable", (), {"__init__": lambda self, data: None})
        module.Function = type("Function", (), {})
        module.Square = type("Square", (module.Function,), {})
        module.square = lambda x: module.Square()(x)
        bound = book.bind(module, "step07.py")
        self.assertEqual(bound["STEP"], 10, "square is a step-9 name, and step 10 adds none")
        # the book's step 10 has no Exp: the kit's stands in, and numerical_diff is needed
        self.assertEqual(sorted(bound["MISSING"]), ["as_array", "backprop", "numerical_diff"])
        self.assertEqual(bound["Exp"].__module__, "dezero_conformance.adapters.book")
        self.assertTrue(all(r.startswith("not judged at step 10")
                            for r in bound["ABSENT"].values()), bound["ABSENT"])
        with mock.patch.dict(os.environ, {book.STEP_VAR: "7"}):
            bound = book.bind(module, "step07.py")
        # the book's step 7 has Exp and no numerical_diff
        self.assertEqual((bound["STEP"], sorted(bound["MISSING"])),
                         (7, ["backprop", "exp", "function_classes"]))
        self.assertEqual(bound["MISSING"]["exp"],
                         "step 3 needs Exp (and exp from step 9); step07.py defines none")
        self.assertIn("as_array", bound["ABSENT"])
        self.assertIn("numerical_diff", bound["ABSENT"])

    def test_later_steps_retain_grad_default_is_read_as_a_deliberate_difference(self):
        engine = adapters.load(os.path.join(ROOT, "tests", "engines", "later_steps_style.py"))
        self.assertEqual((engine.STEP, engine.MISSING), (18, {}))
        self.assertIn("backward(retain_grad=False)", engine.ABSENT["retains_grads"])
        with mock.patch.dict(os.environ, {book.STEP_VAR: "17"}):
            engine = adapters.load(os.path.join(ROOT, "tests", "engines", "later_steps_style.py"))
        self.assertIn("steps 7-17 need backward() to keep", engine.MISSING["retains_grads"])


class TestRealEngineAdapters(unittest.TestCase):
    """Each real engine's adapter, read as source (its engine need not be installed here)."""

    ENGINES = ("autograd", "chainer", "dezero", "jax", "micrograd", "mlx", "mygrad", "paddle",
               "tensorflow", "tinygrad", "torch")

    @staticmethod
    def read(engine):
        """(top-level names the adapter binds, its ABSENT as {capability: reason})."""
        with open(os.path.join(ROOT, "adapters", f"{engine}.py")) as f:
            tree = ast.parse(f.read())
        names, absent, strings = set(), None, {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        names.add(target.id)
                        if target.id == "ABSENT":
                            # A reason may be a module-level string (NO_TENSORS) or a sum of them.
                            code = compile(ast.Expression(node.value), engine, "eval")
                            absent = eval(code, {"__builtins__": {}}, strings)
                        elif isinstance(node.value, ast.Constant) and \
                                isinstance(node.value.value, str):
                            strings[target.id] = node.value.value
        return names, absent

    def test_every_capability_is_declared_absent_or_has_its_names(self):
        for engine in self.ENGINES:
            with self.subTest(engine):
                names, absent = self.read(engine)
                self.assertIsInstance(absent, dict, f"{engine}: ABSENT must be a dict literal")
                self.assertEqual(sorted(set(adapters.REQUIRED) - names), [],
                                 f"{engine}: required names missing")
                self.assertEqual(sorted(set(absent) - set(adapters.CAPABILITIES)), [],
                                 f"{engine}: unknown capabilities in ABSENT")
                for cap, reason in absent.items():
                    self.assertTrue(isinstance(reason, str) and reason.strip(),
                                    f"{engine}: ABSENT[{cap!r}] gives no reason")
                for cap, needed in adapters.CAPABILITIES.items():
                    if cap not in absent:
                        self.assertEqual(sorted(set(needed) - names), [],
                                         f"{engine} declares {cap!r} but lacks these names")

    def test_stage_two_names_where_the_engine_has_them(self):
        # add, grads and the arithmetic are every engine's own; the rest follow each design.
        present = {"dezero": {"cleargrad", "retain_grad", "no_grad", "config", "array_like"},
                   "chainer": {"cleargrad", "retain_grad", "no_grad", "config", "array_like"},
                   "mygrad": {"cleargrad", "no_grad"}, "tinygrad": {"cleargrad"},
                   "torch": {"cleargrad", "no_grad"},
                   "paddle": {"array_like", "cleargrad", "no_grad"}}
        optional = ("cleargrad", "retain_grad", "no_grad", "config", "array_like")
        for engine in self.ENGINES:
            with self.subTest(engine):
                _, absent = self.read(engine)
                for cap in ("add", "many_inputs", "arithmetic", "operators"):
                    self.assertNotIn(cap, absent, f"{engine} declares {cap!r} absent")
                # ndarray operands: torch and tinygrad raise on them by design.
                self.assertEqual("array_operands" in absent, engine in ("torch", "tinygrad"),
                                 engine)
                self.assertEqual(sorted(c for c in optional if c not in absent),
                                 sorted(present.get(engine, ())), f"{engine}: stage-2 "
                                 f"capabilities declared present")


class TestSkips(unittest.TestCase):

    def test_absent_capability_skips_its_clauses_with_the_reason(self):
        ref = adapters.load("reference")
        engine = types.ModuleType("functional")
        engine.__dict__.update({k: v for k, v in vars(ref).items() if not k.startswith("__")})
        reason = "functional engine: no Variable objects"
        engine.NAME, engine.ABSENT = "functional", {"variable": reason}
        outcomes = runner.run(engine)
        for clause in ("S1", "S2", "S3", "S12", "S14"):
            status, message = outcomes[clause]
            self.assertEqual(status, runner.SKIP, f"{clause}: {message}")
            self.assertEqual(message, f"functional lacks variable: {reason}")
        for clause in ("S4", "S5", "S9", "S15", "S16"):
            self.assertEqual(outcomes[clause][0], runner.PASS, f"{clause}: {outcomes[clause]}")
        # A clause whose engine-agnostic part ran passes, naming the part it skipped.
        self.assertEqual(outcomes["S6"], (runner.PASS, f"[the manual chain] skipped: "
                                                       f"functional lacks variable: {reason}"))


class TestVacuousParts(unittest.TestCase):

    def test_a_part_that_cannot_fail_is_named_not_passed(self):
        ref = adapters.load("reference")
        engine = types.ModuleType("copier")
        engine.__dict__.update({k: v for k, v in vars(ref).items() if not k.startswith("__")})
        engine.NAME, engine.leaf = "copier", lambda a: ref.leaf(a.copy())
        status, message = runner.run(engine)["S16"]
        self.assertEqual(status, runner.PASS, message)
        self.assertIn("[the input arrays] skipped: cannot fail here: copier's leaf copies its "
                      "input array", message)
        self.assertEqual(runner.run(ref)["S16"], (runner.PASS, ""))


class TestRunnerOutcomes(unittest.TestCase):
    """How a clause's unittest events become its outcome, whatever the Python version."""

    def outcomes(self, body):
        class Case(unittest.TestCase):
            def test_it(self):
                """S1 (step 1): a clause."""
                body(self)
        result = runner._Result()
        unittest.TestSuite([Case("test_it")]).run(result)
        return result.finish()["S1"]

    def test_each_kind_of_event(self):
        def part_skipped(t):
            with t.subTest("a part"):
                t.skipTest("lacks it")

        def failed_after_a_skipped_part(t):
            part_skipped(t)
            t.fail("S1: wrong")

        def subtest_failed_then_errored(t):
            with t.subTest("one"):
                t.fail("S1: wrong")
            raise ValueError("boom")
        cases = [(lambda t: None, (runner.PASS, "")),
                 (part_skipped, (runner.PASS, "[a part] skipped: lacks it")),
                 (lambda t: t.skipTest("no such concept"), (runner.SKIP, "no such concept")),
                 (lambda t: t.fail("S1: wrong"), (runner.FAIL, "S1: wrong")),
                 (failed_after_a_skipped_part, (runner.FAIL, "S1: wrong")),
                 (lambda t: {}["k"], (runner.ERROR, "KeyError: 'k'")),
                 (subtest_failed_then_errored, (runner.ERROR, "ValueError: boom"))]
        for body, want in cases:
            with self.subTest(want):
                self.assertEqual(self.outcomes(body), want)


def lenient_variable():
    """The reference's Variable, except that it takes any value: the concept, answering
    differently."""
    ref = adapters.load("reference")

    class Lenient(ref.Variable):
        def __init__(self, data, name=None):
            self.data, self.name, self.grad, self.creator, self.generation = (
                data, name, None, None, 0)
    return Lenient


def float_grad(fn, x, gy=None):
    """The reference's grad, refusing integer inputs with its own error."""
    if np.asarray(x).dtype.kind != "f":
        raise TypeError("only floating-point inputs have gradients")
    return adapters.load("reference").grad(fn, x, gy)


class TestCapabilityProbes(unittest.TestCase):

    def fake(self, **changes):
        engine = types.ModuleType("fake")
        engine.__dict__.update({k: v for k, v in vars(adapters.load("reference")).items()
                                if not k.startswith("__")})
        engine.NAME, engine.ASSUMED = "fake", ()
        engine.__dict__.update(changes)
        return engine

    def test_a_declared_capability_that_fails_its_probe_fails_c1(self):
        def scalar_only(v):
            if np.ndim(v.data):
                raise ValueError("scalars only")
            return ref.square(v)
        ref = adapters.load("reference")
        status, message = runner.run(self.fake(square=scalar_only))["C1"]
        self.assertEqual(status, runner.FAIL)
        self.assertIn("declares 'vector' but its probe fails (ValueError: scalars only)", message)

    def test_an_adapter_that_hides_a_capability_its_engine_has_fails_c1(self):
        ref = adapters.load("reference")
        outcomes = runner.run(self.fake(ABSENT=dict(ref.ABSENT, as_array="not in this engine")))
        status, message = outcomes["C1"]
        self.assertEqual(status, runner.FAIL, message)
        self.assertIn("declares 'as_array' absent (not in this engine), but its probe works: "
                      "the engine has it; remove 'as_array' from ABSENT", message)
        self.assertEqual(outcomes["S13"], (runner.SKIP, "fake lacks as_array: not in this engine"))

    def test_an_adapter_that_hides_a_difference_as_an_absence_fails_c1(self):
        ref = adapters.load("reference")
        outcomes = runner.run(self.fake(Variable=lenient_variable(), ABSENT=dict(
            ref.ABSENT, type_check="Variable takes any value")))
        status, message = outcomes["C1"]
        self.assertEqual(status, runner.FAIL, message)
        self.assertIn("declares 'type_check' absent (Variable takes any value), but the engine "
                      "has it and answers differently (Variable(1.0) was accepted); a difference "
                      "is not an absence", message)

    def test_a_present_capability_that_answers_differently_is_left_to_its_clauses(self):
        outcomes = runner.run(self.fake(Variable=lenient_variable()))
        self.assertEqual(outcomes["C1"], (runner.PASS, ""))
        self.assertEqual(outcomes["S12"][0], runner.FAIL, outcomes["S12"])

    def test_what_c1_says_of_each_absence(self):
        from dezero_conformance.conformance.test_capabilities import absences
        ref = adapters.load("reference")
        engine = self.fake(grad=float_grad, STEP=18, ABSENT=dict(
            ref.ABSENT, integers="floats only", as_array="none", array_like="not judged at "
            "step 18 (step 19 introduces it)", vector="scalars only"))
        del engine.as_array
        self.assertEqual(absences(engine), {
            "retains_grads": "unprobed: from step 18 the book's own backward() drops them too",
            "integers": "refused: TypeError: only floating-point inputs have gradients",
            "as_array": "unprobed: the adapter names no as_array (no such construct)",
            "array_like": "unprobed: beyond the engine's book step",
            "vector": "works: its probe works"})
        engine.STEP = 17  # steps 7-17 keep every grad: dropping them is a difference there
        self.assertEqual(absences(engine)["retains_grads"],
                         "differs: an intermediate's grad is None after y.backward()")

    def test_an_absence_the_engine_refuses_with_its_own_error_stands(self):
        ref = adapters.load("reference")
        outcomes = runner.run(self.fake(grad=float_grad, ABSENT=dict(
            ref.ABSENT, integers="gradients of floats only")))
        self.assertEqual(outcomes["C1"], (runner.PASS, ""))


class TestCommandLine(unittest.TestCase):

    def test_the_run_names_its_engine(self):
        run = suite_run("reference")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertTrue(run.stderr.startswith("conformance: testing engine reference "),
                        run.stderr[:200])

    def test_verbose_output_names_each_failed_sub_case(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "square_is_x_abs_x.py")
            with open(path, "w") as f:
                f.write(BY_NAME["square_is_x_abs_x"].source())
            run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance",
                                  "-v"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                                 env=dict(os.environ, CONFORMANCE_ENGINE=path))
        headers = [line for line in run.stderr.splitlines() if line.startswith("FAIL: ")]
        self.assertGreater(len(headers), 10, run.stderr[-2000:])
        for line in headers:  # the report after the run, on every Python
            self.assertRegex(line, r"\) \[.+\]$")
        if sys.version_info >= (3, 11):  # where -v prints a line as each sub-case fails
            status = [line for line in run.stderr.splitlines() if line.endswith(" ... FAIL")]
            self.assertEqual(len(status), len(headers), run.stderr[-2000:])
            self.assertEqual(len(set(status)), len(status),
                             "\n".join(sorted(line for line in status if status.count(line) > 1)))
            for line in status:
                self.assertRegex(line, r"^S\d+ \(step \d+\): .* \[.+\] \.\.\. FAIL$")

    def test_a_bad_engine_stops_the_run_in_one_line(self):
        run = suite_run("no_such_engine")
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stdout, "")
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 1, run.stderr)
        self.assertIn("unknown engine 'no_such_engine'", lines[0])
        self.assertNotIn("Ran ", run.stderr)

    def test_a_missing_runtime_dependency_stops_the_run_naming_what_to_install(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "needs_a_compiler.py")
            with open(path, "w") as f:
                f.write("from dezero_conformance import adapters\n"
                        "raise adapters.EngineUnavailable('the engine found no "
                        "compiler; install it (`apt-get install -y clang`) and run again')\n")
            run = suite_run(path)
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertEqual(run.stdout, "")
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 1, run.stderr)
        self.assertIn("the engine found no compiler; install it (`apt-get install -y clang`) "
                      "and run again", lines[0])
        self.assertNotIn("fix the", lines[0])

    def test_a_bad_seed_stops_the_run_in_one_line(self):
        run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                             cwd=ROOT, capture_output=True, text=True,
                             env=dict(os.environ, CONFORMANCE_SEED="abc"))
        self.assertEqual(run.returncode, 2)
        self.assertIn("CONFORMANCE_SEED='abc' is not an integer", run.stderr)
        self.assertEqual(len(run.stderr.splitlines()), 1, run.stderr)

    def test_a_bad_graph_count_stops_the_run_in_one_line(self):
        for raw in ("abc", "0", "-5"):
            with self.subTest(raw):
                run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                                     cwd=ROOT, capture_output=True, text=True,
                                     env=dict(os.environ, CONFORMANCE_FUZZ=raw))
                self.assertEqual(run.returncode, 2)
                self.assertIn(f"CONFORMANCE_FUZZ={raw!r} is not a positive number of graphs",
                              run.stderr)
                self.assertEqual(len(run.stderr.splitlines()), 1, run.stderr)


if __name__ == "__main__":
    unittest.main()
