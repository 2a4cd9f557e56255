"""The project's own broken engines: the reference with one deliberate bug each.

Each mutant is a literal patch of reference/__init__.py's source (every `old` must occur
exactly once, so a reference rewrite cannot turn a mutant into a silent copy), and names the
clauses that must catch it: exactly those, no more, fail. `python -m tests.broken NAME`
prints a mutant's source, to save as a .py file and check by path.
"""
import os
import types

import reference

SOURCE_PATH = reference.__file__


class Mutant:
    def __init__(self, name, breaks, why, *patches, misbehaves=None):
        self.name, self.breaks, self.why, self.patches = name, frozenset(breaks), why, patches
        self.misbehaves = misbehaves  # "TIMEOUT" or "CRASH": only safe to run isolated

    def source(self):
        with open(SOURCE_PATH) as f:
            text = f.read()
        for old, new in self.patches:
            count = text.count(old)
            if count != 1:
                raise AssertionError(f"mutant {self.name}: patch target occurs {count} times in "
                                     f"{SOURCE_PATH}, must be once: {old!r}")
            text = text.replace(old, new)
        return text

    def module(self):
        module = types.ModuleType(f"broken_{self.name}")
        module.__file__ = os.path.join(os.path.dirname(__file__), f"{self.name}.py")
        exec(compile(self.source(), module.__file__, "exec"), module.__dict__)
        return module


MUTANTS = [
    Mutant("copies_data", {"S1"}, "Variable stores a copy of its data",
           ("        self.data = data\n",
            "        self.data = None if data is None else data.copy()\n")),
    Mutant("call_returns_subclass", {"S2"}, "Function.__call__ returns a Variable subclass",
           ("        output = Variable(as_array(y))\n",
            "        output = type('Output', (Variable,), {})(as_array(y))\n")),
    Mutant("base_forward_is_identity", {"S3"}, "base Function.forward returns x",
           ('        raise NotImplementedError(f"{type(self).__name__}.forward: subclass '
            'Function and define it")\n', "        return x\n")),
    Mutant("exp_rounded_e", {"S2", "S4", "S5", "S6", "S8", "S15"}, "Exp.forward uses e rounded to 2.71828",
           ("        return np.exp(x)\n", "        return 2.71828 ** x\n")),
    Mutant("square_is_x_abs_x", {"S2", "S4", "S5", "S8", "S15"}, "Square.forward computes x*|x|",
           ("        return x ** 2\n", "        return x * np.abs(x)\n")),
    Mutant("forward_difference", {"S5"}, "numerical_diff is a forward difference",
           ("    return (y1.data - y0.data) / (2 * eps)\n",
            "    return (y1.data - f(x).data) / eps\n")),
    Mutant("numerical_diff_ignores_eps", {"S5"}, "numerical_diff always steps by 1e-4",
           ("def numerical_diff(f, x, eps=1e-4):\n",
            "def numerical_diff(f, x, eps=1e-4):\n    eps = 1e-4\n")),
    Mutant("exp_backward_float32", {"S6", "S8", "S15"}, "Exp.backward computes in float32",
           ("        return np.exp(x) * gy\n",
            "        return np.exp(x.astype(np.float32)) * gy\n")),
    Mutant("exp_backward_mutates_gy", {"S16"}, "Exp.backward multiplies gy in place (arrays "
           "only: a 0-d gy arrives as a numpy scalar, which *= rebinds)",
           ("        return np.exp(x) * gy\n", "        gy *= np.exp(x)\n        return gy\n")),
    Mutant("no_output_link", {"S7"}, "Function does not keep its output",
           ("        self._output = weakref.ref(output)\n", "")),
    Mutant("skips_last_step", {"S6", "S8", "S9", "S11", "S15"},
           "backward never applies the first Function: x.grad is a.grad",
           ("            x.grad = gy = f.backward(gy)\n",
            "            x.grad = gy = f.backward(gy) if x.creator is not None else gy\n")),
    Mutant("drops_intermediate_grads", {"S8"}, "backward clears grads of non-leaf Variables",
           ("            f = x.creator\n",
            "            f = x.creator\n            if f is not None:\n"
            "                x.grad = None\n")),
    Mutant("recursive_backward", {"S9"}, "backward recurses through the creators (step 7)",
           ("        gy, f = self.grad, self.creator\n"
            "        while f is not None:  # a loop, not recursion: depth is bounded by memory only\n"
            "            x = f.input\n"
            "            x.grad = gy = f.backward(gy)\n"
            "            f = x.creator\n",
            "        f = self.creator\n"
            "        if f is not None:\n"
            "            f.input.grad = f.backward(self.grad)\n"
            "            f.input.backward()\n")),
    Mutant("shared_exp_instance", {"S10"}, "exp() reuses one Exp instance",
           ("def exp(x):\n    return Exp()(x)\n", "_exp = Exp()\n\n\ndef exp(x):\n    return _exp(x)\n")),
    Mutant("overwrites_preset_grad", {"S6", "S11", "S15"}, "backward always seeds ones",
           ("        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
            "        self.grad = np.ones_like(self.data)\n")),
    Mutant("truth_tests_preset_grad", {"S8", "S11", "S15", "S16"},
           "backward tests `not self.grad`: a preset 0.0 is reseeded, a preset vector raises",
           ("        if self.grad is None:\n", "        if not self.grad:\n")),
    Mutant("seeds_scalar_one", {"S11"}, "backward seeds np.array(1.0) whatever y's shape",
           ("            self.grad = np.ones_like(self.data)\n",
            "            self.grad = np.array(1.0)\n")),
    Mutant("seeds_float64", {"S11"}, "backward seeds float64 ones for a float32 output",
           ("            self.grad = np.ones_like(self.data)\n",
            "            self.grad = np.ones(np.shape(self.data))\n")),
    Mutant("accepts_numpy_scalars", {"S12"}, "Variable accepts numpy scalars",
           ("not isinstance(data, np.ndarray)", "not isinstance(data, (np.ndarray, np.generic))")),
    Mutant("raises_value_error", {"S12"}, "Variable raises ValueError for non-arrays",
           ("            raise TypeError(\n", "            raise ValueError(\n")),
    Mutant("as_array_always_copies", {"S13"}, "as_array copies arrays too",
           ("    if np.isscalar(x):\n        return np.array(x)\n    return x\n",
            "    return np.array(x)\n")),
    Mutant("output_skips_as_array", {"S14"}, "a 0-d output is stored as a numpy scalar",
           ("        output = Variable(as_array(y))\n",
            "        output = Variable(None)\n        output.data = y\n")),
    Mutant("forward_mutates_input", {"S16"}, "Square.forward zeroes its input in place",
           ("class Square(Function):\n    __slots__ = ()\n\n    def forward(self, x):\n"
            "        return x ** 2\n\n    def backward(self, gy):\n        x = self.input.data\n",
            "class Square(Function):\n    __slots__ = (\"x\",)\n\n    def forward(self, x):\n"
            "        self.x = x.copy()\n        y = x ** 2\n        x[...] = 0\n        return y\n\n"
            "    def backward(self, gy):\n        x = self.x\n")),
]

