"""dezero-conformance: judge an engine against the DeZero contract, step by step.

The same program as `python -m dezero_conformance`. Exit status 0: every clause judged
passed (or failed as its engine's expected-failure file says); 1: a clause failed; 2: the
engine could not be judged (a bad option, a file that does not load).
"""
import argparse
import os
import sys

import dezero_conformance

EXAMPLES = """\
examples:
  dezero-conformance step10.py              judge your step file at the step its name says
  dezero-conformance step23.py --step 22    judge it at another book step
  dezero-conformance dezero/                your package (the book's layout from step 23)
  dezero-conformance step10.ipynb           a notebook: its code cells, definitions only
  dezero-conformance torch                  an engine through the kit's adapter
  dezero-conformance step10.py -k S3 -v     one clause, its failure in full
  dezero-conformance step36.py --fuzz 100000 --seed 7     a long random-graph search
  dezero-conformance step10.py --json out.json --junitxml out.xml

Each option is also an environment variable (CONFORMANCE_ENGINE, CONFORMANCE_STEP,
CONFORMANCE_SEED, CONFORMANCE_FUZZ, CONFORMANCE_TIMEOUT, CONFORMANCE_JOBS); an option wins.
The clauses, and how to read a failure: docs/clauses.md, docs/reading-failures.md.
"""


def parser():
    p = argparse.ArgumentParser(
        prog="dezero-conformance", description="Judge an automatic-differentiation engine "
        "against the contract of DeZero (Deep Learning from Scratch 3), clause by clause.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("engine", nargs="?", metavar="ENGINE",
                   help="a file (.py or .ipynb) or package directory written to the book's "
                        "API, or an adapter's name (reference, dezero, torch, ...); default: "
                        "CONFORMANCE_ENGINE, else the kit's reference engine")
    p.add_argument("--step", type=_step, metavar="N",
                   help="the book step to judge at (default: from the file's name, else the "
                        "highest step whose names the engine defines)")
    p.add_argument("-k", "--clause", action="append", default=[], metavar="PATTERN",
                   help="run only these clauses: an id (S12) or a part of a clause's text; "
                        "repeat it or separate with commas")
    p.add_argument("-x", "--exitfirst", action="store_true",
                   help="stop at the first failing clause (they run simplest first)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="a line per clause as it ends, and every failure in full")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="only the verdict's last line (and the failures' first lines)")
    p.add_argument("--seed", type=int, metavar="N", help="the seed of the random inputs")
    p.add_argument("--fuzz", type=_positive, metavar="N", help="random graphs to run")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="a clause that runs longer fails as TIMEOUT (default 300)")
    p.add_argument("--jobs", type=_positive, metavar="N", help="clauses run at once")
    p.add_argument("--list", action="store_true",
                   help="list the clauses the engine would be judged by, and run none")
    p.add_argument("--json", metavar="FILE", help="write every clause's record as JSON")
    p.add_argument("--junitxml", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--version", action="version",
                   version=f"dezero-conformance {dezero_conformance.__version__}")
    return p


def _step(text):
    from dezero_conformance.adapters.book import LAST_STEP
    if not text.isdigit() or not 1 <= int(text) <= LAST_STEP:
        raise argparse.ArgumentTypeError(f"{text!r} is not a book step the kit judges "
                                         f"(1 to {LAST_STEP})")
    return int(text)


def _positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def refuse(message):
    sys.stderr.write(f"dezero-conformance: error: {message}\n")
    return 2


def main(argv=None):
    args = parser().parse_args(argv)
    for what, path in (("--json", args.json), ("--junitxml", args.junitxml)):
        where = os.path.dirname(os.path.abspath(path)) if path else None
        if where and not os.path.isdir(where):
            return refuse(f"{what} {path}: the directory {where} does not exist; create it "
                          f"or give another path")
    from dezero_conformance import judge
    from dezero_conformance.conformance import isolation
    isolation.own_command()
    judge.apply_settings(engine=args.engine, step=args.step, seed=args.seed, fuzz=args.fuzz,
                         timeout=args.timeout, jobs=args.jobs)
    patterns = [p for k in args.clause for p in k.split(",") if p.strip()]
    try:
        if args.list:
            return list_clauses(judge, patterns)
        return judge_and_report(judge, args, patterns)
    except judge.Unjudged as exc:
        return refuse(_as_argument(str(exc), os.environ.get("CONFORMANCE_ENGINE", "")))
    except KeyboardInterrupt:
        sys.stderr.write("\ndezero-conformance: interrupted; nothing written\n")
        return 130


def _as_argument(problem, spec):
    """The suite's message about CONFORMANCE_ENGINE, said of the ENGINE argument instead."""
    prefix = f"CONFORMANCE_ENGINE={spec!r}: "
    if problem.startswith(prefix):
        problem = f"{spec}: {problem[len(prefix):]}"
    return problem.replace("set CONFORMANCE_ENGINE to", "give")


def list_clauses(judge, patterns):
    from dezero_conformance.conformance import support
    engine, tests = judge.clauses(patterns)
    print(f"{support.describe(engine)}\n")
    for test in tests:
        print(f"  {(test._testMethodDoc or '').strip()}")
    print(f"\n{len(tests)} clauses")
    return 0


def judge_and_report(judge, args, patterns):
    from dezero_conformance import report
    line = _Status() if not args.verbose and not args.quiet else None

    def started(engine, tests):
        if not args.quiet:
            print(f"judging {args.engine or os.environ.get('CONFORMANCE_ENGINE') or 'reference'}"
                  f": {len(tests)} clauses", flush=True)
        if line is not None:
            line.total = len(tests)

    def ended(record):
        if args.verbose:
            print(report.cut(f"  {record.id:<4} step {record.step:<3} {record.outcome:<8} "
                             f"{record.seconds:6.2f} s  {record.title}"), flush=True)
        elif line is not None:
            line.ended(record)

    result = judge.run(patterns, exitfirst=args.exitfirst, on_record=ended, on_start=started)
    if line is not None:
        line.clear()
    if args.quiet:
        for r in result.failures:
            print(report.cut(f"{r.id} (step {r.step}): {r.first_line()}"))
        print(report.counts_line(result))
    else:
        print()
        sys.stdout.write(report.summary(result, verbose=args.verbose))
    if args.json:
        report.to_json(result, args.json)
    if args.junitxml:
        report.to_junit(result, args.junitxml)
    return 0 if result.ok else 1


class _Status:
    """'running: 7/18 clauses, 1 failed' on a terminal's stderr while clauses run."""

    def __init__(self):
        self.total, self.done, self.failed = 0, 0, 0
        self.tty = sys.stderr.isatty()

    def ended(self, record):
        self.done += 1
        self.failed += record.failed
        if self.tty:
            sys.stderr.write(f"\r\033[Kjudged {self.done}/{self.total} clauses, "
                             f"{self.failed} failed")
            sys.stderr.flush()

    def clear(self):
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
