"""The operations random graphs are made of (OPS), which of them an engine has (operations),
and where each is finite and well conditioned (the domain the generator keeps every node in).
The tensor operations of stage 4 (TENSOR_OPS, steps 38-41) take a shape, axes or an axis as
their constant and are called by _form: the same description gives the engine's call and the
Python that code() prints for it."""
import functools
from dataclasses import dataclass

import numpy as np

from dezero_conformance.adapters import LAST_STEP  # an adapter without STEP is judged there
from dezero_conformance.conformance.fuzz.arith import (
    _broadcast_to,
    _fn,
    _reshape,
    _shape,
    _sum,
    _sum_to,
    _transpose,
)

EXP_MAX, TANH_MAX, TRIG_MAX = 3.0, 3.0, 10.0
DIVISOR_MIN, ROOT_MIN, VALUE_MAX = 0.5, 0.25, 100.0
VALUE_MIN = 1e-6  # every value is 0 or at least this: far from float32's underflow


@dataclass(frozen=True)
class Op:
    """An operation: arity (engine values taken), the capability it needs, how the engine is
    called (a format over the operands' and the constant's Python text; for a tensor
    operation a function of the operands' names and the constant, with call its function of
    the adapter, the operands and the constant), the oracle's forward and reverse rule (given
    the output gradient g, the operands, the output and the constant), and the constant it
    takes: None, "scalar", "array" or "exponent"; for the tensor operations "shape" (reshape's
    target: the same size), "packed_shape" (the same, and whether the method gets it as one
    tuple), "axes" (a permutation or None), "axis" ((axis, keepdims) of a sum), "wider"
    (broadcast_to's target) or "narrower" (sum_to's)."""
    name: str
    arity: int
    capability: object
    text: object
    forward: object
    backward: object
    const: object = None
    call: object = None


def _ops():
    sq = lambda a: a * a  # noqa: E731
    table = [
        ("square", 1, None, "E.square({0})", lambda a, c: sq(a), lambda g, a, y, c: [2.0 * a * g]),
        ("exp", 1, "exp", "E.exp({0})", lambda a, c: _fn("exp", a), lambda g, a, y, c: [y * g]),
        ("add", 2, "add", "E.add({0}, {1})", lambda a, b, c: a + b, lambda g, a, b, y, c: [g, g]),
        ("mul", 2, "arithmetic", "E.mul({0}, {1})", lambda a, b, c: a * b,
         lambda g, a, b, y, c: [g * b, g * a]),
        ("sub", 2, "arithmetic", "E.sub({0}, {1})", lambda a, b, c: a - b,
         lambda g, a, b, y, c: [g, -g]),
        ("div", 2, "arithmetic", "E.div({0}, {1})", lambda a, b, c: a / b,
         lambda g, a, b, y, c: [g / b, -(g * a) / (b * b)]),
        ("neg", 1, "arithmetic", "E.neg({0})", lambda a, c: -a, lambda g, a, y, c: [-g]),
        ("pow", 1, "arithmetic", "E.pow({0}, {c})", lambda a, c: a ** c,
         lambda g, a, y, c: [c * a ** (c - 1) * g], "exponent"),
        ("sin", 1, "sin_cos", "E.sin({0})", lambda a, c: _fn("sin", a),
         lambda g, a, y, c: [_fn("cos", a) * g]),
        ("cos", 1, "sin_cos", "E.cos({0})", lambda a, c: _fn("cos", a),
         lambda g, a, y, c: [-(_fn("sin", a) * g)]),
        ("tanh", 1, "tanh", "E.tanh({0})", lambda a, c: _fn("tanh", a),
         lambda g, a, y, c: [(1.0 - y * y) * g]),
        # the operators (step 20-22): between engine values, and with a constant either side
        ("+", 2, "operators", "{0} + {1}", lambda a, b, c: a + b, lambda g, a, b, y, c: [g, g]),
        ("-", 2, "operators", "{0} - {1}", lambda a, b, c: a - b, lambda g, a, b, y, c: [g, -g]),
        ("*", 2, "operators", "{0} * {1}", lambda a, b, c: a * b,
         lambda g, a, b, y, c: [g * b, g * a]),
        ("/", 2, "operators", "{0} / {1}", lambda a, b, c: a / b,
         lambda g, a, b, y, c: [g / b, -(g * a) / (b * b)]),
        ("-x", 1, "operators", "-{0}", lambda a, c: -a, lambda g, a, y, c: [-g]),
        ("x**c", 1, "operators", "{0} ** {c}", lambda a, c: a ** c,
         lambda g, a, y, c: [c * a ** (c - 1) * g], "exponent"),
        ("c+x", 1, "operators", "{c} + {0}", lambda a, c: c + a, lambda g, a, y, c: [g], "scalar"),
        ("x+c", 1, "operators", "{0} + {c}", lambda a, c: a + c, lambda g, a, y, c: [g], "scalar"),
        ("c-x", 1, "operators", "{c} - {0}", lambda a, c: c - a, lambda g, a, y, c: [-g], "scalar"),
        ("x-c", 1, "operators", "{0} - {c}", lambda a, c: a - c, lambda g, a, y, c: [g], "scalar"),
        ("c*x", 1, "operators", "{c} * {0}", lambda a, c: c * a,
         lambda g, a, y, c: [c * g], "scalar"),
        ("x*c", 1, "operators", "{0} * {c}", lambda a, c: a * c,
         lambda g, a, y, c: [g * c], "scalar"),
        ("c/x", 1, "operators", "{c} / {0}", lambda a, c: c / a,
         lambda g, a, y, c: [-(g * c) / (a * a)], "scalar"),
        ("x/c", 1, "operators", "{0} / {c}", lambda a, c: a / c,
         lambda g, a, y, c: [g / c], "scalar"),
        # an ndarray on either side of + and * (step 21)
        ("A+x", 1, "array_operands", "{c} + {0}", lambda a, c: c + a,
         lambda g, a, y, c: [g], "array"),
        ("x+A", 1, "array_operands", "{0} + {c}", lambda a, c: a + c,
         lambda g, a, y, c: [g], "array"),
        ("A*x", 1, "array_operands", "{c} * {0}", lambda a, c: c * a,
         lambda g, a, y, c: [c * g], "array"),
        ("x*A", 1, "array_operands", "{0} * {c}", lambda a, c: a * c,
         lambda g, a, y, c: [g * c], "array"),
    ]
    table += [(name, arity, cap, functools.partial(_text, name), forward, backward, const,
               functools.partial(_call, name))
              for name, arity, cap, forward, backward, const in _tensor_table()]
    return {row[0]: Op(*row) for row in table}


