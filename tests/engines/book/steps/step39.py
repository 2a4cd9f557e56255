# A test engine of the conformance kit, in the shape of the book's steps/step39.py: sum, over
# every axis or some, keeping them or not, over the dezero package. Written for this project
# (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
import dezero.functions as F

# --- demo ---
x = Variable(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
y = F.sum(x)
y.backward()
print(y, x.grad)

x = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
for axis in (None, 0, 1):
    x.cleargrad()
    y = F.sum(x, axis=axis)
    y.backward()
    print(f'axis={axis}:', y, x.grad, sep='\n')

x = Variable(np.random.randn(2, 3, 4, 5))
y = x.sum(keepdims=True)
print(y.shape)
