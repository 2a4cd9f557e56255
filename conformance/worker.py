"""python -m dezero_conformance.conformance.worker REQUEST_FD RESULT_FD PARENT_PID: the engine's
side of isolation.py.

This process (the zygote) loads the engine named by CONFORMANCE_ENGINE once and says hello
on RESULT_FD: the adapter's name, version and capabilities, or the one line saying why the
engine could not be loaded. It then reads clause requests, one JSON line each ({"id",
"module", "group", "method"}), from REQUEST_FD and runs every clause in a fresh child:

- forked from the zygote, so each clause starts from the engine as it stood just after
  import, whatever an earlier clause did to it ("fork" mode); or, where forking is unsafe
  (threads are running after the import, or the system is not Linux),
- a new interpreter that loads the engine again ("spawn" mode: slower, as fresh).

Up to CONFORMANCE_JOBS children run at once. The zygote forwards each child's events tagged
with the request id and ends each clause with {"kind": "done"}; a child that outlives
CONFORMANCE_TIMEOUT is killed and reported as TIMEOUT, one killed by a signal as CRASH, one
that exits before finishing as EXIT. A child's stdin is /dev/null. When REQUEST_FD closes
(the run is over), the zygote kills its process group: no child, and nothing an engine
started in it, outlives the run.

However the run's process ends (SIGTERM, SIGKILL, SIGHUP), the zygote and every child die with
it, even while the engine hangs in its import or holds the interpreter in C: on Linux the
kernel kills each with its parent (PR_SET_PDEATHSIG); elsewhere a thread that watches the
parent ends the process group. What an engine itself starts, in a session of its own or still
running when its parent is killed, is the engine's.
"""
import ctypes
import faulthandler
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from collections import deque

from dezero_conformance import adapters
from dezero_conformance.conformance import support
from dezero_conformance.conformance.isolation import (
    decode,
    encode,
    killed_by,
    peak_bytes,
    stray_notice,
)

CHILD = "--child"
TOKEN = os.environ.get("CONFORMANCE_CHANNEL", "")  # isolation.CHANNEL_VAR: marks the kit's lines


def load():
    """(hello event, engine or None): the engine named by CONFORMANCE_ENGINE, and the clauses."""
    import numpy.testing  # noqa: F401 (the clauses' asserts: imported once, not per clause)

    from dezero_conformance.conformance import runner, support
    try:
        engine = support.load_engine()
        runner.clause_groups()  # import every clause module once, before any fork
    except BaseException as exc:  # whatever the engine raised on import: one line, no run
        first = str(exc).splitlines()[0] if str(exc) else ""
        line = str(exc) if isinstance(exc, adapters.AdapterError) else (
            f"loading the engine raised {type(exc).__name__}: {first}")
        return {"kind": "hello", "error": line}, None
    from dezero_conformance.conformance.isolation import forkable
    return {"kind": "hello", "mode": "fork" if forkable() else "spawn",
            "notices": list(adapters.NOTICES) + [str(n) for n in getattr(engine, "NOTICES", [])],
            "name": str(engine.NAME), "version": str(engine.version()),
            "step": support.step_of(engine), "step_why": str(getattr(engine, "STEP_WHY", "")),
            "absent": {str(k): str(v) for k, v in engine.ABSENT.items()},
            "missing": {str(k): str(v) for k, v in support.missing_of(engine).items()},
            "retired": {str(k): str(v) for k, v in getattr(engine, "RETIRED", {}).items()},
            "assumed": [str(c) for c in getattr(engine, "ASSUMED", ())]}, engine


def run_clause(engine, request, emit):
    """Run one clause body against the engine, emitting its events, then "done"."""
    from dezero_conformance.conformance import isolation
    where = f"{__package__}.{request['module']}"
    try:
        group = getattr(importlib.import_module(where), request["group"])
    except BaseException as exc:  # before the engine is reached: the kit's own fault
        emit({"kind": "outcome", "sub": None, "status": "error",
              "text": f"the kit could not load its own clause {where}.{request['group']} "
                      f"({type(exc).__name__}: {exc!s:.200}); this is a fault of the kit, "
                      "not of the engine: please report it"})
        emit({"kind": "done"})
        return
    try:
        bound = type(group.__name__, (group, unittest.TestCase), {"engine": engine})
        isolation.record(bound(request["method"]), request["method"], emit)
    except BaseException as exc:  # what unittest lets through: KeyboardInterrupt and the like
        emit({"kind": "outcome", "sub": None, "status": "error",
              "text": f"the engine raised {type(exc).__name__} ({exc!s:.200}) out of the clause"})
    emit({"kind": "done"})


