# A test engine of the conformance kit, in the shape of the book's steps/step38.py: reshape
# and transpose, as functions and as Variable methods, over the dezero package. Written for
# this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
import dezero.functions as F

# --- demo ---
x = Variable(np.arange(6.0).reshape(2, 3))
y = F.reshape(x, (6,))
y.backward(retain_grad=True)
print('reshaped:', y, 'x.grad:', x.grad, sep='\n')

x = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
y = F.transpose(x)
y.backward()
print('transposed:', y, 'x.grad:', x.grad, sep='\n')

x = Variable(np.random.randn(1, 2, 3))
print(x.reshape((2, 3)).shape, x.reshape(3, 2).shape)
print(x.transpose().shape, x.transpose(2, 0, 1).shape, x.T.shape)
