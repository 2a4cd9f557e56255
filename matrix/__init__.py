"""The cross-engine conformance matrix.

`python -m matrix [ENGINE ...]` runs the suite on each engine in that engine's own tox
environment (`tox -e ENGINE`) and merges the outcomes into matrix/results.json and
matrix/results.md. Inside an environment, `python -m matrix.check` runs the suite on
CONFORMANCE_ENGINE and exits non-zero only on outcomes that
conformance/expected/ENGINE.txt does not explain.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULT_VAR = "MATRIX_RESULT"  # where matrix.check writes its JSON record, if set
