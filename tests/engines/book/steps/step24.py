# A test engine of the conformance kit, in the shape of the book's steps/step24.py: the
# optimisation benchmarks sphere, matyas and Goldstein-Price over the dezero package beside
# this folder. Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable


def sphere(x, y):
    return x ** 2 + y ** 2


def matyas(x, y):
    return 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


def goldstein(x, y):
    left = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)
    right = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y
                                         + 27 * y ** 2)
    return left * right


# --- demo ---
lines = []
for fn in (sphere, matyas, goldstein):
    x = Variable(np.array(1.0))
    y = Variable(np.array(1.0))
    z = fn(x, y)
    z.backward()
    line = f'{fn.__name__}(1, 1) = {z.data}, grads {x.grad}, {y.grad}'
    print(line)
    lines.append(line)

with open('demo_output.txt', 'w') as out:
    out.write('\n'.join(lines) + '\n')
print('written to demo_output.txt')