PR_SET_PDEATHSIG = 1  # prctl(2)
# Found once, here: a forked child then calls it without loading anything.
PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with(parent):
    """Make this process end when `parent` (its parent's pid) is gone, however that ended. Call
    first thing: if the parent is gone already, this process ends here."""
    if PRCTL is not None:  # prctl is variadic: every argument must be a full unsigned long
        args = [ctypes.c_ulong(a) for a in (PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)]
        if PRCTL(*args) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:  # a thread needs the interpreter, so an engine holding it in C delays this
        def watch():
            while os.getppid() == parent:
                time.sleep(0.2)
            os.killpg(os.getpgid(0), signal.SIGKILL)
        threading.Thread(target=watch, daemon=True, name="conformance-parent-watch").start()
    if os.getppid() != parent:  # it ended before the kernel (or the thread) was told
        os._exit(1)


def child_main(zygote, event_fd, crash_fd, request):
    """A spawned child: load the engine afresh, run one clause, exit."""
    die_with(zygote)
    out = os.fdopen(event_fd, "w", buffering=1)
    faulthandler.enable(file=os.fdopen(crash_fd, "w"), all_threads=False)
    hello, engine = load()
    if engine is None:
        out.write(encode(TOKEN, {"kind": "outcome", "sub": None, "status": "error",
                                 "text": f"the engine did not load again: {hello['error']}"}))
        out.write(encode(TOKEN, {"kind": "done"}))
    else:
        run_clause(engine, request, lambda event: out.write(encode(TOKEN, event)))
    out.flush()
    os._exit(0)


class Child:
    def __init__(self, cid, pid, fd, crash, limit, proc=None):
        self.cid, self.pid, self.fd, self.crash, self.proc = cid, pid, fd, crash, proc
        self.deadline = time.monotonic() + limit
        self.buffer = b""
        self.status = None  # the wait status, once reaped
        self.peak = None  # its largest resident memory in bytes, once reaped as it ended
        self.done = False


