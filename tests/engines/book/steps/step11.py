# A test engine of the conformance kit, in the shape of the book's steps/step11.py: a Function
# takes a list of Variables and returns a list. Variable.backward is step 9's, which reads
# f.input and f.output: this step's Functions have inputs and outputs, so backward does not
# work here yet (the book never calls it at this step). Written for this project (MIT); see
# ../SHAPES.md.
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
    def __call__(self, inputs):
        xs = [v.data for v in inputs]
        ys = self.forward(xs)
        outputs = [Variable(as_array(y)) for y in ys]
        for output in outputs:
            output.set_creator(self)
        self.inputs = inputs
        self.outputs = outputs
        return outputs

    def forward(self, xs):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')

    def backward(self, gys):
        raise NotImplementedError(f'{type(self).__name__}.backward is not defined')


class Add(Function):
    def forward(self, xs):
        x0, x1 = xs
        return (x0 + x1,)


# --- demo ---
pair = [Variable(np.array(4)), Variable(np.array(-1))]
results = Add()(pair)
print(len(results), 'output:', results[0].data)
