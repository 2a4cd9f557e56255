"""The contenders of the chain benchmark, one chain of `n` squares of a 0-d float64 each.

Every contender builds y = square(square(...square(x))) from x = 0.0 (zeros keep every value
finite and normal, so no overflow warning or denormal slows one contender down) and
back-propagates dy/dx. Per op, each does:

  floor         the numpy work the contract asks of any engine, in a plain loop: forward
                `np.array(x ** 2)` on a 0-d float64 array (x ** 2 gives a numpy scalar; S14
                wants a 0-d array back), appending the input to a list; backward
                `gy = 2 * x * gy` walking that list in reverse. No objects, no graph.
  floor-scalar  the same loop without re-wrapping: from the second op on, x is a numpy
                scalar and the ops are scalar math. Not like with like (no engine may keep
                numpy scalars, S14); shown to say what the 0-d array costs.
  reference     reference/stage3.py (the default reference): square(y), y.backward(). The
                floor's numpy work, plus a Variable and a Square per op, with inputs and
                outputs lists, generations and weakly held outputs; backward builds each
                gradient as a Variable (under no graph: create_graph is off).
  reference-stage2  reference/stage2.py: the same, gradients as arrays.
  reference-stage1  reference/stage1.py: one input, one weakly held output per Function.
  book          tests/engines/step10_book.py, the book's step-10 code: the same numpy work,
                strong Function <-> Variable links, a list of functions popped in backward.
  dezero        dezero 0.0.13: `y ** 2` (it has no square): Pow forward x ** 2, backward
                2 * x ** 1 * gy, on Variables, with generation ordering and grads as Variables.
  torch         `torch.square` on a 0-d float64 tensor with requires_grad; `y.backward()`
                (C++ graph; intermediate grads are not kept).
  autograd      `autograd.grad` of the chain of `anp.square` (trace, then reverse pass).
  mygrad        `mygrad.square` on a 0-d float64 tensor; `y.backward()`.
  PATH.py       any module written to the book's API, loaded by path, run as `reference`
                (an earlier version of the reference, to measure a change side by side).

`python -m benchmarks.contenders probe` prints, as JSON, which contenders this interpreter
can run; `python -m benchmarks.contenders time NAME N REPS [nogc]` times NAME on a chain of N
ops REPS times (with `nogc`, the cyclic garbage collector is off while the chain is built and
back-propagated, to show its share) and prints JSON: per-op forward+backward CPU seconds for
each run, and per-op CPU seconds to release the graph (dropping the last references, then
gc.collect(), less the time a full collection takes with no graph alive).
`python -m benchmarks.contenders memory NAME N` prints the tracemalloc peak during
forward+backward and what stays allocated once the last reference is dropped with the
cyclic collector disabled.
"""
import gc
import importlib.util
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOK_PATH = os.path.join(ROOT, "tests", "engines", "step10_book.py")


def floor(n):
    x = np.array(0.0)
    xs = []
    for _ in range(n):
        xs.append(x)
        x = np.array(x ** 2)
    gy = np.ones_like(x)
    for x in reversed(xs):
        gy = 2 * x * gy
    return [xs], gy


def floor_scalar(n):
    x = np.array(0.0)
    xs = []
    for _ in range(n):
        xs.append(x)
        x = x ** 2
    gy = np.ones_like(x)
    for x in reversed(xs):
        gy = 2 * x * gy
    return [xs], gy


def book_style(module):
    def run(n):
        x = module.Variable(np.array(0.0))
        y = x
        for _ in range(n):
            y = module.square(y)
        y.backward()
        gx = x.grad  # a Variable from stage 3 (step 32) on
        return [x, y], gx.data if isinstance(gx, module.Variable) else gx
    return run


def load_book(path=BOOK_PATH):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_dezero():
    import dezero

    def run(n):
        x = dezero.Variable(np.array(0.0))
        y = x
        for _ in range(n):
            y = y ** 2
        y.backward()
        return [x, y], x.grad.data
    return run, dezero.__version__


