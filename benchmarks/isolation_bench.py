"""The suite's wall time on the reference (all stages, judged at step 24), against the floor
of any numpy program (`python -c "import numpy"`), and the cost of clause isolation:
isolated (default: a fresh child of the engine's process per clause, up to CONFORMANCE_JOBS
at once) against one clause at a time and against in-process (CONFORMANCE_ISOLATE=0). Runs
are interleaved so every setting sees the same machine.

    python benchmarks/isolation_bench.py [runs]
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTINGS = (("in-process (CONFORMANCE_ISOLATE=0)", {"CONFORMANCE_ISOLATE": "0"}),
            ("isolated, one clause at a time (CONFORMANCE_JOBS=1)", {"CONFORMANCE_JOBS": "1"}),
            ("isolated (default)", {}),
            ("isolated, the stage-1 reference at step 10", {"CONFORMANCE_ENGINE": "reference_stage1"}),
            # S9 (100,000 squares) alone: the run's critical path, started first on one core.
            ("S9 alone, reference at step 24", {"ONLY": "test_s9"}),
            ("S9 alone, the stage-1 reference", {"CONFORMANCE_ENGINE": "reference_stage1",
                                                "ONLY": "test_s9"}))


SUITE = [sys.executable, "-m", "unittest", "discover", "conformance"]
NUMPY = [sys.executable, "-c", "import numpy"]


def wall(settings, command=SUITE):
    settings = dict(settings)
    if "ONLY" in settings:
        command = command + ["-k", settings.pop("ONLY")]
    env = dict(os.environ, **{"CONFORMANCE_ENGINE": "reference", **settings})
    start = time.perf_counter()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"the suite failed ({settings}):\n{run.stderr[-2000:]}")
    return elapsed


def main(runs):
    times = {label: [] for label, _ in SETTINGS}
    floor = []
    for _ in range(runs):
        floor.append(wall({}, NUMPY))
        for label, settings in SETTINGS:
            times[label].append(wall(settings))
    print(f"suite on the reference, median of {runs} interleaved runs (Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores)")
    base, numpy_floor = statistics.median(times[SETTINGS[0][0]]), statistics.median(floor)
    label = 'python -c "import numpy":'
    print(f"  {label:54} {numpy_floor:.2f} s "
          f"(range {min(floor):.2f}-{max(floor):.2f})")
    for label, _ in SETTINGS:
        median = statistics.median(times[label])
        print(f"  {label + ':':54} {median:.2f} s ({median / base:.2f}x in-process, "
              f"{median / numpy_floor:.1f}x import numpy; "
              f"range {min(times[label]):.2f}-{max(times[label]):.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
