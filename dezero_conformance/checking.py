"""check(): judge an engine from inside a notebook, a script or a grader, and get a result
to assert on.

    from dezero_conformance import check
    check(step=10)                  # the names this notebook (or script) defines
    result = check("step10.py")     # a file; also a package directory, a module, an adapter
    assert result.ok, result.failures

The engine is judged in a process of its own (the dezero-conformance command), so a hanging
or crashing engine cannot take the notebook's kernel with it. A notebook is judged by the
cells its kernel has run, in the order it ran them (definitions only, magics skipped): its
real state, a class bound to the Variable of the cell it was defined after. A namespace with
no source to read (built in memory) is judged in this process, and the report says so.
"""
import importlib.machinery
import json
import os
import signal
import subprocess
import sys
import tempfile
import types

from dezero_conformance import judge, report

SHOWN_LINES = 40  # of the command's own output, shown when it could not judge the engine


def check(target=None, step=None, *, clause=None, seed=None, fuzz=None, exitfirst=False,
          verbose=False, display=True, timeout=None):
    """Judge target and return a judge.Result (.ok, .failures, .records); show a report
    (an HTML table in Jupyter, text elsewhere) unless display=False.

    target: None (the caller's names: the notebook's cells as run, or the script's file), a
    namespace dict (globals()), a module, or a path or adapter name as the command takes.
    step: the book step to judge at (default: from the file's name, else the highest step
    whose names the engine defines). clause: a clause id or text, or a list of them (-k).
    """
    if os.environ.get("CONFORMANCE_CHANNEL"):
        return None  # called inside the kit's own engine process: never judge recursively
    caller = sys._getframe(1).f_globals
    with tempfile.TemporaryDirectory(prefix="dezero_conformance_") as tmp:
        spec, notice = _spec(caller if target is None else target, tmp)
        if spec is None:
            result = _in_process(target if target is not None else caller, step, clause, seed,
                                 fuzz, exitfirst)
        else:
            result = _by_command(spec, tmp, step, clause, seed, fuzz, exitfirst, timeout)
    if notice:
        result.notices.insert(0, notice)
    if display:
        show(result, verbose)
    return result


def _spec(target, tmp):
    """(the command's ENGINE argument, a notice) for target; (None, None) to judge in-process."""
    if isinstance(target, (str, os.PathLike)):
        return os.fspath(target), None
    if isinstance(target, types.ModuleType):
        target = vars(target)
    if not isinstance(target, dict):
        raise TypeError(f"check() takes a path, an adapter's name, a module or a namespace "
                        f"dict, not {type(target).__name__}")
    shell = _ipython(target)
    if shell is not None:
        path = _notebook_file(shell)
        return path, (f"judged: the cells this kernel has run, in the order it ran them "
                      f"(saved as {path}, which the reproduce commands load)")
    where = target.get("__file__")
    if where and os.path.exists(where):
        path = target.get("__path__")  # a package: its directory
        return (list(path)[0] if path else where), None
    return None, None


