# A test engine of the conformance kit, in the shape of the book's steps/step34.py: sin
# differentiated again and again, plotted with matplotlib, over the dezero package. Written for
# this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
import matplotlib.pyplot as plt
from dezero import Variable
import dezero.functions as F

# --- demo ---
x = Variable(np.linspace(-2 * np.pi, 2 * np.pi, 300))
y = F.sin(x)
y.backward(create_graph=True)

curves = [y.data]
for _ in range(3):
    curves.append(x.grad.data)
    gx = x.grad
    x.cleargrad()
    gx.backward(create_graph=True)

for curve, label in zip(curves, ('sin(x)', "sin'", "sin''", "sin'''")):
    plt.plot(x.data, curve, label=label)
plt.legend(loc='upper right')
plt.title('sin and its derivatives')
plt.show()
print('plotted', len(curves), 'curves')
