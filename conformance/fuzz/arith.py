"""The oracle's number types: Dual numbers (a derivative carried along one direction, for
the Hessian-vector products of order 2) and Bound numbers (a value with a first-order bound on
the rounding error of an engine computing it). The operations of ops.py are written once over
these and over float64 arrays; the tensor functions below (_reshape, _transpose, _sum,
_broadcast_to, _sum_to, and @ for matmul) take any of them too."""
import functools

import numpy as np


def _fn(name, a):
    """exp, sin, cos or tanh of a number of any of the oracle's types."""
    return getattr(a, name)() if isinstance(a, (Dual, Bound)) else getattr(np, name)(a)


class Dual:
    """a + d*eps, eps^2 = 0: carries the derivative along one direction (forward mode)."""
    __array_priority__ = 1000  # ndarray (op) Dual defers to Dual's reflected operator

    def __init__(self, a, d):
        self.a, self.d = a, d

    @staticmethod
    def _parts(b):
        return (b.a, b.d) if isinstance(b, Dual) else (b, None)

    def __add__(self, b):
        b, db = self._parts(b)
        y = self.a + b
        return Dual(y, _widened(self.d, y) if db is None else self.d + db)

    __radd__ = __add__

    def __sub__(self, b):
        b, db = self._parts(b)
        y = self.a - b
        return Dual(y, _widened(self.d, y) if db is None else self.d - db)

    def __rsub__(self, b):
        y = b - self.a
        return Dual(y, _widened(-self.d, y))

    def __mul__(self, b):
        b, db = self._parts(b)
        return Dual(self.a * b, self.d * b if db is None else self.d * b + self.a * db)

    __rmul__ = __mul__

    def __truediv__(self, b):
        b, db = self._parts(b)
        y = self.a / b
        return Dual(y, self.d / b if db is None else (self.d - y * db) / b)

    def __rtruediv__(self, b):
        y = b / self.a
        return Dual(y, -(y * self.d) / self.a)

    def __neg__(self):
        return Dual(-self.a, -self.d)

    def __pow__(self, c):
        return Dual(self.a ** c, c * self.a ** (c - 1) * self.d)

    def exp(self):
        y = _fn("exp", self.a)
        return Dual(y, y * self.d)

    def sin(self):
        return Dual(_fn("sin", self.a), _fn("cos", self.a) * self.d)

    def cos(self):
        return Dual(_fn("cos", self.a), -(_fn("sin", self.a) * self.d))

    def tanh(self):
        y = _fn("tanh", self.a)
        return Dual(y, (1.0 - y * y) * self.d)

    # the tensor functions (step 38-41): linear, so the same on both parts; matmul a product
    def reshape(self, shape):
        return Dual(_reshape(self.a, shape), _reshape(self.d, shape))

    def transpose(self, axes=None):
        return Dual(_transpose(self.a, axes), _transpose(self.d, axes))

    @property
    def T(self):
        return self.transpose()

    def sum(self, axis=None, keepdims=False):
        return Dual(_sum(self.a, axis, keepdims), _sum(self.d, axis, keepdims))

    def broadcast_to(self, shape):
        return Dual(_broadcast_to(self.a, shape), _broadcast_to(self.d, shape))

    def __matmul__(self, b):
        b, db = self._parts(b)
        return Dual(self.a @ b, self.d @ b if db is None else self.d @ b + self.a @ db)

    def __rmatmul__(self, b):
        return Dual(b @ self.a, b @ self.d)


def _defer(method):
    """A Bound operation with a Dual operand is the Dual's (Dual over Bound)."""
    @functools.wraps(method)
    def op(self, b):
        return NotImplemented if isinstance(b, Dual) else method(self, b)
    return op


