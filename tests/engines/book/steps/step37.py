# A test engine of the conformance kit, in the shape of the book's steps/step37.py: the
# functions and operators of the earlier steps on tensors, elementwise, over the dezero
# package. Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import Variable
import dezero.functions as F

# --- demo ---
x = Variable(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
c = Variable(np.array([[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]))
t = x + c
y = F.sum(t)
y.backward(retain_grad=True)
print('y =', y)
for name, v in (('t', t), ('x', x), ('c', c)):
    print(f'{name}.grad =', v.grad)

x = Variable(np.linspace(0.0, np.pi, 4))
y = F.sin(x)
y.backward()
print('sin:', y.data, 'its gradient:', x.grad.data)
