# The kit's test engine in the shape of the book's dezero/core.py as it stands at step 46:
# core_simple.py with gradients that are Variables (step 32). Every backward is written with
# Variable operations, and backward(create_graph=True) records them, so a gradient can be
# differentiated again (steps 33-36). From step 37 on a Variable holds a tensor: it has
# reshape, transpose, T and sum (the functions of dezero/functions.py, reached through the
# package at call time, since functions.py imports this module), and + - * / broadcast like
# numpy, their backward summing each gradient back to its input's shape (step 40). Parameter
# (step 44) is a Variable that a Layer registers. Written for this project (MIT); see
# ../SHAPES.md.
import contextlib
import weakref

import numpy as np

import dezero


# ---------------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Variable and Function
# ---------------------------------------------------------------------------------------------
class Variable:
    __array_priority__ = 200  # ndarray + Variable calls Variable.__radd__

    def __init__(self, data, name=None):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f'Variable takes a numpy.ndarray or None, not {type(data).__name__}')
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
            return 'variable(None)'
        body = str(self.data).replace('\n', '\n' + ' ' * len('variable('))
        return f'variable({body})'

    # ---- tensor methods (steps 38-39): the functions of dezero/functions.py ----
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]  # x.reshape((3, 2)) as well as x.reshape(3, 2)
        return dezero.functions.reshape(self, tuple(shape))

    def transpose(self, *axes):
        if not axes:
            axes = None
        elif len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return dezero.functions.transpose(self, axes)

    @property
    def T(self):
        return dezero.functions.transpose(self)

    def sum(self, axis=None, keepdims=False):
        return dezero.functions.sum(self, axis, keepdims)

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False, create_graph=False):
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))
        elif not isinstance(self.grad, Variable):  # preset as an array: make it a Variable,
            self.grad = Variable(as_array(self.grad))  # or -gy of a 0-d gy is a numpy scalar

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
            gys = [ref().grad for ref in f.outputs]
            # The backward pass is itself a graph only when it is to be differentiated.
            with using_config('enable_backprop', create_graph):
                gxs = f.backward(*gys)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    # a new Variable, never +=: gx may be another Variable's grad
                    x.grad = gx if x.grad is None else x.grad + gx
                    if x.creator is not None:
                        push(x.creator)
            if not retain_grad:
                for ref in f.outputs:
                    ref().grad = None


class Parameter(Variable):
    # nothing of its own: a Layer tells its parameters from other Variables by this class
    pass


def as_variable(obj):
    if isinstance(obj, Variable):
        return obj
    return Variable(obj)


def as_array(x):
    if np.isscalar(x):
        return np.array(x)
    return x


class Function:
    def __call__(self, *inputs):
        inputs = [as_variable(v) for v in inputs]
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


# ---------------------------------------------------------------------------------------------
# Arithmetic, and the operators on Variable. Each backward takes and returns Variables. The
# operands may have different shapes (numpy broadcasts them): each gradient is summed back
# to the shape of its own input.
# ---------------------------------------------------------------------------------------------
def _to_shape(g, shape):
    if g.shape == shape:
        return g
    return dezero.functions.sum_to(g, shape)


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _to_shape(gy, x0.shape), _to_shape(gy, x1.shape)


def add(x0, x1):
    return Add()(x0, as_array(x1))


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        a, b = self.inputs
        return _to_shape(gy * b, a.shape), _to_shape(gy * a, b.shape)


def mul(x0, x1):
    return Mul()(x0, as_array(x1))


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


def neg(x):
    return Neg()(x)


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _to_shape(gy, x0.shape), _to_shape(-gy, x1.shape)


def sub(x0, x1):
    return Sub()(x0, as_array(x1))


def rsub(x0, x1):
    return Sub()(as_array(x1), x0)


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        return _to_shape(gy / x1, x0.shape), _to_shape(gy * (-x0 / x1 ** 2), x1.shape)


def div(x0, x1):
    return Div()(x0, as_array(x1))


def rdiv(x0, x1):
    return Div()(as_array(x1), x0)


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x, = self.inputs
        return self.c * x ** (self.c - 1) * gy


def pow(x, c):
    return Pow(c)(x)


def setup_variable():
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
