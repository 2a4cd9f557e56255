# A test engine of the conformance kit, in the shape of the book's steps/step36.py: a gradient
# used in a new expression (double backprop), over the dezero package. Written for this
# project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable

# --- demo ---
x = Variable(np.array(2.0))
y = x ** 2
y.backward(create_graph=True)
gx = x.grad
x.cleargrad()

z = gx ** 3 + y
z.backward()
print('dz/dx at 2.0 =', x.grad)

if __name__ == '__main__':
    for start in (-1.0, 0.5, 3.0):
        x = Variable(np.array(start))
        y = x ** 2
        y.backward(create_graph=True)
        gx = x.grad
        x.cleargrad()
        (gx ** 3 + y).backward()
        print(f'at {start}: dz/dx = {x.grad.data} (24 x^2 + 2 x = {24 * start ** 2 + 2 * start})')
    sys.exit(0)
