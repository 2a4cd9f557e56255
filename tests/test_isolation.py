"""The run survives its engine: it ends, reports, and leaves no process behind."""
import os
import re
import select
import signal
import site
import subprocess
import sys
import tempfile
import time
import types
import unittest
from unittest import mock

from dezero_conformance import adapters
from dezero_conformance.conformance import isolation
from tests.broken import BY_NAME, Mutant

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINUX = sys.platform.startswith("linux")


def processes_naming(text):
    """pids of live processes whose environment or command line contains text."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(pid))
                        break
            except OSError:
                continue
    return found


# In a class body, which runs at import (a top-level loop would be demo code, not run).
HANGS_AT_IMPORT = ("hangs_at_import", "class Hang:\n    while True:\n        pass\n")


class EngineFile:
    """A mutant's source (or the given source) in a temporary file, named uniquely so its
    processes can be found."""

    def __init__(self, name, source=None):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, f"{name}.py")
        with open(self.path, "w") as f:
            f.write(BY_NAME[name].source() if source is None else source)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        for pid in processes_naming(self.path):  # never leave one behind, even on failure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.tmp.cleanup()


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@unittest.skipUnless(LINUX, "reads /proc to find leftover processes")
class TestProcesses(unittest.TestCase):

    def run_suite(self, path, **env):
        return subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                              cwd=ROOT, capture_output=True, text=True, timeout=240,
                              env=dict(os.environ, CONFORMANCE_ENGINE=path, **env))

    def test_a_run_ends_and_leaves_nothing_whatever_the_engine_starts(self):
        for name in ("thread_at_import", "spawns_a_child"):
            with self.subTest(name), EngineFile(name) as path:
                run = self.run_suite(path)
                self.assertEqual(run.returncode, 0, run.stderr[-2000:])
                self.assertIn("\nOK", run.stderr)
                self.assertTrue(wait_for(lambda: not processes_naming(path), 5),
                                f"left behind: {processes_naming(path)}")

    def test_the_engines_processes_die_with_the_run_however_it_ends(self):
        for where, engine, count in (("hangs in its import", HANGS_AT_IMPORT, 1),
                                     ("hangs in a clause", "hangs_on_deep_chains", 2)):
            for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGHUP):
                with self.subTest(f"the engine {where}, the run gets {sig.name}"), \
                        EngineFile(*engine) if isinstance(engine, tuple) else \
                        EngineFile(engine) as path:
                    run = subprocess.Popen(
                        [sys.executable, "-m", "unittest", "discover", "conformance"], cwd=ROOT,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        env=dict(os.environ, CONFORMANCE_ENGINE=path))
                    def workers(run=run):  # the engine's process, the hanging clause's child
                        return [pid for pid in processes_naming(path) if pid != run.pid]
                    try:
                        self.assertTrue(wait_for(lambda count=count: len(workers()) >= count, 60),
                                        f"never started: {workers()}")
                        time.sleep(0.5)  # well into the hang
                        run.send_signal(sig)
                        run.wait(timeout=30)
                        self.assertTrue(wait_for(lambda: not processes_naming(path), 10),
                                        f"left behind: {processes_naming(path)}")
                    finally:
                        run.kill()
                        run.wait()

    def test_the_engines_process_ends_at_once_if_its_parent_is_gone_already(self):
        code = ("import os; from dezero_conformance.conformance.worker import die_with; "
                "die_with(os.getppid() + 1); print('still running')")
        run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        self.assertEqual((run.returncode, run.stdout), (1, ""), run.stderr)

    def test_results_that_arrive_with_the_hello_are_kept(self):
        """A slow run reads the engine's hello after its first clauses have reported: their
        results come in the same read, and must not be dropped with the rest of it."""
        request = {"module": "stage1.test_as_array", "group": "AsArrayClauses",
                   "method": "test_s13_as_array", "heavy": False, "step": 9, "uses": []}
        with mock.patch.dict(os.environ, {isolation.TIMEOUT_VAR: "5"}):  # a lost clause: 35 s
            pool = isolation.Pool("reference")
            try:
                pool.submit(request)
                ready = wait_for(lambda: select.select([pool.fd], [], [], 0)[0] and
                                 time.sleep(2) is None, 60)  # the hello, then the results
                self.assertTrue(ready, "the engine's process said nothing in 60 s")
                self.assertEqual(pool.engine.NAME, "reference")
                events = []
                self.assertIsNone(pool.run(request, events.append))
                self.assertEqual(events[-1:], [{"kind": "outcome", "sub": None,
                                                "status": "pass", "text": ""}],
                                 f"{len(events)} events")
            finally:
                pool.close()

    def test_each_clause_meets_a_fresh_engine_and_threads_mean_a_new_interpreter(self):
        for name, mode in (("reads_stdin", "fork"), ("thread_at_import", "spawn")):
            with self.subTest(name), EngineFile(name) as path:
                pool = isolation.Pool(path)
                try:
                    self.assertEqual(pool.engine.MODE, mode)
                finally:
                    pool.close()


class TestCrash(unittest.TestCase):

    @unittest.skipUnless(LINUX, "ru_maxrss is KiB on Linux; the kill is the OOM killer's there")
    def test_a_clause_killed_by_sigkill_says_how_much_memory_it_had_reached(self):
        """The kernel's out-of-memory killer sends SIGKILL and leaves no other trace: the CRASH
        names the resident memory the clause's process had reached."""
        hog = Mutant("hog", {"S2"}, "Exp.forward holds 512 MiB, then is killed by SIGKILL",
                     ("        return np.exp(x)\n",
                      "        import os, signal\n        held = np.ones(2**26)\n"
                      "        os.kill(os.getpid(), signal.SIGKILL)\n        return np.exp(x)\n"),
                     misbehaves="CRASH")
        request = {"module": "stage1.test_function", "group": "FunctionClauses",
                   "method": "test_s2_call_returns_a_new_variable", "heavy": False, "step": 2,
                   "uses": []}
        with EngineFile("hog", hog.source()) as path:
            pool = isolation.Pool(path)
            try:
                pool.submit(request)
                events = []
                self.assertIsNone(pool.run(request, events.append))
            finally:
                pool.close()
        text = " ".join(e.get("text") or "" for e in events)
        found = re.search(r"CRASH: the engine's process was killed by SIGKILL \(its resident "
                          r"memory had reached (\d+) MiB; the kernel's out-of-memory killer "
                          r"sends SIGKILL when memory runs out\)", text)
        self.assertIsNotNone(found, text)
        self.assertGreaterEqual(int(found[1]), 512, text)

    @unittest.skipUnless(LINUX, "ru_maxrss is KiB on Linux; the kill is the OOM killer's there")
    def test_an_engine_killed_by_sigkill_as_it_loads_says_the_same(self):
        source = ("import os\nimport signal\nimport numpy as np\n\nclass _AtImport:\n"
                  "    held = np.ones(2**26)\n    os.kill(os.getpid(), signal.SIGKILL)\n")
        with EngineFile("hog_at_import", source) as path:
            pool = isolation.Pool(path)
            try:
                with self.assertRaisesRegex(
                        adapters.AdapterError,
                        r"the engine's process did not start: CRASH: the engine's process was "
                        r"killed by SIGKILL \(its resident memory had reached \d+ MiB; the "
                        r"kernel's out-of-memory killer sends SIGKILL when memory runs out\) "
                        r"while loading the engine"):
                    _ = pool.engine
            finally:
                pool.close()


