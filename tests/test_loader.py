"""A file written to the book's API is loaded for its definitions: its demo code does not
run, and a load that fails says why in one line."""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.conformance import fuzz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEP10 = os.path.join(ROOT, "tests", "engines", "step10_book.py")
# Demo code of every kind the book's files and learners' copies end with.
DEMO = '''
import no_such_module_the_demo_plots_with as plt

print("demo: the engine's own output")
x = Variable(np.array(0.5))
y = square(exp(square(x)))
y.backward()
print(x.grad)
for i in range(10 ** 9):
    y = square(x)
plt.plot([1, 2, 3])
name = input("your name? ")
with open("demo_output.txt", "w") as f:
    f.write("written by the demo")
x.data = np.array(3.0)
unittest.main()
sys.exit(0)
Variable(1.0)  # the book's step 9 ends with this deliberate TypeError
'''


def with_demo(source, demo=DEMO):
    return source.replace("import numpy as np\n", "import sys\nimport unittest\n\n"
                          "import numpy as np\n", 1) + demo


def run_suite(path, **env):
    return subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, CONFORMANCE_ENGINE=path, **env))


class TestDemoCode(unittest.TestCase):

    def test_a_step_file_with_demo_code_is_judged_on_its_definitions(self):
        with open(STEP10) as f:
            source = with_demo(f.read())
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(source)
            run = run_suite(path)
            self.assertFalse(os.path.exists(os.path.join(tmp, "demo_output.txt")))
            self.assertFalse(os.path.exists(os.path.join(ROOT, "demo_output.txt")))
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertEqual(run.stdout, "")
        self.assertTrue(run.stderr.startswith("conformance: testing engine"), run.stderr[:500])
        self.assertIn("at book step 10 (the file is named step10.py", run.stderr)
        self.assertIn("step10.py: 13 top-level statements that define nothing", run.stderr)
        self.assertIn("`import no_such_module_the_demo_plots_with` skipped", run.stderr)
        self.assertNotIn("demo:", run.stderr)

    def test_what_the_definitions_need_is_run(self):
        """Assignments that build the API, and names the definitions read, are kept."""
        source = '''import numpy as np

SCALE = 2.0  # read by a definition


class Variable:
    def __init__(self, data):
        self.data = data


def double(v):
    return Variable(v.data * SCALE)


def setup_variable():
    Variable.__mul__ = lambda self, other: Variable(self.data * other.data)


Variable.name = None
setup_variable()
unused = double(Variable(np.array(1.0)))
twice = lambda v: double(double(v))  # noqa: E731
Alias = Variable
value = unused.data
print("demo")
'''
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "engine.py")
            with open(path, "w") as f:
                f.write(source)
            module = adapters._import_file(path)
        self.assertEqual(module.SCALE, 2.0)
        self.assertIsNone(module.Variable.name)
        self.assertTrue(hasattr(module.Variable, "__mul__"))
        self.assertFalse(hasattr(module, "unused"))
        self.assertFalse(hasattr(module, "value"))  # it reads a value only the demo makes
        self.assertIs(module.Alias, module.Variable)
        self.assertEqual(module.twice(module.Variable(np.array(3.0))).data, 12.0)
        self.assertEqual(module.double(module.Variable(np.array(3.0))).data, 6.0)


    def test_a_loop_that_installs_operators_is_run_and_a_demo_loop_is_not(self):
        """`for name, fn in ...: setattr(Variable, name, fn)` defines the engine; a loop
        over the demo's values does not run (the DEMO's own loop would never end)."""
        source = with_demo('''import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data


def add(a, b):
    return Variable(a.data + b.data)


def mul(a, b):
    return Variable(a.data * b.data)


for name, fn in (("__add__", add), ("__mul__", mul)):
    setattr(Variable, name, fn)
for other in ("__radd__",):
    Variable.__dict__  # reads the class: not an installation
''')
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "engine.py")
            with open(path, "w") as f:
                f.write(source)
            module = adapters._import_file(path)
        self.assertIs(module.Variable.__add__, module.add)
        self.assertIs(module.Variable.__mul__, module.mul)
        self.assertFalse(hasattr(module, "other"), "only the installing loop runs")


    def test_a_step_script_in_a_package_folder_is_loaded_as_a_file_from_the_root(self):
        """practice/steps/step_44_layers.py in a package folder, importing
        `practice.engine` as if run from the repository's root: its definitions are loaded,
        its demo is not run (imported as a module of the package, it would be)."""
        with tempfile.TemporaryDirectory() as tmp:
            steps = os.path.join(tmp, "practice", "steps")
            os.makedirs(steps)
            for folder in (os.path.join(tmp, "practice"), steps):
                open(os.path.join(folder, "__init__.py"), "w").close()
            with open(STEP10) as f, open(os.path.join(tmp, "practice", "engine.py"), "w") as g:
                g.write(f.read())
            path = os.path.join(steps, "step_10_own.py")
            with open(path, "w") as f:
                f.write("from practice.engine import Variable, square, exp\n"
                        "raise SystemExit('demo code ran')\n")
            module = adapters._import_file(path)
        self.assertTrue(callable(module.square))


