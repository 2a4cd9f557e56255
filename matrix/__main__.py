"""python -m matrix [ENGINE ...] [--timeout SECONDS]: the cross-engine conformance matrix.

Runs `tox -e ENGINE` for each engine (default: every adapter with a tox environment of the
same name), collects the JSON record each environment's `python -m matrix.check` writes, and
merges them into matrix/results.json and matrix/results.md (with the random graphs on which
engines disagree: matrix.render.graph_disagreements). An engine whose environment
cannot be built, or that writes no record, is kept in the results as not run, with why.
Exits 1 if any engine run had unexpected outcomes, else 0.
"""
import argparse
import configparser
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

from dezero_conformance import adapters
from matrix import HERE, RESULT_VAR, ROOT, render

RESULTS_JSON = os.path.join(HERE, "results.json")
RESULTS_MD = os.path.join(HERE, "results.md")
LOG_DIR = os.path.join(ROOT, ".tox", "matrix-logs")


def tox_envs():
    """Names of the [testenv:NAME] sections of tox.ini."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(os.path.join(ROOT, "tox.ini"), encoding="utf-8")
    return {s.split(":", 1)[1].strip() for s in parser.sections() if s.startswith("testenv:")}


def engines_available():
    envs = tox_envs()
    return [name for name in adapters.known() if name in envs]


def last_reason(log):
    """The most telling line of a failed tox log: its last error line, else its last line."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    for marks in (("matrix.check:", "ERROR:", "error:"), ("could not", "skipped", "failed")):
        for ln in reversed(lines):
            if any(m in ln for m in marks):
                return ln[:300]
    return lines[-1][:300] if lines else "tox printed nothing"


def wait(proc, timeout, every_second):
    """proc's exit status, calling every_second(seconds so far) while it runs; None (and
    proc killed) past timeout."""
    started = time.monotonic()
    while True:
        try:
            return proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            seconds = time.monotonic() - started
            if seconds > timeout:
                proc.kill()
                proc.wait()
                return None
            every_second(seconds)


def status(line):
    """A status line on a terminal's stderr (rewritten in place); nothing elsewhere."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{line}")
        sys.stderr.flush()


def run_engine(engine, timeout, tick=""):
    """Run the engine's tox env; return (record, None) or (None, why it was not run). tick
    starts the status line shown while it runs ("[3/12, 1 unexpected] ")."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, f"{engine}.log")
    fd, result_path = tempfile.mkstemp(prefix=f"matrix-{engine}-", suffix=".json")
    os.close(fd)
    os.remove(result_path)  # present afterwards only if the env wrote it
    env = dict(os.environ, **{RESULT_VAR: result_path})
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tox", "-e", engine], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        code = wait(proc, timeout, lambda seconds: status(f"{tick}{engine}: {seconds:.0f} s "
                                                          f"(log: {log_path})"))
        status("")
    if code is None:
        return None, f"tox -e {engine} did not finish in {timeout} s (log: {log_path})"
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as f:
            rec = json.load(f)
        os.remove(result_path)
        return rec, None
    with open(log_path, encoding="utf-8") as f:
        reason = last_reason(f.read())
    return None, f"tox -e {engine} exited {code} with no result: {reason} (log: {log_path})"


def load_results():
    if not os.path.exists(RESULTS_JSON):
        return {"engines": {}}
    with open(RESULTS_JSON, encoding="utf-8") as f:
        return json.load(f)


# Where the latest run's tables go, each between its two markers: the whole matrix in the
# engines page, the summary in the README.
TABLES = ((os.path.join(ROOT, "docs", "engines.md"), "matrix", render.table),
          (os.path.join(ROOT, "README.md"), "matrix-summary", render.summary))


def save_results(results):
    with open(RESULTS_JSON, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(RESULTS_MD, "w", encoding="utf-8") as f:
        f.write(render.markdown(results))
    for path, name, rows in TABLES:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            block = "\n".join([begin, render.stamp(results), "", *rows(results), end])
            with open(path, "w", encoding="utf-8") as f:
                f.write(head + block + rest.split(end, 1)[1])


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m matrix", description=__doc__.split("\n\n")[1])
    p.add_argument("engines", nargs="*", metavar="ENGINE",
                   help="engines to run (default: every adapter with a tox env of its name)")
    p.add_argument("--timeout", type=int, default=3600,
                   help="seconds allowed for one engine's tox run, set-up included")
    args = p.parse_args(argv)
    available = engines_available()
    unknown = [e for e in args.engines if e not in available]
    if unknown:
        p.error(f"no adapter with a tox env for {', '.join(unknown)}; "
                f"choose from {', '.join(available)}")
    return args.engines or available, args.timeout


def main(argv=None):
    engines, timeout = parse(argv)
    if importlib.util.find_spec("tox") is None:
        sys.stderr.write("matrix: tox is not installed; install it with "
                         "`python -m pip install tox`\n")
        return 2
    results = load_results()
    unexpected, unexpected_count = False, 0
    started = time.monotonic()
    for done, engine in enumerate(engines):
        print(f"matrix: {engine} ...", flush=True)
        spent = time.monotonic() - started
        left = f", about {spent / done * (len(engines) - done) / 60:.0f} min left" if done else ""
        rec, why = run_engine(engine, timeout, f"matrix: [{done + 1}/{len(engines)}, "
                                               f"{unexpected_count} unexpected{left}] ")
        if rec is None:
            results["engines"][engine] = {"engine": engine, "not_run": why}
            print(f"matrix: {engine}: not run: {why}", flush=True)
            continue
        results["engines"][engine] = rec
        unexpected |= bool(rec["unexpected"])
        unexpected_count += bool(rec["unexpected"])
        print(f"matrix: {engine} {rec['version']}: {render.verdict(rec)}", flush=True)
    save_results(results)
    disagree, all_failed, counts = render.graph_disagreements(results)
    if counts:
        print(f"matrix: random graphs: engines disagree on {len(disagree)}; "
              f"{len(all_failed)} failed by every engine that ran them")
    print(f"matrix: wrote {os.path.relpath(RESULTS_JSON)} and {os.path.relpath(RESULTS_MD)}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