def _ipython(namespace):
    """The IPython shell whose user namespace this is, if any."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is not None and getattr(shell, "user_ns", None) is namespace:
        return shell
    return None


def _notebook_file(shell):
    """The cells the kernel has run, as a notebook file of this kernel's (kept, so that the
    report's reproduce commands work), named as the notebook is when the front end says
    (so that its name can say its step)."""
    from dezero_conformance.adapters.book import notebook
    cells = notebook.history_cells(shell)
    name = os.path.basename(os.environ.get("JPY_SESSION_NAME", "")
                            or shell.user_ns.get("__vsc_ipynb_file__", "") or "notebook.ipynb")
    if not name.endswith(".ipynb"):
        name = "notebook.ipynb"
    where = os.path.join(tempfile.gettempdir(), f"dezero_conformance_kernel_{os.getpid()}")
    os.makedirs(where, exist_ok=True)
    path = os.path.join(where, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                   "cells": [{"cell_type": "code", "source": c, "metadata": {},
                              "outputs": [], "execution_count": None} for c in cells]}, f)
    return path


def _args(step, clause, seed, fuzz, exitfirst, timeout):
    args = []
    for flag, value in (("--step", step), ("--seed", seed), ("--fuzz", fuzz),
                        ("--timeout", timeout)):
        if value is not None:
            args += [flag, str(value)]
    for pattern in [clause] if isinstance(clause, str) else clause or ():
        args += ["-k", pattern]
    return args + ["-x"] * bool(exitfirst)


def _by_command(spec, tmp, step, clause, seed, fuzz, exitfirst, timeout):
    out = os.path.join(tmp, "result.json")
    here = os.getcwd()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [p for p in (_kit_root(), here, os.environ.get("PYTHONPATH")) if p]))
    command = [sys.executable, "-m", "dezero_conformance", spec, "-q", "--json", out,
               *_args(step, clause, seed, fuzz, exitfirst, timeout)]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, cwd=here,
                            start_new_session=True)
    try:
        text = proc.communicate()[0].decode(errors="replace")
    except BaseException:  # interrupted (the kernel's stop button): nothing is left running
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode in (0, 1) and os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            return from_dict(json.load(f))
    lines = [line for line in text.splitlines() if line.strip()]
    problem = next((line.split("error: ", 1)[1] for line in lines
                    if line.startswith("dezero-conformance: error: ")), None)
    problem = problem or (f"the command ended with status {proc.returncode}:\n"
                          + "\n".join(lines[-SHOWN_LINES:]))
    return judge.Result(engine=spec, step=step or 0, description="", problem=problem)


def _kit_root():
    import dezero_conformance
    return os.path.dirname(os.path.dirname(os.path.abspath(dezero_conformance.__file__)))


def from_dict(data):
    """A judge.Result from its JSON (the command's --json)."""
    records = [judge.Record(**r) for r in data["clauses"]]
    return judge.Result(engine=data["engine"], step=data["step"],
                        description=data["description"], notices=data["notices"],
                        records=records, seconds=data["seconds"], seed=data["seed"],
                        stopped=data["stopped"], problem=data.get("problem", ""))


_COUNT = iter(range(1, 1 << 30))


def _in_process(namespace, step, clause, seed, fuzz, exitfirst):
    """Judge a namespace that has no source file (built in memory) in this process."""
    from dezero_conformance.conformance import support
    if isinstance(namespace, types.ModuleType):
        module = namespace
    else:
        module = types.ModuleType(f"conformance_namespace_{next(_COUNT)}")
        module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
        module.__dict__.update({k: v for k, v in namespace.items() if not k.startswith("__")})
    sys.modules[module.__name__] = module
    saved = {var: os.environ.get(var) for var in (*judge.SETTINGS.values(),
                                                  "CONFORMANCE_ISOLATE")}
    try:
        os.environ["CONFORMANCE_ISOLATE"] = "0"
        judge.apply_settings(engine=module.__name__, step=step, seed=seed, fuzz=fuzz)
        support.reset()
        patterns = [clause] if isinstance(clause, str) else list(clause or ())
        try:
            result = judge.run(patterns, exitfirst=exitfirst)
        except judge.Unjudged as exc:
            result = judge.Result(engine=module.__name__, step=step or 0, description="",
                                  problem=str(exc))
        result.notices.insert(0, "judged in this process: these names have no source file "
                                 "to judge in a process of their own, so a hang or crash of "
                                 "the engine would take this one with it")
        return result
    finally:
        support.reset()
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


class Shown:
    """A result as Jupyter shows it (HTML) and as a terminal shows it (text)."""

    def __init__(self, result, verbose=False):
        self.result, self.verbose = result, verbose

    def _repr_html_(self):
        problem = self.result.problem
        if problem:
            import html
            return f"<p><b>could not judge</b> {html.escape(self.result.engine)}: " \
                   f"<pre>{html.escape(problem)}</pre></p>"
        return report.to_html(self.result)

    def __repr__(self):
        problem = self.result.problem
        if problem:
            return f"dezero-conformance: could not judge {self.result.engine}: {problem}"
        return report.summary(self.result, self.verbose).rstrip("\n")


def show(result, verbose=False):
    shown = Shown(result, verbose)
    display = getattr(sys.modules.get("IPython.display"), "display", None)
    if display is not None and _ipython_running():
        display(shown)
    else:
        print(repr(shown))


def _ipython_running():
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None
