"""Clauses run where a misbehaving engine cannot take the run down with it, or skew another.

A clause's body runs against a Recorder, which turns each outcome (pass, failure, error,
skip; per sub-case) into a plain event; the test method then replays the events into
unittest. Under the command line, this process never imports the engine: one engine process
(`python -m dezero_conformance.conformance.worker`) loads it, says what it is, and runs
every clause in a fresh child of its own, so each clause meets the engine as it was just
after import and no outcome depends on the order clauses run in. Clauses the run will make
are started ahead, up to CONFORMANCE_JOBS at once (default: 2, or 1 on a single CPU). A
clause that runs longer than CONFORMANCE_TIMEOUT seconds is reported as TIMEOUT, one whose
engine kills its process as CRASH with the signal, one whose engine ends its process as
EXIT; the other clauses still run. CONFORMANCE_ISOLATE=0 (and any non-POSIX system) runs the
bodies in this process instead: no timeout, no crash isolation, no fresh engine per clause,
and an engine thread that never ends keeps the run from ending.
"""
import atexit
import json
import os
import secrets
import select
import signal
import site
import subprocess
import sys
import time
import types
import unittest
import warnings
from collections import deque

import dezero_conformance

__unittest = True  # keep the replay's own frames out of failure tracebacks

TIMEOUT_VAR = "CONFORMANCE_TIMEOUT"
ISOLATE_VAR = "CONFORMANCE_ISOLATE"
JOBS_VAR = "CONFORMANCE_JOBS"
CHANNEL_VAR = "CONFORMANCE_CHANNEL"  # set for the engine's process: the run's token
# Generous: the slowest engines seen here take ~15 s on the 100,000-op chain of S9.
DEFAULT_TIMEOUT = 300.0
# How long the engine's process may stay silent beyond a clause's timeout (it reports the
# TIMEOUT itself) before it is taken to be stuck.
GRACE = 30.0
# The directory holding the kit's package: a checkout, or a site directory when installed.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dezero_conformance.__file__)))
# The suite's own directory, which `unittest discover conformance` puts first on sys.path.
HERE = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))


def kit_path():
    """PYTHONPATH for the engine's process: the caller's, after the kit's directory unless
    that is a site directory (the child has those already, after the standard library)."""
    given = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sites = {os.path.realpath(p) for p in site.getsitepackages() + [site.getusersitepackages()]}
    return os.pathsep.join(given if os.path.realpath(ROOT) in sites else [ROOT] + given)


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


def jobs():
    raw = os.environ.get(JOBS_VAR, "")
    try:
        value = int(raw) if raw else min(2, os.cpu_count() or 1)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{JOBS_VAR}={raw!r} is not a whole number of clauses to run at "
                         f"once; set it to 1 or more")
    return value


def enabled():
    """Isolation needs POSIX pipes and select; elsewhere clauses run in-process."""
    return os.environ.get(ISOLATE_VAR, "1") != "0" and os.name == "posix"


def forkable():
    """Whether this process can be forked safely: on Linux, with no other thread running
    Python (a fork keeps only the calling thread, and any lock another one held). Threads
    started through `_thread` (execnet's, under pytest-xdist) count too; a library's own
    native threads (a BLAS pool) hold no lock of the interpreter's and do not."""
    return sys.platform.startswith("linux") and len(sys._current_frames()) == 1


# The warning filters as the suite found them (before a test runner set its own).
_WARNINGS = list(warnings.filters)


