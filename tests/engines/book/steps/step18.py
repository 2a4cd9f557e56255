# A test engine of the conformance kit, in the shape of the book's steps/step18.py:
# Config.enable_backprop, using_config and no_grad; backward keeps only the leaves' grads
# unless retain_grad=True. Written for this project (MIT); see ../SHAPES.md.
import contextlib
import weakref

import numpy as np


class Config:
    enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    saved = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, saved)


def no_grad():
    return using_config('enable_backprop', False)


class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f'Variable takes a numpy.ndarray or None, not {type(data).__name__}')
        self.data = data
        self.grad = None
        self.creator = None
        self.generation = 0

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False):
        if self.grad is None:
            self.grad = np.ones_like(self.data)

        pending = []
        queued = set()

        def push(f):
            if f not in queued:
                queued.add(f)
                pending.append(f)
                pending.sort(key=lambda g: g.generation)

        push(self.creator)
        while pending:
            f = pending.pop()
            gys = [ref().grad for ref in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    push(x.creator)
            if not retain_grad:
                for ref in f.outputs:
                    ref().grad = None


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
        if Config.enable_backprop:
            self.generation = max(v.generation for v in inputs)
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')

    def backward(self, *gys):
        raise NotImplementedError(f'{type(self).__name__}.backward is not defined')


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.inputs[0].data
        return 2 * x * gy


def square(x):
    return Square()(x)


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


def add(x0, x1):
    return Add()(x0, x1)


# --- demo ---
x0 = Variable(np.array(1.0))
x1 = Variable(np.array(1.0))
t = add(x0, x1)
y = add(x0, t)
y.backward()
print('kept:', x0.grad, x1.grad, ' dropped:', y.grad, t.grad)

with no_grad():
    y = square(Variable(np.array(4.0)))
print('under no_grad: y =', y.data, ' creator =', y.creator)

answer = input('press Enter to build a graph with backprop on again: ')
y = square(Variable(np.array(4.0)))
print('after no_grad: creator =', type(y.creator).__name__, '(you typed', repr(answer) + ')')
