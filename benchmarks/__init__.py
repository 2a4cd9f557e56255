"""Benchmarks of the reference engine: ratios measured side by side in one run, never timed
unit tests. `python -m benchmarks` runs them all; see benchmarks/__main__.py."""
