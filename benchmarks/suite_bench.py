"""The suite's wall time against the floor of any numpy program, side by side in one run.

    python benchmarks/suite_bench.py [RUNS]

Each setting below and `python -c "import numpy"` run RUNS times (default 9), interleaved so
every one sees the same machine; the medians, their ranges and each setting's ratio to the
floor are printed, with the CPU time of the run and its processes. Both commands are run
twice: through the interpreter itself (sys.executable) and through `python` as found on PATH,
as a user types them (a pyenv shim, where there is one, adds its own start-up to each
command; the ratio is then between two commands that both pay it).
"""
import os
import resource
import shutil
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


def launchers():
    """(name, interpreter) pairs: the interpreter itself, and `python` on PATH if it is
    another file (a shim)."""
    found = [("sys.executable", sys.executable)]
    on_path = shutil.which("python")
    if on_path and os.path.realpath(on_path) != os.path.realpath(sys.executable):
        found.append(("python on PATH", on_path))
    return found


def run(command, env):
    """(wall seconds, CPU seconds of the command's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "CONFORMANCE_ENGINE": "reference", **env})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({env}):\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(runs):
    walls, cpus = {}, {}
    for _ in range(runs):
        for launcher, python in launchers():
            for label, args, env in SETTINGS:
                wall, cpu = run([python, *args], env)
                walls.setdefault((launcher, label), []).append(wall)
                cpus.setdefault((launcher, label), []).append(cpu)
    print(f"the suite's wall time, median of {runs} interleaved runs; {machine()}; load "
          f"average at the end {os.getloadavg()[0]:.2f}")
    for launcher, python in launchers():
        floor = statistics.median(walls[(launcher, SETTINGS[0][0])])
        print(f"\nthrough {launcher} ({python}):")
        print(f"  {'':48} {'median':>7} {'range':>11} {'x numpy':>8} {'CPU':>7}")
        for label, _, _ in SETTINGS:
            w = walls[(launcher, label)]
            median = statistics.median(w)
            print(f"  {label:48} {median:6.2f}s {min(w):5.2f}-{max(w):4.2f}s "
                  f"{median / floor:7.1f}x {statistics.median(cpus[(launcher, label)]):6.2f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
