# A test engine of the conformance kit, in the shape of the book's steps/step09.py: backward()
# walks the creators with a list, square() and exp() as functions, only ndarrays accepted.
# Written for this project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f'Variable takes a numpy.ndarray or None, not {type(data).__name__}')
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        pending = [self.creator]
        while pending:
            f = pending.pop()
            x, y = f.input, f.output
            x.grad = f.backward(y.grad)
            if x.creator is not None:
                pending.append(x.creator)


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Function:
    def __call__(self, input):
        y = self.forward(input.data)
        output = Variable(as_array(y))
        output.set_creator(self)
        self.input = input
        self.output = output
        return output

    def forward(self, x):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')

    def backward(self, gy):
        raise NotImplementedError(f'{type(self).__name__}.backward is not defined')


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.input.data
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x = self.input.data
        return np.exp(x) * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


# --- demo ---
x = Variable(np.array(0.5))
y = square(exp(square(x)))
y.backward()
print('y =', y.data, ' dy/dx =', x.grad)

ok = Variable(np.array(2.0))
print('an ndarray is accepted:', ok.data)
empty = Variable(None)
print('so is None:', empty.data)

# A Python float is not: this line raises TypeError, on purpose, and ends the demo.
bad = Variable(2.0)
print('never printed', bad)