def fork_for_engine():
    """Whether the engine's process may be a fork of this one rather than a new interpreter:
    only under the kit's own command line (`python -m unittest ...`), whose state a fork
    carries over harmlessly, not under a harness that changes the process (pytest's
    captured streams, a coverage tracer), and where forking is safe."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return ((getattr(spec, "name", None) == "unittest.__main__" or _own_command)
            and sys.gettrace() is None and sys.getprofile() is None and forkable())


_own_command = False


def own_command():
    """The kit's own command (dezero-conformance) runs this process: a fork carries it over
    harmlessly, as it does `python -m unittest`."""
    global _own_command
    _own_command = True


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


class Progress:
    """A status line for long work in a clause (graphs done, failures so far, rate, time
    left), on stderr when it is a terminal and only after AFTER seconds; quiet otherwise."""

    AFTER = 2.0

    def __init__(self, stream=None):
        self.stream = stream
        self.shown = False

    def out(self):
        stream = self.stream or sys.stderr
        try:
            return stream if stream.isatty() else None
        except (AttributeError, ValueError):
            return None

    def show(self, event):
        out = self.out()
        if out is None or event.get("elapsed", 0) < self.AFTER:
            return
        done, total, elapsed = event["done"], event["total"], event["elapsed"]
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        line = (f"{event['clause']}: {done}/{total} {event['what']}, {event['failed']} "
                f"failed, {rate:.0f}/s, {left:.0f} s left")
        out.write(f"\r\033[K{line}")
        out.flush()
        self.shown = True

    def clear(self):
        if self.shown:
            out = self.out()
            if out is not None:
                out.write("\r\033[K")
                out.flush()
            self.shown = False


progress = Progress()


class Missing(AssertionError):
    """A name the engine's step needs and the engine lacks: the clause fails in one line,
    naming it, without a traceback (the cause is the file's, not a line of the kit's)."""


class Recorder(unittest.TestResult):
    """A TestResult that hands every outcome to `emit` as a JSON-ready event."""

    def __init__(self, emit):
        super().__init__()
        self.emit = emit

    def _event(self, test, status, err=None, text=""):
        if err is not None and issubclass(err[0], Missing):
            text = str(err[1])
        elif err is not None:
            case = getattr(test, "test_case", test)
            text = self._exc_info_to_string(err, case)
            if issubclass(err[0], SystemExit):  # never a pass, and the same in every clause
                status = "fail"
                text = (f"{getattr(case, 'clause', '?')}: EXIT: the engine raised "
                        f"SystemExit({err[1].code!r}) (sys.exit or exit()); an engine must "
                        f"never end the process\n{text}")
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


def encode(token, event):
    """One line of the result channel: the run's token, then the event as JSON."""
    return f"{token} {json.dumps(event)}\n"


def decode(token, lines):
    """(events, stray bytes) from complete lines of a result channel. An engine that writes
    to file descriptors it did not open can land bytes here: a line is the kit's only from
    its run's token on (garbage before it on the line is dropped), and only if it parses."""
    mark = token.encode() + b" "
    events, stray = [], 0
    for line in lines:
        at = line.rfind(mark)
        try:
            if at < 0:
                raise ValueError(line)
            event = json.loads(line[at + len(mark):])
            if not isinstance(event, dict) or "kind" not in event:
                raise ValueError(line)
        except ValueError:
            stray += len(line) + 1
            continue
        stray += at
        events.append(event)
    return events, stray


def stray_notice(stray, where):
    return (f"{stray} bytes {where} were not the kit's (the engine writes to file descriptors "
            f"it did not open); ignored")


