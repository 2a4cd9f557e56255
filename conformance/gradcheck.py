"""The suite's own gradient oracle: a float64 central difference of the engine's forward.

The engine's numerical_diff is a clause under test (S5), never used here.
"""
import numpy as np

F64_EPS = np.finfo(np.float64).eps
# Step for the central difference, relative to max(1, |x|): the cube root of eps balances
# truncation (~h^2) against rounding (~eps/h).
STEP = F64_EPS ** (1 / 3)
# The bound is this many times the estimated finite-difference error, as the estimate
# (from two step sizes) is only an order of magnitude.
SAFETY = 32.0


def forward64(engine, fn, x):
    return np.asarray(engine.value(fn(engine.leaf(x))), dtype=np.float64)


def numeric_grad(engine, fn, x, gy):
    """d/dx sum(gy * fn(x)) per element, by central difference at steps h and 2h.

    Returns the estimate at h and an error bound for each element.
    """
    x = np.asarray(x, dtype=np.float64)
    gy = np.asarray(gy, dtype=np.float64)
    grad = np.empty_like(x)
    bound = np.empty_like(x)
    for i in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(x[i]))
        d = []
        for step in (h, 2 * h):
            xp, xm = x.copy(), x.copy()
            xp[i] += step
            xm[i] -= step
            fp = np.sum(gy * forward64(engine, fn, xp))
            fm = np.sum(gy * forward64(engine, fn, xm))
            d.append((fp - fm) / (2 * step))
            scale = max(abs(fp), abs(fm))
        grad[i] = d[0]
        truncation = abs(d[1] - d[0]) / 3  # D(2h) - D(h) ~ 3 c h^2 for a smooth f
        rounding = 4 * F64_EPS * scale / h
        bound[i] = SAFETY * (truncation + rounding) + 16 * F64_EPS * abs(d[0])
    return grad, bound


def check(engine, fn, x, gy):
    """Compare the engine's backward with the oracle; return None, or a one-paragraph report."""
    _, analytic = engine.grad(fn, x.copy(), gy.copy())
    if analytic is None:
        return "backward left the input's gradient None"
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != x.shape:
        return f"gradient has shape {analytic.shape}, input has shape {x.shape}"
    numeric, bound = numeric_grad(engine, fn, x, gy)
    err = np.abs(analytic - numeric)
    bad = ~(err <= bound)
    if not bad.any():
        return None
    i = np.unravel_index(np.argmax(np.where(bad, err / np.where(bound > 0, bound, 1), 0)),
                         x.shape)
    return (f"worst element {tuple(int(k) for k in i)}: backward {analytic[i]!r}, central "
            f"difference {numeric[i]!r}, |error| {err[i]:.3g} > bound {bound[i]:.3g} "
            f"({err[i] / bound[i]:.3g}x); {int(bad.sum())} of {x.size} elements out of bound")
