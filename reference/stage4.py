"""DeZero stage 4 (Deep Learning from Scratch 3, steps 37-46): the kit's reference engine.

Stage 3 on tensors. Every operation works elementwise on arrays of any shape (step 37), and a
gradient always has its input's shape: reshape and transpose (step 38), sum over axes (step 39),
broadcast_to and sum_to, each the other's backward, so that + - * / broadcast like numpy and
sum their gradients back (step 40), matmul (step 41). Then what a network needs:
mean_squared_error (step 42), linear and sigmoid (step 43), Parameter, Layer and Linear
(step 44), Model and MLP (step 45), Optimizer, SGD and MomentumSGD (step 46). Every backward is
still written with Variable operations, so create_graph keeps working.
"""
import contextlib
import weakref

import numpy as np

__version__ = "4.0"


class Config:
    enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)


def no_grad():
    return using_config("enable_backprop", False)


def as_array(x):
    if isinstance(x, np.ndarray):  # every output of a Function: np.isscalar costs more
        return x
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")
    __array_priority__ = 200  # ndarray + Variable calls Variable.__radd__

    def __init__(self, data, name=None):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(
                f"Variable takes a numpy.ndarray or None, not {type(data).__name__}: "
                f"wrap the value with np.array(...)")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        p = str(self.data).replace("\n", "\n" + " " * 9)
        return "variable(" + p + ")"

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        return transpose(self, axes or None)

    @property
    def T(self):
        return transpose(self)

    def sum(self, axis=None, keepdims=False):
        return sum(self, axis, keepdims)

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False, create_graph=False):
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))

        funcs = []
        seen_set = set()

        def add_func(f):
            if f not in seen_set:
                funcs.append(f)
                seen_set.add(f)
                funcs.sort(key=lambda x: x.generation)

        add_func(self.creator)
        while funcs:
            f = funcs.pop()  # the latest generation: every user of f's outputs is done
            gys = [output().grad for output in f.outputs]

            with using_config("enable_backprop", create_graph):
                gxs = f.backward(*gys)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)

                for x, gx in zip(f.inputs, gxs):
                    if x.grad is None:
                        x.grad = gx
                    else:
                        x.grad = x.grad + gx  # never +=: x.grad may be another Variable's grad
                    if x.creator is not None:
                        add_func(x.creator)

            if not retain_grad:
                for y in f.outputs:
                    y().grad = None


class Parameter(Variable):
    pass


def as_variable(obj):
    if isinstance(obj, Variable):
        return obj
    return Variable(obj)


class Function:
    __slots__ = ("inputs", "outputs", "generation", "__weakref__")  # no per-node __dict__

    def __call__(self, *inputs):
        inputs = [as_variable(x) for x in inputs]
        xs = [x.data for x in inputs]
        ys = self.forward(*xs)
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]

        if Config.enable_backprop:
            self.generation = max([x.generation for x in inputs])
            for output in outputs:
                output.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(f"{type(self).__name__}.forward: subclass Function and define it")

    def backward(self, *gys):
        raise NotImplementedError(
            f"{type(self).__name__}.backward: subclass Function and define it")


class Square(Function):
    __slots__ = ()

    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x, = self.inputs
        return 2 * x * gy


class Exp(Function):
    __slots__ = ()

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x, = self.inputs
        return exp(x) * gy


class Add(Function):
    __slots__ = ()

    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return sum_to(gy, x0.shape), sum_to(gy, x1.shape)


class Mul(Function):
    __slots__ = ()

    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return sum_to(gy * x1, x0.shape), sum_to(gy * x0, x1.shape)


class Neg(Function):
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    __slots__ = ()

    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return sum_to(gy, x0.shape), sum_to(-gy, x1.shape)


class Div(Function):
    __slots__ = ()

    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return sum_to(gy / x1, x0.shape), sum_to(gy * (-x0 / x1 ** 2), x1.shape)


class Pow(Function):
    __slots__ = ("c",)

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x, = self.inputs
        c = self.c
        return c * x ** (c - 1) * gy


class Sin(Function):
    __slots__ = ()

    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        x, = self.inputs
        return gy * cos(x)


class Cos(Function):
    __slots__ = ()

    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        x, = self.inputs
        return gy * -sin(x)


class Tanh(Function):
    __slots__ = ()

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * (1 - y * y)


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def add(x0, x1):
    return Add()(x0, as_array(x1))


def mul(x0, x1):
    return Mul()(x0, as_array(x1))


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, as_array(x1))


def rsub(x0, x1):
    return Sub()(as_array(x1), x0)


def div(x0, x1):
    return Div()(x0, as_array(x1))


def rdiv(x0, x1):
    return Div()(as_array(x1), x0)


