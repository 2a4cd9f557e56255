# A test engine of the conformance kit, in the shape of the book's steps/step06.py: backward
# by hand, one Function at a time. Written for this project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data
        self.grad = None


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        self.input = input
        return Variable(y)

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


# --- demo ---
f1, f2, f3 = Square(), Exp(), Square()
x = Variable(np.array(0.5))
a = f1(x)
b = f2(a)
y = f3(b)

y.grad = np.array(1.0)
b.grad = f3.backward(y.grad)
a.grad = f2.backward(b.grad)
x.grad = f1.backward(a.grad)
print('y =', y.data)
print('dy/dx =', x.grad)
