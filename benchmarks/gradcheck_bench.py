"""Gradient checkers side by side: the kit's check_gradient (full and random-direction modes)
against torch.autograd.gradcheck (fast_mode off and on) and DeZero's utils.gradient_check.

A script, not a test: every time and ratio it prints is measured in this one run, on the same
function, f(x) = square(exp(square(x))) elementwise, and the same float64 inputs
x = default_rng(0).uniform(-1.25, 1.25, n) for n = 10, 10^3, 10^6. Each checker checks its
own engine's f: the kit's checker runs the reference engine and, where torch installs, torch
through an adapter, so that the checker's cost can be compared with torch's on one engine.

Full-mode checkers need 2 (DeZero) or 4 (the kit) forwards of the whole input per element: at
n = 10^6 that is hours, so their 10^6 figure is extrapolated, not measured: 10^6 x the time per
element of the checker's own per-element step, measured at n = 10^6 on ELEMENTS_TIMED elements.
The same model is printed next to the measured time at n = 10^3, to show how well it predicts.
The kit's random mode and torch's fast mode are also timed head to head on the torch engine at
n = 10^6, interleaved round by round, since other load on the machine moves single timings.
torch's fast_mode=False builds the dense n x n Jacobian: at 10^6 that is 8 TB, so it is not
run there and not extrapolated.

Comparators that do not import are skipped with the reason. Set up (DeZero 0.0.13 needs
numpy < 1.24 and matplotlib, and torch 2.13 works with that numpy):
    python -m venv /work/venvs/bench-dz
    /work/venvs/bench-dz/bin/pip install torch==2.13.0 numpy==1.23.5 "matplotlib<3.8" dezero==0.0.13
    /work/venvs/bench-dz/bin/python benchmarks/gradcheck_bench.py
"""
import os
import sys
import time
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks import machine  # noqa: E402
from dezero_conformance import adapters  # noqa: E402
from dezero_conformance.conformance import gradcheck  # noqa: E402
from dezero_conformance.conformance.gradcheck import check_gradient  # noqa: E402

SIZES = (10, 10 ** 3, 10 ** 6)
# Largest n at which a full-mode checker is run rather than extrapolated.
FULL_MAX = 10 ** 3
# Repeats per timing: the minimum is reported (least disturbed by other load on the machine).
REPEATS = {10: 20, 10 ** 3: 3, 10 ** 6: 5}
SEED = 1
DIRECTIONS = (1, 3)  # 1 is check_gradient's default
HEAD_TO_HEAD_ROUNDS = 15
# Elements timed at n = 10^6 for a full-mode checker's per-element cost.
ELEMENTS_TIMED = 10
# Sizes at which the model is checked against a measured full check.
MODEL_SIZES = (10 ** 3, 10 ** 4)


def best_time(run, repeats):
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t)
    return best, result


class Counted:
    """Wraps f and counts its calls: the engine evaluations a checker makes."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, *args):
        self.calls += 1
        return self.f(*args)


def inputs(n):
    return np.random.default_rng(0).uniform(-1.25, 1.25, n)


# --- the kit's checker -----------------------------------------------------------------------

def kit_rows(E, label):
    fn = Counted(lambda v: E.square(E.exp(E.square(v))))
    rows = []
    for n in SIZES:
        x = inputs(n)
        for directions in DIRECTIONS:
            t, report = best_time(lambda x=x, directions=directions: check_gradient(
                E, fn, x, mode="random", seed=SEED, directions=directions), REPEATS[n])
            rows.append((kit_random(directions, label), n, t, report.evaluations,
                         "ok" if report.ok else "FAILED", "measured"))
        rows.append(kit_full(E, fn, x, label))
    return rows


def kit_random(directions, label):
    return f"kit random, directions={directions}, {label}"


def kit_full(E, fn, x, label):
    n = x.size
    if n <= FULL_MAX:
        t, report = best_time(lambda: check_gradient(E, fn, x, mode="full", seed=SEED), 1)
        return (f"kit full, {label}", n, t, report.evaluations, "ok" if report.ok else "FAILED",
                "measured")
    per = kit_element_time(E, fn, x)
    return (f"kit full, {label}", n, n * per, 1 + 4 * n, "-",
            f"extrapolated: {n} elements x {per * 1e3:.3g} ms per element, measured here "
            f"on {ELEMENTS_TIMED}")


def kit_element_time(E, fn, x):
    """Seconds per element of full mode at x's size: the checker's own per-element step
    (4 forwards of the whole input, copies, differences), timed on ELEMENTS_TIMED elements
    spread over x through the checker's internal oracle."""
    gy = np.ones_like(x)
    _, gx = E.grad(fn, x.copy(), gy)
    oracle = gradcheck._Oracle(E, fn, x, gy, np.dtype(np.float64), None, None)
    g = np.asarray(gx, dtype=np.float64)
    flats = np.linspace(0, x.size - 1, ELEMENTS_TIMED).astype(int)

    def elements():
        for flat in flats:
            oracle.element(g, flat)
    return best_time(elements, 1)[0] / ELEMENTS_TIMED  # one pass: a min would flatter it


