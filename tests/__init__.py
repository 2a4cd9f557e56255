"""The kit's own tests: `python -m unittest discover tests` (or `python -m pytest -n 2 tests`).

Two tiers. The full tier (the default) is every test. The fast tier, DEZERO_KIT_TESTS=fast,
is what every Python and numpy version runs in CI: the same tests, with each sweep cut to a
sample (a mutant of each kind, 100 seeds instead of 1000), and the sweeps that only repeat
that sample skipped. The full tier runs once, on the default Python.
"""
import os
import sys
import unittest

TIER_VAR = "DEZERO_KIT_TESTS"
_TIER = os.environ.get(TIER_VAR, "full")
if _TIER not in ("full", "fast"):
    sys.stderr.write(f"tests: {TIER_VAR}={_TIER!r} is not a tier; set it to 'fast' or 'full', "
                     f"or unset it (full)\n")
    sys.stderr.flush()
    os._exit(2)  # one line, before any test: unittest would report a failed import per module
FULL = _TIER == "full"


def tiered(full, fast):
    """The full tier's size of a sweep, or the fast tier's."""
    return full if FULL else fast


def thorough(test):
    """A test of the full tier alone (a sweep whose sample the fast tier runs elsewhere)."""
    return unittest.skipUnless(FULL, f"full tier only (unset {TIER_VAR} to run it)")(test)
