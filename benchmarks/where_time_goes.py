"""Where the time of a run goes: the suite clause by clause, and the kit's own tests.

    python benchmarks/where_time_goes.py clauses [ENGINE ...]
    python benchmarks/where_time_goes.py tests [--tier fast|full] [PYTEST ARGS ...]

`clauses` runs every clause of each engine (default: the three references) in this process,
one at a time, and prints the CPU seconds of each, slowest first (in a run each clause costs
this plus its fork; the run's start-up is suite_bench.py's "no clause selected").

`tests` runs the kit's tests serially under pytest (so each test's time is its own, not
shared with a parallel neighbour) and prints the time of each test module and the 20
slowest tests. The tier is DEZERO_KIT_TESTS (tests/__init__.py); the default, full.
"""
import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def clauses(specs):
    os.environ["CONFORMANCE_ISOLATE"] = "0"
    from benchmarks import machine
    from dezero_conformance import adapters
    from dezero_conformance.conformance import runner
    from dezero_conformance.conformance.support import applicable
    print(f"CPU seconds per clause, in-process, one at a time; {machine()}")
    loader = unittest.TestLoader()
    for spec in specs:
        engine = adapters.load(spec)
        rows = []
        for group in runner.clause_groups():
            bound = type(group.__name__, (group, unittest.TestCase), {"engine": engine})
            for test in loader.loadTestsFromTestCase(bound):
                if applicable(test, engine):
                    result, start = unittest.TestResult(), time.process_time()
                    test.run(result)
                    status = "" if result.wasSuccessful() else "  (failed)"
                    rows.append((time.process_time() - start, runner.clause_of(test), status))
        rows.sort(reverse=True)
        total = sum(r[0] for r in rows)
        print(f"\n{spec} at step {engine.STEP}: {len(rows)} clauses, {total:.2f} s in all")
        for seconds, clause, status in rows:
            print(f"  {clause:>4} {seconds:6.3f} s {100 * seconds / total:5.1f}%{status}")


def tests(tier, extra):
    with tempfile.TemporaryDirectory() as tmp:
        junit = os.path.join(tmp, "junit.xml")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               f"--junitxml={junit}", "tests", *extra], cwd=ROOT,
                              env=dict(os.environ, DEZERO_KIT_TESTS=tier),
                              capture_output=True, text=True, errors="replace")
        wall = time.perf_counter() - start
        if not os.path.exists(junit):
            sys.exit(f"pytest wrote no report:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        cases = ET.parse(junit).getroot().iter("testcase")
        rows = [(float(c.get("time", 0)), c.get("classname", ""), c.get("name", ""))
                for c in cases]
    modules = collections.Counter()
    for seconds, classname, _ in rows:
        modules[classname.rsplit(".", 1)[0]] += seconds
    last = (done.stdout.strip().splitlines() or ["?"])[-1]
    print(f"the kit's tests, {tier} tier, serially: {wall:.1f} s wall ({last})")
    print("\nper module:")
    for module, seconds in modules.most_common():
        print(f"  {module:28} {seconds:7.1f} s")
    print("\nthe 20 slowest tests:")
    for seconds, classname, name in sorted(rows, reverse=True)[:20]:
        print(f"  {seconds:7.2f} s  {classname.rsplit('.', 1)[-1]}.{name}")
    return done.returncode


def main(argv):
    parser = argparse.ArgumentParser(prog="python benchmarks/where_time_goes.py",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("clauses", help="CPU seconds of each clause")
    c.add_argument("engines", nargs="*",
                   default=["reference", "reference_stage2", "reference_stage1"])
    t = sub.add_parser("tests", help="the kit's tests per module and the slowest 20")
    t.add_argument("--tier", choices=("fast", "full"), default="full")
    args, extra = parser.parse_known_args(argv)
    if args.what == "clauses":
        return clauses(args.engines)
    return tests(args.tier, extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
