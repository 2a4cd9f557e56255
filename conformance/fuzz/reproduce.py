"""Python for a graph: code(graph) rebuilds and runs it over the adapter `E` and prints what
the oracle says; key(graph), a hash of that Python, is the graph's identity across engines."""
import hashlib

import numpy as np

from dezero_conformance.conformance.fuzz.interpreter import oracle
from dezero_conformance.conformance.fuzz.ops import OPS


def _literal(a):
    a = np.asarray(a)
    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype}"
    return f"np.array({a.tolist()!r}{dtype})"


def _const_text(c):
    return _literal(c) if isinstance(c, np.ndarray) else repr(c)


def code(graph, spec=None):
    """Python over `E` (the engine's adapter, which only renames its operations) that builds
    and runs the graph as the check does, then prints what the engine gives and what the kit's
    oracle says it must give; with spec, first the lines that load the engine as E."""
    n = len(graph.inputs)
    names = [f"x{i}" for i in range(n)] + [f"t{k + 1}" for k in range(len(graph.nodes))]
    lines = ["import numpy as np", "from dezero_conformance import adapters",
             f"E = adapters.load({spec!r})"] if spec is not None else []
    lines.append(f"def f({', '.join(names[:n])}):")
    for k, (name, refs, c) in enumerate(graph.nodes):
        text, operands = OPS[name].text, [names[r] for r in refs]
        expr = text(operands, c) if callable(text) else text.format(*operands, c=_const_text(c))
        lines.append(f"    {names[n + k]} = {expr}")
    lines.append(f"    return {names[-1]}")
    gy = "" if graph.gy is None else f", {_literal(graph.gy)}"
    xs = [_literal(x) for x in graph.inputs]
    want, wants = oracle(graph)
    if graph.order == 2:
        gv = "" if graph.gv is None else f", {_literal(graph.gv)}"
        lines += [f"g = E.gradient(f{gy})", f"gx, hvp = E.grad(g, {xs[0]}{gv})",
                  "print(gx, hvp)", f"# the kit's oracle: gx = {_literal(want)}, "
                                    f"hvp = {_literal(wants[0])}"]
    elif graph.many:
        lines += [f"y, gxs = E.grads(f, [{', '.join(xs)}]{gy})", "print(y, gxs)",
                  f"# the kit's oracle: y = {_literal(want)}, "
                  f"gxs = [{', '.join(_literal(g) for g in wants)}]"]
    else:
        lines += [f"y, gx = E.grad(f, {xs[0]}{gy})", "print(y, gx)",
                  f"# the kit's oracle: y = {_literal(want)}, gx = {_literal(wants[0])}"]
    return "\n".join(lines)


def key(graph):
    """A graph's identity across engines: a hash of its Python (code()), the same for every
    engine that runs it."""
    return hashlib.sha1(code(graph).encode()).hexdigest()[:12]
