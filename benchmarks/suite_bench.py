"""The suite's wall time against the floor of any numpy program, side by side in one run.

    python benchmarks/suite_bench.py [RUNS] [--with PYTHON ...] [--against DIR ...]

Each setting below and `python -c "import numpy"` run RUNS times (default 9), interleaved so
every one sees the same machine, after one round that is not counted (it writes the .pyc
files); the medians, their ranges and each setting's ratio to the floor are printed, with
the CPU time of the run and its processes. The commands run through this interpreter
(sys.executable), and again through each --with command as a user would type it (a pyenv
shim adds its own start-up to every command: the ratio is then between two commands that
both pay it). --against runs another checkout's suite in the same rounds (before and after a
change, side by side).
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks import machine  # noqa: E402

SUITE = ["-m", "unittest", "discover", "conformance"]
NUMPY = ["-c", "import numpy"]
# (label, arguments after the interpreter, environment)
SETTINGS = (
    ('python -c "import numpy"', NUMPY, {}),
    ("the suite: reference, step 36 (the default)", SUITE, {}),
    ("  reference_stage2, step 24", SUITE, {"CONFORMANCE_ENGINE": "reference_stage2"}),
    ("  reference_stage1, step 10", SUITE, {"CONFORMANCE_ENGINE": "reference_stage1"}),
    ("  one clause at a time (CONFORMANCE_JOBS=1)", SUITE, {"CONFORMANCE_JOBS": "1"}),
    ("  in-process (CONFORMANCE_ISOLATE=0)", SUITE, {"CONFORMANCE_ISOLATE": "0"}),
    ("  start-up: no clause selected", SUITE + ["-k", "no_such_clause"], {}),
)


def launchers(extra):
    """(name, interpreter) pairs: the interpreter itself, then each --with command (a
    launcher as the user types it: a pyenv shim, say; pyenv puts the interpreter itself
    first on PATH for this script, so `python` here is not the user's)."""
    return [("sys.executable", sys.executable)] + [(path, path) for path in extra]


def rows(against):
    """(label, arguments, environment, directory): SETTINGS in this checkout, then the
    suite's settings again in each --against checkout."""
    found = [(label, argv, env, ROOT) for label, argv, env in SETTINGS]
    for tree in against:
        found += [(f"[{tree}] {label.strip()}", argv, env, tree)
                  for label, argv, env in SETTINGS[1:]]
    return found


def run(command, env, cwd=ROOT):
    """(wall seconds, CPU seconds of the command's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({env}):\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv):
    parser = argparse.ArgumentParser(prog="python benchmarks/suite_bench.py",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="?", type=int, default=9)
    parser.add_argument("--with", dest="extra", action="append", default=[], metavar="PYTHON",
                        help="another command to run python as (e.g. ~/.pyenv/shims/python)")
    parser.add_argument("--against", action="append", default=[], metavar="DIR",
                        help="another checkout of the kit (a git worktree of an older commit, "
                             "say) whose suite runs in the same rounds")
    args = parser.parse_args(argv)
    args.against = [os.path.abspath(d) for d in args.against]
    # Bytecode is cached, as on any user's machine (numpy's own .pyc were written when it was
    # installed): a run that may not write it compiles the kit's sources every time.
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base["CONFORMANCE_ENGINE"] = "reference"
    for _, python in launchers(args.extra):  # writes the .pyc files; not counted
        for _, argv_, env, cwd in rows(args.against):
            run([python, *argv_], {**base, **env}, cwd)
    walls, cpus = {}, {}
    for _ in range(args.runs):
        for launcher, python in launchers(args.extra):
            for label, argv_, env, cwd in rows(args.against):
                wall, cpu = run([python, *argv_], {**base, **env}, cwd)
                walls.setdefault((launcher, label), []).append(wall)
                cpus.setdefault((launcher, label), []).append(cpu)
    print(f"the suite's wall time, median of {args.runs} interleaved runs; {machine()}; load "
          f"average at the end {os.getloadavg()[0]:.2f}")
    for launcher, python in launchers(args.extra):
        floor = statistics.median(walls[(launcher, SETTINGS[0][0])])
        print(f"\nthrough {launcher} ({python}):")
        print(f"  {'':48} {'median':>7} {'range':>11} {'x numpy':>8} {'CPU':>7}")
        for label, _, _, _ in rows(args.against):
            w = walls[(launcher, label)]
            median = statistics.median(w)
            print(f"  {label:48} {median:6.2f}s {min(w):5.2f}-{max(w):4.2f}s "
                  f"{median / floor:7.1f}x {statistics.median(cpus[(launcher, label)]):6.2f}s")


if __name__ == "__main__":
    main(sys.argv[1:])
