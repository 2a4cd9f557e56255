"""The random-graph check (conformance/fuzz.py, clauses S44 and S45) side
by side on the reference engine and on torch: graphs per second, first and second order, and
how each graph's time splits between the kit and the engine.

A script, not a test: every figure and ratio it prints is measured in this one run, in one
Python that has both engines. Each graph is what fuzz.search() does for it, without the log
and the shrink (no graph fails): generate(), oracle_agrees(), then check(), which runs the
oracle, the bounds, the engine (fuzz.run) and the comparison. fuzz.run is wrapped with a
timer, so a graph's time splits into

  engine  fuzz.run: the adapter builds the graph from the engine's operations and runs its
          backward (order 1: E.grads or E.grad; order 2: E.gradient, then E.grad of it);
  kit     everything else: generation (with its validity check, which runs the oracle and
          the bounds itself), oracle_agrees (the oracle's own central difference), and in
          check() the oracle, the bounds and the comparison of the engine's values.

The same graphs on both engines: generate() draws over the engine's own operations, and
torch lacks `array_operands` (A+x, x+A, A*x, x*A: an ndarray operand of + and *), so by
default both engines draw over the operations they have in common (generate's `ops`), and
graph i is the same graph on each (counted before timing). --own-ops gives each engine its
own operations, as the clauses do: fuzz's draws do not depend on the engine (a node's
operation is drawn from all of OPS, and only one the engine lacks is replaced), so a graph
that drew none of torch's 4 missing operations is shared (about half of them: the run
counts them), and the others differ, so the ratio then compares partly different work.

Timing: R rounds; in each round every (engine, order) contender checks graphs 0..N-1 (seed
SEED), interleaved graph by graph: for each graph, every contender in turn, the order
rotating, so that load from other programs on a shared machine falls on all of them alike
(it comes and goes within seconds, less than one contender's N graphs take). A figure is the
median over the rounds; a ratio is the median of the per-round ratios. Times are CPU seconds
of this process (time.process_time), which other load moves less than wall time; graphs per
second by wall time are printed too. One warm-up round of WARMUP graphs runs first (torch's
first calls pay for lazy imports and dispatch caches).

The kit's time is a gauge of the noise: on the same graphs it runs the same code whatever the
engine (both adapters hand back ndarrays), so its torch / reference ratio ought to be 1, and
how far it is from 1 says how far to trust the other ratios. One known leak of the engine's
cost into the kit's: the engine's outputs are released at the end of check(), outside
fuzz.run, so "check (kit)" reads a few hundredths of a ms higher on torch (the tensors behind
the ndarrays torch hands back, and the garbage collections its objects trigger; in a side
test, holding the outputs past check() took the difference away).

An engine that does not import is named in one line and the others are measured.

Run (the venv of benchmarks/gradcheck_bench.py: torch 2.13 with numpy 1.23.5):
    cd /work/main && PYTHONPATH=/work/main /work/venvs/bench-dz/bin/python \\
        benchmarks/fuzz_bench.py [--graphs N] [--rounds R] [--own-ops]
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks import machine  # noqa: E402
from dezero_conformance import adapters  # noqa: E402
from dezero_conformance.conformance import fuzz  # noqa: E402

ENGINES = ("reference", "torch")
ORDERS = (1, 2)
SEED = 0
GRAPHS = 300
ROUNDS = 7
WARMUP = 20
PARTS = ("generate", "oracle_agrees", "check (kit)", "engine")


def fuzz_version():
    """The fuzz.py this run imported: a hash of its text, and the git commit it is at (or
    that it differs from): the file is being worked on, and generation's cost moves with it."""
    with open(fuzz.__file__, "rb") as f:
        digest = hashlib.sha1(f.read()).hexdigest()[:12]
    where = "not in git"
    try:
        def git(*args):
            return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True,
                                  timeout=10)
        path = os.path.relpath(fuzz.__file__, ROOT)
        commit = git("log", "-1", "--format=%h", "--", path).stdout.strip()
        clean = git("diff", "--quiet", "HEAD", "--", path).returncode == 0
        if commit:
            where = f"as at commit {commit}" if clean else f"commit {commit} plus uncommitted edits"
    except (OSError, subprocess.SubprocessError):
        pass
    return f"fuzz.py sha1 {digest} ({where})"


