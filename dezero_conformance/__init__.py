"""A conformance kit for automatic-differentiation engines, judged by the contract of DeZero
(Deep Learning from Scratch 3). Its one top-level import name holds everything it installs:

adapters     one plain module per engine, the only way the suite reaches an engine
conformance  the suite: `python -m unittest discover dezero_conformance.conformance`
             (in a checkout, `python -m unittest discover conformance`); each engine's
             expected failures in conformance/expected/<engine>.txt
reference    the kit's reference engines, one per stage of the book

In a notebook or a script: `from dezero_conformance import check`, then `check(step=10)`
(checking.py); on the command line: `dezero-conformance step10.py` (cli.py).
"""
import os

__version__ = "0.2.0"

_here = os.path.dirname(os.path.abspath(__file__))
if not os.path.isdir(os.path.join(_here, "conformance")):
    # A checkout: adapters/, conformance/ and reference/ are the top-level directories beside
    # this one, and this package is their parent there too (installed, they are inside it).
    __path__ = [_here, os.path.dirname(_here)]


def __getattr__(name):  # check() is imported when asked for: `import dezero_conformance` is light
    if name == "check":
        from dezero_conformance.checking import check
        return check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
