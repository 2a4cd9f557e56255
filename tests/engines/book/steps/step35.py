# A test engine of the conformance kit, in the shape of the book's steps/step35.py: tanh's
# higher derivatives, and the graph of one written out, over the dezero package. Written for
# this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
from dezero.utils import plot_dot_graph
import dezero.functions as F

# --- demo ---
x = Variable(np.array(1.0), name='x')
y = F.tanh(x)
y.name = 'y'
y.backward(create_graph=True)

order = 3
for n in range(2, order + 1):
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)
    print(f'derivative {n} of tanh at 1.0:', x.grad.data)

gx = x.grad
gx.name = f'gx{order}'
print('graph written to', plot_dot_graph(gx, verbose=False, to_file='tanh.png'))
