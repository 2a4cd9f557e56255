# A test engine of the conformance kit, in the shape of the book's steps/step28.py: gradient
# descent on the Rosenbrock function, on the package's simple core (gradients are ndarrays),
# chosen explicitly. Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
# this step runs on the simple core, whichever core the package exports
import dezero
if not dezero.is_simple_core:
    from dezero.core_simple import Variable
    from dezero.core_simple import setup_variable
    setup_variable()


def rosenbrock(x0, x1):
    return 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2


# --- demo ---
x0 = Variable(np.array(0.0))
x1 = Variable(np.array(2.0))
lr = 0.001
iters = 10000

for i in range(iters):
    y = rosenbrock(x0, x1)
    x0.cleargrad()
    x1.cleargrad()
    y.backward()
    x0.data -= lr * x0.grad
    x1.data -= lr * x1.grad
    if i % 1000 == 0:
        print(f'{i:5d}: x0 = {x0.data:.6f}, x1 = {x1.data:.6f}, y = {y.data:.6g}')

print('after', iters, 'steps:', x0, x1)
