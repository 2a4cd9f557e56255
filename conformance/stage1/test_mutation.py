"""All steps: no engine operation writes to the arrays it is given."""
import unittest

import numpy as np

from dezero_conformance.conformance.support import (
    Clauses,
    heavy,
    load_tests,  # noqa: F401 (unittest's hook: plans the run)
    sample,
    step_of,
)

# Every shape, and a size past any threshold an engine might switch to in-place work at:
# 2**20 elements in float64, 2**18 in float32.
INPUTS = (np.array(1.5), np.array([0.5, -1.0, 0.3]), np.array([[0.0, 0.25], [-0.75, 1.0]]),
          np.array([[0.5, -0.1, 1.2]], dtype=np.float32))
LARGE = ((16, -1.0, 1.0, (1024, 1025)), (17, -1.0, 1.0, (512, 513), "float32"))


class MutationClauses(Clauses):

    @heavy
    def test_s16_inputs_are_not_mutated(self):
        ("""S16 (step 1): no engine operation (forward, backward, numerical_diff) writes to its """
         """input data or the output gradient it is given.""")
        E = self.engine
        if E.square is None:  # a book step-1 file: Variable alone, no operation to judge
            self.skipTest(f"{E.NAME} has no operation at step {step_of(E)}")
        fns = [("square", E.square)]
        if self.applies("exp", part="exp and the composite"):
            fns += [("exp", E.exp), ("square(exp(square(x)))", self.composite())]
        vector = self.applies("vector", part="vector inputs")
        cases = [(name, fn, x) for name, fn in fns for x in INPUTS[:len(INPUTS) if vector else 1]]
        if vector:  # the composite hands the caller's arrays to square: large for each op
            cases += [(name, fn, sample(*x)) for name, fn in fns[:2] for x in LARGE]
        for name, fn, x in cases:
            with self.subTest(f"{name} on {x.dtype} shape {x.shape}"):
                self.forward_and_backward(name, fn, x)
        if not self.leaf_holds_its_input():
            self.vacuous("the input arrays", f"{E.NAME}'s leaf copies its input array (a write "
                                             f"to the array after leaf(x) does not show in the "
                                             f"leaf), so no operation on the leaf can write to "
                                             f"the caller's array")
        if not self.applies("numerical_diff", part="numerical_diff"):
            return
        for name, fn in fns:
            large = (sample(*LARGE[0]),) if vector and fn is E.square else ()  # not f's writes
            for x in (np.array([0.5]), np.array([1.5, -0.25, 2.0])) + large:
                with self.subTest(f"numerical_diff of {name} on shape {x.shape}"):
                    x, x0 = x.copy(), x
                    fname, definitions = self.fn_code(fn)
                    self.call(f"x = E.leaf({self.array_code(x0, copy=False)})\n"
                              f"E.numerical_diff({fname}, x)\nprint(E.value(x))", *definitions)
                    E.numerical_diff(fn, E.leaf(x))
                    self.unchanged(x, x0, f"numerical_diff of {name} changed x.data")

    def forward_and_backward(self, name, fn, x0):
        """Forward, then backward with a given output gradient, on a copy of x0."""
        E = self.engine
        x = x0.copy()  # x0 is the kit's: it never reaches the engine
        fname, definitions = self.fn_code(fn)
        x_code = self.array_code(x0, copy=False)
        self.call(f"x = {x_code}\nE.value({fname}(E.leaf(x)))\nprint(x)", *definitions)
        E.value(fn(E.leaf(x)))
        self.unchanged(x, x0, f"forward of {name} changed its input array")
        self.backprop()  # without it, the backward part of this sub-case is not judged
        gy = gy0 = None
        if self.has("seed_grad"):
            gy0 = np.full_like(x0, 2.0)
            gy = gy0.copy()
            self.call(f"x, gy = {x_code}, {self.array_code(gy0, copy=False)}\n"
                      f"E.grad({fname}, x, gy)\nprint(x, gy)", *definitions)
        else:
            self.call(f"x = {x_code}\nE.grad({fname}, x)\nprint(x)", *definitions)
        E.grad(fn, x, gy)
        self.unchanged(x, x0, f"forward and backward of {name} changed the input array")
        if gy is not None:
            self.unchanged(gy, gy0, f"backward of {name} changed the output gradient it was "
                                    f"given")

    def leaf_holds_its_input(self):
        """Whether the engine's leaf holds the caller's array itself (or a view of it)."""
        E = self.engine
        x = np.array([1.0, 2.0]) if self.has("vector") else np.array(1.0)
        v = E.leaf(x)
        x[...] = 5.0
        return bool(np.all(np.asarray(E.value(v)) == 5.0))

    def unchanged(self, a, a0, what):
        """a equals its copy a0 bit for bit (nan where a0 has nan)."""
        if np.array_equal(a, a0, equal_nan=True):
            return
        changed = np.flatnonzero(~((a == a0) | (np.isnan(a) & np.isnan(a0))))
        i = np.unravel_index(changed[0], a.shape)
        self.fail(f"{self.clause}: {what}: {changed.size} of {a.size} elements differ, "
                  f"the first at {tuple(int(k) for k in i)}: {a[i]!r}, was {a0[i]!r}")


class TestMutation(MutationClauses, unittest.TestCase):
    pass
