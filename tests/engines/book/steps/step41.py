# A test engine of the conformance kit, in the shape of the book's steps/step41.py: matmul
# and the shapes of its gradients, over the dezero package. Written for this project (MIT);
# see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
import dezero.functions as F

# --- demo ---
x = Variable(np.random.randn(2, 3))
W = Variable(np.random.randn(3, 4))
y = F.matmul(x, W)
y.backward()

print(y.shape, x.grad.shape, W.grad.shape)
