"""The checkout's layout: real top-level packages, the suite under unittest and pytest alike,
and the kit's own faults reported as the kit's."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from dezero_conformance import adapters
from dezero_conformance.conformance import worker
from tests import thorough

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP_LEVEL = ("adapters", "conformance", "reference")


def run(*args, **env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, **env))


class TestTopLevel(unittest.TestCase):

    def test_the_packages_are_real_directories_and_the_repository_has_no_links(self):
        for name in TOP_LEVEL:
            with self.subTest(name=name):
                path = os.path.join(ROOT, name)
                self.assertTrue(os.path.isdir(path) and not os.path.islink(path), path)
                self.assertTrue(os.path.isfile(os.path.join(path, "__init__.py")), path)
        if shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")):
            self.skipTest("not a git checkout (an sdist): no index to read")
        index = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout
        self.assertEqual([line for line in index.splitlines() if line.startswith("120000")], [])

    def test_the_one_import_name_holds_the_checkouts_packages(self):
        from dezero_conformance import conformance, reference
        for module in (adapters, conformance, reference):
            with self.subTest(module=module.__name__):
                self.assertEqual(os.path.dirname(os.path.dirname(module.__file__)), ROOT)


class TestSdist(unittest.TestCase):

    @thorough
    def test_the_sdist_holds_every_file_of_the_checkout_but_the_forges(self):
        """Its tests run from it unpacked: it must hold all that the checkout tracks."""
        if shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")):
            self.skipTest("not a git checkout (an sdist): no index to read")
        if importlib.util.find_spec("setuptools") is None:  # Python 3.12+ venvs lack it
            self.skipTest("setuptools is not installed here: the other envs build the sdist")
        tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.split()
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, "tree")
            for name in tracked:  # a copy of what is tracked: the build writes beside it
                os.makedirs(os.path.dirname(os.path.join(tree, name)), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, name), os.path.join(tree, name))
            built = subprocess.run(
                [sys.executable, "-c", "import sys; from setuptools import build_meta; "
                 "print(build_meta.build_sdist(sys.argv[1]))", tmp],
                cwd=tree, capture_output=True, text=True, timeout=300)
            self.assertEqual(built.returncode, 0, built.stderr[-2000:])
            with tarfile.open(os.path.join(tmp, built.stdout.split()[-1])) as sdist:
                held = {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile()}
        forge = {".gitignore"} | {n for n in tracked if n.startswith(".github/")}
        self.assertEqual(sorted(set(tracked) - held - forge), [])
        self.assertIn("LICENSE", held)


class TestUnderPytest(unittest.TestCase):
    """`pytest conformance` in the checkout: the clauses unittest runs, each once, passing on
    the reference."""

    def setUp(self):
        if run("-c", "import pytest").returncode != 0:
            self.skipTest("pytest is not installed")

    def test_pytest_collects_the_clauses_unittest_runs_each_once(self):
        collected = run("-m", "pytest", "conformance", "--collect-only", "-q",
                        "-p", "no:cacheprovider").stdout
        by_pytest = sorted(re.findall(r"::(\w+)::(test_\w+)$", collected, re.M))
        verbose = run("-m", "unittest", "discover", "conformance", "-v").stderr
        # "test_s1_x (conformance.stage1.test_variable.TestVariable.test_s1_x)"; before
        # Python 3.11, "(conformance.stage1.test_variable.TestVariable)"
        by_unittest = sorted((where.removesuffix(f".{method}").rpartition(".")[2], method)
                             for method, where in re.findall(r"^(test_\w+) \(([\w.]+)\)",
                                                             verbose, re.M))
        self.assertTrue(by_unittest, verbose[-2000:])
        self.assertEqual(len(by_pytest), len(set(by_pytest)), collected[-2000:])
        self.assertEqual(by_pytest, by_unittest)

    def test_pytest_passes_on_the_reference(self):
        result = run("-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider")
        self.assertEqual(result.returncode, 0, result.stdout[-3000:])
        self.assertRegex(result.stdout, r"\b63 passed\b")


class TestTheKitsOwnFault(unittest.TestCase):

    def test_a_clause_the_kit_cannot_load_is_reported_as_the_kits_fault(self):
        events = []
        worker.run_clause(adapters.load("reference"),
                          {"module": "stage1.no_such_module", "group": "Backward",
                           "method": "test_s4_backward"}, events.append)
        self.assertEqual(events[-1], {"kind": "done"})
        text = events[0]["text"]
        self.assertIn("fault of the kit, not of the engine", text)
        self.assertIn("stage1.no_such_module", text)
        self.assertNotIn("the engine raised", text)


if __name__ == "__main__":
    unittest.main()
