# The kit's test engine in the shape of the book's dezero/optimizers.py, up to step 46:
# Optimizer (setup, hooks, update), SGD and MomentumSGD, which keeps one velocity per
# parameter. The updates write into param.data, outside any graph. Written for this project
# (MIT); see ../SHAPES.md.
import numpy as np


class Optimizer:
    def __init__(self):
        self.target = None
        self.hooks = []

    def setup(self, target):
        self.target = target
        return self

    def update(self):
        params = [p for p in self.target.params() if p.grad is not None]

        for f in self.hooks:  # before any parameter changes: weight decay, clipping, ...
            f(params)

        for param in params:
            self.update_one(param)

    def update_one(self, param):
        raise NotImplementedError(f'{type(self).__name__}.update_one is not defined')

    def add_hook(self, f):
        self.hooks.append(f)


class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        param.data -= self.lr * param.grad.data


class MomentumSGD(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum
        self.vs = {}

    def update_one(self, param):
        key = id(param)
        if key not in self.vs:
            self.vs[key] = np.zeros_like(param.data)

        v = self.vs[key]
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v