class TestTheEnginesView(unittest.TestCase):
    """The engine's process is a fork of the run's where it can be; what the engine sees must
    still be what a new interpreter would show it."""

    def test_an_engine_imports_its_own_graphs_module_not_the_suites(self):
        source = BY_NAME["copies_data"].source_path
        with open(source) as f:
            engine = f.read().replace("import weakref\n", (
                "import sys\nimport weakref\n\nimport graphs  # the engine's own, beside it\n"
                "class _AtImport:  # a class body runs at import (a top-level assert is demo)\n"
                "    assert graphs.OWN, graphs.__file__\n"
                "    assert 'stage1' not in sys.modules, 'the suite is visible to the engine'\n"),
                1)
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "graphs.py"), "w") as f:
                f.write("OWN = True\n")
            path = os.path.join(tmp, "step10.py")
            with open(path, "w") as f:
                f.write(engine)
            run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                                 cwd=ROOT, capture_output=True, text=True, timeout=240,
                                 env=dict(os.environ, CONFORMANCE_ENGINE=path))
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertIn("\nOK", run.stderr)


class TestForkOrNewInterpreter(unittest.TestCase):

    def test_the_engines_process_is_forked_only_from_the_kits_own_command_line(self):
        """A fork carries the run's process state over: only `python -m unittest` (no test
        harness around it, no tracer, one thread) is forked; anything else gets a new
        interpreter."""
        cli = types.SimpleNamespace(__spec__=types.SimpleNamespace(name="unittest.__main__"))
        harness = types.SimpleNamespace(__spec__=types.SimpleNamespace(name="pytest.__main__"))
        with mock.patch.object(isolation, "forkable", return_value=True):
            with mock.patch.dict(sys.modules, {"__main__": cli}):
                self.assertTrue(isolation.fork_for_engine())
                with mock.patch.object(sys, "gettrace", return_value=print):  # coverage
                    self.assertFalse(isolation.fork_for_engine())
                with mock.patch.object(sys, "getprofile", return_value=print):
                    self.assertFalse(isolation.fork_for_engine())
            with mock.patch.dict(sys.modules, {"__main__": harness}):
                self.assertFalse(isolation.fork_for_engine())
        with mock.patch.object(isolation, "forkable", return_value=False), \
                mock.patch.dict(sys.modules, {"__main__": cli}):
            self.assertFalse(isolation.fork_for_engine())


class TestKitPath(unittest.TestCase):
    """The engine's process finds the same kit as the run: the kit's directory goes first on
    its PYTHONPATH, unless it is a site directory (installed), which the process has anyway."""

    def test_a_checkout_goes_first_and_a_site_directory_is_not_repeated(self):
        site_dir = site.getsitepackages()[0]
        for root, given, want in (("/some/checkout", "", "/some/checkout"),
                                  ("/some/checkout", "/a:/b", "/some/checkout:/a:/b"),
                                  (site_dir, "", ""), (site_dir, "/a", "/a")):
            with self.subTest(root=root, PYTHONPATH=given), \
                    mock.patch.object(isolation, "ROOT", root), \
                    mock.patch.dict(os.environ, {"PYTHONPATH": given}):
                self.assertEqual(isolation.kit_path(), want.replace(":", os.pathsep))


class TestRunSettings(unittest.TestCase):

    def test_a_bad_jobs_setting_stops_the_run_in_one_line(self):
        run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                             cwd=ROOT, capture_output=True, text=True,
                             env=dict(os.environ, CONFORMANCE_JOBS="0"))
        self.assertEqual(run.returncode, 2)
        self.assertEqual(run.stderr.splitlines(), [
            "conformance: CONFORMANCE_JOBS='0' is not a whole number of clauses to run at "
            "once; set it to 1 or more"])


if __name__ == "__main__":
    unittest.main()
