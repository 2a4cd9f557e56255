"""Buggy variants of the fake book repository: one deliberate bug each, as a literal patch.

Each entry of BUGS patches one file of this folder: "old" (an exact snippet, found exactly
once in "file") becomes "new". "breaks" lists the clauses (docs/clauses.md) expected to fail
when the patched repository is judged: a step file at its own step, and the package through
the step files that import it: dezero/core.py and dezero/functions.py at step 36
(steps/step36.py), dezero/core_simple.py at step 28 (steps/step28.py, which switches to the
simple core itself), dezero/utils.py, layers.py, models.py and optimizers.py at step 46
(steps/step46.py). A bug of stage 4 in core.py or functions.py, which step 36 cannot see,
names the step file it is judged through in "through" (steps/step46.py). The expectations
follow the kit's own mutants of the reference engines (tests/broken/), limited to the
clauses up to the step judged; those of stage 4 were measured on the patched package.
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
    # Stage 4 (steps 37-46), judged at step 46.
    {"name": "core_mul_backward_not_summed_to_shape",
     "file": "dezero/core.py",
     "through": "steps/step46.py",
     "old": "        return _to_shape(gy * b, a.shape), _to_shape(gy * a, b.shape)\n",
     "new": "        return gy * b, gy * a\n",
     "breaks": ["S44", "S45", "S51"],
     "why": "Mul.backward of broadcast operands returns gy * b and gy * a in the output's "
            "shape: the smaller operand's gradient is never summed back to its own shape"},
    {"name": "functions_sum_backward_as_if_keepdims",
     "file": "dezero/functions.py",
     "through": "steps/step46.py",
     "old": "self.x_shape, self.axis, self.keepdims)\n",
     "new": "self.x_shape, self.axis, True)\n",
     "breaks": ["S44", "S45", "S49"],
     "why": "Sum.backward ignores keepdims, taking every sum as kept: the gradient of "
            "sum(x, axis=1) is broadcast without its summed axis put back"},
    {"name": "functions_transpose_backward_same_axes",
     "file": "dezero/functions.py",
     "through": "steps/step46.py",
     "old": "        return transpose(gy, tuple(int(axis) for axis in inverse))\n",
     "new": "        return transpose(gy, self.axes)\n",
     "breaks": ["S44", "S45", "S48"],
     "why": "Transpose.backward transposes gy by the same axes, not their inverse: right only "
            "for a permutation that is its own inverse, such as (1, 0, 3, 2)"},
    {"name": "functions_mse_divides_by_size",
     "file": "dezero/functions.py",
     "through": "steps/step46.py",
     "old": "        return (diff ** 2).sum() / len(diff)  # per row (sample), not per element\n",
     "new": "        return (diff ** 2).sum() / diff.size\n",
     "breaks": ["S53"],
     "why": "MeanSquaredError.forward divides by the number of elements, not of rows: the same "
            "loss on one column (the book's trainings), another on several, and a forward "
            "its backward no longer matches"},
    {"name": "functions_linear_backward_gb_not_summed",
     "file": "dezero/functions.py",
     "through": "steps/step46.py",
     "old": "        gb = sum_to(gy, self.inputs[2].shape)\n",
     "new": "        gb = gy\n",
     "breaks": ["S55", "S56", "S58"],
     "why": "Linear.backward gives b the whole gy, one row per sample, not its sum over the "
            "rows: b's gradient does not have b's shape"},
    {"name": "utils_sum_to_keeps_leading_axes",
     "file": "dezero/utils.py",
     "old": "    axes = tuple(range(lead))\n",
     "new": "    axes = ()\n",
     "breaks": ["S29", "S30", "S33", "S37", "S39", "S40", "S42", "S43", "S44",
                "S45", "S46", "S50", "S51", "S54", "S55", "S56", "S58"],
     "why": "utils.sum_to sums only where the shape has a 1, never over the axes broadcasting "
            "put in front: sum_to of a (2, 3) to (3,) cannot reshape"},
    {"name": "layers_registers_anything_with_a_grad",
     "file": "dezero/layers.py",
     "old": "        if isinstance(value, (Parameter, Layer)):\n",
     "new": "        if hasattr(value, 'grad') or isinstance(value, Layer):\n",
     "breaks": ["S57"],
     "why": "Layer.__setattr__ registers by duck typing, anything with a grad: a plain "
            "Variable assigned to a layer becomes one of its parameters"},
    {"name": "layers_params_yields_nested_layers",
     "file": "dezero/layers.py",
     "old": "                yield from obj.params()\n",
     "new": "                yield obj\n",
     "breaks": ["S57", "S59"],
     "why": "Layer.params yields a nested Layer itself rather than its parameters: a Model's "
            "params() holds Layers"},
    {"name": "layers_linear_W_not_scaled",
     "file": "dezero/layers.py",
     "old": "        scale = np.sqrt(1 / rows)  # a unit's output keeps about its input's spread\n",
     "new": "        scale = 1.0\n",
     "breaks": ["S58"],
     "why": "Linear draws W from a standard normal, without the scale sqrt(1 / in_size)"},
    {"name": "models_mlp_activation_after_last_layer",
     "file": "dezero/models.py",
     "old": "        return last(x)\n",
     "new": "        return self.activation(last(x))\n",
     "breaks": ["S59"],
     "why": "MLP.forward applies the activation after the last layer too: its output is "
            "squashed into (0, 1)"},
    {"name": "optimizers_hooks_after_update",
     "file": "dezero/optimizers.py",
     "old": "        for f in self.hooks:  # before any parameter changes: weight decay, clipping, "
            "...\n            f(params)\n\n        for param in params:\n"
            "            self.update_one(param)\n",
     "new": "        for param in params:\n            self.update_one(param)\n\n"
            "        for f in self.hooks:\n            f(params)\n",
     "breaks": ["S60"],
     "why": "Optimizer.update calls its hooks after updating the parameters: a hook sees the "
            "new values, and a hook that edits the grads (clipping, decay) acts one step late"},
    {"name": "optimizers_momentum_one_velocity_per_shape",
     "file": "dezero/optimizers.py",
     "old": "        key = id(param)\n",
     "new": "        key = param.shape\n",
     "breaks": ["S62"],
     "why": "MomentumSGD keys its velocities by shape: parameters of the same shape share one "
            "velocity, and each update of one moves the others"},
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
