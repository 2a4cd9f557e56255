# A test engine of the conformance kit, in the shape of the book's steps/step33.py: Newton's
# method with both derivatives from the engine (backward(create_graph=True)), over the dezero
# package. Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable


def f(x):
    return x ** 4 - 2 * x ** 2


# --- demo ---
x = Variable(np.array(2.0))
for i in range(10):
    print(i, x)
    y = f(x)
    x.cleargrad()
    y.backward(create_graph=True)

    gx = x.grad
    x.cleargrad()
    gx.backward()
    gx2 = x.grad

    x.data = x.data - gx.data / gx2.data

print('minimum near', x.data)
