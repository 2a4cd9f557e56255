"""The oracle's number types: Dual numbers (a derivative carried along one direction, for
the Hessian-vector products of order 2) and Bound numbers (a value with a first-order bound on
the rounding error of an engine computing it). The operations of ops.py are written once over
these and over float64 arrays."""
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
        return Dual(self.a + b, self.d if db is None else self.d + db)

    __radd__ = __add__

    def __sub__(self, b):
        b, db = self._parts(b)
        return Dual(self.a - b, self.d if db is None else self.d - db)

    def __rsub__(self, b):
        return Dual(b - self.a, -self.d)

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
