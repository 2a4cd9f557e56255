"""A correct stage-4 engine (book steps 1-46) in one module that composes where the reference
writes new Functions: sigmoid is 1 / (1 + exp(-x)) and linear is matmul(x, W) + b (the bias
broadcast by Add, its gradient summed back by Add's backward), mean_squared_error is
sum(diff * diff) / len(diff), so that only the tensor functions (reshape, transpose, sum,
broadcast_to, sum_to, matmul) are new Functions. Backward orders the graph once, by an
iterative depth-first search (reverse post-order), instead of a list sorted by generation;
sum_to sums one axis at a time; Sum's backward puts the summed axes back by inserting 1s.
A Layer registers Parameters and Layers in __setattr__ and params() yields them in sorted
name order; Linear makes W at once when in_size is given, else at its first call. as_variable
takes a numpy scalar (a 0-d gradient negated in numpy), which Variable itself refuses."""
import contextlib
import weakref

import numpy as np


class Config:
    enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    old = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old)


def no_grad():
    return using_config("enable_backprop", False)


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Variable:
    __array_priority__ = 200

    def __init__(self, data, name=None):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data).__name__} is not supported: use an np.ndarray")
        self.data = data
        self.name = name
        self.grad = None
        self.creator = None
        self.generation = 0

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        lines = str(self.data).split("\n")
        return "variable(" + ("\n" + " " * 9).join(lines) + ")"

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def transpose(self, *axes):
        if not axes or axes == (None,):
            return transpose(self)
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return transpose(self, axes)

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
        if self.creator is None:
            return
        # Every Function below self, each after all the Functions that use its outputs: the
        # reverse of a depth-first post-order, found with an explicit stack (no recursion).
        post_order = []
        visited = {self.creator}
        stack = [(self.creator, iter(self.creator.inputs))]
        while stack:
            func, inputs = stack[-1]
            for x in inputs:
                f = x.creator
                if f is not None and f not in visited:
                    visited.add(f)
                    stack.append((f, iter(f.inputs)))
                    break
            else:
                stack.pop()
                post_order.append(func)
        del visited, stack

        while post_order:
            func = post_order.pop()
            gys = [ref().grad for ref in func.outputs]
            with using_config("enable_backprop", create_graph):
                gxs = func.backward(*gys)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(func.inputs, gxs):
                    if x.grad is None:
                        x.grad = gx
                    else:
                        x.grad = x.grad + gx
            if not retain_grad:
                for ref in func.outputs:
                    ref().grad = None


class Parameter(Variable):
    pass


def as_variable(obj):
    if isinstance(obj, Variable):
        return obj
    if isinstance(obj, np.generic):  # a numpy scalar, such as -gy of a 0-d gy
        obj = np.array(obj)
    return Variable(obj)


class Function:
    def __call__(self, *inputs):
        inputs = [as_variable(x) for x in inputs]
        ys = self.forward(*(x.data for x in inputs))
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        if Config.enable_backprop:
            self.generation = max(x.generation for x in inputs)
            for y in outputs:
                y.set_creator(self)
            self.inputs = inputs
            self.outputs = [weakref.ref(y) for y in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(type(self).__name__)

    def backward(self, *gys):
        raise NotImplementedError(type(self).__name__)


class Square(Function):
    def forward(self, x):
        return x * x

    def backward(self, gy):
        x, = self.inputs
        return gy * (x * 2.0)


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        x, = self.inputs
        return gy * exp(x)


def _unbroadcast(g, x):
    return g if g.shape == x.shape else sum_to(g, x.shape)


class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        a, b = self.inputs
        return _unbroadcast(gy, a), _unbroadcast(gy, b)


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        return _unbroadcast(b * gy, a), _unbroadcast(a * gy, b)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        a, b = self.inputs
        return _unbroadcast(gy, a), _unbroadcast(-gy, b)


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, gy):
        a, b = self.inputs
        return _unbroadcast(gy / b, a), _unbroadcast(-gy * a / b ** 2, b)


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return np.power(x, self.c)

    def backward(self, gy):
        x, = self.inputs
        return self.c * x ** (self.c - 1) * gy


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        x, = self.inputs
        return cos(x) * gy


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        x, = self.inputs
        return -sin(x) * gy


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return (1 - y ** 2) * gy


def square(x):
    return Square()(x)


def exp(x):
    return Exp()(x)


def add(a, b):
    return Add()(a, as_array(b))


def mul(a, b):
    return Mul()(a, as_array(b))


def neg(x):
    return Neg()(x)


def sub(a, b):
    return Sub()(a, as_array(b))


def rsub(a, b):
    return Sub()(as_array(b), a)


def div(a, b):
    return Div()(a, as_array(b))


def rdiv(a, b):
    return Div()(as_array(b), a)


def pow(x, c):
    return Pow(c)(x)


def sin(x):
    return Sin()(x)


def cos(x):
    return Cos()(x)


def tanh(x):
    return Tanh()(x)


def setup_variable():
    for name, fn in (("add", add), ("radd", add), ("mul", mul), ("rmul", mul), ("neg", neg),
                     ("sub", sub), ("rsub", rsub), ("truediv", div), ("rtruediv", rdiv),
                     ("pow", pow)):
        setattr(Variable, f"__{name}__", fn)


