# The kit's test engine in the shape of the book's dezero/layers.py, up to step 44: Layer,
# which registers the Parameters and Layers assigned as its attributes (and nothing else), and
# Linear, the fully connected layer whose W is made at its first call, when the size of its
# input is known. Written for this project (MIT); see ../SHAPES.md.
import numpy as np

import dezero.functions as F
from dezero.core import Parameter


class Layer:
    def __init__(self):
        self._params = set()  # the names of the attributes holding Parameters or Layers

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Layer)):
            self._params.add(name)
        super().__setattr__(name, value)

    def __call__(self, *inputs):
        outputs = self.forward(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *inputs):
        raise NotImplementedError(f'{type(self).__name__}.forward is not defined')

    def params(self):
        for name in self._params:
            obj = self.__dict__[name]
            if isinstance(obj, Layer):
                yield from obj.params()
            else:
                yield obj

    def cleargrads(self):
        for param in self.params():
            param.cleargrad()


class Linear(Layer):
    def __init__(self, out_size, nobias=False, dtype=np.float32, in_size=None):
        super().__init__()
        self.in_size = in_size
        self.out_size = out_size
        self.dtype = dtype

        self.W = Parameter(None, name='W')
        if self.in_size is not None:
            self._init_W()

        if nobias:
            self.b = None
        else:
            self.b = Parameter(np.zeros(out_size, dtype=dtype), name='b')

    def _init_W(self):
        rows, cols = self.in_size, self.out_size
        scale = np.sqrt(1 / rows)  # a unit's output keeps about its input's spread
        self.W.data = np.random.randn(rows, cols).astype(self.dtype) * scale

    def forward(self, x):
        if self.W.data is None:  # the first call: in_size is the input's number of columns
            self.in_size = x.shape[1]
            self._init_W()
        return F.linear(x, self.W, self.b)