def load():
    try:
        return "load average (1, 5, 15 min): " + ", ".join(f"{a:.2f}" for a in os.getloadavg())
    except OSError:
        return "load average: unknown"


class EngineClock:
    """Wraps fuzz.run (check() calls it through the module) and adds up its CPU time."""

    def __init__(self):
        self.original, self.spent = fuzz.run, 0.0

    def __call__(self, adapter, graph, *rest):
        t = time.process_time()
        try:
            return self.original(adapter, graph, *rest)
        finally:
            self.spent += time.process_time() - t


class Tally:
    """One contender's round: CPU seconds by part, wall seconds, graphs that failed (or whose
    oracle disagreed with itself)."""

    def __init__(self):
        self.parts, self.wall, self.bad = dict.fromkeys(PARTS, 0.0), 0.0, 0


def one_graph(E, order, ops, index, clock, tally):
    """Check graph `index` as search() does, adding its times to tally."""
    # generate() keeps each graph (and the oracle's answers on it) for the rest of the
    # process: cleared, so that every contender pays for the whole check, as one run does
    fuzz._generate.cache_clear()
    wall = time.perf_counter()
    t0 = time.process_time()
    graph = fuzz.generate(E, SEED, index, order, ops=ops)
    t1 = time.process_time()
    fault = fuzz.oracle_agrees(graph)
    t2 = time.process_time()
    if fault is not None:
        tally.bad += 1
        return
    before = clock.spent
    failure = fuzz.check(E, graph)
    t3 = time.process_time()
    engine = clock.spent - before
    tally.bad += failure is not None
    tally.parts["generate"] += t1 - t0
    tally.parts["oracle_agrees"] += t2 - t1
    tally.parts["check (kit)"] += t3 - t2 - engine
    tally.parts["engine"] += engine
    tally.wall += time.perf_counter() - wall


def round_of(names, engines, ops, count, clock, rotate):
    """Graphs 0..count-1 on every contender, graph by graph (for each graph, every contender
    in turn, the order rotating), so that load on the machine falls on all of them alike:
    {contender: Tally}."""
    tallies = {name: Tally() for name in names}
    for index in range(count):
        k = (rotate + index) % len(names)
        for spec, order in names[k:] + names[:k]:
            one_graph(engines[spec], order, ops[spec], index, clock, tallies[(spec, order)])
    return tallies


