"""A correct stage-1 engine in a third style: __slots__, gradients held as Variables (as real
DeZero does), an explicit stack walk, and Exp's backward computed from its saved output."""
import numpy as np


def as_array(x):
    return np.array(x) if np.isscalar(x) else x


class Variable:
    __slots__ = ("data", "grad", "creator")

    def __init__(self, data):
        if not (data is None or isinstance(data, np.ndarray)):
            raise TypeError("Variable data must be an ndarray, got " + type(data).__name__)
        self.data = data
        self.grad = None
        self.creator = None

    def backward(self):
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))
        stack = [self]
        while stack:
            y = stack.pop()
            f = y.creator
            if f is None:
                continue
            f.input.grad = Variable(as_array(f.backward(y.grad.data)))
            stack.append(f.input)


class Function:
    def __call__(self, input):
        output = Variable(as_array(self.forward(input.data)))
        output.creator = self
        self.input, self.output = input, output
        return output

    def forward(self, x):
        raise NotImplementedError(type(self).__name__)

    def backward(self, gy):
        raise NotImplementedError(type(self).__name__)


class Square(Function):
    def forward(self, x):
        return x * x

    def backward(self, gy):
        return 2 * self.input.data * gy


class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, gy):
        return self.y * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def numerical_diff(f, x, eps=1e-4):
    lo = f(Variable(as_array(x.data - eps))).data
    hi = f(Variable(as_array(x.data + eps))).data
    return (hi - lo) / (2 * eps)