class Pool:
    """The engine's process (conformance/worker.py): loads the engine once, then runs each
    clause in a fresh child of its own, up to jobs() at a time. This process never imports
    the engine: what it knows of it (name, version, capabilities) comes in the hello."""

    def __init__(self, spec):
        self.spec = spec
        request_r, self.request_w = os.pipe()
        self.fd, result_w = os.pipe()
        self.token = secrets.token_hex(8)
        env = {"CONFORMANCE_ENGINE": spec, "PYTHONPATH": kit_path(), CHANNEL_VAR: self.token}
        args = [str(request_r), str(result_w), str(os.getpid())]
        if fork_for_engine():
            for stream in (sys.stdout, sys.stderr):
                stream.flush()  # or the engine's process would write the buffered text again
            pid = os.fork()
            if pid == 0:
                _engine_process(env, args, (self.request_w, self.fd))
            self.proc = _Forked(pid)
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", f"{__package__}.worker", *args],
                stdin=subprocess.DEVNULL, pass_fds=(request_r, result_w),
                env=dict(os.environ, **env), cwd=os.getcwd(), start_new_session=True)
        os.close(request_r)
        os.close(result_w)
        self.buffer = b""
        self.backlog = []  # events read with the hello, before anyone asked for them
        self.events, self.done, self.ids = {}, set(), {}
        self.next_id = 0
        self.dead = None  # why the pool can take no more requests
        self._engine = None

    @property
    def engine(self):
        """What the engine's process says of the engine (read once, on first use)."""
        if self._engine is None:
            self._engine = self._hello()
        return self._engine

    def _hello(self):
        deadline = time.monotonic() + timeout()
        notices = []
        while True:
            events = self._events(notices)
            if events:
                hello, self.backlog = events[0], events[1:]
                if "error" in hello:
                    self.close()
                    raise _adapter_error(hello["error"])
                return types.SimpleNamespace(
                    NAME=hello["name"], ABSENT=hello["absent"], ASSUMED=tuple(hello["assumed"]),
                    STEP=hello["step"], STEP_WHY=hello["step_why"], MISSING=hello["missing"],
                    RETIRED=hello["retired"],
                    MODE=hello["mode"], NOTICES=notices + hello["notices"],
                    version=lambda v=hello["version"]: v)
            trouble = self._read(deadline)
            if trouble:
                self.close()
                raise _adapter_error(f"the engine's process did not start: {trouble} while "
                                     f"loading the engine")

    def _events(self, notices=None):
        """Complete events read so far; a notice for stray bytes goes to notices if given
        (before the hello: the run's first line names the engine), else to stderr."""
        *lines, self.buffer = self.buffer.split(b"\n")
        events, stray = decode(self.token, lines)
        if stray:
            notice = stray_notice(stray, "on the engine process's result channel")
            if notices is not None:
                notices.append(notice)
            else:
                sys.stderr.write(f"\nconformance: notice: {notice}\n")
        events, self.backlog = self.backlog + events, []
        return events

    def _read(self, deadline):
        """Read what the engine's process sent; None, or why nothing more will come."""
        left = deadline - time.monotonic()
        if left <= 0:
            return f"TIMEOUT: no word from the engine's process in {timeout():g} s"
        ready, _, _ = select.select([self.fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(self.fd, 65536)
        if not chunk:
            code, peak = _reaped(self.proc)
            how = killed_by(-code, peak) if code < 0 else f"exited with status {code}"
            return f"CRASH: the engine's process was {how}"
        self.buffer += chunk
        return None

    def submit_plan(self):
        while _plan:
            self.submit(_plan.pop(0))

    def submit(self, request):
        key = (request["module"], request["group"], request["method"])
        self.next_id += 1
        self.ids.setdefault(key, deque()).append(self.next_id)
        self.events[self.next_id] = []
        os.write(self.request_w, (json.dumps(dict(request, id=self.next_id)) + "\n").encode())

    def run(self, request, emit):
        """The events of one clause, emitted in order; None, or why the pool is dead."""
        key = (request["module"], request["group"], request["method"])
        if not self.ids.get(key):
            self.submit(request)
        cid = self.ids[key].popleft()
        # Children report within the timeout, or the engine's process reports the TIMEOUT:
        # silence beyond that (and a grace) means that process itself is stuck.
        deadline = time.monotonic() + timeout() + GRACE
        while cid not in self.done and self.dead is None:
            for event in self._events():
                eid = event.pop("id", None)
                if eid not in self.events:
                    continue
                if event["kind"] == "progress":
                    progress.show(event)
                    continue
                self.events[eid].append(event)
                if event["kind"] == "done":
                    self.done.add(eid)
                    deadline = time.monotonic() + timeout() + GRACE
            if cid in self.done:
                break
            self.dead = self._read(deadline)
        progress.clear()
        for event in self.events.pop(cid, []):
            if event["kind"] != "done":
                emit(event)
        self.done.discard(cid)
        return self.dead

    def close(self):
        """Kill the engine's process group: the process, its clause children and theirs."""
        try:
            os.close(self.request_w)
        except OSError:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        try:
            os.close(self.fd)
        except OSError:
            pass


class _Forked:
    """The engine's process when it is a fork of this one: the part of Popen that Pool uses."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def wait(self):
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def _engine_process(env, args, close):
    """The forked child: become what `python -m ...worker ARGS` with env would be (a session
    of its own, stdin /dev/null, its own standard streams, default signal handlers and
    warning filters, the run's token and the engine named in its environment, no suite
    directory on sys.path), then serve as the engine's process. Never returns."""
    try:
        os.setsid()
        for fd in close:  # the run's own ends of the two pipes
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.stdin = sys.__stdin__ = open(0, closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, closefd=False)
        sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, closefd=False,
                                           errors="backslashreplace")
        signal.signal(signal.SIGINT, signal.default_int_handler)  # unittest -c sets its own
        warnings.filters[:] = _WARNINGS  # unittest's runner sets its own during a run
        os.environ.update(env)
        # `unittest discover` put the suite's directory on sys.path and imported its modules
        # under top-level names (graphs, stage1, ...): an engine's own `graphs` must not be
        # those, as it would not be in a new interpreter
        sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != HERE]
        for name, module in list(sys.modules.items()):
            where = os.path.realpath(getattr(module, "__file__", None) or "")
            if where.startswith(HERE + os.sep) and not (
                    name == __package__ or name.startswith(f"{__package__}.")):
                del sys.modules[name]
        from dezero_conformance.conformance import worker
        sys.modules["__main__"] = worker
        sys.argv = [worker.__file__, *args]
        worker.TOKEN = env[CHANNEL_VAR]
        worker.main(args)
    except BaseException:  # the kit's own fault: say so, where the run's output goes
        import traceback
        os.write(2, f"conformance: the kit could not make the engine's process:\n"
                    f"{traceback.format_exc()}".encode(errors="backslashreplace"))
    finally:
        os._exit(1)  # never back into the run's code: its atexit handlers, its tests


