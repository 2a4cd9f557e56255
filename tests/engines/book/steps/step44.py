# A test engine of the conformance kit, in the shape of the book's steps/step44.py: the same
# network from two Linear layers, whose parameters the layers hold and clear, over the dezero
# package. Written for this project (MIT); see ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
import dezero.functions as F
import dezero.layers as L

np.random.seed(0)
x = np.random.rand(100, 1)
y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)

l1 = L.Linear(10)  # in_size comes from the first input
l2 = L.Linear(1)


def predict(x):
    y = l1(x)
    y = F.sigmoid(y)
    y = l2(y)
    return y


# --- demo ---
lr = 0.2
iters = 1000

for i in range(iters):
    y_pred = predict(x)
    loss = F.mean_squared_error(y, y_pred)

    l1.cleargrads()
    l2.cleargrads()
    loss.backward()

    for layer in (l1, l2):
        for p in layer.params():
            p.data -= lr * p.grad.data
    if i % 100 == 0:
        print(i, loss)
