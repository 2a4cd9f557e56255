"""Second-order gradient checkers side by side: the kit's check_second_order (random-direction
mode, one direction, and full mode) against torch.autograd.gradgradcheck (fast_mode on and
off). The second-order twin of benchmarks/gradcheck_bench.py.

A script, not a test: every time and ratio it prints is measured in this one run, on the same
function, f(x) = square(exp(square(x))) elementwise, and the same float64 inputs
x = default_rng(0).uniform(-1.25, 1.25, n) for n = 10, 10^3, 10^6. Each checker checks its
own engine's f: the kit's checker runs the reference engine (stage 3, double backprop) and,
where torch installs, torch through an adapter, so that the checker's cost can be compared
with torch's on one engine.

What each one checks. The kit: the engine's Hessian-vector product, adapter.grad(g, x, gv)
with g = adapter.gradient(f, gy) (here gy and gv are ones), against a central difference of
<gv, g(x)> computed from the engine's own first derivatives; its "engine evaluations" are its
report's count: gradient evaluations (one forward and one create_graph backward each) plus
the one double backward. torch's gradgradcheck draws random grad_outputs gy and runs
gradcheck on (x, gy) -> autograd.grad(f(x), x, gy, create_graph=True), so it also checks the
gradient's derivative with respect to gy; its evaluations are the calls of f (each followed
by a first-order backward, or a double backward), counted by a wrapper as in the first-order
bench. The kit's figure is checked against the calls of its own f, wrapped the same way.

The torch engine: the project's adapter, adapters/torch.py, whose
gradient(fn, gy) is torch.autograd.grad(fn(x), x, gy, create_graph=True). When this file was
written that adapter had no `gradient` (capability higher_order); for an adapter without one,
torch_adapter() below gives the kit a minimal adapter of its own: the project's adapter's
names plus gradient(fn, gy) = torch.autograd.grad(fn(x), x, gy or ones, create_graph=True).
The run prints which one it used.

Full-mode checkers need 4 gradient evaluations (the kit) or about 4 (torch: a numerical
Jacobian over x and gy) per element: at n = 10^6 that is days, so the kit's 10^6 figure is
extrapolated, not measured: 10^6 x its per-element time (4 gradients of the whole input),
measured at n = 10^6 on ELEMENTS_TIMED elements; the same model is printed next to measured
full checks at 10^3 and 10^4 to show how well it predicts. torch's fast_mode=False builds the
dense Jacobian of a 10^6-output function over 2 x 10^6 inputs (16 TB): not run at 10^6 and not
extrapolated. The kit's random mode and torch's fast mode are also timed head to head at
n = 10^6 on the torch engine, interleaved round by round, since other load on the machine
moves single timings.

Run (the venv of benchmarks/gradcheck_bench.py: torch 2.13 with numpy 1.23.5):
    cd /work/main && /work/venvs/bench-dz/bin/python -m benchmarks.gradgradcheck_bench
or  /work/venvs/bench-dz/bin/python benchmarks/gradgradcheck_bench.py
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
from dezero_conformance.conformance.gradcheck import check_second_order  # noqa: E402

SIZES = (10, 10 ** 3, 10 ** 6)
# Largest n at which a full-mode checker is run rather than extrapolated (the kit's full mode
# at 10^4 runs too, for the model check only).
FULL_MAX = 10 ** 3
# Repeats per timing: the minimum is reported (least disturbed by other load on the machine).
REPEATS = {10: 20, 10 ** 3: 5, 10 ** 6: 3}
# Repeats of a full-mode check (the kit's full mode, torch's fast_mode=False), where run.
FULL_REPEATS = {10: 20, 10 ** 3: 1}
SEED = 1
HEAD_TO_HEAD_ROUNDS = 10
# Elements timed at n = 10^6 for the kit's full-mode per-element cost.
ELEMENTS_TIMED = 10
# Sizes at which the per-element model is checked against a measured full check.
MODEL_SIZES = (10 ** 3, 10 ** 4)
TORCH_FAST = "torch gradgradcheck fast_mode=True"
TORCH_SLOW = "torch gradgradcheck fast_mode=False"


def load():
    try:
        return "load average (1, 5, 15 min): " + ", ".join(f"{a:.2f}" for a in os.getloadavg())
    except OSError:
        return "load average: unknown"


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

def kit_random(label):
    return f"kit check_second_order random, directions=1, {label}"


def kit_full_name(label):
    return f"kit check_second_order full, {label}"


def kit_rows(E, label):
    fn = Counted(lambda v: E.square(E.exp(E.square(v))))
    rows = []
    for n in SIZES:
        x = inputs(n)
        check_second_order(E, fn, x, mode="random", seed=SEED)  # warm-up
        fn.calls = 0
        t, report = best_time(
            lambda x=x: check_second_order(E, fn, x, mode="random", seed=SEED), REPEATS[n])
        rows.append((kit_random(label), n, t, counted(report, fn, REPEATS[n]),
                     "ok" if report.ok else "FAILED", "measured"))
        rows.append(kit_full(E, fn, x, label))
    return rows


def counted(report, fn, runs):
    """The report's evaluations, checked against the calls of fn over `runs` runs."""
    calls = fn.calls // runs
    if calls != report.evaluations:
        return f"{report.evaluations} (f called {calls} times per check)"
    return report.evaluations


