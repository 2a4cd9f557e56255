"""Run every benchmark of the reference engine and print the ratios, measured side by side.

    python -m benchmarks [--with PYTHON]... [--rounds R] [--quick]

Each contender (benchmarks/contenders.py says what per-op work each does) runs in its own
subprocess, one after another in rotating order, R rounds; a figure is the median over the
rounds. Times are CPU seconds of the contender's process (time.process_time), so the load of
other programs on the machine moves them less than wall time would. `--with PYTHON` adds an
interpreter whose environment holds other engines (dezero 0.0.13 needs numpy < 1.24, so it
lives in its own virtualenv); every interpreter times its own numpy floor, and each
contender's ratio is to the floor of the interpreter it ran in.

Sections: per-op cost on chains of 10^3, 10^5 and 10^6 squares; memory per graph node; the
wall time of the kit's own test suites against the start-up of `python -c "import numpy"`.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LENGTHS = (1_000, 100_000, 1_000_000)
QUICK_LENGTHS = (1_000, 10_000)
OPS_PER_RUN = 200_000  # a chain shorter than this is repeated inside its subprocess
MEMORY_OPS = 100_000
LOCAL_ONLY = ("floor-scalar", "reference", "book")  # run in the first interpreter only


def call(python, *args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    done = subprocess.run([python, "-m", "benchmarks.contenders", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        return {"error": lines[-1][:100]}
    return json.loads(done.stdout)


def numpy_of(python):
    return subprocess.run([python, "-c", "import numpy; print(numpy.__version__)"],
                          capture_output=True, text=True).stdout.strip()


def discover(pythons):
    """[(label, python, contender, version)]: every contender once, where first found, and
    the floor of every interpreter that runs one."""
    plan, missing = [], {}
    print("contenders:")
    for i, python in enumerate(pythons):
        found = call(python, "probe")
        if "error" in found:
            print(f"  {python}: cannot run the contenders there: {found['error']}")
            continue
        where = "" if i == 0 else f" [{os.path.basename(os.path.dirname(os.path.dirname(python)))}]"
        ran = {name for _, _, name, _ in plan}
        for name, info in found.items():
            if (name in ran and name != "floor") or (i and name in LOCAL_ONLY):
                continue
            if "missing" in info:
                missing.setdefault(name, info["missing"])
                continue
            label = name + where if name == "floor" else name
            plan.append((label, python, name, info["version"]))
            print(f"  {label:<20} {info['version']:<30} {python}")
    ran = {name for _, _, name, _ in plan}
    for name, why in missing.items():
        if name not in ran:
            print(f"  {name:<20} skipped: no interpreter given can import it ({why}); "
                  f"add one with --with PYTHON")
    return plan


def rotate(items, k):
    k %= len(items)
    return items[k:] + items[:k]


def chain_section(plan, lengths, rounds, collector):
    if collector == "nogc":
        print("\nTHE CYCLIC GARBAGE COLLECTOR IS OFF during forward + backward (--no-gc)")
    print("\nper-op cost: forward + backward of a chain of n squares of a 0-d float64, "
          "CPU us per op,\nmedian of", rounds, "rounds; ratio to the numpy floor of the same "
          "interpreter; 'free' is the time to\nrelease the graph (drop the last reference, "
          "then gc.collect(), less a\ncollection with no graph), per op")
    results = {}
    for n in lengths:
        reps = max(1, OPS_PER_RUN // n)
        runs = {label: [] for label, *_ in plan}
        for r in range(rounds):
            for label, python, name, _ in rotate(plan, r):
                runs[label].append(call(python, "time", name, n, reps, collector))
        results[n] = summarize(plan, runs)
        print_chain(n, reps, plan, results[n])
    return results


def summarize(plan, runs):
    out = {}
    for label, *_ in plan:
        errors = [r["error"] for r in runs[label] if "error" in r]
        if errors:
            out[label] = {"error": errors[0]}
            continue
        out[label] = {key: statistics.median(statistics.median(r[key]) for r in runs[label])
                      for key in ("per_op", "free")}
    return out


def floor_of(plan, result, python):
    for label, where, name, _ in plan:
        if name == "floor" and where == python and "per_op" in result.get(label, {}):
            return result[label]["per_op"]
    return None


def print_chain(n, reps, plan, result):
    print(f"\n  n = {n:,} ({reps} run{'s' if reps > 1 else ''} per round)")
    print(f"  {'contender':<22} {'us/op':>8} {'x floor':>8} {'x reference':>12} {'free us/op':>11}")
    ref = result.get("reference", {}).get("per_op")
    for label, python, _name, _ in plan:
        got = result[label]
        if "error" in got:
            print(f"  {label:<22} failed: {got['error']}")
            continue
        floor = floor_of(plan, result, python)
        ratio = f"{got['per_op'] / floor:8.2f}" if floor else f"{'-':>8}"
        vs_ref = f"{got['per_op'] / ref:12.2f}" if ref else f"{'-':>12}"
        print(f"  {label:<22} {got['per_op'] * 1e6:8.3f} {ratio} {vs_ref} "
              f"{got['free'] * 1e6:11.3f}")


def memory_section(plan):
    print(f"\nmemory per graph node (tracemalloc, chain of {MEMORY_OPS:,} squares, cyclic "
          "collector disabled):\npeak during forward + backward, and what is still allocated "
          "once the last reference is\ndropped, before and after gc.collect(); bytes per node")
    print(f"  {'contender':<22} {'peak':>8} {'left':>8} {'after gc':>9}")
    for label, python, name, _ in plan:
        if name == "torch":
            print(f"  {label:<22} skipped: torch's C++ allocator is invisible to tracemalloc")
            continue
        got = call(python, "memory", name, MEMORY_OPS)
        if "error" in got:
            print(f"  {label:<22} failed: {got['error']}")
            continue
        print(f"  {label:<22} {got['peak']:8.1f} {got['left_without_gc']:8.1f} "
              f"{got['left_after_gc']:9.1f}")


def wall(cmd, failed):
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        failed.add(f"{' '.join(cmd[1:])}: exit {done.returncode}: "
                   f"{(done.stderr.strip().splitlines() or [''])[-1][:100]}")
    return elapsed


def suite_section(rounds):
    py = sys.executable
    cmds = {"python -c 'import numpy'": [py, "-c", "import numpy"],
            "unittest discover conformance": [py, "-m", "unittest", "discover", "conformance"],
            "unittest discover tests": [py, "-m", "unittest", "discover", "tests"]}
    times, failed = {label: [] for label in cmds}, set()
    for r in range(rounds):
        for label, cmd in rotate(list(cmds.items()), r):
            times[label].append(wall(cmd, failed))
    base = statistics.median(times["python -c 'import numpy'"])
    print(f"\nwhole-suite wall time (median of {rounds} rounds, {py}) against the start-up "
          "of python -c 'import numpy'")
    for label, ts in times.items():
        print(f"  {label:<32} {statistics.median(ts):7.2f} s  x{statistics.median(ts) / base:7.1f}")
    for line in sorted(failed):
        print(f"  (the timing above includes a failing run: {line})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with", dest="pythons", action="append", default=[],
                        metavar="PYTHON", help="another interpreter to look for engines in")
    parser.add_argument("--module", dest="modules", action="append", default=[],
                        metavar="PATH.py", help="also run a book-API module given by path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-gc", action="store_true", help="time the chains with the "
                        "cyclic garbage collector off, to show its share of the cost")
    parser.add_argument("--quick", action="store_true",
                        help=f"chains of {QUICK_LENGTHS} only, one round, no suite timing")
    parser.add_argument("--only", choices=("chain", "memory", "suite"), action="append")
    parser.add_argument("--engines", metavar="NAME,...",
                        help="contenders to run (default: all found); the floors always run")
    parser.add_argument("--lengths", metavar="N,...",
                        help=f"chain lengths (default: {','.join(map(str, LENGTHS))})")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    sections = args.only or ("chain", "memory", "suite")
    rounds = 1 if args.quick else args.rounds
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
    plan = discover([sys.executable, *args.pythons])
    if args.engines:
        keep = set(args.engines.split(",")) | {"floor"}
        plan = [row for row in plan if row[2] in keep]
    for path in args.modules:
        plan.insert(3, (os.path.basename(path), sys.executable, os.path.abspath(path), path))
    lengths = QUICK_LENGTHS if args.quick else LENGTHS
    if args.lengths:
        lengths = tuple(int(n) for n in args.lengths.split(","))
    if "chain" in sections:
        chain_section(plan, lengths, rounds, "nogc" if args.no_gc else "gc")
    if "memory" in sections:
        memory_section(plan)
    if "suite" in sections and not args.quick:
        suite_section(rounds)


if __name__ == "__main__":
    main()
