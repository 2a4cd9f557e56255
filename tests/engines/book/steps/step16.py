# A test engine of the conformance kit, in the shape of the book's steps/step16.py: backward
# in generation order, each Function once. Written for this project (MIT); see ../SHAPES.md.
import numpy as np


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

    def backward(self):
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
            f = pending.pop()  # the latest generation: every user of its outputs is done
            gys = [output.grad for output in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    push(x.creator)


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
        self.generation = max(v.generation for v in inputs)
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
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
for start in (2.0, 1.5, -0.5):
    x = Variable(np.array(start))
    a = square(x)
    y = add(square(a), square(a))
    y.backward()
    print(f'x = {start}: y = {y.data}, dy/dx = {x.grad}')
