"""The operations random graphs are made of (OPS), which of them an engine has (operations),
and where each is finite and well conditioned (the domain the generator keeps every node in)."""
from dataclasses import dataclass

import numpy as np

from dezero_conformance.adapters import LAST_STEP  # an adapter without STEP is judged there
from dezero_conformance.conformance.fuzz.arith import _fn

EXP_MAX, TANH_MAX, TRIG_MAX = 3.0, 3.0, 10.0
DIVISOR_MIN, ROOT_MIN, VALUE_MAX = 0.5, 0.25, 100.0
VALUE_MIN = 1e-6  # every value is 0 or at least this: far from float32's underflow


@dataclass(frozen=True)
class Op:
    """An operation: arity (engine values taken), the capability it needs, how the engine is
    called (a format over the operands' and the constant's Python text), the oracle's forward
    and reverse rule (given the output gradient g, the operands, the output and the
    constant), and the constant it takes: None, "scalar", "array" or "exponent"."""
    name: str
    arity: int
    capability: object
    text: str
    forward: object
    backward: object
    const: object = None


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
    return {row[0]: Op(*row) for row in table}


OPS = _ops()


# The operators come one step at a time: + and * between Variables at step 20, with a Python
# number on either side at 21, and -, /, ** and unary - at 22 (an engine at step 20 or 21 need
# not have them).
OP_STEP = {"+": 20, "*": 20, "c+x": 21, "x+c": 21, "c*x": 21, "x*c": 21, "-": 22, "/": 22,
           "-x": 22, "x**c": 22, "c-x": 22, "x-c": 22, "c/x": 22, "x/c": 22}


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
