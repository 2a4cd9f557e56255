"""A correct stage-1 engine whose objects resist being looked at: repr recurses without end
(Variable -> its creator -> its output -> ...), == compares elementwise and truth-testing a
Variable raises, as numpy arrays do. A kit that builds messages from repr before a check,
compares engine objects with ==, or tests them for truth fails this engine wrongly."""
import numpy as np


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data).__name__} is not supported")
        self.data = data
        self.grad = None
        self.creator = None

    def __repr__(self):
        return f"Variable(data={self.data}, creator={self.creator!r})"

    def __eq__(self, other):
        return self.data == (other.data if isinstance(other, Variable) else other)

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("the truth value of a Variable is ambiguous")

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        funcs = [self.creator]
        while funcs:
            f = funcs.pop()
            if f is None:
                continue
            f.input.grad = f.backward(f.output.grad)
            funcs.append(f.input.creator)


class Function:
    def __call__(self, input):
        y = self.forward(input.data)
        output = Variable(as_array(y))
        output.set_creator(self)
        self.input = input
        self.output = output
        return output

    def __repr__(self):
        return f"{type(self).__name__}(output={self.output!r})"

    def forward(self, x):
        raise NotImplementedError()

    def backward(self, gy):
        raise NotImplementedError()


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def numerical_diff(f, x, eps=1e-4):
    y0 = f(Variable(as_array(x.data - eps)))
    y1 = f(Variable(as_array(x.data + eps)))
    return (y1.data - y0.data) / (2 * eps)
