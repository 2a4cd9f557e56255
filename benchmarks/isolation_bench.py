"""The cost of clause isolation: the suite's wall time on the reference, isolated (default)
against in-process (CONFORMANCE_ISOLATE=0), runs interleaved so both see the same machine.

    python benchmarks/isolation_bench.py [runs]
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wall(isolate):
    env = dict(os.environ, CONFORMANCE_ENGINE="reference", CONFORMANCE_ISOLATE=isolate)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "unittest", "discover", "conformance"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"the suite failed (CONFORMANCE_ISOLATE={isolate}):\n{run.stderr[-2000:]}")
    return elapsed


def main(runs):
    times = {"1": [], "0": []}
    for _ in range(runs):
        for isolate in times:
            times[isolate].append(wall(isolate))
    isolated, inprocess = (statistics.median(times[k]) for k in ("1", "0"))
    print(f"suite on the reference, median of {runs} interleaved runs (Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores)")
    print(f"  in-process (CONFORMANCE_ISOLATE=0): {inprocess:.2f} s")
    print(f"  isolated (default):                 {isolated:.2f} s")
    print(f"  overhead: {isolated - inprocess:+.2f} s, ratio {isolated / inprocess:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
