"""Steps 27, 34 and 35: sin, cos and tanh, their gradients, and their 2nd-4th derivatives."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    DERIVED_ULPS,
    TRIG_ULPS,
    Clauses,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
)

PI4 = np.pi / 4
# The suite's own float64 values: (name, f, [f', f'', f''', f'''']) with the contract's values
# at the contract's points.
SIN = (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), np.sin)
COS = (np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), np.sin, np.cos)


def tanh_derivatives(x):
    """tanh and its 1st-4th derivatives, as polynomials in y = tanh(x) and u = 1 - y**2,
    with u computed as 1 / cosh(x)**2: 1 - y**2 itself loses u's digits for |x| past 2."""
    x = np.asarray(x, dtype=np.float64)
    y, u = np.tanh(x), 1 / np.cosh(x) ** 2
    return y, u, -2 * y * u, -2 * u * (3 * u - 2), 8 * y * u * (3 * u - 1)


def tanh_terms(x):
    """For each derivative of tanh, the sum of the magnitudes of its terms as a polynomial in
    y = tanh(x) (1 - y**2; -2y + 2y**3; -2 + 8y**2 - 6y**4; 16y - 40y**3 + 24y**5): an engine
    may add them in any order, so its rounding is relative to these, not to their sum, which
    cancels near the derivative's zeros and where 1 - y**2 is small."""
    a = np.abs(np.tanh(np.asarray(x, dtype=np.float64)))
    return (a, 1 + a ** 2, 2 * a + 2 * a ** 3, 2 + 8 * a ** 2 + 6 * a ** 4,
            16 * a + 40 * a ** 3 + 24 * a ** 5)


# (function, point, [f, f', ...]) from the contract (re-run on DeZero 0.0.13).
CONTRACT = {
    ("sin", PI4): (0.7071067811865475, 0.7071067811865476),
    ("cos", 1.0): (0.5403023058681398, -0.8414709848078965),
    ("sin", 1.0): (None, None, -0.8414709848078965, -0.5403023058681398, 0.8414709848078965),
    ("tanh", 1.0): (0.7615941559557649, 0.41997434161402614, -0.6397000084492246,
                    0.6216266807712962, 0.6650910447505024),
}
# Points away from the zeros of every derivative (a relative tolerance means nothing at a
# zero): both signs, |x| below and above 1, a vector and a matrix.
POINTS = (PI4, 1.0, -2.5, 0.3, [0.5, -1.0, 2.0], [[1.25, -0.4], [3.0, -0.7]])


