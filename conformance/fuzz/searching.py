"""A search: graphs start .. start+count-1 of a seed run against the engine, the first of
each way they fail shrunk (the clauses' entry point), and the clauses' budget of graphs."""
import json
import os
import time
from dataclasses import dataclass, field

from dezero_conformance.conformance.fuzz.engine import check
from dezero_conformance.conformance.fuzz.generator import generate
from dezero_conformance.conformance.fuzz.interpreter import oracle_agrees
from dezero_conformance.conformance.fuzz.reproduce import key
from dezero_conformance.conformance.fuzz.shrinker import (
    SHRINK_RUNS,
    SHRINK_SECONDS,
    SHRUNK_KINDS,
    shrink,
)

FUZZ_VAR = "CONFORMANCE_FUZZ"
LOG_VAR = "CONFORMANCE_FUZZ_LOG"  # a file the clauses append each graph's outcome to


@dataclass
class Search:
    """The outcome of search(): the graphs run, the indices of those that failed, and for
    each way they failed (Failure.kind, in the order met) how many, the first such graph and
    that graph shrunk; first and shrunk are those of the first way met."""
    count: int
    seed: int
    order: int
    failed: list = field(default_factory=list)
    kinds: dict = field(default_factory=dict)  # kind: {"count", "first", "shrunk"}
    oracle_faults: list = field(default_factory=list)

    @property
    def first(self):  # (graph, Failure) as generated
        return next(iter(self.kinds.values()))["first"] if self.kinds else None

    @property
    def shrunk(self):  # (graph, Failure, runs)
        return next(iter(self.kinds.values()))["shrunk"] if self.kinds else None

    @property
    def ok(self):
        return not self.failed and not self.oracle_faults


def budget(default):
    """CONFORMANCE_FUZZ, the number of graphs to run, else default."""
    raw = os.environ.get(FUZZ_VAR, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{FUZZ_VAR}={raw!r} is not a positive number of graphs; set it to "
                         f"e.g. 10000 for a long search, or unset it")
    return value


def search(adapter, count, seed, order=1, shrink_budget=SHRINK_RUNS, start=0, log=None,
           progress=None):
    """Run graphs start .. start+count-1 of seed; shrink the first of each way they fail
    (up to SHRUNK_KINDS ways). With log (a
    path; the clauses take CONFORMANCE_FUZZ_LOG), append a JSON line per graph: its key,
    index, order, and what failed (None if it passed). progress(done, count, failed) is
    called after each graph, if given."""
    result = Search(count, seed, order)
    lines = []
    for index in range(start, start + count):
        graph = generate(adapter, seed, index, order)
        failure = check(adapter, graph)
        # The oracle is cross-checked where it would judge the engine wrong: a disagreement
        # there is the kit's fault, never reported as the engine's.
        fault = None if failure is None else oracle_agrees(graph)
        if fault is not None:
            result.oracle_faults.append((index, fault))
            continue
        if log:
            lines.append(json.dumps({"key": key(graph), "index": index, "order": order,
                                     "seed": seed, "failure": failure and failure.what}))
        if failure is not None:
            result.failed.append(index)
            way = result.kinds.setdefault(failure.kind, {"count": 0, "first": (graph, failure),
                                                         "shrunk": None})
            way["count"] += 1
        if progress is not None:
            progress(index - start + 1, count, len(result.failed))
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    deadline = time.monotonic() + SHRINK_SECONDS
    for way in list(result.kinds.values())[:SHRUNK_KINDS]:
        way["shrunk"] = shrink(adapter, *way["first"], shrink_budget, deadline)
    return result