setup_variable()


def numerical_diff(f, x, eps=1e-4):
    lo = f(Variable(as_array(x.data - eps)))
    hi = f(Variable(as_array(x.data + eps)))
    return (hi.data - lo.data) / (2 * eps)


# ---------------------------------------------------------------------------------------------
# The tensor functions: the only new Functions of steps 37-46.
# ---------------------------------------------------------------------------------------------
class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        return x.reshape(self.shape)

    def backward(self, gy):
        x, = self.inputs
        return reshape(gy, x.shape)


def reshape(x, shape):
    if np.shape(as_variable(x).data) == tuple(shape):
        return as_variable(x)
    return Reshape(tuple(shape))(x)


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        n = len(self.axes)
        inverse = np.argsort([a + n if a < 0 else a for a in self.axes])
        return transpose(gy, tuple(inverse.tolist()))


def transpose(x, axes=None):
    return Transpose(axes)(x)


class Sum(Function):
    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        x, = self.inputs
        if not self.keepdims:
            if self.axis is None:
                axes = list(range(x.ndim))
            elif isinstance(self.axis, tuple):
                axes = [a + x.ndim if a < 0 else a for a in self.axis]
            else:
                axes = [self.axis + x.ndim if self.axis < 0 else self.axis]
            shape = list(gy.shape)
            for a in sorted(axes):  # each summed axis back, as a 1, in its place
                shape.insert(a, 1)
            gy = reshape(gy, tuple(shape))
        return broadcast_to(gy, x.shape)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


def _sum_to_array(a, shape):
    while a.ndim > len(shape):
        a = a.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and a.shape[axis] != 1:
            a = a.sum(axis=axis, keepdims=True)
    return a


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return np.broadcast_to(x, self.shape).copy()

    def backward(self, gy):
        x, = self.inputs
        return sum_to(gy, x.shape)


def broadcast_to(x, shape):
    if np.shape(as_variable(x).data) == tuple(shape):
        return as_variable(x)
    return BroadcastTo(shape)(x)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        return _sum_to_array(x, self.shape)

    def backward(self, gy):
        x, = self.inputs
        return broadcast_to(gy, x.shape)


def sum_to(x, shape):
    if np.shape(as_variable(x).data) == tuple(shape):
        return as_variable(x)
    return SumTo(shape)(x)


class MatMul(Function):
    def forward(self, x, W):
        return np.dot(x, W)

    def backward(self, gy):
        x, W = self.inputs
        return matmul(gy, W.T), matmul(x.T, gy)


def matmul(x, W):
    return MatMul()(x, W)


# ---------------------------------------------------------------------------------------------
# Composed from the above: no Function of their own.
# ---------------------------------------------------------------------------------------------
def mean_squared_error(x0, x1):
    diff = x0 - x1
    return sum(diff * diff) / len(diff)


def linear(x, W, b=None):
    y = matmul(x, W)
    if b is not None:
        y = y + b
    return y


def sigmoid(x):
    return 1 / (1 + exp(-x))


# ---------------------------------------------------------------------------------------------
# Layers, models, optimizers.
# ---------------------------------------------------------------------------------------------
class Layer:
    def __init__(self):
        object.__setattr__(self, "_registered", set())

    def __setattr__(self, name, value):
        if isinstance(value, (Parameter, Layer)):
            self._registered.add(name)
        else:
            self._registered.discard(name)
        object.__setattr__(self, name, value)

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def forward(self, *inputs):
        raise NotImplementedError(type(self).__name__)

    def params(self):
        for name in sorted(self._registered):
            value = getattr(self, name)
            if isinstance(value, Layer):
                yield from value.params()
            else:
                yield value

    def cleargrads(self):
        for p in self.params():
            p.cleargrad()


class Linear(Layer):
    def __init__(self, out_size, nobias=False, dtype=np.float32, in_size=None):
        super().__init__()
        self.out_size = out_size
        self.dtype = dtype
        if in_size is None:
            self.W = Parameter(None, name="W")  # made at the first call
        else:
            self.W = Parameter(self._draw(in_size), name="W")
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=dtype), name="b")

    def _draw(self, in_size):
        scale = np.sqrt(1 / in_size)
        return np.random.randn(in_size, self.out_size).astype(self.dtype) * scale

    def forward(self, x):
        if self.W.data is None:
            self.W.data = self._draw(x.shape[1])
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
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x):
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = self.activation(x)
        return x


class Optimizer:
    def __init__(self):
        self.target = None
        self.hooks = []

    def setup(self, target):
        self.target = target
        return self

    def add_hook(self, f):
        self.hooks.append(f)

    def update(self):
        params = [p for p in self.target.params() if p.grad is not None]
        for f in self.hooks:
            f(params)
        for p in params:
            self.update_one(p)

    def update_one(self, param):
        raise NotImplementedError(type(self).__name__)


class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        np.subtract(param.data, self.lr * param.grad.data, out=param.data)


class MomentumSGD(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum
        self.vs = {}

    def update_one(self, param):
        v = self.vs.get(id(param))
        if v is None:
            v = self.vs[id(param)] = np.zeros_like(param.data)
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v