class TestLoadFailures(unittest.TestCase):
    """One line each, naming the cause and the fix."""

    def load_error(self, source, name="engine.py"):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(source)
            with self.assertRaises(adapters.AdapterError) as caught:
                adapters._import_file(path)
        message = str(caught.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        return message

    def test_a_missing_module_the_definitions_use_names_its_pip_command(self):
        message = self.load_error("import numpy as np\nimport no_such_library_xyz as lib\n\n\n"
                                  "class Variable:\n    def __init__(self, data):\n"
                                  "        self.data = lib.wrap(data)\n")
        self.assertIn("engine.py line 2 imports no_such_library_xyz", message)
        self.assertIn("pip install no_such_library_xyz", message)

    def test_a_sibling_module_names_where_it_was_looked_for(self):
        message = self.load_error("from dezero import Variable\n\n\ndef f(x):\n"
                                  "    return Variable(x)\n", name="step23.py")
        self.assertIn("imports dezero", message)
        self.assertIn("looked in", message)
        self.assertIn("dezero/ beside steps/", message)

    def test_a_numpy_name_this_numpy_no_longer_has_names_its_replacement(self):
        if hasattr(np, "float_"):
            self.skipTest(f"numpy {np.__version__} still has np.float_")
        message = self.load_error("import numpy as np\n\n\nclass Variable:\n"
                                  "    def __init__(self, data):\n"
                                  "        self.data = np.float_(data)\n")
        self.assertIn("np.float_", message)
        self.assertIn("use np.float64", message)

    def test_syntax_from_a_newer_python_names_the_version(self):
        if sys.version_info >= (3, 12):
            self.skipTest("this Python has every syntax the table knows")
        message = self.load_error("type Vector = list[float]\n\n\nclass Variable:\n    pass\n")
        self.assertIn("needs Python 3.12 or newer", message)

    def test_a_definition_that_raises_names_the_line(self):
        message = self.load_error("class Variable:\n    raise RuntimeError('boom')\n")
        self.assertIn("engine.py line 1 raised RuntimeError", message)
        self.assertIn("boom", message)


class TestLearnersShapes(unittest.TestCase):
    """Shapes found in learners' repositories that the kit once refused or failed."""

    def load(self, source, name="engine.py", where=None):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(where or tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(source)
            return adapters._import_file(path)

    def test_annotations_postponed_or_naming_module_level_types(self):
        module = self.load("from __future__ import annotations\nfrom typing import Optional, "
                           "TypeVar\n\nT = TypeVar('T')\n\n\nclass Variable:\n"
                           "    creator: Optional[Function] = None\n\n\n"
                           "class Function:\n    pass\n\n\ndef ident(x: T) -> T:\n"
                           "    return x\n")
        self.assertEqual(module.ident(3), 3)
        module = self.load("from typing import TypeVar\n\nT = TypeVar('T')\n\n\n"
                           "def ident(x: T) -> T:\n    return x\n")
        self.assertEqual(module.ident(3), 3)

    def test_a_package_beside_the_steps_folder_is_found_as_from_the_repository_root(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "mypkg"))
            with open(os.path.join(tmp, "mypkg", "__init__.py"), "w") as f:
                f.write("VALUE = 42\n")
            module = self.load("from mypkg import VALUE\n\n\ndef f():\n    return VALUE\n",
                               name=os.path.join("steps", "step24.py"), where=tmp)
        self.assertEqual(module.f(), 42)

    def test_a_step_file_in_a_package_folder_is_still_a_step_file(self):
        """steps/__init__.py beside steps/step10.py: the file's demo code is still not run."""
        with open(STEP10) as f:
            source = with_demo(f.read())
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "steps"))
            open(os.path.join(tmp, "steps", "__init__.py"), "w").close()
            path = os.path.join(tmp, "steps", "step10.py")
            with open(path, "w") as f:
                f.write(source)
            run = run_suite(path)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertIn("top-level statements that define nothing", run.stderr)

    def test_a_name_the_standard_library_lacks_says_so(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "engine.py")
            with open(path, "w") as f:
                f.write("from typing import no_such_name_xyz\n\n\nclass Variable:\n"
                        "    kind = no_such_name_xyz\n")
            with self.assertRaises(adapters.AdapterError) as caught:
                adapters._import_file(path)
        self.assertIn("typing has no no_such_name_xyz in Python", str(caught.exception))

    def test_a_step_5_file_needs_no_numerical_diff(self):
        """The book's step 5 has no code; steps 4 and 6 around it share Variable, Function,
        Square and Exp, and only step 4 has numerical_diff."""
        with open(os.path.join(ROOT, "tests", "engines", "book", "steps", "step04.py")) as f:
            source = f.read()
        start = source.index("def numerical_diff")
        end = source.index("\n\n\n", start)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step05.py")
            with open(path, "w") as f:
                f.write(source[:start] + source[end:].replace("numerical_diff", "print"))
            run = run_suite(path)
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertIn(" at book step 5 (", run.stderr.splitlines()[0])


