"""DeZero stage 1 (Deep Learning from Scratch 3, steps 1-10): the kit's reference engine.

The book's API and names, with three repairs: the TypeError names the rejected type,
`numerical_diff` accepts a 0-d input, and a Function holds its output weakly, so a graph
is freed by reference counting alone (no Function <-> Variable cycle).
"""
import weakref

import numpy as np

__version__ = "1.0"


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    __slots__ = ("data", "grad", "creator", "__weakref__")

    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(
                f"Variable takes a numpy.ndarray or None, not {type(data).__name__}: "
                f"wrap the value with np.array(...)")
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        gy, f = self.grad, self.creator
        while f is not None:  # a loop, not recursion: depth is bounded by memory only
            x = f.input
            x.grad = gy = f.backward(gy)
            f = x.creator


class Function:
    __slots__ = ("input", "_output", "__weakref__")  # no per-instance __dict__: small nodes

    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(as_array(y))
        output.set_creator(self)
        self.input = input
        self._output = weakref.ref(output)
        return output

    @property
    def output(self):
        """The output Variable while anything else still holds it, else None."""
        return self._output()

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__}.forward: subclass Function and define it")

    def backward(self, gy):
        raise NotImplementedError(
            f"{type(self).__name__}.backward: subclass Function and define it")


class Square(Function):
    __slots__ = ()

    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.input.data
        return 2 * x * gy


class Exp(Function):
    __slots__ = ()

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x = self.input.data
        return np.exp(x) * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def numerical_diff(f, x, eps=1e-4):
    x0 = Variable(as_array(x.data - eps))
    x1 = Variable(as_array(x.data + eps))
    y0 = f(x0)
    y1 = f(x1)
    return (y1.data - y0.data) / (2 * eps)
