"""The kit's reference engines, one per stage of the book (Deep Learning from Scratch 3).

stage1  steps 1-10: Variable, Function, Square, Exp, numerical_diff, an iterative backward
stage2  steps 11-24: many inputs, accumulation, generations, weak outputs, Config/no_grad,
        Variable as an array, operators

Each reads in one sitting, in the book's names, numpy only. `reference` is stage 2.
"""
from dezero_conformance.reference.stage2 import *  # noqa: F401,F403
from dezero_conformance.reference.stage2 import __version__  # noqa: F401