class TestOwnPackage(unittest.TestCase):

    def test_a_learners_own_dezero_is_judged_not_the_adapter_for_the_released_one(self):
        import shutil
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(ROOT, "tests", "engines", "book", "dezero"),
                            os.path.join(tmp, "dezero"))
            run = subprocess.run(
                [sys.executable, "-m", "unittest", "discover", "dezero_conformance.conformance"],
                cwd=tmp, capture_output=True, text=True, timeout=600,
                env=dict(os.environ, CONFORMANCE_ENGINE="dezero", PYTHONPATH=ROOT))
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertIn(f"dezero: judging your own package at {os.path.realpath(tmp)}",
                      run.stderr)


class TestOperationsOfTheStep(unittest.TestCase):

    def test_random_graphs_use_only_the_operators_of_the_judged_step(self):
        """+ and * between Variables at step 20, a Python number on either side at 21, and
        -, /, ** and unary - at 22."""
        engine = adapters.load("reference_stage2")
        for step, present, absent in ((20, {"+", "*"}, {"c+x", "-", "/", "-x", "x**c"}),
                                      (21, {"+", "*", "c+x", "x*c"}, {"-", "/", "-x", "c-x"}),
                                      (22, {"+", "-", "/", "-x", "x**c", "c/x"}, set())):
            with self.subTest(step=step):
                ops = set(fuzz.operations(type("E", (), {**vars(engine), "STEP": step})))
                self.assertLessEqual(present, ops)
                self.assertFalse(absent & ops, absent & ops)


if __name__ == "__main__":
    unittest.main()
