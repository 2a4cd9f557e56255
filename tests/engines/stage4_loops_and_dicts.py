"""A correct stage-4 engine (book steps 1-46) in one module, written the long way round where
the reference takes a short cut: sum_to reduces with np.add.reduce over axes it lists itself,
transpose moves axes with np.moveaxis and builds the inverse permutation by a loop, reshape
makes a Function even when the shape does not change, a Layer finds its parameters by scanning
its __dict__ in params() (no __setattr__), recursing into Layers and into the dicts and lists
that hold them, MLP keeps its layers in a dict, the optimizers rebind param.data to a new
array rather than writing into it, and MomentumSGD keeps its velocities in a
WeakKeyDictionary keyed by the parameter itself. The linear Function is LinearFunction (the
name Linear is the layer's). Gradients are Variables (step 32 on); a gradient preset as an
array is made a Variable before backward starts."""
import contextlib
import weakref

import numpy as np


class Config:
    enable_backprop = True


@contextlib.contextmanager
def using_config(name, value):
    previous = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, previous)


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
            raise TypeError(f"a Variable holds a numpy.ndarray (or None), not "
                            f"{type(data).__name__}")
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
        return "variable(" + str(self.data).replace("\n", "\n" + " " * 9) + ")"

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return reshape(self, tuple(shape))

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, tuple(axes) if axes else None)

    @property
    def T(self):
        return transpose(self, None)

    def sum(self, axis=None, keepdims=False):
        return sum(self, axis=axis, keepdims=keepdims)

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False, create_graph=False):
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))
        elif not isinstance(self.grad, Variable):
            self.grad = Variable(np.asarray(self.grad))

        todo = []
        seen = set()

        def schedule(func):
            if func is not None and func not in seen:
                seen.add(func)
                todo.append(func)
                todo.sort(key=lambda f: f.generation)

        schedule(self.creator)
        while todo:
            func = todo.pop()
            gys = [out().grad for out in func.outputs]
            with using_config("enable_backprop", create_graph):
                gxs = func.backward(*gys)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(func.inputs, gxs):
                    x.grad = gx if x.grad is None else x.grad + gx
                    schedule(x.creator)
            if not retain_grad:
                for out in func.outputs:
                    out().grad = None


class Parameter(Variable):
    pass


def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(obj)


class Function:
    def __call__(self, *inputs):
        inputs = [as_variable(x) for x in inputs]
        ys = self.forward(*[x.data for x in inputs])
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
        raise NotImplementedError

    def backward(self, *gys):
        raise NotImplementedError


def _back_to(g, shape):
    """A gradient summed back to the shape its input had before broadcasting."""
    return g if g.shape == shape else sum_to(g, shape)


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        x = self.inputs[0]
        return 2 * x * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return gy * self.outputs[0]()


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _back_to(gy, x0.shape), _back_to(gy, x1.shape)


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _back_to(gy * x1, x0.shape), _back_to(gy * x0, x1.shape)


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _back_to(gy, x0.shape), _back_to(-gy, x1.shape)


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        g0 = gy / x1
        g1 = -g0 * x0 / x1
        return _back_to(g0, x0.shape), _back_to(g1, x1.shape)


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x = self.inputs[0]
        return gy * self.c * x ** (self.c - 1)


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, gy):
        return -(gy * sin(self.inputs[0]))


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy - gy * y * y


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


Variable.__add__ = add
Variable.__radd__ = add
Variable.__mul__ = mul
Variable.__rmul__ = mul
Variable.__neg__ = neg
Variable.__sub__ = sub
Variable.__rsub__ = rsub
Variable.__truediv__ = div
Variable.__rtruediv__ = rdiv
Variable.__pow__ = pow


def numerical_diff(f, x, eps=1e-4):
    below = Variable(as_array(x.data - eps))
    above = Variable(as_array(x.data + eps))
    return (f(above).data - f(below).data) / (2 * eps)


# ---------------------------------------------------------------------------------------------
# Tensors (steps 37-41)
# ---------------------------------------------------------------------------------------------
class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return np.reshape(x, self.shape)

    def backward(self, gy):
        return reshape(gy, self.in_shape)


def reshape(x, shape):
    return Reshape(shape)(x)  # a Function even when nothing changes


class Transpose(Function):
    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        n = x.ndim
        if self.axes is None:
            self.order = tuple(reversed(range(n)))
        else:
            self.order = tuple(axis % n for axis in self.axes)
        # output axis i is input axis order[i]: move each order[i] to position i
        return np.moveaxis(x, self.order, tuple(range(n)))

    def backward(self, gy):
        inverse = [0] * len(self.order)
        for position, axis in enumerate(self.order):
            inverse[axis] = position
        return transpose(gy, tuple(inverse))


def transpose(x, axes=None):
    return Transpose(axes)(x)


def _summed_axes(axis, ndim):
    if axis is None:
        return set(range(ndim))
    if np.ndim(axis) == 0:
        axis = (axis,)
    return {int(a) % ndim for a in axis}