class Zygote:
    def __init__(self, engine, mode, request_fd, out, jobs, limit):
        self.engine, self.mode, self.request_fd, self.out = engine, mode, request_fd, out
        self.jobs, self.limit = jobs, limit
        self.pending = deque()
        self.running = {}  # cid -> Child
        self.requests = b""
        # A child's exit wakes the select below even when its pipe stays open (an engine's
        # own child may hold it): SIGCHLD writes a byte to this pipe.
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(wake_w)

    def send(self, event):
        try:
            self.out.write(encode(TOKEN, event))
        except OSError:  # the run's process is gone
            self.shutdown()

    def serve(self):
        while True:
            while self.pending and len(self.running) < self.jobs:
                self.start(self.take())
            fds = [self.request_fd, self.wake_r] + [
                c.fd for c in self.running.values() if c.fd is not None]
            deadlines = [c.deadline for c in self.running.values()]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready, _, _ = select.select(fds, [], [], wait)
            if self.wake_r in ready:
                os.read(self.wake_r, 4096)
            if self.request_fd in ready:
                self.read_requests()
            for child in list(self.running.values()):
                if child.fd in ready:
                    self.read_child(child)
            for child in list(self.running.values()):
                self.check(child)

    def take(self):
        """The next request: the first heavy one (a clause slow on any engine), else the
        first; heavy clauses started first keep the others' wait short."""
        for i, request in enumerate(self.pending):
            if request.get("heavy"):
                del self.pending[i]
                return request
        return self.pending.popleft()

    def read_requests(self):
        data = os.read(self.request_fd, 65536)
        if not data:  # the run is over, or its process died: leave nothing behind
            self.shutdown()
        *lines, self.requests = (self.requests + data).split(b"\n")
        for line in lines:
            try:
                request = json.loads(line)
            except ValueError:
                continue
            if support.request_applies(request, self.engine):  # else the run never asks
                self.pending.append(request)

    def shutdown(self):
        try:
            self.out.flush()
        except OSError:
            pass
        try:
            os.killpg(os.getpgid(0), signal.SIGKILL)  # the zygote, its children and theirs
        finally:
            os._exit(0)

    def start(self, request):
        cid = request["id"]
        zygote = os.getpid()
        read_fd, write_fd = os.pipe()
        crash = tempfile.TemporaryFile()
        proc = None
        if self.mode == "fork":
            for stream in (self.out, sys.stdout, sys.stderr):
                stream.flush()  # or the child would write the buffered text again
            pid = os.fork()
            if pid == 0:
                self.in_child(zygote, request, read_fd, write_fd, crash)
        else:
            proc = subprocess.Popen(
                [sys.executable, "-m", f"{__package__}.worker", CHILD, str(zygote),
                 str(write_fd), str(crash.fileno()), json.dumps(request)],
                stdin=subprocess.DEVNULL, pass_fds=(write_fd, crash.fileno()))
            pid = proc.pid
        os.close(write_fd)
        self.running[cid] = Child(cid, pid, read_fd, crash, self.limit, proc)

    def in_child(self, zygote, request, read_fd, write_fd, crash):
        try:  # whatever happens here, this process never returns to the zygote's loop
            die_with(zygote)
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            for fd in [read_fd, self.request_fd, self.wake_r, self.out.fileno()] + [
                    c.fd for c in self.running.values() if c.fd is not None]:
                os.close(fd)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            faulthandler.enable(file=crash, all_threads=False)
            out = os.fdopen(write_fd, "w", buffering=1)
            run_clause(self.engine, request, lambda event: out.write(encode(TOKEN, event)))
            out.flush()
        finally:
            os._exit(0)

    def read_child(self, child, chunk=None):
        chunk = os.read(child.fd, 65536) if chunk is None else chunk
        if not chunk:
            os.close(child.fd)
            child.fd = None
            return
        *lines, child.buffer = (child.buffer + chunk).split(b"\n")
        events, stray = decode(TOKEN, lines)
        if stray:
            sys.stderr.write(f"\nconformance: notice: "
                             f"{stray_notice(stray, 'on a clause result channel')}\n")
        for event in events:
            if event["kind"] == "done":
                child.done = True
                if child.status is None:
                    child.status = os.waitpid(child.pid, 0)[1]  # it is in os._exit
                self.finish(child, None)
                return
            self.send(dict(event, id=child.cid))

    def check(self, child):
        """Finish a child that has exited without "done", or has run out of time."""
        if child.status is None:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                child.status, child.peak = status, peak_bytes(usage)
        if child.status is not None:
            if child.fd is not None:  # what it wrote before exiting is still in the pipe
                os.set_blocking(child.fd, False)
                while child.fd is not None and not child.done:
                    try:
                        chunk = os.read(child.fd, 65536)
                    except BlockingIOError:
                        break
                    self.read_child(child, chunk)
            if not child.done:
                self.finish(child, ended(child.status, child.crash, child.peak))
        elif time.monotonic() >= child.deadline:
            os.kill(child.pid, signal.SIGKILL)
            child.status = os.waitpid(child.pid, 0)[1]
            self.finish(child, f"TIMEOUT: no result after {self.limit:g} s "
                               f"(CONFORMANCE_TIMEOUT={self.limit:g})")

    def finish(self, child, trouble):
        del self.running[child.cid]
        if child.fd is not None:
            os.close(child.fd)
            child.fd = None
        if child.proc is not None:  # reaped here: Popen must not wait for it again
            child.proc.returncode = os.waitstatus_to_exitcode(child.status)
        child.crash.close()
        if trouble:
            self.send({"kind": "outcome", "sub": None, "status": "fail", "text": trouble,
                       "id": child.cid})
        self.send({"kind": "done", "id": child.cid})


def ended(status, crash, peak=None):
    """What a child's wait status says about how it ended, with any fatal-signal dump and,
    for a SIGKILL the kit did not send, the memory the process had reached."""
    crash.seek(0)
    dump = crash.read().decode(errors="replace").strip()
    dump = f"\n{dump}" if dump else ""
    if os.WIFSIGNALED(status):
        return f"CRASH: the engine's process was {killed_by(os.WTERMSIG(status), peak)}{dump}"
    return (f"EXIT: the engine's process exited with status {os.waitstatus_to_exitcode(status)} "
            f"before the clause finished (os._exit, or an exit the clause could not catch); "
            f"an engine must never end the process{dump}")


def main(argv):
    if argv[0] == CHILD:
        child_main(int(argv[1]), int(argv[2]), int(argv[3]), json.loads(argv[4]))
    request_fd, result_fd, parent = int(argv[0]), int(argv[1]), int(argv[2])
    die_with(parent)
    for fd in (request_fd, result_fd):  # children inherit neither
        os.set_inheritable(fd, False)
    out = os.fdopen(result_fd, "w", buffering=1)
    hello, engine = load()
    try:
        out.write(encode(TOKEN, hello))
        out.flush()
    except OSError:  # the run is gone already
        os._exit(0)
    if engine is None:
        os._exit(0)
    from dezero_conformance.conformance import isolation
    gc.freeze()  # what import made is not the clauses' garbage: children need not walk it
    Zygote(engine, hello["mode"], request_fd, out, isolation.jobs(),
           isolation.timeout()).serve()


if __name__ == "__main__":
    main(sys.argv[1:])
