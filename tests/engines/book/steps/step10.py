# A test engine of the conformance kit, in the shape of the book's steps/step10.py: square
# and its tests with unittest (no Exp in this file). Written for this project (MIT); see
# ../SHAPES.md.
import unittest

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


def square(x):
    return Square()(x)


def numerical_diff(f, x, eps=1e-4):
    # as_array: a 0-d x gives numpy scalars here, which Variable rejects
    below = f(Variable(as_array(x.data - eps)))
    above = f(Variable(as_array(x.data + eps)))
    return (above.data - below.data) / (2 * eps)


class SquareTest(unittest.TestCase):
    def test_forward(self):
        y = square(Variable(np.array(-3.0)))
        self.assertEqual(y.data, np.array(9.0))

    def test_backward(self):
        x = Variable(np.array(1.5))
        square(x).backward()
        self.assertEqual(x.grad, np.array(3.0))

    def test_gradient_check(self):
        x = Variable(np.random.uniform(-2.0, 2.0, size=4))
        square(x).backward()
        expected = numerical_diff(square, x)
        self.assertTrue(np.allclose(x.grad, expected))


# --- demo ---
x = Variable(np.array(3.0))
y = square(x)
y.backward()
print('square(3.0) =', y.data, ' grad =', x.grad)

unittest.main()
