"""python -m tests.mutation TARGET...: mutation testing of the kit, with mutmut.

Targets
    reference  reference/ against the conformance suite (stage 4, 3, 2, then
               1): the suite must notice every change to a correct engine
    stage3     reference/stage3.py alone, against the suite on reference_stage3
    stage4     reference/stage4.py alone, against the suite on it
    gradcheck  conformance/gradcheck.py against tests/test_gradcheck.py:
               the checker's own tests must notice every change to the checker
    fuzz       conformance/fuzz/ against tests/test_fuzz.py: the random
               graphs' own tests must notice every change to the generator, the oracle (its
               interpreter, Dual and Bound numbers), the check, shrinking and code()
    report     dezero_conformance/report.py against the report's tests (from records)
    judge      dezero_conformance/judge.py against those and the command's tests
    deep_chain conformance/stage1/test_deep_chain.py (S9) against the
               meta-tests that judge it: the references pass it (in float32 too), and
               each mutant that breaks it fails it

--since COMMIT mutates only the lines changed since COMMIT (`git diff COMMIT`): mutation
testing of what a change touched, in minutes where a whole file takes hours.

mutmut changes files in place, so it runs on a copy of the checkout in a temporary
directory; the checkout is never touched. A surviving mutant either is a missing test or is
listed, with why it changes nothing the kit must notice, in tests/mutation_equivalent.txt.
The score is killed / (mutants - listed equivalents), and a target below MIN_SCORE fails.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EQUIVALENT = os.path.join(ROOT, "tests", "mutation_equivalent.txt")
MIN_SCORE = 0.95  # the share of behaviour-changing mutants the tests must kill (issue 12)
SUITE = "python -m unittest discover conformance --failfast"
# mutmut 2 counts only exit status 1 as a failing run: any other failure (the suite's 2 for an
# engine that does not import, a crash) must become 1, or the mutant would count as survived.
TARGETS = {
    "reference": ("reference/",
                  f"sh -c '({SUITE} && CONFORMANCE_ENGINE=reference_stage3 {SUITE} && "
                  f"CONFORMANCE_ENGINE=reference_stage2 {SUITE} && "
                  f"CONFORMANCE_ENGINE=reference_stage1 {SUITE}) || exit 1'"),
    "stage3": ("reference/stage3.py",
               f"sh -c 'CONFORMANCE_ENGINE=reference_stage3 {SUITE} || exit 1'"),
    "stage4": ("reference/stage4.py", f"sh -c '{SUITE} || exit 1'"),
    "gradcheck": ("conformance/gradcheck.py",
                  "sh -c 'python -m unittest tests.test_gradcheck --failfast || exit 1'"),
    "fuzz": ("conformance/fuzz/",
             "sh -c 'python -m unittest tests.test_fuzz --failfast || exit 1'"),
    "report": ("dezero_conformance/report.py",
               "sh -c 'python -m unittest tests.test_cli.TestReport --failfast || exit 1'"),
    "judge": ("dezero_conformance/judge.py",
              "sh -c 'DEZERO_KIT_TESTS=fast python -m unittest tests.test_cli.TestReport "
              "tests.test_cli.TestJudge tests.test_cli.TestCommand --failfast || exit 1'"),
    "deep_chain": ("conformance/stage1/test_deep_chain.py",
                   "sh -c 'python -m pytest -x -q -p no:cacheprovider tests/test_meta.py -k "
                   "\"TestReference or recursive_backward or frees_graph or frees_tape or "
                   "hangs_on_deep or skips_last_step\" || exit 1'"),
}
# A mutant that makes a clause hang is killed by the clause's timeout, far sooner than 300 s.
ENV = {"CONFORMANCE_TIMEOUT": "60", "PYTHONDONTWRITEBYTECODE": "1"}
KINDS = ("killed", "timeout", "suspicious", "survived", "skipped", "untested")


def read_equivalent(path=EQUIVALENT):
    """{(file, removed lines, added lines): why} from the equivalents file: blocks of a file
    name, its diff's "-" and "+" lines, and a "why:" line, separated by blank lines."""
    listed = {}
    with open(path, encoding="utf-8") as f:
        blocks = [b for b in re.split(r"\n\s*\n", f.read()) if b.strip()]
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if not lines:
            continue
        why = [line[4:].strip() for line in lines if line.startswith("why:")]
        if len(why) != 1 or not why[0]:
            raise ValueError(f"{path}: the block starting {lines[0]!r} needs one 'why: <reason>'")
        listed[key(lines[0], lines[1:])] = why[0]
    return listed


