"""The DeZero conformance suite: `python -m unittest discover conformance` in a checkout,
`python -m unittest discover dezero_conformance.conformance` where the kit is installed.

The engine under test is chosen by CONFORMANCE_ENGINE (see adapters/__init__.py); the
random inputs by CONFORMANCE_SEED.
"""
