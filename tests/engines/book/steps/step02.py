# A test engine of the conformance kit, in the shape of the book's steps/step02.py: a Function
# turns a Variable into a new Variable. Written for this project (MIT); see ../SHAPES.md.
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


# --- demo ---
v = Variable(np.array(7))
out = Square()(v)
print(type(out).__name__, out.data)

# The base class only says what a Function must do: calling it is an error, on purpose.
print('calling the base Function:')
Function()(v)
print('never printed')