# A learner's stub: the name exists, so the book adapter declares the capability.
MUTANTS.append(
    Mutant("numerical_diff_stub", {"S5", "C1"}, "numerical_diff is still a stub",
           ("    x0 = Variable(as_array(x.data - eps))\n",
            "    raise NotImplementedError('step 4')\n    x0 = Variable(as_array(x.data - eps))\n")))

# Engines that misbehave rather than compute wrong values: the kit must survive them.
MUTANTS += [
    Mutant("hangs_on_deep_chains", {"S9"}, "backward spins forever past 500 steps",
           ("        gy, f = self.grad, self.creator\n",
            "        gy, f = self.grad, self.creator\n        steps = 0\n"),
           ("            f = x.creator\n",
            "            f = x.creator\n            steps += 1\n"
            "            while steps > 500:\n                pass\n"), misbehaves="TIMEOUT"),
    Mutant("segfaults_on_matrices", {"S4", "S8", "S15", "S16"},
           "Exp.forward dereferences NULL on a 2-D input",
           ("        return np.exp(x)\n",
            "        if np.ndim(x) == 2:\n            import ctypes\n"
            "            ctypes.string_at(0)\n        return np.exp(x)\n"), misbehaves="CRASH"),
    Mutant("raises_in_forward", {"S2", "S4", "S5", "S6", "S8", "S11", "S15", "S16"},
           "Square.forward raises on a negative input",
           ("        return x ** 2\n",
            "        if np.any(x < 0):\n            raise ArithmeticError('negative input')\n"
            "        return x ** 2\n")),
]

BY_NAME = {m.name: m for m in MUTANTS}