def pow(x, c):
    return Pow(c)(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tanh(x):
    return Tanh()(x)


class Reshape(Function):
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        x, = self.inputs
        return reshape(gy, x.shape)


class Transpose(Function):
    __slots__ = ("axes",)

    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        axes, n = self.axes, gy.ndim
        inv = None if axes is None else tuple(np.argsort([a % n for a in axes]).tolist())
        return transpose(gy, inv)  # None, all axes reversed, is its own inverse


class Sum(Function):
    __slots__ = ("axis", "keepdims")

    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        x, = self.inputs
        axes = range(x.ndim) if self.axis is None else np.atleast_1d(self.axis) % x.ndim
        shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))  # as with keepdims
        return broadcast_to(reshape(gy, shape), x.shape)


class BroadcastTo(Function):
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return np.broadcast_to(x, self.shape)

    def backward(self, gy):
        x, = self.inputs
        return sum_to(gy, x.shape)


class SumTo(Function):
    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        lead = x.ndim - len(self.shape)  # the axes broadcasting added in front
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(self.shape) if n == 1)
        return x.sum(axis=axes, keepdims=True).reshape(self.shape)

    def backward(self, gy):
        x, = self.inputs
        return broadcast_to(gy, x.shape)


class MatMul(Function):
    __slots__ = ()

    def forward(self, x, W):
        return x.dot(W)

    def backward(self, gy):
        x, W = self.inputs
        return matmul(gy, W.T), matmul(x.T, gy)


class MeanSquaredError(Function):
    __slots__ = ()

    def forward(self, x0, x1):
        diff = x0 - x1
        return (diff ** 2).sum() / len(diff)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        gx = gy * diff * (2. / len(diff))
        return sum_to(gx, x0.shape), sum_to(-gx, x1.shape)


class Sigmoid(Function):
    __slots__ = ()

    def forward(self, x):
        return np.tanh(x * 0.5) * 0.5 + 0.5  # 1 / (1 + exp(-x)), without overflow

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * y * (1 - y)


def reshape(x, shape):
    if x.shape == shape:
        return as_variable(x)
    return Reshape(shape)(x)


def transpose(x, axes=None):
    return Transpose(axes)(x)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


def broadcast_to(x, shape):
    if x.shape == shape:
        return as_variable(x)
    return BroadcastTo(shape)(x)


def sum_to(x, shape):
    if x.shape == shape:
        return as_variable(x)
    return SumTo(shape)(x)


def matmul(x, W):
    return MatMul()(x, W)


def mean_squared_error(x0, x1):
    return MeanSquaredError()(x0, x1)


def linear(x, W, b=None):
    y = matmul(x, W)
    return y if b is None else y + b


def sigmoid(x):
    return Sigmoid()(x)


Variable.__add__ = Variable.__radd__ = add
Variable.__mul__ = Variable.__rmul__ = mul
Variable.__neg__ = neg
Variable.__sub__ = sub
Variable.__rsub__ = rsub
Variable.__truediv__ = div
Variable.__rtruediv__ = rdiv
Variable.__pow__ = pow


def numerical_diff(f, x, eps=1e-4):
    x0 = Variable(as_array(x.data - eps))
    x1 = Variable(as_array(x.data + eps))
    y0 = f(x0)
    y1 = f(x1)
    return (y1.data - y0.data) / (2 * eps)


class Layer:
    def __init__(self):
        self._params = []  # the names of the Parameters and Layers held, in assignment order

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Layer)) and name not in self._params:
            self._params.append(name)
        super().__setattr__(name, value)

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def params(self):
        for name in self._params:
            obj = getattr(self, name)
            if isinstance(obj, Layer):
                yield from obj.params()
            else:
                yield obj

    def cleargrads(self):
        for param in self.params():
            param.cleargrad()


class Linear(Layer):
    def __init__(self, out_size, nobias=False, dtype=np.float32):
        super().__init__()
        self.out_size = out_size
        self.dtype = dtype
        self.W = Parameter(None, name="W")  # in_size is known at the first call
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=dtype), name="b")

    def _init_W(self, in_size):
        W_data = np.random.randn(in_size, self.out_size).astype(self.dtype)
        self.W.data = W_data * np.sqrt(1 / in_size)

    def forward(self, x):
        if self.W.data is None:  # created at the first call, which knows in_size
            self._init_W(x.shape[1])
        return linear(x, self.W, self.b)


class Model(Layer):
    pass


class MLP(Model):
    def __init__(self, fc_output_sizes, activation=sigmoid):
        super().__init__()
        self.activation = activation
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = Linear(out_size)
            setattr(self, "l" + str(i), layer)
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


class Optimizer:
    def __init__(self):
        self.target = None
        self.hooks = []

    def setup(self, target):
        self.target = target
        return self

    def update(self):
        params = [p for p in self.target.params() if p.grad is not None]
        for f in self.hooks:  # e.g. weight decay, gradient clipping
            f(params)
        for param in params:
            self.update_one(param)

    def add_hook(self, f):
        self.hooks.append(f)


class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        param.data -= self.lr * param.grad.data


class MomentumSGD(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum
        self.vs = {}

    def update_one(self, param):
        v = self.vs.setdefault(id(param), np.zeros_like(param.data))  # in place: param's dtype
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v
