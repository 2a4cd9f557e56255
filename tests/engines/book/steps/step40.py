# A test engine of the conformance kit, in the shape of the book's steps/step40.py:
# broadcasting + and its gradient summed back, over the dezero package. Written for this
# project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable

# --- demo ---
x0 = Variable(np.array([1.0, 2.0, 3.0]))
x1 = Variable(np.array([10.0]))
y = x0 + x1
print(y)

y.backward()
print(x0.grad, x1.grad)
