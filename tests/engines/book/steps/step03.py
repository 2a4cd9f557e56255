# A test engine of the conformance kit, in the shape of the book's steps/step03.py: Square and
# Exp, chained by hand. Written for this project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        self.data = data


class Function:
    def __call__(self, input):
        x = input.data
        y = self.forward(x)
        return Variable(y)

    def forward(self, x):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')


class Square(Function):
    def forward(self, x):
        return x ** 2


class Exp(Function):
    def forward(self, x):
        return np.exp(x)


# --- demo ---
first, middle, last = Square(), Exp(), Square()
for start in (0.5, -0.25, 1.0):
    v = Variable(np.array(start))
    out = last(middle(first(v)))
    print(f'square(exp(square({start}))) = {out.data}')
