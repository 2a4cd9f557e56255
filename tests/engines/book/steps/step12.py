# A test engine of the conformance kit, in the shape of the book's steps/step12.py: a Function
# takes its Variables as arguments, and one output comes back bare. Variable.backward is still
# step 9's (it reads f.input: not usable at this step, as in the book). Written for this
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

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        pending = [self.creator]
        while pending:
            f = pending.pop()
            x, y = f.input, f.output
            x.grad = f.backward(y.grad)
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


def add(x0, x1):
    return Add()(x0, x1)


# --- demo ---
total = add(Variable(np.array(2.5)), Variable(np.array(0.5)))
print('2.5 + 0.5 =', total.data)
