"""Run the suite on CONFORMANCE_ENGINE and judge it against its expected failures
(conformance/expected/<engine>.txt).

`python -m matrix.check` (what each engine's tox environment runs). Prints one line per
clause; exits 0 when every failure is listed as expected and every listed clause fails,
1 otherwise, 2 when the engine or its expectations cannot be loaded. With MATRIX_RESULT set,
writes the run as JSON to that path (for `python -m matrix`), with the random graphs that S44
and S45 ran (their log, CONFORMANCE_FUZZ_LOG, read into the record's "graphs").
"""
import datetime
import json
import os
import platform
import re
import sys
import tempfile

import numpy as np

from dezero_conformance import adapters
from dezero_conformance.conformance import fuzz, runner
from dezero_conformance.conformance.test_capabilities import absences
from matrix import RESULT_VAR, expectations

ENGINE_VAR = "CONFORMANCE_ENGINE"


def order(clause):
    """S1..S16 first, then other groups (letter, then number)."""
    number = int(clause[1:]) if clause[1:].isdigit() else 1 << 30
    return (clause[:1] != "S", clause[:1], number)


def headline(clause, message):
    """The line of a failure message that says what is wrong (it starts with the clause id)."""
    lines = [ln.strip() for ln in (message or "").splitlines() if ln.strip()]
    for ln in lines:
        match = re.search(rf"\b{clause}( \(step \d+\))?:", ln)
        if match:
            return ln[match.start():]
    if "Reproduce:" in lines[1:]:  # an exception: its last line comes before the replay
        return lines[lines.index("Reproduce:") - 1]
    return lines[-1] if lines else ""


FAILURE_CHARS = 300  # a graph's failure, as kept in the record


def read_graphs(path):
    """The random graphs a run of S44 and S45 logged to path (fuzz.search's JSON lines),
    compactly, as the record's "graphs": {"seeds": [seed, ...], "run": {order: "key key ..."}
    (each graph once, in the order run), "failed": {key: {"order", "index", "failure"}}}.
    Keys (fuzz.key) are equal across engines for the same graph, so records can be compared."""
    seeds, run, failed, seen = set(), {}, {}, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            g = json.loads(line)
            seeds.add(g["seed"])
            if g["key"] in seen:
                continue
            seen.add(g["key"])
            run.setdefault(str(g["order"]), []).append(g["key"])
            if g["failure"] is not None:
                failed[g["key"]] = {"order": g["order"], "index": g["index"],
                                    "failure": g["failure"][:FAILURE_CHARS]}
    return {"seeds": sorted(seeds), "run": {o: " ".join(keys) for o, keys in sorted(run.items())},
            "failed": failed}


def run_logged(engine, key):
    """runner.run(engine, spec=key), its workers logging each random graph to a fresh file:
    (outcomes, read_graphs of that log). The environment is restored and the file removed.
    The engine's process (isolation.pool) must start inside: one this process already runs
    keeps the environment it was started with (python -m matrix.check runs once)."""
    fd, log = tempfile.mkstemp(prefix="matrix-graphs-", suffix=".jsonl")
    os.close(fd)
    saved = os.environ.get(fuzz.LOG_VAR)
    os.environ[fuzz.LOG_VAR] = log  # the isolation workers inherit it
    try:
        outcomes = runner.run(engine, spec=key)
        return outcomes, read_graphs(log)
    finally:
        if saved is None:
            os.environ.pop(fuzz.LOG_VAR, None)
        else:
            os.environ[fuzz.LOG_VAR] = saved
        os.remove(log)


def record(key, engine, outcomes, expected, bad, graphs=None):
    return {
        "engine": key,
        "name": engine.NAME,
        "version": engine.version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "absent": dict(engine.ABSENT),
        "absent_probes": absences(engine),
        "clauses": {c: {"status": s, "message": m, "expected": expected.get(c)}
                    for c, (s, m) in sorted(outcomes.items(), key=lambda kv: order(kv[0]))},
        "unexpected": {c: bad[c] for c in sorted(bad, key=order)},
        "graphs": graphs if graphs is not None else {"seeds": [], "run": {}, "failed": {}},
    }


def report(rec, out):
    out.write(f"matrix: {rec['engine']} {rec['version']} (Python {rec['python']}, "
              f"numpy {rec['numpy']})\n")
    from matrix.render import cell  # (render imports this module)
    for clause, c in rec["clauses"].items():
        status = c["status"]
        note = ""
        if status == "skip":
            note = c["message"]
        elif status == "pass" and c["message"]:
            status, note = cell(clause, c), c["message"]
        elif status in ("fail", "error"):
            note = headline(clause, c["message"])
            if c["expected"] is not None:
                status = cell(clause, c)  # its category
                note = f"expected {c['status']} ({c['expected']}): {note}"
        flag = "  UNEXPECTED" if clause in rec["unexpected"] else ""
        out.write(f"  {clause:<4} {status:<6} {note}{flag}\n")
    for clause, why in rec["unexpected"].items():
        out.write(f"\n{clause} is unexpected: {why}\n{rec['clauses'][clause]['message']}\n")
    graphs = rec.get("graphs") or {"run": {}, "failed": {}}
    if graphs["run"]:
        run = {o: len(keys.split()) for o, keys in graphs["run"].items()}
        out.write(f"matrix: {rec['engine']}: random graphs: {sum(run.values())} run ("
                  + ", ".join(f"{n} order {o}" for o, n in run.items())
                  + f"), {len(graphs['failed'])} failed\n")
    counts = {}
    for c in rec["clauses"].values():
        failed = c["status"] in ("fail", "error")
        key = "expected " + c["status"] if failed and c["expected"] is not None else c["status"]
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    verdict = "as expected" if not rec["unexpected"] else \
        f"{len(rec['unexpected'])} unexpected ({', '.join(rec['unexpected'])})"
    out.write(f"matrix: {rec['engine']}: {summary}; {verdict}\n")


def main():
    key = os.environ.get(ENGINE_VAR, "").strip()
    if not key:
        sys.stderr.write(f"matrix.check: {ENGINE_VAR} is not set; set it to an adapter name "
                         f"({', '.join(adapters.known())})\n")
        return 2
    try:
        engine = adapters.load(key)
    except adapters.AdapterError as exc:
        sys.stderr.write(f"matrix.check: {ENGINE_VAR}={key!r}: {exc}\n")
        return 2
    try:
        expected = expectations.load(engine)
    except ValueError as exc:
        sys.stderr.write(f"matrix.check: {exc}\n")
        return 2
    # Each clause in the isolation worker, so a hang or a crash is that clause's outcome.
    # Each random graph S44 and S45 run is logged, for comparing engines (matrix.render).
    outcomes, graphs = run_logged(engine, key)
    rec = record(key, engine, outcomes, expected, expectations.unexpected(outcomes, expected),
                 graphs)
    report(rec, sys.stdout)
    target = os.environ.get(RESULT_VAR)
    if target:
        with open(target, "w", encoding="utf-8") as f:
            json.dump(rec, f, indent=1)
    return 1 if rec["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