class Sum(Function):
    def __init__(self, axis, keepdims):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.in_shape = x.shape
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        summed = _summed_axes(self.axis, len(self.in_shape))
        kept = tuple(1 if i in summed else n for i, n in enumerate(self.in_shape))
        return broadcast_to(reshape(gy, kept), self.in_shape)


def sum(x, axis=None, keepdims=False):
    return Sum(axis, keepdims)(x)


class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.in_shape = x.shape
        return np.broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.in_shape)


def broadcast_to(x, shape):
    if as_variable(x).shape == tuple(shape):
        return as_variable(x)
    return BroadcastTo(shape)(x)


class SumTo(Function):
    def __init__(self, shape):
        self.shape = tuple(shape)

    def forward(self, x):
        self.in_shape = x.shape
        lead = x.ndim - len(self.shape)
        axes = []
        for i in range(x.ndim):
            if i < lead or (self.shape[i - lead] == 1 and x.shape[i] != 1):
                axes.append(i)
        return np.add.reduce(x, axis=tuple(axes), keepdims=True).reshape(self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.in_shape)


def sum_to(x, shape):
    if as_variable(x).shape == tuple(shape):
        return as_variable(x)
    return SumTo(shape)(x)


class MatMul(Function):
    def forward(self, x, W):
        return x @ W

    def backward(self, gy):
        x, W = self.inputs
        return matmul(gy, W.T), matmul(x.T, gy)


def matmul(x, W):
    return MatMul()(x, W)


# ---------------------------------------------------------------------------------------------
# Loss, linear, sigmoid (steps 42-43)
# ---------------------------------------------------------------------------------------------
class MeanSquaredError(Function):
    def forward(self, x0, x1):
        diff = x0 - x1
        return np.sum(diff * diff) / diff.shape[0]

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        g = diff * gy * (2.0 / diff.shape[0])
        return _back_to(g, x0.shape), _back_to(-g, x1.shape)


def mean_squared_error(x0, x1):
    return MeanSquaredError()(x0, x1)


class LinearFunction(Function):
    def forward(self, x, W, b=None):
        y = x @ W
        return y if b is None else y + b

    def backward(self, gy):
        x, W = self.inputs[0], self.inputs[1]
        grads = (matmul(gy, W.T), matmul(x.T, gy))
        if len(self.inputs) > 2:
            grads += (sum_to(gy, self.inputs[2].shape),)
        return grads


def linear(x, W, b=None):
    return LinearFunction()(x, W) if b is None else LinearFunction()(x, W, b)


class Sigmoid(Function):
    def forward(self, x):
        e = np.exp(-np.abs(x))  # never overflows: e^-|x| <= 1
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * y * (1 - y)


def sigmoid(x):
    return Sigmoid()(x)


# ---------------------------------------------------------------------------------------------
# Layers, models, optimizers (steps 44-46)
# ---------------------------------------------------------------------------------------------
def _parameters_in(value):
    """The Parameters in value: itself, a Layer's, or those in a dict, list or tuple."""
    if isinstance(value, Parameter):
        yield value
    elif isinstance(value, Layer):
        yield from value.params()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _parameters_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _parameters_in(item)


class Layer:
    def __call__(self, *inputs):
        return self.forward(*inputs)

    def forward(self, *inputs):
        raise NotImplementedError

    def params(self):
        for value in list(vars(self).values()):
            yield from _parameters_in(value)

    def cleargrads(self):
        for p in self.params():
            p.cleargrad()


class Linear(Layer):
    def __init__(self, out_size, nobias=False, dtype=np.float32, in_size=None):
        self.out_size = out_size
        self.dtype = dtype
        self.W = Parameter(None, name="W")
        if in_size is not None:
            self.init_W(in_size)
        self.b = None if nobias else Parameter(np.zeros(out_size, dtype=dtype), name="b")

    def init_W(self, in_size):
        w = np.random.randn(in_size, self.out_size).astype(self.dtype)
        self.W.data = w * np.sqrt(1.0 / in_size)

    def forward(self, x):
        if self.W.data is None:
            self.init_W(x.shape[1])
        return linear(x, self.W, self.b)


class Model(Layer):
    pass


class MLP(Model):
    def __init__(self, fc_output_sizes, activation=sigmoid):
        self.activation = activation
        self.layers = {}
        for i, size in enumerate(fc_output_sizes):
            self.layers[f"fc{i}"] = Linear(size)

    def forward(self, x):
        layers = list(self.layers.values())
        for layer in layers[:-1]:
            x = self.activation(layer(x))
        return layers[-1](x)


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
        for hook in self.hooks:
            hook(params)
        for p in params:
            self.update_one(p)

    def update_one(self, param):
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__()
        self.lr = lr

    def update_one(self, param):
        param.data = param.data - self.lr * param.grad.data


class MomentumSGD(Optimizer):
    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__()
        self.lr = lr
        self.momentum = momentum
        self.velocities = weakref.WeakKeyDictionary()

    def update_one(self, param):
        v = self.velocities.get(param)
        if v is None:
            v = np.zeros_like(param.data)
        v = self.momentum * v - self.lr * param.grad.data
        self.velocities[param] = v
        param.data = param.data + v
