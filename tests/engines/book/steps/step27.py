# A test engine of the conformance kit, in the shape of the book's steps/step27.py: its own Sin
# over the package's Function, and sin's Taylor series built by a Python loop (my_sin).
# Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import math

import numpy as np
from dezero import Variable, Function
from dezero.utils import plot_dot_graph


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        x = self.inputs[0].data
        return gy * np.cos(x)


def sin(x):
    return Sin()(x)


def my_sin(x, threshold=0.0001):
    # sum of (-1)^i x^(2i+1) / (2i+1)!, until a term is smaller than threshold
    y = 0
    i = 0
    while True:
        coef = (-1) ** i / math.factorial(2 * i + 1)
        term = coef * x ** (2 * i + 1)
        y = y + term
        if np.max(np.abs(term.data)) < threshold:
            return y
        i += 1


# --- demo ---
x = Variable(np.array(np.pi / 4))
y = sin(x)
y.backward()
print('sin(pi/4) =', y.data, ' d/dx =', x.grad)

x = Variable(np.array(np.pi / 4), name='x')
y = my_sin(x)
y.name = 'y'
y.backward()
print('my_sin(pi/4) =', y.data, ' d/dx =', x.grad)

for threshold in (1e-2, 1e-8, 1e-150):
    x.cleargrad()
    y = my_sin(x, threshold)
    y.backward()
    print(f'threshold {threshold:g}:', y.data, x.grad)

print('graph written to', plot_dot_graph(y, verbose=False, to_file='my_sin.png'))
