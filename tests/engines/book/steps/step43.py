# A test engine of the conformance kit, in the shape of the book's steps/step43.py: a
# two-layer network of linear and sigmoid, trained by hand-written gradient descent over the
# dezero package; the fit is plotted at the end. Written for this project (MIT); see
# ../SHAPES.md.
if '__file__' in globals():
    import os, sys
    sys.path.append(os.path.join(os.path.dirname(__file__), '..'))
import numpy as np
import matplotlib.pyplot as plt
from dezero import Variable
import dezero.functions as F

# a toy data set: one period of a sine, with noise
np.random.seed(0)
x = np.random.rand(100, 1)
y = np.sin(2 * np.pi * x) + np.random.rand(100, 1)

n_in, n_hidden, n_out = 1, 10, 1
W1 = Variable(0.01 * np.random.randn(n_in, n_hidden))
b1 = Variable(np.zeros(n_hidden))
W2 = Variable(0.01 * np.random.randn(n_hidden, n_out))
b2 = Variable(np.zeros(n_out))


def predict(x):
    y = F.linear(x, W1, b1)
    y = F.sigmoid(y)
    y = F.linear(y, W2, b2)
    return y


# --- demo ---
lr = 0.2
iters = 1000

for i in range(iters):
    y_pred = predict(x)
    loss = F.mean_squared_error(y, y_pred)

    for p in (W1, b1, W2, b2):
        p.cleargrad()
    loss.backward()

    for p in (W1, b1, W2, b2):
        p.data -= lr * p.grad.data
    if i % 100 == 0:
        print(i, loss)

plt.scatter(x, y, s=10)
t = np.arange(0, 1, .01)[:, np.newaxis]
plt.plot(t, predict(t).data, color='r')
plt.show()