def kit_full(E, fn, x, label):
    n = x.size
    if n <= FULL_MAX:
        fn.calls = 0
        t, report = best_time(lambda: check_second_order(E, fn, x, mode="full", seed=SEED),
                              FULL_REPEATS[n])
        return (kit_full_name(label), n, t, counted(report, fn, FULL_REPEATS[n]),
                "ok" if report.ok else "FAILED", "measured")
    per = kit_element_time(E, fn, x)
    return (kit_full_name(label), n, n * per, 1 + 4 * n, "-",
            f"extrapolated: {n} elements x {per * 1e3:.3g} ms per element, measured here "
            f"on {ELEMENTS_TIMED}")


def kit_element_time(E, fn, x):
    """Seconds per element of full mode at x's size: the checker's own per-element step (4
    gradients of the whole input, copies, differences), timed on ELEMENTS_TIMED elements
    spread over x through the checker's internal oracle, as check_second_order builds it."""
    gv = np.ones_like(x)

    def dfn(v):
        return E.gradient(fn, None)(v)
    _, hvp = E.grad(dfn, x.copy(), gv.copy())
    oracle = gradcheck._Oracle(E, dfn, x, gv, np.dtype(np.float64), None, None, order=2)
    g = np.asarray(hvp, dtype=np.float64)
    flats = np.linspace(0, x.size - 1, ELEMENTS_TIMED).astype(int)

    def elements():
        for flat in flats:
            oracle.element(g, flat)
    return best_time(elements, 1)[0] / ELEMENTS_TIMED  # one pass: a min would flatter it


def model_check(E):
    """Measured full-mode times next to the per-element model, to show the model's error."""
    lines = []
    for n in MODEL_SIZES:
        x = inputs(n)
        fn = lambda v: E.square(E.exp(E.square(v)))  # noqa: E731
        measured = best_time(
            lambda fn=fn, x=x: check_second_order(E, fn, x, mode="full", seed=SEED), 1)[0]
        model = n * kit_element_time(E, fn, x)
        lines.append(f"  n={n}: kit full, {E.NAME}: measured {measured:.4g} s, model "
                     f"{model:.4g} s (model / measured {model / measured:.3g})")
    return lines


# --- torch -----------------------------------------------------------------------------------

def torch_adapter(torch):
    """The project's torch adapter, given gradient (torch.autograd.grad with create_graph)
    when it has none; (adapter, how it was made)."""
    T = adapters.load("torch")
    if callable(getattr(T, "gradient", None)) and "higher_order" not in T.ABSENT:
        return T, "the project's torch adapter, with its own gradient"

    def gradient(fn, gy=None):
        def dfn(x):
            y = fn(x)
            seed = torch.ones_like(y) if gy is None else torch.from_numpy(gy)
            return torch.autograd.grad(y, x, seed, create_graph=True)[0]
        return dfn
    names = {k: getattr(T, k) for k in dir(T) if not k.startswith("__")}
    names.update(NAME="torch (the project's adapter + a bench-local gradient)", gradient=gradient)
    return (types.SimpleNamespace(**names),
            "the project's torch adapter (no gradient of its own) plus gradient(fn, gy) = "
            "torch.autograd.grad(fn(x), x, gy or ones, create_graph=True), defined here")


def torch_f(torch):
    return Counted(lambda t: torch.square(torch.exp(torch.square(t))))


def torch_run(torch, f, x, fast):
    torch.manual_seed(SEED)  # gradgradcheck draws its grad_outputs from torch's generator
    return torch.autograd.gradgradcheck(f, (torch.from_numpy(x.copy()).requires_grad_(True),),
                                        fast_mode=fast)


