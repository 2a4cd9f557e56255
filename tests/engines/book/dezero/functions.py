# The kit's test engine in the shape of the book's dezero/functions.py, up to step 36: sin,
# cos, tanh and exp, each a Function whose backward is written with Variable operations, so
# it can be differentiated again. Written for this project (MIT); see ../SHAPES.md.
import numpy as np

from dezero.core import Function


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        x, = self.inputs
        return gy * cos(x)


def sin(x):
    return Sin()(x)


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        x, = self.inputs
        return gy * -sin(x)


def cos(x):
    return Cos()(x)


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()  # the output, through its weak reference: tanh' = 1 - y^2
        return gy * (1 - y * y)


def tanh(x):
    return Tanh()(x)


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x, = self.inputs
        return exp(x) * gy


def exp(x):
    return Exp()(x)