def _tensor_table():
    """The tensor operations (stage 4): the adapter's functions, then the engine value's
    methods (tensor_methods). A gradient comes back in its operand's shape: reshaped,
    transposed by the inverse permutation, a sum's spread back over the summed axes."""
    def unsum(g, a, axis):
        shape = _shape(a)
        return _broadcast_to(_reshape(g, _kept(shape, axis)), shape)

    def untranspose(g, a, axes):
        return _transpose(g, _inverse(axes, len(_shape(a))))
    return [
        ("reshape", 1, "tensor_shape", lambda a, c: _reshape(a, c),
         lambda g, a, y, c: [_reshape(g, _shape(a))], "shape"),
        ("transpose", 1, "tensor_shape", lambda a, c: _transpose(a, c),
         lambda g, a, y, c: [untranspose(g, a, c)], "axes"),
        ("sum", 1, "sum", lambda a, c: _sum(a, *c), lambda g, a, y, c: [unsum(g, a, c[0])],
         "axis"),
        ("broadcast_to", 1, "broadcast", lambda a, c: _broadcast_to(a, c),
         lambda g, a, y, c: [_sum_to(g, _shape(a))], "wider"),
        ("sum_to", 1, "broadcast", lambda a, c: _sum_to(a, c),
         lambda g, a, y, c: [_broadcast_to(g, _shape(a))], "narrower"),
        ("matmul", 2, "matmul", lambda a, b, c: a @ b,
         lambda g, a, b, y, c: [g @ _transpose(b), _transpose(a) @ g], None),
        (".T", 1, "tensor_methods", lambda a, c: _transpose(a), lambda g, a, y, c: [_transpose(g)],
         None),
        (".reshape", 1, "tensor_methods", lambda a, c: _reshape(a, c[0]),
         lambda g, a, y, c: [_reshape(g, _shape(a))], "packed_shape"),
        (".transpose", 1, "tensor_methods", lambda a, c: _transpose(a, c),
         lambda g, a, y, c: [untranspose(g, a, c)], "axes"),
        (".sum", 1, "tensor_methods", lambda a, c: _sum(a, *c),
         lambda g, a, y, c: [unsum(g, a, c[0])], "axis"),
    ]