def key(name, diff_lines):
    removed = tuple(line[1:].strip() for line in diff_lines if line.startswith("-")
                    and not line.startswith("---"))
    added = tuple(line[1:].strip() for line in diff_lines if line.startswith("+")
                  and not line.startswith("+++"))
    return (os.path.basename(name.strip()), removed, added)


def mutmut(args, cwd, check=True):
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=cwd,
                          capture_output=True, text=True, env=dict(os.environ, **ENV))
    if check and done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def copy_checkout(dest):
    shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".tox", "__pycache__", "*.egg-info", "build", "dist", ".mutmut-cache", "html"))


def run(target, listed, keep=False, since=None):
    paths, runner = TARGETS[target]
    tmp = tempfile.mkdtemp(prefix=f"mutation-{target}-")
    try:
        tree = os.path.join(tmp, "tree")
        copy_checkout(tree)
        only = []
        if since:
            patch = os.path.join(tmp, "since.diff")
            diff = subprocess.run(["git", "diff", since, "--", paths], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout
            if not diff:
                print(f"{target}: nothing changed in {paths} since {since}")
                return 1.0
            with open(patch, "w") as f:
                f.write(diff)
            only = ["--use-patch-file", patch]
        mutmut(["run", "--paths-to-mutate", paths, "--runner", runner, "--tests-dir", "tests",
                "--no-progress", "--simple-output", "--CI", *only], tree)
        ids = {kind: [int(i) for i in mutmut(["result-ids", kind], tree, check=False).split()
                      if i.isdigit()] for kind in KINDS}
        survivors = []
        for mutant in ids["survived"]:
            diff = mutmut(["show", str(mutant)], tree).splitlines()
            name = next((line[4:] for line in diff if line.startswith("--- ")), "?")
            survivors.append((mutant, key(name, diff), "\n".join(diff)))
    finally:
        if keep:
            print(f"{target}: the mutated copy and its .mutmut-cache are kept in {tree} "
                  f"(`python -m mutmut run ID` there re-tests one mutant)")
        else:
            shutil.rmtree(tmp)
    killed, counted, equivalent, missing = tally(ids, survivors, listed)
    score = killed / counted if counted else 1.0
    for mutant, _, diff in missing:
        print(f"\n{target}: mutant {mutant} survived (a missing test, or an equivalent to list "
              f"in tests/mutation_equivalent.txt):\n{diff}")
    print(f"\n{target}: {killed} of {counted} behaviour-changing mutants killed ({score:.1%}); "
          f"{counted + len(equivalent)} mutants, {len(equivalent)} listed as equivalent, "
          f"{len(missing)} survived" + (f", {len(ids['untested'])} untested"
                                        if ids["untested"] else ""))
    return score


def tally(ids, survivors, listed):
    """(killed, behaviour-changing, equivalent survivors, other survivors). A mutant the tests
    failed on slowly (mutmut's "suspicious") or that made them time out is killed."""
    killed = sum(len(ids[k]) for k in ("killed", "suspicious", "timeout"))
    equivalent = [s for s in survivors if s[1] in listed]
    missing = [s for s in survivors if s[1] not in listed]
    return killed, killed + len(ids["survived"]) - len(equivalent), equivalent, missing


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"one or more of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the mutated copy and its results (the path is printed)")
    parser.add_argument("--since", metavar="COMMIT",
                        help="mutate only the lines changed since COMMIT (git diff COMMIT)")
    args = parser.parse_args(argv)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"no target {', '.join(unknown)}; the targets are {', '.join(TARGETS)}")
    args.targets = args.targets or list(TARGETS)
    listed = read_equivalent()
    low = [t for t in args.targets if run(t, listed, args.keep, args.since) < MIN_SCORE]
    if low:
        raise SystemExit(f"mutation score under {MIN_SCORE:.0%} for {', '.join(low)}: add the "
                         f"tests that kill the survivors above")


if __name__ == "__main__":
    main()