class TrigClauses(Clauses):

    def values(self, name, x):
        if name == "tanh":
            return tanh_derivatives(x)
        return tuple(f(np.asarray(x, dtype=np.float64)) for f in (SIN if name == "sin" else COS))

    def want(self, name, x, k):
        """The k-th derivative (0: the value) at x: the contract's where it gives one."""
        given = CONTRACT.get((name, x), ()) if np.ndim(x) == 0 else ()
        if k < len(given) and given[k] is not None:
            return np.array(given[k])
        return np.asarray(self.values(name, np.array(x, dtype=np.float64))[k])

    def check_orders(self, name, orders, points=POINTS):
        E = self.engine
        fn = getattr(E, name)
        for x in points:
            if np.ndim(x) and not self.applies("vector", part=f"{name} of a {np.shape(x)} array"):
                continue
            a = np.array(x, dtype=np.float64)
            for n in orders:
                with self.subTest(f"{name} derivative {n} at {x}"):
                    prev, d = self.derivative(fn, a, n)
                    dtype = np.float64 if self.has("float64") else None
                    for k, got in ((n - 1, prev), (n, d)):
                        ulps = TRIG_ULPS if k <= 1 else DERIVED_ULPS
                        what = ("one or two roundings" if k <= 1 else
                                "a few rounded terms, summed in the engine's order")
                        call = (f"{'the value' if k == 0 else f'derivative {k}'} of {name} "
                                f"at {a.tolist()}")
                        want = self.want(name, x, k)
                        if name != "tanh":
                            self.assertValues(got, want, call, self.ulps(ulps), what,
                                              dtype=dtype)
                            continue
                        # relative to the terms (see tanh_terms), element by element
                        self.assertValues(got, want, call, 0.0, "shape, dtype and finite values "
                                          "first", atol=np.inf, dtype=dtype)
                        terms = tanh_terms(a)[k]
                        for i in np.ndindex(a.shape):
                            self.assertValues(
                                np.asarray(got)[i], want[i], f"{call}, element {i}",
                                self.ulps(ulps), what + ", or that many ulps of the sum of the "
                                "magnitudes of its terms", atol=self.ulps(ulps) * terms[i])

    def test_s32_sin_and_cos(self):
        ("""S32 (step 27): sin and cos forward and backward: sin(pi/4) 0.7071067811865475 with """
         """grad 0.7071067811865476, cos(1.0) 0.5403023058681398 with grad -0.8414709848078965, """
         """at points of both signs, 0-d to 2-d.""")
        E = self.engine
        self.require("sin_cos")
        self.check_orders("sin", (1,))
        self.check_orders("cos", (1,))
        for expr, f, df in (
                ("E.sin(E.sin(x))", lambda x: np.sin(np.sin(x)),
                 lambda x: np.cos(np.sin(x)) * np.cos(x)),
                ("E.cos(E.sin(x))", lambda x: np.cos(np.sin(x)),
                 lambda x: -np.sin(np.sin(x)) * np.cos(x))):
            for x in (0.7, -1.9):
                with self.subTest(f"{expr} at {x}"):
                    y, gx = self.grad(self.expression(expr), np.array(x))
                    self.assertValues(y, f(np.array(x)), f"{expr} at {x}", self.ulps(TRIG_ULPS),
                                      "two roundings of sin or cos")
                    self.assertValues(gx, df(np.array(x)), f"gradient of {expr} at {x}",
                                      self.ulps(DERIVED_ULPS), "a product of rounded values")
        if self.applies("vector", part="float32 inputs"):
            x = np.array([0.5, -2.0], dtype=np.float32)
            for name in ("sin", "cos"):
                with self.subTest(f"{name} of a float32 input"):
                    y, gx = self.grad(getattr(E, name), x.copy(), self.seed_for(x))
                    self.assertValues(y, self.values(name, x.astype(np.float64))[0],
                                      f"{name} at float32 {x.tolist()}",
                                      TRIG_ULPS * np.finfo(np.float32).eps, "float32 rounding")
                    self.assertValues(gx, self.values(name, x.astype(np.float64))[1],
                                      f"gradient of {name} at float32 {x.tolist()}",
                                      TRIG_ULPS * np.finfo(np.float32).eps, "float32 rounding")

    def test_s41_higher_derivatives_of_sin(self):
        ("""S41 (step 34): repeated differentiation of sin and cos: at 1.0 sin's 2nd, 3rd and """
         """4th derivatives are -0.8414709848078965, -0.5403023058681398 and 0.8414709848078965.""")
        self.require("sin_cos", "higher_order")
        self.check_orders("sin", (2, 3, 4))
        self.check_orders("cos", (2, 3, 4), POINTS[1:])

    def test_s42_tanh_and_its_derivatives(self):
        ("""S42 (step 35): tanh(1.0) is 0.7615941559557649 and its 1st-4th derivatives at 1.0 """
         """are 0.41997434161402614, -0.6397000084492246, 0.6216266807712962 and """
         """0.6650910447505024.""")
        self.require("tanh")
        self.check_orders("tanh", (1,), POINTS[1:] + (0.0,))
        if self.applies("higher_order", part="tanh's 2nd-4th derivatives"):
            self.check_orders("tanh", (2, 3, 4), POINTS[1:])


class TestTrig(TrigClauses, unittest.TestCase):
    pass
