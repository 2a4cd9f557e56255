"""Per-engine expectations: matrix/expected/<engine>.txt, one line per clause, "S9 reason".

A listed clause must come out fail or error; any other failure, and a listed clause that
passes or is skipped, is unexpected. Blank lines and lines starting with # are ignored.
"""
import os
import re

from matrix import EXPECTED_DIR

LINE = re.compile(r"^(S\d+)\s+(\S.*)$")


class ExpectationError(Exception):
    """The expectations file is malformed; the message is one line."""


def path_for(engine):
    return os.path.join(EXPECTED_DIR, f"{engine}.txt")


def load(engine, clauses):
    """{clause: reason} from the engine's file ({} if it has none); clauses: the valid ids."""
    path = path_for(engine)
    if not os.path.exists(path):
        return {}
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = LINE.match(line)
            where = f"{os.path.relpath(path)} line {number}"
            if not m:
                raise ExpectationError(f"{where}: {line!r} is not 'S<n> reason'; write the "
                                       f"clause id, a space, and why it fails")
            clause, reason = m.groups()
            if clause not in clauses:
                raise ExpectationError(f"{where}: {clause} is not a clause of the suite; "
                                       f"use one of {', '.join(sorted(clauses, key=_num))}")
            if clause in expected:
                raise ExpectationError(f"{where}: {clause} is listed twice; keep one line")
            expected[clause] = reason
    return expected


def _num(clause):
    return int(clause[1:])


def unexpected(outcomes, expected):
    """{clause: why it is unexpected} for outcomes the expectations do not explain."""
    bad = {}
    for clause, (status, _) in outcomes.items():
        failed = status in ("fail", "error")
        if failed and clause not in expected:
            bad[clause] = f"{status}, not listed as expected"
        elif clause in expected and not failed:
            bad[clause] = (f"{status}, but listed as an expected failure "
                           f"({expected[clause]}); remove the line if the engine is fixed")
    return bad
