"""Judge a run against the engine's expected failures (conformance/expected/<engine>.txt).

The file format and its reader are the suite's own (conformance.support.read_expected:
lines "S9 reason"). A listed clause must come out fail or error; any other failure, and a
listed clause that passes or is skipped, is unexpected.
"""
from dezero_conformance.conformance import support


def load(engine):
    """{clause: reason} for the engine (CONFORMANCE_EXPECTED, else its file, else {}).

    Raises ValueError, with a one-line message, on a malformed file.
    """
    return support.read_expected(support.expected_path(engine))


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
    for clause in sorted(set(expected) - set(outcomes)):
        bad[clause] = f"listed as an expected failure ({expected[clause]}), but no such clause ran"
    return bad