def model_check(reference, dezero):
    """Measured full-mode times next to the per-element model, to show the model's error."""
    lines = []
    for n in MODEL_SIZES:
        x = inputs(n)
        fn = lambda v: reference.square(reference.exp(reference.square(v)))  # noqa: E731
        measured = best_time(lambda fn=fn, x=x: check_gradient(reference, fn, x, mode="full"),
                             1)[0]
        model = n * kit_element_time(reference, fn, x)
        lines.append(f"  n={n}: kit full, reference engine: measured {measured:.4g} s, model "
                     f"{model:.4g} s (model / measured {model / measured:.3g})")
        if dezero is not None:
            from dezero.utils import gradient_check
            f = dezero_function()
            measured = best_time(lambda f=f, x=x: gradient_check(f, x.copy()), 1)[0]
            model = n * dezero_element_time(f, x)
            lines.append(f"  n={n}: DeZero gradient_check: measured {measured:.4g} s, model "
                         f"{model:.4g} s (model / measured {model / measured:.3g})")
    return lines


# --- torch -----------------------------------------------------------------------------------

def torch_adapter(torch):
    """The project's torch adapter where it exists, else the same names, defined here."""
    try:
        return adapters.load("torch")
    except adapters.AdapterError:
        pass

    def leaf(a):
        return torch.from_numpy(a).requires_grad_(True)

    def grad(fn, x, gy=None):
        xt = leaf(x)
        y = fn(xt)
        y.backward(torch.ones_like(y) if gy is None else torch.from_numpy(gy))
        return y.detach().numpy(), xt.grad.numpy()
    return types.SimpleNamespace(NAME="torch (bench-local adapter)", ABSENT={}, leaf=leaf,
                                 value=lambda v: v.detach().numpy(), grad=grad,
                                 square=torch.square, exp=torch.exp,
                                 version=lambda: torch.__version__)


