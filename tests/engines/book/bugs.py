"""Buggy variants of the fake book repository: one deliberate bug each, as a literal patch.

Each entry of BUGS patches one file of this folder: "old" (an exact snippet, found exactly
once in "file") becomes "new". "breaks" lists the clauses (docs/clauses.md) expected to fail
when the patched repository is judged: a step file at its own step, and the package through
the step files that import it: dezero/core.py and dezero/functions.py at step 36
(steps/step36.py), dezero/core_simple.py at step 28 (steps/step28.py, which switches to the
simple core itself). The expectations follow the kit's own mutants of the reference engines
(tests/broken/), limited to the clauses up to the step judged.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

BUGS = [
    {"name": "step10_square_backward_gy",
     "file": "steps/step10.py",
     "old": "        x = self.input.data\n        return 2 * x * gy\n",
     "new": "        x = self.input.data\n        return gy\n",
     "breaks": ["S6", "S8", "S9", "S11", "S15", "S44"],
     "why": "Square.backward returns gy, not 2 * x * gy: the chain rule without the local "
            "derivative"},
    {"name": "step09_as_array_always_copies",
     "file": "steps/step09.py",
     "old": "    if np.isscalar(x):\n        return np.array(x)\n    return x\n",
     "new": "    return np.array(x)\n",
     "breaks": ["S13"],
     "why": "as_array copies everything, arrays and non-scalars too, instead of converting "
            "scalars only"},
    {"name": "step18_add_backward_one_grad",
     "file": "steps/step18.py",
     "old": "        return gy, gy\n",
     "new": "        return gy\n",
     "breaks": ["S18", "S19", "S20", "S21", "S22", "S23", "S25", "S44"],
     "why": "Add.backward returns gy, not (gy, gy): zip gives only the first input a grad"},
    {"name": "step22_using_config_without_finally",
     "file": "steps/step22.py",
     "old": "    try:\n        yield\n    finally:\n        setattr(Config, name, saved)\n",
     "new": "    yield\n    setattr(Config, name, saved)\n",
     "breaks": ["S26"],
     "why": "using_config restores the setting only when the block ends normally: after an "
            "exception under no_grad() graphs stay off (state outlives a clause: run isolated)"},
    {"name": "step27_sin_backward_minus_cos",
     "file": "steps/step27.py",
     "old": "        return gy * np.cos(x)\n",
     "new": "        return gy * -np.cos(x)\n",
     "breaks": ["S32", "S44"],
     "why": "the step file's own Sin.backward is gy * -cos(x): the sign of cos's belongs to "
            "cos's derivative"},
    {"name": "core_simple_mul_backward_swapped",
     "file": "dezero/core_simple.py",
     "old": "        return gy * b, gy * a\n",
     "new": "        return gy * a, gy * b\n",
     "breaks": ["S28", "S29", "S30", "S31", "S33", "S34", "S44"],
     "why": "Mul.backward gives x0 the grad gy * x0 and x1 gy * x1: right only when x0 == x1"},
    {"name": "core_simple_no_generation_sort",
     "file": "dezero/core_simple.py",
     "old": "                pending.sort(key=lambda g: g.generation)\n",
     "new": "",
     "breaks": ["S22", "S44"],
     "why": "backward keeps the seen set but never sorts by generation: a plain stack, so a "
            "Function can run before every user of its output has given its grad"},
    {"name": "core_pow_backward_uses_data",
     "file": "dezero/core.py",
     "old": "        return self.c * x ** (self.c - 1) * gy\n",
     "new": "        return self.c * x.data ** (self.c - 1) * gy\n",
     "breaks": ["S36", "S37", "S38", "S39", "S40", "S43", "S45"],
     "why": "Pow.backward reads x.data: the first derivative is right, but the gradient's graph "
            "stops at x ** (c - 1), so second derivatives lose a term"},
    {"name": "functions_cos_backward_plus_sin",
     "file": "dezero/functions.py",
     "old": "        return gy * -sin(x)\n",
     "new": "        return gy * sin(x)\n",
     "breaks": ["S32", "S39", "S40", "S41", "S44", "S45"],
     "why": "Cos.backward is gy * sin(x): the minus sign lost"},
    {"name": "functions_tanh_backward_uses_data",
     "file": "dezero/functions.py",
     "old": "        return gy * (1 - y * y)\n",
     "new": "        return gy * (1 - y.data * y.data)\n",
     "breaks": ["S40", "S42", "S45"],
     "why": "Tanh.backward is gy * (1 - y.data ** 2): tanh's first derivative is right, its "
            "second and later ones are not"},
]


def patched(bug, root=HERE):
    """The text of bug["file"] (under root) with the bug in; its "old" must occur once."""
    with open(os.path.join(root, bug["file"])) as f:
        text = f.read()
    count = text.count(bug["old"])
    if count != 1:
        raise AssertionError(f'bug {bug["name"]}: "old" occurs {count} times in '
                             f'{bug["file"]}, must be once: {bug["old"]!r}')
    return text.replace(bug["old"], bug["new"])
