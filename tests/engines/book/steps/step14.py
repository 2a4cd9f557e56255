# A test engine of the conformance kit, in the shape of the book's steps/step14.py: a Variable
# used twice accumulates its grad; cleargrad() (no Square in this file). Written for this
# project (MIT); see ../SHAPES.md.
import numpy as np


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f'Variable takes a numpy.ndarray or None, not {type(data).__name__}')
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def cleargrad(self):
        self.grad = None

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        pending = [self.creator]
        while pending:
            f = pending.pop()
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                # a new array, never +=: gx may be another Variable's grad
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    pending.append(x.creator)


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Function:
    def __call__(self, *inputs):
        xs = [v.data for v in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')

    def backward(self, *gys):
        raise NotImplementedError(f'{type(self).__name__}.backward is not defined')


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


def add(x0, x1):
    return Add()(x0, x1)


# --- demo ---
x = Variable(np.array(3.0))
add(x, x).backward()
print('d(x + x)/dx =', x.grad)

x.cleargrad()
add(add(x, x), x).backward()
print('after cleargrad, d(x + x + x)/dx =', x.grad)

add(x, x).backward()
print('and without it, the grads add up:', x.grad)
