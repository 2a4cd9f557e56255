# A test engine of the conformance kit, in the shape of the book's steps/step04.py: the
# central difference. Written for this project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        output = Variable(y)
        self.input = input
        self.output = output
        return output

    def forward(self, x):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')


class Square(Function):
    def forward(self, x):
        return x ** 2


class Exp(Function):
    def forward(self, x):
        return np.exp(x)


def numerical_diff(f, x, eps=1e-4):
    below = f(Variable(x.data - eps))
    above = f(Variable(x.data + eps))
    return (above.data - below.data) / (2 * eps)


# --- demo ---
print('d/dx x^2 at 2.0 ~', numerical_diff(Square(), Variable(np.array(2.0))))


def composite(v):
    return Square()(Exp()(Square()(v)))


for point in (0.5, 1.0):
    slope = numerical_diff(composite, Variable(np.array(point)))
    print(f'd/dx square(exp(square(x))) at {point} ~ {slope}')
