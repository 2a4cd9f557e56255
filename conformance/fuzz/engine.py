"""The engine's side: a graph built over the adapter's operations and run (run), and its
values judged against the oracle's within the graph's bounds (check, a Failure or None)."""
import sys
from dataclasses import dataclass

import numpy as np

from dezero_conformance.conformance.fuzz.interpreter import SAFETY, _unit, bounds, oracle
from dezero_conformance.conformance.fuzz.ops import OPS, has
from dezero_conformance.conformance.fuzz.reproduce import _literal


@dataclass
class Failure:
    what: str  # one line: what the engine got wrong
    # how: "wrong value", "wrong dtype", "wrong shape", "None gradient", "wrong count",
    # "not an array", "wrote to its input" or "raised <exception type>";
    # a shrunk graph must fail the same way
    kind: str = "wrong value"


def _package():
    """The fuzz package: check() calls run() through it, so that a wrapper set as fuzz.run
    (benchmarks/fuzz_bench.py clocks the engine's part) sees every engine run."""
    return sys.modules[__package__]


def build(adapter, graph):
    """The graph as a function of engine values, over the adapter's operations."""
    E = adapter

    def f(*xs):
        values = list(xs)
        for name, refs, c in graph.nodes:
            values.append(_apply(E, name, [values[r] for r in refs], c))
        return values[-1]
    return f


def _apply(E, name, args, c):
    if isinstance(c, np.ndarray):
        c = c.copy()  # an engine that writes to an operand must not change the graph
    call = OPS[name].call
    if call is not None:  # a tensor operation (ops._form says how it is called)
        return call(E, args, c)
    if name == "square":
        return E.square(args[0])
    if name in ("exp", "sin", "cos", "tanh", "neg"):
        return getattr(E, name)(args[0])
    if name in ("add", "mul", "sub", "div"):
        return getattr(E, name)(*args)
    if name == "pow":
        return E.pow(args[0], c)
    a = args[0]
    b = args[1] if len(args) > 1 else None
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "-x": lambda: -a, "x**c": lambda: a ** c,
            "c+x": lambda: c + a, "x+c": lambda: a + c, "c-x": lambda: c - a,
            "x-c": lambda: a - c, "c*x": lambda: c * a, "x*c": lambda: a * c,
            "c/x": lambda: c / a, "x/c": lambda: a / c, "A+x": lambda: c + a,
            "x+A": lambda: a + c, "A*x": lambda: c * a, "x*A": lambda: a * c}[name]()


def run(adapter, graph, given=None):
    """What the engine gives for the graph, as oracle() does: (y, [grads]) or (g, [hvp]).
    The engine gets copies of the graph's arrays; given (a list) gets (name, copy, original)
    for each, to see afterwards whether the engine wrote to them."""
    E, f = adapter, build(adapter, graph)
    gy = None if graph.gy is None else graph.gy.copy()
    gv = None if graph.gv is None else graph.gv.copy()
    xs = [x.copy() for x in graph.inputs]
    if given is not None:
        given += [(f"x{i}", x, graph.inputs[i]) for i, x in enumerate(xs)]
        given += [(name, a, b) for name, a, b in (("gy", gy, graph.gy), ("gv", gv, graph.gv))
                  if a is not None]
    if graph.order == 2:
        g = E.gradient(f, gy)
        y, gx = E.grad(g, xs[0], gv)
        return y, [gx]
    if graph.many:
        y, gxs = E.grads(f, xs, gy)
        return y, list(gxs)
    y, gx = E.grad(f, xs[0], gy)
    return y, [gx]


def _whose(graph, name):
    """Whose shape a value must have: every value's is the inputs' in a graph of one shape; in
    a tensor graph y's is the kit's y's, a gradient's its input's."""
    if not graph.tensor:
        return "the inputs'"
    if name == "y":
        return "the kit's y's"
    return "x0's" if graph.order == 2 else f"x{name[2:]}'s"


def check(adapter, graph):
    """None if the engine's values match the oracle's within the graph's bounds, else a
    Failure naming the first value that does not (or what the engine raised)."""
    want_y, want_gs = oracle(graph)
    allowed = bounds(graph, _unit(adapter, graph))
    given = []
    try:
        got_y, got_gs = _package().run(adapter, graph, given)
    except Exception as exc:  # the engine's error is the finding
        text = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return Failure(f"the engine raised {text}", f"raised {type(exc).__name__}")
    for name, passed, original in given:
        if not np.array_equal(passed, original):
            return Failure(f"the engine wrote to the array given as {name}: it holds "
                           f"{_literal(passed)}, was given {_literal(original)}",
                           "wrote to its input")
    first, rest = ("g", "hvp") if graph.order == 2 else ("y", "gx")
    names = [first] + [f"{rest}{i}" if graph.order == 1 else rest for i in range(len(want_gs))]
    if len(got_gs) != len(want_gs):
        return Failure(f"the engine gave {len(got_gs)} gradients for {len(want_gs)} inputs",
                       "wrong count")
    wide = graph.dtype == np.float64 and has(adapter, "float64")
    for name, got, want, bound in zip(names, [got_y] + got_gs, [want_y] + want_gs, allowed):
        if got is None:
            return Failure(f"the engine left {name} None", "None gradient")
        try:
            got = np.asarray(got)
        except Exception as exc:
            return Failure(f"{name} is not array-like: {type(exc).__name__}: {exc}"[:300],
                           "not an array")
        if got.shape != np.shape(want):
            return Failure(f"{name} has shape {got.shape}, must have "
                           f"{_whose(graph, name)} shape {np.shape(want)}", "wrong shape")
        if wide and got.dtype != np.float64 or not np.issubdtype(got.dtype, np.floating):
            return Failure(f"{name} has dtype {got.dtype}, must be "
                           f"{'float64' if wide else 'floating'} like the inputs", "wrong dtype")
        with np.errstate(all="ignore"):
            error = np.abs(got.astype(np.float64) - want)
        bad = ~(error <= bound)
        if np.any(bad):
            i = tuple(int(j) for j in np.argwhere(bad)[0]) if got.ndim else ()
            where = f"{name}[{', '.join(map(str, i))}]" if i else name
            return Failure(f"{where} = {float(got[i])!r}, the kit's float64 oracle gives "
                           f"{float(want[i])!r} (error {float(error[i]):.3g}, allowed "
                           f"{float(bound[i]):.3g}: {SAFETY:g} x the graph's rounding bound)")
    return None