def _kept(shape, axis):
    """shape with 1 at the axes a sum over axis takes (its shape with keepdims)."""
    n = len(shape)
    axes = range(n) if axis is None else {a % n for a in (
        axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else k for i, k in enumerate(shape))


def _inverse(axes, n):
    """The permutation undoing a transpose by axes (None: all reversed, its own inverse)."""
    return None if axes is None else tuple(int(i) for i in np.argsort([a % n for a in axes]))


def _form(name, c):
    """How the engine is called for tensor operation name with constant c: (kind, name,
    positional arguments after the operands, keyword arguments), kind "E" for the adapter's
    function, "method" for the engine value's, "attribute" for its attribute (v.T)."""
    if name in ("sum", ".sum"):
        axis, keepdims = c
        keywords = {"axis": axis} if axis is not None else {}
        if keepdims:
            keywords["keepdims"] = True
        return ("E" if name == "sum" else "method"), "sum", (), keywords
    if name in ("reshape", "broadcast_to", "sum_to"):
        return "E", name, (c,), {}
    if name == "transpose":
        return "E", name, () if c is None else (c,), {}
    if name == "matmul":
        return "E", name, (), {}
    if name == ".T":
        return "attribute", "T", (), {}
    if name == ".reshape":  # x.reshape((3, 2)), x.reshape(3, 2), x.reshape(6)
        shape, packed = c
        return "method", "reshape", (shape,) if packed or not shape else shape, {}
    return "method", "transpose", () if c is None else c, {}  # x.transpose(1, 2, 0)


def _call(name, E, args, c):
    kind, attribute, more, keywords = _form(name, c)
    if kind == "E":
        return getattr(E, attribute)(*args, *more, **keywords)
    if kind == "method":
        return getattr(args[0], attribute)(*more, **keywords)
    return getattr(args[0], attribute)


def _text(name, names, c):
    kind, attribute, more, keywords = _form(name, c)
    if kind == "attribute":
        return f"{names[0]}.{attribute}"
    given = [repr(a) for a in more] + [f"{k}={v!r}" for k, v in keywords.items()]
    if kind == "E":
        return f"E.{attribute}({', '.join(list(names) + given)})"
    return f"{names[0]}.{attribute}({', '.join(given)})"


OPS = _ops()


# The operators come one step at a time: + and * between Variables at step 20, with a Python
# number on either side at 21, and -, /, ** and unary - at 22 (an engine at step 20 or 21 need
# not have them).
# The tensor operations come at steps 38 (reshape, transpose, their methods and .T), 39 (sum),
# 40 (broadcast_to, sum_to; the operators and add ... div broadcast from here) and 41 (matmul).
OP_STEP = {"+": 20, "*": 20, "c+x": 21, "x+c": 21, "c*x": 21, "x*c": 21, "-": 22, "/": 22,
           "-x": 22, "x**c": 22, "c-x": 22, "x-c": 22, "c/x": 22, "x/c": 22,
           "reshape": 38, "transpose": 38, ".T": 38, ".reshape": 38, ".transpose": 38,
           "sum": 39, ".sum": 39, "broadcast_to": 40, "sum_to": 40, "matmul": 41}
TENSOR_OPS = frozenset(n for n, op in OPS.items() if op.call is not None)
# the operations of two engine values that broadcast them from step 40 (with broadcast_to)
ELEMENTWISE_PAIRS = ("add", "mul", "sub", "div", "+", "-", "*", "/")
# the operations whose second derivative is zero: a graph of these alone has no
# Hessian-vector product to judge (S45)
LINEAR = frozenset(("add", "sub", "neg", "+", "-", "-x", "c+x", "x+c", "c-x", "x-c", "c*x",
                    "x*c", "x/c", "A+x", "x+A", "A*x", "x*A")) | (TENSOR_OPS - {"matmul"})
# what a second-order tensor graph of linear operations alone is curved by
CURVES = ("square", "exp", "sin", "cos", "tanh", "pow", "x**c", "c/x")


def operations(adapter):
    """The names of OPS the engine has (its capabilities present, not missing), in OPS order,
    as far as the step it is judged at has them."""
    missing = getattr(adapter, "MISSING", None) or {}
    retired = getattr(adapter, "RETIRED", None) or {}
    step = getattr(adapter, "STEP", LAST_STEP)

    def has(cap):
        return cap is None or (cap not in adapter.ABSENT and cap not in missing
                               and cap not in retired)
    return tuple(n for n, op in OPS.items()
                 if has(op.capability) and OP_STEP.get(n, 1) <= step)


def has(adapter, cap):
    return cap not in adapter.ABSENT and cap not in (getattr(adapter, "MISSING", None) or {})


def _in_domain(op, args, c, y):
    """Whether op is finite and well conditioned at these float64 operands (see DOMAIN); the
    caller holds numpy's error state off (a nan compares False, as intended here)."""
    a = np.abs(args[0]) if args else None
    name = op.name
    if name == "exp" and a.max() > EXP_MAX:
        return False
    if name == "tanh" and a.max() > TANH_MAX:
        return False
    if (name == "sin" or name == "cos") and a.max() > TRIG_MAX:
        return False
    if (name == "div" or name == "/") and np.abs(args[1]).min() < DIVISOR_MIN:
        return False
    if name == "c/x" and a.min() < DIVISOR_MIN:
        return False
    if op.const == "exponent":
        if c != int(c) and args[0].min() < ROOT_MIN:
            return False
        if c < 0 and a.min() < DIVISOR_MIN:
            return False
    m = np.abs(y)
    # m.max() is nan where y has one, and nan <= VALUE_MAX is False: finite, and in range
    return bool(m.max() <= VALUE_MAX and ((m >= VALUE_MIN) | (y == 0)).all())