def same_graphs(engines, ops, count):
    """How many of graphs 0..count-1 (each order) are the same on every engine: generate()
    also depends on the engine's operations (ops[spec]) and capabilities (many_inputs,
    vector, seed_grad)."""
    parts = []
    for order in ORDERS:
        same = 0
        for index in range(count):
            graphs = [fuzz.generate(E, SEED, index, order, ops=ops[spec])
                      for spec, E in engines.items()]
            same += len({fuzz._key(g) + str(g.many) for g in graphs}) == 1
        parts.append(f"{same} of {count} (order {order})")
    return ", ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=GRAPHS, help=f"graphs per contender "
                        f"per round (default {GRAPHS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds (default {ROUNDS})")
    parser.add_argument("--own-ops", action="store_true", help="each engine's graphs from its "
                        "own operations (as the clauses do), not the operations in common")
    args = parser.parse_args()
    if args.graphs < 1 or args.rounds < 1:
        parser.error("--graphs and --rounds must be at least 1")
    started = time.perf_counter()
    print(f"machine: {machine()}")
    print(f"at start, {load()}")
    print(fuzz_version())

    engines = {}
    for spec in ENGINES:
        try:
            E = adapters.load(spec)
        except Exception as exc:  # any failure to load means: skip, and say why
            print(f"skipped {spec}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        engines[spec] = E
        extra = ""
        if spec == "torch":
            import torch
            extra = f", {torch.get_num_threads()} threads"
        print(f"engine {spec}: {E.NAME} {E.version()}{extra}")
    if not engines:
        print("no engine to measure")
        return 1
    common = [n for n in fuzz.OPS if all(n in fuzz.operations(E) for E in engines.values())]
    ops = {spec: (fuzz.operations(E) if args.own_ops else tuple(common))
           for spec, E in engines.items()}
    for spec, E in engines.items():
        lacks = [n for n in fuzz.OPS if n not in fuzz.operations(E)]
        print(f"  {spec} lacks operations: {', '.join(lacks) or 'none'}")
    drawn = ("each engine its own operations" if args.own_ops
             else f"the {len(common)} operations in common")
    print(f"graphs drawn from: {drawn}; seed {SEED}, graphs 0..{args.graphs - 1} of each "
          f"order, every round")
    if len(engines) > 1:
        print(f"graphs the same on every engine: {same_graphs(engines, ops, args.graphs)}")

    clock = EngineClock()
    fuzz.run = clock
    try:
        names = [(spec, order) for spec in engines for order in ORDERS]
        round_of(names, engines, ops, min(WARMUP, args.graphs), clock, 0)  # warm-up
        results = {name: [] for name in names}
        for r in range(args.rounds):
            for name, tally in round_of(names, engines, ops, args.graphs, clock, r).items():
                results[name].append((tally.parts, tally.wall, tally.bad))
    finally:
        fuzz.run = clock.original

    n = args.graphs
    print(f"\n{args.rounds} rounds x {n} graphs per engine and order, interleaved graph by "
          f"graph; medians over the rounds; ms are CPU ms per graph, graphs/s by CPU time (and "
          f"by wall time)\n")
    print("| engine | order | graphs/s | graphs/s (wall) | ms/graph | kit ms | engine ms | "
          "kit share | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = {}
    for (spec, order), runs in results.items():
        total = [sum(p.values()) for p, _, _ in runs]
        kit = [sum(v for k, v in p.items() if k != "engine") for p, _, _ in runs]
        eng = [p["engine"] for p, _, _ in runs]
        share = [k / t for k, t in zip(kit, total)]
        rows[(spec, order)] = dict(total=total, kit=kit, eng=eng)
        failed = max(b for _, _, b in runs)
        print(f"| {spec} | {order} | {n / statistics.median(total):.0f} | "
              f"{n / statistics.median(w for _, w, _ in runs):.0f} | "
              f"{1e3 * statistics.median(total) / n:.3f} | "
              f"{1e3 * statistics.median(kit) / n:.3f} | {1e3 * statistics.median(eng) / n:.3f} | "
              f"{100 * statistics.median(share):.0f}% | {failed} |")

    print("\nthe kit's time per graph, by part (CPU ms, median over the rounds):")
    print("| engine | order | " + " | ".join(PARTS[:-1]) + " |")
    print("|---|---:|" + "---:|" * (len(PARTS) - 1))
    for (spec, order), runs in results.items():
        print(f"| {spec} | {order} | " + " | ".join(
            f"{1e3 * statistics.median(p[part] for p, _, _ in runs) / n:.3f}"
            for part in PARTS[:-1]) + " |")

    if "reference" in engines and "torch" in engines:
        print("\ntorch / reference, median of the per-round ratios (above 1: torch takes longer):")
        for order in ORDERS:
            a, b = rows[("torch", order)], rows[("reference", order)]
            whole = statistics.median(t / r for t, r in zip(a["total"], b["total"]))
            engine = statistics.median(t / r for t, r in zip(a["eng"], b["eng"]))
            kit = statistics.median(t / r for t, r in zip(a["kit"], b["kit"]))
            print(f"  order {order}: time per graph {whole:.3g} (graphs/s torch / reference "
                  f"{1 / whole:.3g}); engine time alone {engine:.3g}; kit time {kit:.3g} "
                  f"(the same code on the same graphs: 1 but for noise)")
    print(f"\nat end, {load()}; whole run {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