def _reaped(proc):
    """(exit code, largest resident memory in bytes or None) of the engine's ended process."""
    if proc.returncode is None:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except ChildProcessError:  # reaped elsewhere
            return proc.wait(), None
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        return proc.returncode, peak_bytes(usage)
    return proc.returncode, None


def peak_bytes(usage):
    """The largest resident memory of a reaped process, from its rusage."""
    return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # Linux counts KiB


def killed_by(signum, peak=None):
    """How a process killed by signal signum ended; for a SIGKILL the kit did not send, the
    memory it had reached, since the kernel's out-of-memory killer leaves no other trace."""
    sig = signal.Signals(signum)
    if sig != signal.SIGKILL or not peak:
        return f"killed by {sig.name}"
    size = f"{peak / 2**30:.1f} GiB" if peak >= 2**30 else f"{peak / 2**20:.0f} MiB"
    return (f"killed by SIGKILL (its resident memory had reached {size}; the kernel's "
            f"out-of-memory killer sends SIGKILL when memory runs out)")


def _adapter_error(message):
    # the loader's own error type, so callers treat both alike
    from dezero_conformance import adapters
    return adapters.AdapterError(message)


_pool = None
_plan = []  # clause requests the run will make, in order: the pool starts them early


def plan(requests):
    """Note clause requests that will be made, so the pool can run them ahead, in parallel
    (now, if the pool is running)."""
    _plan.extend(requests)
    if _pool is not None and not _pool.dead:
        _pool.submit_plan()


def pool(spec):
    """The running pool for engine spec (started, and the old one closed, if need be)."""
    global _pool
    if _pool is not None and (_pool.spec != spec or _pool.dead):
        _pool.close()
        _pool = None
    if _pool is None:
        _pool = Pool(spec)
        _pool.submit_plan()
    return _pool


def close_pool():
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None
    _plan.clear()


@atexit.register
def _shutdown():
    """No engine process outlives the run (they run in a session of their own)."""
    if _pool is not None:
        _pool.close()


def run_in_worker(spec, request, emit):
    """Run one clause body in a fresh child of the engine's process; a hang or crash becomes
    a failure of that clause."""
    trouble = pool(spec).run(request, emit)
    if trouble:
        emit({"kind": "outcome", "sub": None, "status": "fail", "text": trouble})
