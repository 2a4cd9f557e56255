"""The DeZero stage-1 conformance suite: `python -m unittest discover conformance`.

The engine under test is chosen by CONFORMANCE_ENGINE (see adapters/__init__.py); the
random inputs by CONFORMANCE_SEED.
"""