class Bound:
    """A value v, a bound e on the error an engine may have in it, and m >= |v|, the sum of
    the magnitudes of the terms that make v (what a sum's rounding is relative to, whatever
    order it is summed in). Every operation adds u * m of its own rounding."""
    __array_priority__ = 1000

    def __init__(self, v, e, m, u):
        self.v, self.e, self.m, self.u = v, e, m, u

    def _of(self, b):
        if isinstance(b, Bound):
            return b
        b = np.asarray(b, dtype=np.float64)
        return Bound(b, 0.0, np.abs(b), self.u)

    @_defer
    def __add__(self, b):
        b = self._of(b)
        m = self.m + b.m
        return Bound(self.v + b.v, self.e + b.e + self.u * m, m, self.u)

    __radd__ = __add__

    @_defer
    def __sub__(self, b):
        return self + (-self._of(b))

    @_defer
    def __rsub__(self, b):
        return self._of(b) + (-self)

    @_defer
    def __mul__(self, b):
        b = self._of(b)
        m = self.m * b.m
        e = self.e * np.abs(b.v) + np.abs(self.v) * b.e + self.e * b.e
        return Bound(self.v * b.v, e + self.u * m, m, self.u)

    __rmul__ = __mul__

    @_defer
    def __truediv__(self, b):
        b = self._of(b)
        v = self.v / b.v
        room = np.abs(b.v) - b.e  # the domain keeps divisors far from zero: room > 0
        e = (self.e + np.abs(v) * b.e) / room
        m = self.m / np.abs(b.v)
        return Bound(v, e + self.u * m, m, self.u)

    @_defer
    def __rtruediv__(self, b):
        return self._of(b) / self

    def __neg__(self):
        return Bound(-self.v, self.e, self.m, self.u)

    def __pow__(self, c):
        v = self.v ** c
        # the slope |c a^(c-1)| at its worst over a +- e: at the smaller |a| for c < 1
        near = np.abs(self.v) + (-self.e if c < 1 else self.e)
        slope = np.abs(c) * np.maximum(near, 0.0) ** (c - 1)
        m = np.abs(v)
        return Bound(v, slope * self.e + self.u * m, m, self.u)

    def _unary(self, v, slope, curve):
        m = np.abs(v)
        return Bound(v, slope * self.e + curve * self.e * self.e + self.u * m, m, self.u)

    def exp(self):
        v = np.exp(self.v)
        return Bound(v, v * np.expm1(self.e) + self.u * v, v, self.u)

    def sin(self):
        return self._unary(np.sin(self.v), np.abs(np.cos(self.v)), 0.5)

    def cos(self):
        return self._unary(np.cos(self.v), np.abs(np.sin(self.v)), 0.5)

    def tanh(self):
        v = np.tanh(self.v)
        return self._unary(v, 1.0 - v * v, 1.0)

    # The tensor functions (steps 38-41). Moving data (reshape, transpose, broadcast_to)
    # rounds nothing; a sum of n terms, in whatever order, adds at most n - 1 roundings, each
    # within u of the sum of the magnitudes of its terms; a matmul's element is a sum of k
    # products: k - 1 such roundings and the products' own.
    def _full(self):
        shape = np.shape(self.v)
        return _to(self.e, shape), _to(self.m, shape)

    def _moved(self, how):
        e, m = self._full()
        return Bound(how(self.v), how(e), how(m), self.u)

    def reshape(self, shape):
        return self._moved(lambda a: np.reshape(a, shape))

    def transpose(self, axes=None):
        return self._moved(lambda a: np.transpose(a, axes))

    @property
    def T(self):
        return self.transpose()

    def broadcast_to(self, shape):
        return self._moved(lambda a: np.broadcast_to(a, shape))

    def sum(self, axis=None, keepdims=False):
        e, m = self._full()
        v = np.asarray(self.v).sum(axis=axis, keepdims=keepdims)
        m = m.sum(axis=axis, keepdims=keepdims)
        terms = np.size(self.v) // max(v.size, 1)
        return Bound(v, e.sum(axis=axis, keepdims=keepdims) + (terms - 1) * self.u * m, m, self.u)

    @_defer
    def __matmul__(self, b):
        b = self._of(b)
        (ea, ma), (eb, mb) = self._full(), b._full()
        m = ma @ mb
        e = ea @ np.abs(b.v) + np.abs(self.v) @ eb + ea @ eb
        return Bound(self.v @ b.v, e + np.shape(self.v)[-1] * self.u * m, m, self.u)

    @_defer
    def __rmatmul__(self, b):
        return self._of(b) @ self


# ---------------------------------------------------------------- tensor functions over any type

def _shape(a):
    """The shape of a number of any of the oracle's types."""
    if isinstance(a, Dual):
        return _shape(a.a)
    return np.shape(a.v) if isinstance(a, Bound) else np.shape(a)


def _to(a, shape):
    """a (an array or a float: a Bound's error starts as 0.0) broadcast to shape."""
    if isinstance(a, float):
        return np.full(shape, a)
    return a if a.shape == shape else np.broadcast_to(a, shape)


def _widened(d, y):
    """A Dual's derivative d broadcast to its value y's shape: a plain operand on the other
    side of + or - may broadcast the value larger (step 40)."""
    shape = _shape(y)
    return d if _shape(d) == shape else _broadcast_to(d, shape)


def _reshape(a, shape):
    return a.reshape(shape) if isinstance(a, (Dual, Bound)) else np.reshape(a, shape)


def _transpose(a, axes=None):
    return a.transpose(axes) if isinstance(a, (Dual, Bound)) else np.transpose(a, axes)


def _sum(a, axis=None, keepdims=False):
    if isinstance(a, (Dual, Bound)):
        return a.sum(axis, keepdims)
    return np.asarray(a).sum(axis=axis, keepdims=keepdims)


def _broadcast_to(a, shape):
    if isinstance(a, (Dual, Bound)):
        return a.broadcast_to(shape)
    return a if np.shape(a) == shape else np.broadcast_to(a, shape)


def _sum_to(a, shape):
    """a summed to shape, the axes broadcasting to a's shape would add or widen (the book's
    sum_to); ValueError where shape does not broadcast to a's."""
    have = _shape(a)
    if have == shape:
        return a
    have, shape = tuple(have), tuple(shape)
    lead = len(have) - len(shape)
    if lead < 0 or any(n != 1 and n != have[lead + i] for i, n in enumerate(shape)):
        raise ValueError(f"sum_to: {shape} does not broadcast to {have}")
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and have[lead + i] != 1)
    return _reshape(_sum(a, axes, True), shape)
