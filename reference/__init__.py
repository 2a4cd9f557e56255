"""The kit's reference engines, one per stage of the book (Deep Learning from Scratch 3).

stage1  steps 1-10: Variable, Function, Square, Exp, numerical_diff, an iterative backward
stage2  steps 11-24: many inputs, accumulation, generations, weak outputs, Config/no_grad,
        Variable as an array, operators
stage3  steps 25-36: gradients as Variables, backward(create_graph=True), sin, cos, tanh
stage4  steps 37-46: tensors (reshape, transpose, sum, broadcasting, matmul), mean_squared_error,
        linear, sigmoid, Parameter, Layer, Linear, Model, MLP, SGD, MomentumSGD

Each reads in one sitting, in the book's names, numpy only. `reference` is stage 4.
"""
from dezero_conformance.reference.stage4 import *  # noqa: F401,F403
from dezero_conformance.reference.stage4 import __version__  # noqa: F401
