# A test engine of the conformance kit, in the shape of the book's steps/step46.py: an MLP
# trained by an optimizer (SGD, then MomentumSGD) over the dezero package. Written for this
# project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
from dezero import optimizers
import dezero.functions as F
from dezero.models import MLP

np.random.seed(0)
x = np.random.rand(100, 1)
y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)

lr = 0.2
max_iter = 1000
hidden_size = 10

# --- demo ---
model = MLP((hidden_size, 1))
optimizer = optimizers.SGD(lr).setup(model)

for i in range(max_iter):
    y_pred = model(x)
    loss = F.mean_squared_error(y, y_pred)

    model.cleargrads()
    loss.backward()

    optimizer.update()
    if i % 100 == 0:
        print(i, loss)

model = MLP((hidden_size, 1))
optimizer = optimizers.MomentumSGD(lr=0.05).setup(model)
for _ in range(200):
    loss = F.mean_squared_error(y, model(x))
    model.cleargrads()
    loss.backward()
    optimizer.update()
print('MomentumSGD, after 200 steps:', loss)
