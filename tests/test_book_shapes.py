"""Code in the shapes the book's own code has (tests/engines/book/: step files that are not
cumulative and end with demo code, a `dezero` package beside them that the later steps
import): each correct file passes at its step, and each planted bug is caught by the clauses
it breaks."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests import tiered
from tests.engines.book.bugs import BUGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK = os.path.join(ROOT, "tests", "engines", "book")
STEP_FILES = sorted(os.listdir(os.path.join(BOOK, "steps")))
# The fast tier samples the kinds of file: Variable alone (1), a transitional Function (11),
# and the package through a step file (28, on core_simple; 46, with layers, models and
# optimizers); the package by path is step 46's.
FAST_FILES = ["step01.py", "step11.py", "step28.py", "step46.py"]
FAST_BUGS = ["functions_cos_backward_plus_sin", "optimizers_momentum_one_velocity_per_shape"]
# Where a bug in the package is judged: through the step files that import it (a bug of
# stage 4 in core.py or functions.py names its own, step 46, in "through").
JUDGED_THROUGH = {"dezero/core.py": "steps/step36.py", "dezero/functions.py": "steps/step36.py",
                  "dezero/core_simple.py": "steps/step28.py", "dezero/utils.py": "steps/step46.py",
                  "dezero/layers.py": "steps/step46.py", "dezero/models.py": "steps/step46.py",
                  "dezero/optimizers.py": "steps/step46.py"}


def judged_through(bug):
    """The file of the book tree that a bug is judged through (relative to the tree)."""
    return bug.get("through") or JUDGED_THROUGH.get(bug["file"], bug["file"])


def judge(path, **env):
    env = dict(os.environ, CONFORMANCE_ENGINE=path, MPLBACKEND="Agg", **env)
    return subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, env=env)


def failed_clauses(stderr):
    return sorted(set(re.findall(r"^(?:FAIL|ERROR): \w+ \(\S+\)(?: \[.*\])?\n(S\d+|C1) ",
                                 stderr, flags=re.M)), key=lambda c: (c[0], int(c[1:] or 0)))


def copy_of_the_book(tmp):
    tree = os.path.join(tmp, "book")
    shutil.copytree(BOOK, tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return tree


class TestTheBooksShapes(unittest.TestCase):

    def test_each_step_file_passes_at_its_step_with_nothing_before_the_kits_first_line(self):
        for name in tiered(STEP_FILES, FAST_FILES):
            with self.subTest(name), tempfile.TemporaryDirectory() as tmp:
                tree = copy_of_the_book(tmp)
                step = int(name[4:6])
                for env in tiered(({}, {"CONFORMANCE_STEP": str(step)}), ({},)):
                    run = judge(os.path.join(tree, "steps", name), **env)
                    self.assertEqual(run.returncode, 0, run.stderr[-3000:])
                    self.assertEqual(run.stdout, "")
                    self.assertTrue(run.stderr.startswith("conformance: testing engine"),
                                    run.stderr[:300])
                    self.assertIn(f" at book step {step} (", run.stderr.splitlines()[0])
                self.assertEqual([f for f in os.listdir(os.path.join(tree, "steps"))
                                  if not f.endswith((".py", "__pycache__"))], [],
                                 "the demo code wrote files")

    def test_the_package_by_path_passes_at_46(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = copy_of_the_book(tmp)
            for path in (os.path.join(tree, "dezero"), os.path.join(tree, "dezero", "core.py")):
                with self.subTest(os.path.relpath(path, tree)):
                    run = judge(path)
                    self.assertEqual(run.returncode, 0, run.stderr[-3000:])
                    self.assertIn(" at book step 46 (", run.stderr.splitlines()[0])


class TestPlantedBugs(unittest.TestCase):

    def test_each_bug_is_caught_by_the_clauses_it_breaks(self):
        for bug in tiered(BUGS, [b for b in BUGS if b["name"] in FAST_BUGS]):
            with self.subTest(bug["name"]), tempfile.TemporaryDirectory() as tmp:
                tree = copy_of_the_book(tmp)
                path = os.path.join(tree, bug["file"])
                with open(path) as f:
                    source = f.read()
                self.assertEqual(source.count(bug["old"]), 1, bug["name"])
                with open(path, "w") as f:
                    f.write(source.replace(bug["old"], bug["new"]))
                judged = os.path.join(tree, judged_through(bug))
                run = judge(judged)
                self.assertEqual(run.returncode, 1, run.stderr[-3000:])
                self.assertEqual(failed_clauses(run.stderr), sorted(
                    bug["breaks"], key=lambda c: (c[0], int(c[1:] or 0))), run.stderr[-3000:])


if __name__ == "__main__":
    unittest.main()
