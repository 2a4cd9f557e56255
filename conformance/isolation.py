"""Clauses run where a misbehaving engine cannot take the run down with it.

A clause's body runs against a Recorder, which turns each outcome (pass, failure, error,
skip; per sub-case) into a plain event; the test method then replays the events into
unittest. Under the command line the body runs in one worker process for the whole run
(`python -m conformance.worker`), replaced after a crash or a timeout: a clause that hangs is
reported as TIMEOUT, one whose engine kills the process as CRASH with the signal, and the
clauses after it still run. CONFORMANCE_TIMEOUT sets the limit per clause in seconds;
CONFORMANCE_ISOLATE=0 (and any non-POSIX system) runs the bodies in-process instead: no
timeout, no crash isolation.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

__unittest = True  # keep the replay's own frames out of failure tracebacks

TIMEOUT_VAR = "CONFORMANCE_TIMEOUT"
ISOLATE_VAR = "CONFORMANCE_ISOLATE"
# Generous: the slowest engines seen here take ~15 s on the 100,000-op chain of S9.
DEFAULT_TIMEOUT = 300.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Failed(AssertionError):
    """A failure recorded where the clause ran, replayed with its original traceback."""


class Raised(Exception):
    """An exception (from the engine, as a rule) recorded where the clause ran."""


for _cls in (Failed, Raised):
    _cls.__module__ = "conformance"


def timeout():
    raw = os.environ.get(TIMEOUT_VAR, "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"{TIMEOUT_VAR}={raw!r} is not a positive number of seconds; "
                         f"set it to e.g. {DEFAULT_TIMEOUT:g}")
    return value


def enabled():
    """Isolation needs POSIX pipes and select; elsewhere clauses run in-process."""
    return os.environ.get(ISOLATE_VAR, "1") != "0" and os.name == "posix"


class _Repr(str):
    def __repr__(self):
        return str(self)


def sub_description(test):
    """A _SubTest's message and parameters, as JSON-ready data; None for the test itself."""
    if getattr(test, "test_case", None) is None:
        return None
    return sub_event(test._message if isinstance(test._message, str) else None, test.params)


def sub_event(msg, params):
    return {"msg": msg, "params": {k: repr(v) for k, v in params.items()}}


def sub_case(case, sub):
    """The replay's subTest context for a recorded sub-case."""
    params = {k: _Repr(v) for k, v in sub["params"].items()}
    return case.subTest(sub["msg"], **params) if sub["msg"] else case.subTest(**params)


class Recorder(unittest.TestResult):
    """A TestResult that hands every outcome to `emit` as a JSON-ready event."""

    def __init__(self, emit):
        super().__init__()
        self.emit = emit

    def _event(self, test, status, err=None, text=""):
        if err is not None:
            case = getattr(test, "test_case", test)
            text = self._exc_info_to_string(err, case)
            if hasattr(case, "reproduce"):
                text = f"{text.rstrip()}\n{case.reproduce()}"
        self.emit({"kind": "outcome", "sub": sub_description(test), "status": status,
                   "text": text})

    def addSuccess(self, test):
        self._event(test, "pass")

    def addFailure(self, test, err):
        self._event(test, "fail", err)

    def addError(self, test, err):
        self._event(test, "error", err)

    def addSkip(self, test, reason):
        self._event(test, "skip", text=reason)

    def addSubTest(self, test, subtest, err):
        if err is None:
            self._event(subtest, "pass")
        else:
            failed = issubclass(err[0], test.failureException)
            self._event(subtest, "fail" if failed else "error", err)


def record(case, method, emit):
    """Run `method` of a fresh twin of `case` against a Recorder."""
    twin = type(case)(method)
    twin._sink = emit
    twin.run(Recorder(emit))


class Worker:
    """One child interpreter that runs clause bodies on request."""

    def __init__(self, spec):
        self.spec = spec
        read_fd, write_fd = os.pipe()
        self.crash_log = tempfile.TemporaryFile()
        env = dict(os.environ, CONFORMANCE_ENGINE=spec, PYTHONPATH=os.pathsep.join(
            [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "conformance.worker", str(write_fd),
             str(self.crash_log.fileno())],
            stdin=subprocess.PIPE, pass_fds=(write_fd, self.crash_log.fileno()), env=env,
            cwd=os.getcwd(), start_new_session=True)
        os.close(write_fd)
        self.fd = read_fd
        self.buffer = b""

    def run(self, request, limit, emit):
        """Send one request; emit its events; return None, or a TIMEOUT/CRASH message."""
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + limit
        while True:
            for line in self._lines():
                event = json.loads(line)
                if event["kind"] == "done":
                    return None
                emit(event)
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                return f"TIMEOUT: no result after {limit:g} s ({TIMEOUT_VAR}={limit:g})"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    return self._crashed()
                self.buffer += chunk

    def _lines(self):
        *lines, self.buffer = self.buffer.split(b"\n")
        return lines

    def _crashed(self):
        code = self.proc.wait()
        self.crash_log.seek(0)
        dump = self.crash_log.read().decode(errors="replace").strip()
        self.close()
        how = (f"killed by {signal.Signals(-code).name}" if code < 0
               else f"exited with status {code}")
        return f"CRASH: the engine's process was {how}" + (f"\n{dump}" if dump else "")

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.close()

    def close(self):
        os.close(self.fd)
        self.crash_log.close()
        self.proc.stdin.close()


_worker = None


@atexit.register
def _shutdown():
    """A worker stuck in a hang must not outlive the run (it has its own session)."""
    if _worker is not None:
        _worker.kill()


def run_in_worker(spec, request, emit):
    """Run one clause body in the worker for engine `spec`; a hang or crash becomes a failure."""
    global _worker
    if _worker is not None and _worker.spec != spec:
        _worker.kill()
        _worker = None
    if _worker is None:
        _worker = Worker(spec)
    trouble = _worker.run(request, timeout(), emit)
    if trouble:
        _worker = None
        emit({"kind": "outcome", "sub": None, "status": "fail", "text": trouble})