def make_torch():
    import torch

    def run(n):
        x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(n):
            y = torch.square(y)
        y.backward()
        return [x, y], x.grad.item()
    return run, torch.__version__


def make_autograd():
    from importlib.metadata import version

    import autograd
    import autograd.numpy as anp

    def chain(x, n):
        for _ in range(n):
            x = anp.square(x)
        return x

    def run(n):
        return [], autograd.grad(chain)(np.array(0.0), n)
    return run, version("autograd")


def make_mygrad():
    import mygrad

    def run(n):
        x = mygrad.tensor(0.0)
        y = x
        for _ in range(n):
            y = mygrad.square(y)
        y.backward()
        return [x, y], float(x.grad)
    return run, mygrad.__version__


def make(name):
    """Return (run, version) for a contender; run(n) -> (graph refs, dy/dx)."""
    if name == "floor":
        return floor, f"numpy {np.__version__}"
    if name == "floor-scalar":
        return floor_scalar, f"numpy {np.__version__}"
    if name in ("reference", "reference-stage2", "reference-stage1"):
        sys.path.insert(0, ROOT)
        from dezero_conformance.reference import stage1, stage2, stage3
        engine = {"reference": stage3, "reference-stage2": stage2}.get(name, stage1)
        return book_style(engine), engine.__version__
    if name == "book":
        return book_style(load_book()), "tests/engines/step10_book.py"
    if name.endswith(".py"):
        return book_style(load_book(name)), name
    return {"dezero": make_dezero, "torch": make_torch, "autograd": make_autograd,
            "mygrad": make_mygrad}[name]()


NAMES = ("floor", "floor-scalar", "reference", "reference-stage2", "reference-stage1", "book",
         "dezero", "torch", "autograd", "mygrad")


def probe():
    found = {}
    for name in NAMES:
        try:
            found[name] = {"version": make(name)[1]}
        except Exception as exc:  # any import failure means: not runnable here, say why
            found[name] = {"missing": f"{type(exc).__name__}: {exc}".splitlines()[0][:120]}
    return found


def time_chain(name, n, reps, collector="gc"):
    run, _ = make(name)
    per_op, free = [], []
    for _ in range(reps):
        empty = collect_time()
        if collector == "nogc":
            gc.disable()
        t0 = time.process_time()
        refs, gx = run(n)
        t1 = time.process_time()
        gc.enable()
        if float(gx) != 0.0:
            raise SystemExit(f"{name}: dy/dx of {n} squares at 0.0 is {gx}, must be 0.0")
        del refs, gx
        gc.collect()
        t2 = time.process_time()
        per_op.append((t1 - t0) / n)
        free.append(max(0.0, t2 - t1 - empty) / n)
    return {"per_op": per_op, "free": free}


def collect_time():
    """CPU seconds of a full collection with no graph alive: the part of 'free' that is the
    interpreter's own heap (large once torch is imported), subtracted from it."""
    times = []
    for _ in range(3):
        t0 = time.process_time()
        gc.collect()
        times.append(time.process_time() - t0)
    return sorted(times)[1]


def memory(name, n):
    import tracemalloc
    run, _ = make(name)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    refs, gx = run(n)
    held = tracemalloc.get_traced_memory()[0] - base
    del refs, gx
    left = tracemalloc.get_traced_memory()[0] - base
    peak = tracemalloc.get_traced_memory()[1] - base
    gc.enable()
    gc.collect()
    after_gc = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return {"peak": peak / n, "held": held / n, "left_without_gc": left / n,
            "left_after_gc": after_gc / n}


def main(argv):
    if argv[:1] == ["probe"]:
        out = probe()
    elif argv[:1] == ["time"]:
        out = time_chain(argv[1], int(argv[2]), int(argv[3]), *argv[4:5])
    elif argv[:1] == ["memory"]:
        out = memory(argv[1], int(argv[2]))
    else:
        raise SystemExit("usage: python -m benchmarks.contenders probe | time NAME N REPS [nogc] | "
                         "memory NAME N")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
