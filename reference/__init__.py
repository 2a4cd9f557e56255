"""The kit's reference engines, one per stage of the book (Deep Learning from Scratch 3).

stage1  steps 1-10: Variable, Function, Square, Exp, numerical_diff, an iterative backward
stage2  steps 11-24: many inputs, accumulation, generations, weak outputs, Config/no_grad,
        Variable as an array, operators
stage3  steps 25-36: gradients as Variables, backward(create_graph=True), sin, cos, tanh

Each reads in one sitting, in the book's names, numpy only. `reference` is stage 3.
"""
from dezero_conformance.reference.stage3 import *  # noqa: F401,F403
from dezero_conformance.reference.stage3 import __version__  # noqa: F401