def torch_rows(torch):
    f = Counted(lambda t: torch.square(torch.exp(torch.square(t))))
    rows = []
    for n in SIZES:
        x = inputs(n)
        for fast in (True, False):
            name = f"torch gradcheck fast_mode={fast}"
            if not fast and n > FULL_MAX:
                rows.append((name, n, None, None, "-", "not run: dense 10^6 x 10^6 Jacobian "
                                                         "(8 TB)"))
                continue
            f.calls = 0
            t, ok = best_time(lambda x=x, fast=fast: torch.autograd.gradcheck(
                f, (torch.from_numpy(x.copy()).requires_grad_(True),), fast_mode=fast),
                REPEATS[n] if fast else 1)
            runs = REPEATS[n] if fast else 1
            rows.append((name, n, t, f.calls // runs, "ok" if ok else "FAILED", "measured"))
    return rows


# --- DeZero ----------------------------------------------------------------------------------

def dezero_function():
    import dezero.functions as F
    return Counted(lambda v: F.exp(v ** 2) ** 2)


def dezero_element_time(f, x):
    """Seconds per element of DeZero's numerical_grad at x's size: its loop body (set x[i],
    forward, copy, twice, then sum the difference), timed on ELEMENTS_TIMED elements."""
    from dezero import Variable
    xv = Variable(x.copy())
    data = xv.data

    def elements():
        for i in np.linspace(0, x.size - 1, ELEMENTS_TIMED).astype(int):
            tmp = data[i].copy()
            data[i] = tmp + 1e-4
            y1 = f.f(xv).data.copy()
            data[i] = tmp - 1e-4
            y2 = f.f(xv).data.copy()
            (y1 - y2).sum()
            data[i] = tmp
    return best_time(elements, 1)[0] / ELEMENTS_TIMED  # one pass: a min would flatter it


def dezero_rows(dezero):
    from dezero.utils import gradient_check
    f = dezero_function()
    rows = []
    for n in SIZES:
        x = inputs(n)
        if n <= FULL_MAX:
            f.calls = 0
            t, ok = best_time(lambda x=x: gradient_check(f, x.copy()), 1)
            rows.append(("DeZero utils.gradient_check", n, t, f.calls, "ok" if ok else "FAILED",
                         "measured"))
            continue
        per = dezero_element_time(f, x)
        rows.append(("DeZero utils.gradient_check", n, n * per, 2 * n + 1, "-",
                     f"extrapolated: {n} elements x {per * 1e3:.3g} ms per element, measured "
                     f"here on {ELEMENTS_TIMED}"))
    return rows


def optional(name):
    try:
        return __import__(name), None
    except Exception as exc:  # any import failure means: skip, and say why
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def table(rows):
    head = "| checker | n | time (s) | engine evaluations | result | how |"
    lines = [head, "|---|---:|---:|---:|---|---|"]
    for name, n, t, ev, ok, how in rows:
        tt = "-" if t is None else f"{t:.4g}"
        lines.append(f"| {name} | {n:.0e} | {tt} | {'-' if ev is None else ev} | {ok} | {how} |"
                     .replace("1e+01", "10").replace("1e+03", "10^3").replace("1e+06", "10^6"))
    return "\n".join(lines)


def times(rows, name, n):
    return next((t for r_name, r_n, t, *_ in rows if r_name == name and r_n == n), None)


def head_to_head(T, torch, n=SIZES[-1]):
    """The kit's random mode and torch's fast mode on the torch engine, interleaved round by
    round so that both see the same load; min and median seconds of each."""
    f = lambda t: torch.square(torch.exp(torch.square(t)))  # noqa: E731
    x = inputs(n)
    runs = {"torch gradcheck fast_mode=True": lambda: torch.autograd.gradcheck(
        f, (torch.from_numpy(x.copy()).requires_grad_(True),), fast_mode=True)}
    for d in DIRECTIONS:
        runs[kit_random(d, "torch engine")] = (
            lambda d=d: check_gradient(T, f, x, mode="random", seed=SEED, directions=d))
    times = {name: [] for name in runs}
    for _ in range(HEAD_TO_HEAD_ROUNDS):
        for name, run in runs.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    fast = np.array(times["torch gradcheck fast_mode=True"])
    return {name: (min(ts), float(np.median(ts)), float(np.median(fast / np.array(ts))))
            for name, ts in times.items()}


def main():
    print(f"machine: {machine()}")
    reference = adapters.load("reference")
    rows = kit_rows(reference, "reference engine")
    torch, why = optional("torch")
    if torch is None:
        print(f"skipped torch: {why} (pip install torch==2.13.0)")
    else:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        T = torch_adapter(torch)
        rows += kit_rows(T, "torch engine")
        rows += torch_rows(torch)
    dezero, why = optional("dezero")
    if dezero is None:
        print(f"skipped DeZero: {why} (needs numpy<1.24 and matplotlib: see this file's "
              f"docstring)")
    else:
        print(f"DeZero {getattr(dezero, '__version__', '0.0.13?')}")
        rows += dezero_rows(dezero)
    print()
    print(table(rows))
    print()
    print("the per-element model (as used at 10^6) against measured full checks:")
    print("\n".join(model_check(reference, dezero)))
    big = SIZES[-1]
    print("ratios at n = 10^6 (above 1: the kit's random mode is faster):")
    for d in DIRECTIONS:
        for label in ("reference engine", "torch engine") if torch else ("reference engine",):
            full = times(rows, f"kit full, {label}", big)
            print(f"  kit full (extrapolated) / kit random directions={d}, {label}: "
                  f"{full / times(rows, kit_random(d, label), big):.4g}")
        if dezero is not None:
            dezero_full = times(rows, "DeZero utils.gradient_check", big)
            print(f"  DeZero gradient_check (extrapolated) / kit random directions={d}, "
                  f"reference engine: "
                  f"{dezero_full / times(rows, kit_random(d, 'reference engine'), big):.4g}")
    if torch is not None:
        print(f"head to head at n = 10^6 on the torch engine, {HEAD_TO_HEAD_ROUNDS} interleaved "
              f"rounds (min / median seconds; the per-round ratio is the one to trust when "
              f"other load moves single timings):")
        h2h = head_to_head(T, torch)
        fast = h2h["torch gradcheck fast_mode=True"]
        for name, (lo, med, paired) in h2h.items():
            print(f"  {name}: {lo:.4g} / {med:.4g}" + (
                "" if name.startswith("torch") else
                f"; torch fast / this: {fast[0] / lo:.3g} (mins), median of the per-round "
                f"ratios {paired:.3g}"))


if __name__ == "__main__":
    main()
