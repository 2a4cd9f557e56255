"""A correct stage-2 engine (book step 24) in another style: backward keeps its pending
Functions in a heap keyed by (-generation, arrival count) instead of re-sorting a list,
using_config is a class-based context manager, the operators are methods written in the
class body, and Square, Exp, square, exp and numerical_diff are kept."""
import heapq
import itertools
import weakref

import numpy as np


class Config:
    enable_backprop = True


class using_config:
    """Set Config.<name> to value for a with-block, and put the old value back on exit,
    whether the block ends normally or by an exception."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __enter__(self):
        self.saved = getattr(Config, self.name)
        setattr(Config, self.name, self.value)
        return self

    def __exit__(self, *exc_info):
        setattr(Config, self.name, self.saved)
        return False


def no_grad():
    return using_config("enable_backprop", False)


def as_array(x):
    return np.array(x) if np.isscalar(x) else x


class Variable:
    __slots__ = ("data", "name", "grad", "creator", "generation", "__weakref__")
    __array_priority__ = 200

    def __init__(self, data, name=None):
        if not (data is None or isinstance(data, np.ndarray)):
            raise TypeError(f"Variable needs an ndarray, got {type(data).__name__}")
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

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(self, other)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(self, other)

    def __neg__(self):
        return neg(self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return rsub(self, other)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return rdiv(self, other)

    def __pow__(self, c):
        return pow(self, c)

    def set_creator(self, func):
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self):
        self.grad = None

    def backward(self, retain_grad=False):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        heap, seen, order = [], set(), itertools.count()

        def push(func):
            if func not in seen:
                seen.add(func)
                # the newest generation first; the count breaks ties (Functions don't compare)
                heapq.heappush(heap, (-func.generation, next(order), func))

        push(self.creator)
        while heap:
            func = heapq.heappop(heap)[2]
            outs = [ref() for ref in func.outputs]
            gxs = func.backward(*[out.grad for out in outs])
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(func.inputs, gxs):
                x.grad = gx if x.grad is None else x.grad + gx
                if x.creator is not None:
                    push(x.creator)
            if not retain_grad:
                for out in outs:
                    out.grad = None


def as_variable(obj):
    return obj if isinstance(obj, Variable) else Variable(obj)


class Function:
    def __call__(self, *inputs):
        inputs = tuple(as_variable(x) for x in inputs)
        ys = self.forward(*(x.data for x in inputs))
        outputs = [Variable(as_array(y)) for y in (ys if isinstance(ys, tuple) else (ys,))]
        if Config.enable_backprop:
            self.generation = max(x.generation for x in inputs)
            for out in outputs:
                out.set_creator(self)
            self.inputs = inputs
            self.outputs = tuple(weakref.ref(out) for out in outputs)
        return outputs if len(outputs) > 1 else outputs[0]

    def forward(self, *xs):
        raise NotImplementedError(type(self).__name__ + ".forward")

    def backward(self, *gys):
        raise NotImplementedError(type(self).__name__ + ".backward")


class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.inputs[0].data) * gy


class Add(Function):
    def forward(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        return gy, gy


class Mul(Function):
    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = (x.data for x in self.inputs)
        return x1 * gy, x0 * gy


class Neg(Function):
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    def forward(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        return gy, -gy


class Div(Function):
    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = (x.data for x in self.inputs)
        gx0 = gy / x1
        return gx0, -gx0 * x0 / x1


class Pow(Function):
    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x, c = self.inputs[0].data, self.c
        return c * x ** (c - 1) * gy


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


def numerical_diff(f, x, eps=1e-4):
    lo = f(Variable(as_array(x.data - eps)))
    hi = f(Variable(as_array(x.data + eps)))
    return (hi.data - lo.data) / (2 * eps)