def torch_rows(torch):
    f = torch_f(torch)
    torch_run(torch, f, inputs(10), True)  # warm-up: the first call pays for imports
    rows = []
    for n in SIZES:
        x = inputs(n)
        for fast in (True, False):
            name = TORCH_FAST if fast else TORCH_SLOW
            if not fast and n > FULL_MAX:
                rows.append((name, n, None, None, "-",
                             "not run: a dense Jacobian of 10^6 outputs over 2 x 10^6 inputs "
                             "(16 TB), more than a few minutes"))
                continue
            runs = REPEATS[n] if fast else FULL_REPEATS[n]
            f.calls = 0
            t, ok = best_time(lambda x=x, fast=fast: torch_run(torch, f, x, fast), runs)
            rows.append((name, n, t, f.calls // runs, "ok" if ok else "FAILED", "measured"))
    return rows


def head_to_head(T, torch, n=SIZES[-1]):
    """The kit's random mode and torch's fast mode on the torch engine, interleaved round by
    round so that both see the same load: {name: (min, median, median of the per-round ratio
    torch fast / this)} in seconds."""
    f = lambda t: torch.square(torch.exp(torch.square(t)))  # noqa: E731
    x = inputs(n)
    label = kit_random("torch engine")
    runs = {TORCH_FAST: lambda: torch_run(torch, f, x, True),
            label: lambda: check_second_order(T, f, x, mode="random", seed=SEED)}
    times = {name: [] for name in runs}
    for _ in range(HEAD_TO_HEAD_ROUNDS):
        for name, run in runs.items():
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    fast = np.array(times[TORCH_FAST])
    return {name: (min(ts), float(np.median(ts)), float(np.median(fast / np.array(ts))))
            for name, ts in times.items()}


def optional(name):
    try:
        return __import__(name), None
    except Exception as exc:  # any import failure means: skip, and say why
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def table(rows):
    lines = ["| checker | n | time (s) | engine evaluations | result | how |",
             "|---|---:|---:|---:|---|---|"]
    for name, n, t, ev, ok, how in rows:
        tt = "-" if t is None else f"{t:.4g}"
        size = {10: "10", 10 ** 3: "10^3", 10 ** 4: "10^4", 10 ** 6: "10^6"}.get(n, str(n))
        lines.append(f"| {name} | {size} | {tt} | {'-' if ev is None else ev} | {ok} | {how} |")
    return "\n".join(lines)


def times(rows, name, n):
    return next((t for r_name, r_n, t, *_ in rows if r_name == name and r_n == n), None)


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.3g}"


def main():
    started = time.perf_counter()
    print(f"machine: {machine()}")
    print(f"at start, {load()}")
    reference = adapters.load("reference")
    print(f"kit: check_second_order; reference engine {reference.NAME} "
          f"{reference.version()} (step {reference.STEP})")
    rows = kit_rows(reference, "reference engine")
    torch, why = optional("torch")
    T = None
    if torch is None:
        print(f"skipped torch: {why} (pip install torch==2.13.0)")
    else:
        T, how = torch_adapter(torch)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; the kit's torch "
              f"engine: {how}")
        rows += kit_rows(T, "torch engine")
        rows += torch_rows(torch)
    print()
    print(table(rows))
    print()
    print("ratios, time of the right-hand checker / time of the left (above 1: the left is "
          "faster), measured in this run:")
    for n in SIZES:
        parts = [f"n = {n}:"]
        for left, right in (
                (kit_random("reference engine"), TORCH_FAST),
                (kit_random("torch engine"), TORCH_FAST),
                (kit_full_name("reference engine"), TORCH_SLOW),
                (kit_full_name("torch engine"), TORCH_SLOW),
                (kit_random("reference engine"), kit_full_name("reference engine"))):
            r = ratio(times(rows, right, n), times(rows, left, n))
            if r != "-":
                parts.append(f"  {right} / {left}: {r}"
                             + (" (full extrapolated)" if n > FULL_MAX and "full" in right
                                else ""))
        print("\n".join(parts))
    print("the per-element model (as used at 10^6) against measured full checks:")
    print("\n".join(model_check(reference)))
    if torch is not None:
        print(f"head to head at n = 10^6 on the torch engine, {HEAD_TO_HEAD_ROUNDS} interleaved "
              f"rounds (min / median seconds; the per-round ratio is the one to trust when "
              f"other load moves single timings):")
        h2h = head_to_head(T, torch)
        fast = h2h[TORCH_FAST]
        for name, (lo, med, paired) in h2h.items():
            print(f"  {name}: {lo:.4g} / {med:.4g}" + (
                "" if name.startswith("torch") else
                f"; torch fast / this: {fast[0] / lo:.3g} (mins), median of the per-round "
                f"ratios {paired:.3g}"))
    print(f"at end, {load()}; whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
