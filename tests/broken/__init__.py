"""The project's own broken engines: a reference with one deliberate bug each.

Each mutant is a literal patch of a reference engine's source (in
reference/): stage1.py (steps 1-10, `base="stage1"`, the default) or
stage2.py (steps 11-24, `base="stage2"`, judged at the step its names give, 24) or stage3.py
(steps 25-36, `base="stage3"`, judged at 36) or stage4.py (steps 37-46, `base="stage4"`, judged
at 46). Every `old`
must occur exactly once, so a reference rewrite cannot turn a mutant into a silent copy; each
mutant names the clauses that must catch it: exactly those, no more, fail. `python -m
tests.broken NAME` prints a mutant's source, to save as a .py file and check by path.
"""
import os
import types

from dezero_conformance.reference import stage1, stage2, stage3, stage4

SOURCE_PATH = stage1.__file__
SOURCES = {"stage1": stage1.__file__, "stage2": stage2.__file__, "stage3": stage3.__file__,
           "stage4": stage4.__file__}


class Mutant:
    def __init__(self, name, breaks, why, *patches, misbehaves=None, isolated=False,
                 base="stage1"):
        self.name, self.breaks, self.why, self.patches = name, frozenset(breaks), why, patches
        if base not in SOURCES:
            raise ValueError(f"mutant {name}: base {base!r} is not one of {sorted(SOURCES)}")
        self.base = base  # the reference it patches: "stage1", "stage2", "stage3" or "stage4"
        # "TIMEOUT", "CRASH" or "EXIT": what each broken clause must report (or a dict of
        # clause: marker, for the clauses that report it); only safe to run isolated.
        if isinstance(misbehaves, str):
            misbehaves = dict.fromkeys(breaks, misbehaves)
        self.misbehaves = misbehaves
        # Changes the process it is imported into (a recursion limit, state that outlives a
        # clause, threads): run isolated only, where each clause gets a fresh engine.
        self.isolated = isolated or misbehaves is not None

    @property
    def source_path(self):
        return SOURCES[self.base]

    def source(self):
        with open(self.source_path) as f:
            text = f.read()
        for old, new in self.patches:
            count = text.count(old)
            if count != 1:
                raise AssertionError(f"mutant {self.name}: patch target occurs {count} times in "
                                     f"{self.source_path}, must be once: {old!r}")
            text = text.replace(old, new)
        return text

    def module(self):
        module = types.ModuleType(f"broken_{self.name}")
        module.__file__ = os.path.join(os.path.dirname(__file__), f"{self.name}.py")
        exec(compile(self.source(), module.__file__, "exec"), module.__dict__)
        return module


# The book's step-7 backward, which calls itself once per Function.
RECURSIVE_BACKWARD = (
    "        gy, f = self.grad, self.creator\n"
    "        while f is not None:  # a loop, not recursion: depth is bounded by memory only\n"
    "            x = f.input\n"
    "            x.grad = gy = f.backward(gy)\n"
    "            f = x.creator\n",
    "        f = self.creator\n"
    "        if f is not None:\n"
    "            f.input.grad = f.backward(self.grad)\n"
    "            f.input.backward()\n")

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
    Mutant("exp_rounded_e", {"S2", "S4", "S6", "S8", "S15", "S44"},
           "Exp.forward uses e rounded to 2.71828",
           ("        return np.exp(x)\n", "        return 2.71828 ** x\n")),
    Mutant("square_is_x_abs_x", {"S2", "S4", "S6", "S8", "S15", "S44"},
           "Square.forward computes x*|x|",
           ("        return x ** 2\n", "        return x * np.abs(x)\n")),
    Mutant("forward_difference", {"S5"}, "numerical_diff is a forward difference",
           ("    return (y1.data - y0.data) / (2 * eps)\n",
            "    return (y1.data - f(x).data) / eps\n")),
    Mutant("numerical_diff_ignores_eps", {"S5"}, "numerical_diff always steps by 1e-4",
           ("def numerical_diff(f, x, eps=1e-4):\n",
            "def numerical_diff(f, x, eps=1e-4):\n    eps = 1e-4\n")),
    Mutant("exp_backward_float32", {"S6", "S8", "S15", "S44"},
           "Exp.backward computes in float32",
           ("        return np.exp(x) * gy\n",
            "        return np.exp(x.astype(np.float32)) * gy\n")),
    Mutant("exp_backward_mutates_gy", {"S16", "S44"}, "Exp.backward multiplies gy in place (arrays "
           "only: a 0-d gy arrives as a numpy scalar, which *= rebinds)",
           ("        return np.exp(x) * gy\n", "        gy *= np.exp(x)\n        return gy\n")),
    Mutant("no_output_link", {"S7"}, "Function does not keep its output",
           ("        self._output = weakref.ref(output)\n", "")),
    Mutant("skips_last_step", {"S6", "S8", "S9", "S11", "S15", "S44"},
           "backward never applies the first Function: x.grad is a.grad",
           ("            x.grad = gy = f.backward(gy)\n",
            "            x.grad = gy = f.backward(gy) if x.creator is not None else gy\n")),
    Mutant("drops_intermediate_grads", {"S8"}, "backward clears grads of non-leaf Variables",
           ("            f = x.creator\n",
            "            f = x.creator\n            if f is not None:\n"
            "                x.grad = None\n")),
    Mutant("recursive_backward", {"S9"}, "backward recurses through the creators (step 7)",
           RECURSIVE_BACKWARD),
    Mutant("shared_exp_instance", {"S8", "S10", "S44"}, "exp() reuses one Exp instance: "
           "exp(exp(x)) is its own creator, and backward never ends",
           ("def exp(x):\n    return Exp()(x)\n",
            "_exp = Exp()\n\n\ndef exp(x):\n    return _exp(x)\n"),
           misbehaves={"S8": "TIMEOUT", "S44": "TIMEOUT"}),
    Mutant("overwrites_preset_grad", {"S6", "S11", "S15", "S44"}, "backward always seeds ones",
           ("        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
            "        self.grad = np.ones_like(self.data)\n")),
    Mutant("truth_tests_preset_grad", {"S6", "S8", "S11", "S15", "S16", "S44"},
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
    Mutant("forward_mutates_input", {"S8", "S16", "S44"},
           "Square.forward zeroes its input in place",
           ("class Square(Function):\n    __slots__ = ()\n\n    def forward(self, x):\n"
            "        return x ** 2\n\n    def backward(self, gy):\n        x = self.input.data\n",
            "class Square(Function):\n    __slots__ = (\"x\",)\n\n    def forward(self, x):\n"
            "        self.x = x.copy()\n        y = x ** 2\n        x[...] = 0\n"
            "        return y\n\n"
            "    def backward(self, gy):\n        x = self.x\n")),
]

# A learner's stub: the name exists, so the book adapter declares the capability.
MUTANTS.append(
    Mutant("numerical_diff_stub", {"S5", "S16", "C1"}, "numerical_diff is still a stub",
           ("    x0 = Variable(as_array(x.data - eps))\n",
            "    raise NotImplementedError('step 4')\n"
            "    x0 = Variable(as_array(x.data - eps))\n")))

# Engines that misbehave rather than compute wrong values: the kit must survive them.
MUTANTS += [
    Mutant("hangs_on_deep_chains", {"S9"}, "backward spins forever past 500 steps",
           ("        gy, f = self.grad, self.creator\n",
            "        gy, f = self.grad, self.creator\n        steps = 0\n"),
           ("            f = x.creator\n",
            "            f = x.creator\n            steps += 1\n"
            "            while steps > 500:\n                pass\n"), misbehaves="TIMEOUT"),
    Mutant("segfaults_on_matrices", {"S2", "S4", "S6", "S8", "S15", "S16", "S44"},
           "Exp.forward dereferences NULL on a 2-D input",
           ("        return np.exp(x)\n",
            "        if np.ndim(x) == 2:\n            import ctypes\n"
            "            ctypes.string_at(0)\n        return np.exp(x)\n"), misbehaves="CRASH"),
    Mutant("raises_in_forward",
           {"S2", "S4", "S6", "S8", "S10", "S11", "S14", "S15", "S16", "S44"},
           "Square.forward raises on a negative input",
           ("        return x ** 2\n",
            "        if np.any(x < 0):\n            raise ArithmeticError('negative input')\n"
            "        return x ** 2\n")),
]

# Bugs that show only on part of each clause's domain (issue 9: dtypes, kinds of argument,
# graphs using an operation twice, shapes, sizes, recursion under a raised limit, state left
# behind, values far from the usual band).
MUTANTS += [
    Mutant("seeds_float64_for_scalars", {"S11"},
           "backward seeds float64 1.0 for a 0-d y, whatever y's dtype",
           ("            self.grad = np.ones_like(self.data)\n",
            "            self.grad = np.ones_like(self.data) if self.data.ndim "
            "else np.array(1.0)\n")),
    Mutant("seeds_float_ones_for_ints", {"S11"},
           "backward seeds ones_like(y.data * 1.0): float64 for an integer y",
           ("            self.grad = np.ones_like(self.data)\n",
            "            self.grad = np.ones_like(self.data * 1.0)\n")),
    Mutant("as_array_converts_sequences", {"S13"},
           "as_array converts everything that is not an ndarray (lists, None, ...)",
           ("    if np.isscalar(x):\n", "    if not isinstance(x, np.ndarray):\n")),
    Mutant("as_array_number_check", {"S13"},
           "as_array converts numbers.Number only (not str, bytes or np.bool_)",
           ("    if np.isscalar(x):\n",
            "    import numbers\n    if isinstance(x, numbers.Number):\n")),
    Mutant("exp_state_on_class", {"S8", "S44"},
           "Exp keeps its input on the class: right until two Exps are alive at once",
           ("        return np.exp(x)\n\n    def backward(self, gy):\n"
            "        x = self.input.data\n",
            "        Exp.last_x = x\n        return np.exp(x)\n\n    def backward(self, gy):\n"
            "        x = Exp.last_x\n")),
    Mutant("exp_backward_atleast_1d", {"S6", "S8", "S15", "S44"},
           "Exp backward returns np.atleast_1d(...): shape (1,) for a 0-d input",
           ("        return np.exp(x) * gy\n", "        return np.atleast_1d(np.exp(x) * gy)\n")),
    Mutant("square_backward_writes_large_gy", {"S16"},
           "Square backward multiplies gy in place above 100,000 elements",
           ("        x = self.input.data\n        return 2 * x * gy\n",
            "        x = self.input.data\n        if np.size(gy) > 100_000:\n"
            "            gy *= 2 * x\n            return gy\n        return 2 * x * gy\n")),
    Mutant("recursive_backward_raised_limit", {"S9"},
           "backward recurses, with the recursion limit raised at import to hide it",
           ("import weakref\n", "import sys\nimport weakref\n\n\nclass _AtImport:  # runs at "
            "import\n    sys.setrecursionlimit(1_000_000)\n"),
           RECURSIVE_BACKWARD, isolated=True),
    # No Python frame per square, so only the native stack shows it: each Variable links its
    # creator and its input's links in nested deques, which CPython frees recursively in C
    # (deques are not deferred like class instances), 160 bytes a square.
    Mutant("frees_graph_recursively", {"S9"},
           "a Variable keeps its creator in nested deques that also hold its input's: backward "
           "is a loop, but freeing the graph recurses in C, and 100,000 squares overflow the "
           "8 MiB stack (SIGSEGV, on every Python)",
           ("import weakref\n", "import collections\nimport weakref\n"),
           ('    __slots__ = ("data", "grad", "creator", "__weakref__")\n',
            '    __slots__ = ("data", "grad", "_links", "__weakref__")\n\n    @property\n'
            '    def creator(self):\n        return self._links[0] if self._links else None\n'),
           ("        self.creator = None\n", "        self._links = None\n"),
           ("    def set_creator(self, func):\n        self.creator = func\n",
            "    def set_creator(self, func):\n        self._links = collections.deque("
            "[func, collections.deque([func.input._links])])\n"),
           ("        output.set_creator(self)\n        self.input = input\n",
            "        self.input = input\n        output.set_creator(self)\n"),
           isolated=True),
    # The same in a thread of the engine's own (backward runs in a worker, as some engines'
    # do): the native stack of every thread is measured, not only the caller's.
    Mutant("frees_tape_in_a_worker_thread", {"S9"},
           "backward runs in a worker thread and keeps the Functions it walked as nested "
           "deques, freed recursively in C in that thread: 100,000 squares overflow its 8 MiB "
           "stack (SIGSEGV)",
           ("import weakref\n", "import collections\nimport concurrent.futures\nimport weakref\n"
                                 "\n_WORKER = concurrent.futures.ThreadPoolExecutor(1)\n"),
           ("        gy, f = self.grad, self.creator\n"
            "        while f is not None:  # a loop, not recursion: depth is bounded by memory "
            "only\n"
            "            x = f.input\n",
            "        _WORKER.submit(self._walk).result()\n\n    def _walk(self):\n"
            "        gy, f, tape = self.grad, self.creator, None\n        while f is not None:\n"
            "            tape = collections.deque([f, collections.deque([tape])])\n"
            "            x = f.input\n"), isolated=True),
    Mutant("numerical_diff_leaves_backprop_off", {"S5"},
           "numerical_diff turns graph building off and never turns it back on",
           ("        output.set_creator(self)\n",
            "        if ENABLE_BACKPROP[0]:\n            output.set_creator(self)\n"),
           ("def numerical_diff(f, x, eps=1e-4):\n",
            "ENABLE_BACKPROP = [True]\n\n\ndef numerical_diff(f, x, eps=1e-4):\n"
            "    ENABLE_BACKPROP[0] = False  # no graph needed for differences\n"),
           isolated=True),
    Mutant("exp_clips_input", {"S4"}, "Exp.forward clips x to [-30, 30] against overflow",
           ("        return np.exp(x)\n", "        return np.exp(np.clip(x, -30, 30))\n")),
    Mutant("exp_backward_abs", {"S6", "S8", "S15", "S44"},
           "Exp backward uses exp(|x|): wrong for negative inputs only",
           ("        return np.exp(x) * gy\n", "        return np.exp(np.abs(x)) * gy\n")),
    Mutant("variable_casts_to_float64", {"S1"},
           "Variable stores np.asarray(data, float64): float32 and int arrays are copied",
           ("        self.data = data\n",
            "        self.data = None if data is None else np.asarray(data, dtype=np.float64)\n")),
    Mutant("numerical_diff_default_eps_1e_6", {"S5"}, "numerical_diff's default eps is 1e-6",
           ("def numerical_diff(f, x, eps=1e-4):\n", "def numerical_diff(f, x, eps=1e-6):\n")),
    Mutant("output_as_array_floats_only", {"S14"},
           "a 0-d output becomes an array only when it is a Python float (np.float64)",
           ("        output = Variable(as_array(y))\n",
            "        output = Variable(None)\n"
            "        output.data = np.array(y) if isinstance(y, float) else y\n")),
]

# Engines that misbehave as processes: the kit must end, report the clause, and leave nothing.
MUTANTS += [
    Mutant("exits_in_backward", {"S6", "S8", "S15", "S16", "S44"},
           "Exp backward calls sys.exit(0)",
           ("        return np.exp(x) * gy\n", "        import sys\n        sys.exit(0)\n"),
           misbehaves="EXIT"),
    Mutant("os_exit_in_backward", {"S5", "S6", "S8", "S15", "S16", "S44"},
           "Exp backward calls os._exit(0), ending the process at once",
           ("        return np.exp(x) * gy\n", "        import os\n        os._exit(0)\n"),
           misbehaves="EXIT"),
]

# Stage 2 (steps 11-24): patches of reference/stage2.py, judged at step 24 (the step their
# names give). The bugs a learner writes on the way from step 11 to step 24.
STAGE2_ADD_FUNC = ("            if f not in seen_set:\n"
                   "                funcs.append(f)\n"
                   "                seen_set.add(f)\n"
                   "                funcs.sort(key=lambda x: x.generation)\n")
MUTANTS += [
    Mutant("no_generations", {"S22", "S23", "S44"},
           "backward pops Functions from a plain stack, each pushed once per path: the "
           "book's step-14 backward, no generations and no seen set",
           (STAGE2_ADD_FUNC, "            funcs.append(f)\n"), base="stage2"),
    Mutant("no_generation_sort", {"S22", "S44"},
           "backward keeps the seen set but never sorts: a plain stack, each Function once",
           ("                funcs.sort(key=lambda x: x.generation)\n", ""), base="stage2"),
    Mutant("no_seen_set", {"S22", "S23", "S24", "S44"},
           "backward sorts by generation but has no seen set: a Function is pushed once per "
           "path to it (2**n runs through n doublings)",
           (STAGE2_ADD_FUNC, "            funcs.append(f)\n"
                             "            funcs.sort(key=lambda x: x.generation)\n"),
           base="stage2"),
    Mutant("no_seen_set_keeping_grads", {"S22", "S23", "S25", "S44"},
           "no seen set, and backward keeps every grad by default (retain_grad=True): each "
           "path to a Function runs it, with no None grad to stop it; S23 must fail on its "
           "counted 12 doublings (4095 runs) without starting the 2**50 of its 50",
           (STAGE2_ADD_FUNC, "            funcs.append(f)\n"
                             "            funcs.sort(key=lambda x: x.generation)\n"),
           ("    def backward(self, retain_grad=False):",
            "    def backward(self, retain_grad=True):"),
           base="stage2"),
    Mutant("add_backward_one_grad",
           {"S18", "S19", "S20", "S21", "S22", "S23", "S25", "S28", "S29", "S30", "S31", "S44"},
           "Add backward returns gy, not (gy, gy): zip gives only the first input a grad",
           ("        return gy, gy\n", "        return gy\n"), base="stage2"),
    Mutant("accumulates_in_place", {"S19", "S20", "S21", "S22", "S25", "S44"},
           "gradients accumulate in place, x.grad += gx: a grad array shared with another "
           "Variable (or the preset y.grad) is written",
           ("                    x.grad = x.grad + gx  # never +=: x.grad may be another "
            "Variable's grad\n", "                    x.grad += gx\n"), base="stage2"),
    Mutant("no_accumulation",
           {"S19", "S20", "S21", "S22", "S23", "S25", "S28", "S29", "S30", "S31", "S44"},
           "x.grad = gx: a Variable used twice keeps the last grad",
           ("                if x.grad is None:\n                    x.grad = gx\n"
            "                else:\n                    x.grad = x.grad + gx  # never +=: x.grad "
            "may be another Variable's grad\n", "                x.grad = gx\n"),
           base="stage2"),
    Mutant("using_config_without_finally", {"S26"},
           "using_config restores the setting only when the block ends normally (no "
           "try/finally): after an exception under no_grad() graphs stay off",
           ("    try:\n        yield\n    finally:\n        setattr(Config, name, old_value)\n",
            "    yield\n    setattr(Config, name, old_value)\n"), base="stage2", isolated=True),
    Mutant("using_config_restores_true", {"S26"},
           "using_config ends by setting the value True, not the one it found: a nested "
           "using_config(..., True) turns graphs back on inside using_config(..., False)",
           ("        setattr(Config, name, old_value)\n", "        setattr(Config, name, True)\n"),
           base="stage2"),
    Mutant("no_array_priority", {"S29"},
           "Variable has no __array_priority__: ndarray + Variable is an object ndarray",
           ("    __array_priority__ = 200  # ndarray + Variable calls Variable.__radd__\n", ""),
           base="stage2"),
    Mutant("rsub_is_sub", {"S30", "S31", "S44"},
           "c - x computes x - c: rsub passes its operands in order",
           ("    return Sub()(as_array(x1), x0)\n", "    return Sub()(x0, as_array(x1))\n"),
           base="stage2"),
    Mutant("rdiv_is_div", {"S30", "S44"}, "c / x computes x / c: rdiv passes its operands in order",
           ("    return Div()(as_array(x1), x0)\n", "    return Div()(x0, as_array(x1))\n"),
           base="stage2"),
    Mutant("pow_backward_c_x_c", {"S30", "S31", "S44"},
           "Pow backward is c * x ** c * gy (the exponent not lowered): right at x = 1 only",
           ("        return c * x ** (c - 1) * gy\n", "        return c * x ** c * gy\n"),
           base="stage2"),
    Mutant("div_backward_sign", {"S30", "S44"}, "Div backward gives x1 the grad gy * x0 / x1 ** 2 "
           "(sign lost)",
           ("        return gy / x1, gy * (-x0 / x1 ** 2)\n",
            "        return gy / x1, gy * (x0 / x1 ** 2)\n"), base="stage2"),
    Mutant("retain_grad_default_true", {"S25"}, "backward(retain_grad=True) by default: every "
           "intermediate grad is kept",
           ("    def backward(self, retain_grad=False):\n",
            "    def backward(self, retain_grad=True):\n"), base="stage2"),
    Mutant("strong_outputs", {"S24"}, "a Function holds its outputs strongly: Function <-> "
           "Variable cycles, freed only by the cyclic collector",
           ("            self.outputs = [weakref.ref(output) for output in outputs]\n",
            "            self.outputs = outputs\n"),
           ("            gys = [output().grad for output in f.outputs]\n",
            "            gys = [output.grad for output in f.outputs]\n"),
           ("                    y().grad = None\n", "                    y.grad = None\n"),
           base="stage2"),
    Mutant("repr_without_indent", {"S27"}, "repr is 'variable(' + str(data) + ')': the rows of a "
           "matrix are not indented under the first",
           ("        p = str(self.data).replace(\"\\n\", \"\\n\" + \" \" * 9)\n",
            "        p = str(self.data)\n"), base="stage2"),
    Mutant("len_is_size", {"S27"}, "len(Variable) is the number of elements, not of rows",
           ("        return len(self.data)\n", "        return self.data.size\n"), base="stage2"),
    Mutant("mul_backward_swapped", {"S28", "S29", "S30", "S31", "S44"},
           "Mul backward gives x0 the grad gy * x0: right only when x0 == x1",
           ("        return gy * x1, gy * x0\n", "        return gy * x0, gy * x1\n"),
           base="stage2"),
    Mutant("neg_backward_gy", {"S30", "S44"}, "Neg backward returns gy, not -gy",
           ("        return -gy\n\n\nclass Sub", "        return gy\n\n\nclass Sub"),
           base="stage2"),
    Mutant("sub_backward_gy_gy", {"S30", "S31", "S44"},
           "Sub backward returns gy, gy: x1's sign lost",
           ("        return gy, -gy\n", "        return gy, gy\n"), base="stage2"),
    Mutant("generation_not_incremented", {"S22", "S44"}, "an output's generation is its creator's, "
           "not one more: every generation stays 0, and backward runs in push order",
           ("        self.generation = func.generation + 1\n",
            "        self.generation = func.generation\n"), base="stage2"),
    Mutant("many_outputs_reversed", {"S17"}, "several outputs come back in reverse order",
           ("        return outputs if len(outputs) > 1 else outputs[0]\n",
            "        return outputs[::-1] if len(outputs) > 1 else outputs[0]\n"), base="stage2"),
    Mutant("cleargrad_zeros", {"S21"}, "cleargrad() sets the grad to zeros, not None",
           ("    def cleargrad(self):\n        self.grad = None\n",
            "    def cleargrad(self):\n        self.grad = np.zeros_like(self.data)\n"),
           base="stage2"),
    Mutant("add_skips_as_array", {"S29", "S31", "S44"},
           "add does not pass its second operand through as_array: x + 1.0 raises TypeError",
           ("    return Add()(x0, as_array(x1))\n", "    return Add()(x0, x1)\n"), base="stage2"),
    Mutant("sorts_generations_descending", {"S22", "S44"}, "backward sorts by -generation and pops "
           "the end: the oldest Function first",
           ("                funcs.sort(key=lambda x: x.generation)\n",
            "                funcs.sort(key=lambda x: -x.generation)\n"), base="stage2"),
]
MUTANTS += [
    Mutant("call_clears_input_grads", {"S19"}, "calling a Function resets its inputs' grads: "
           "a second graph on x forgets the first backward (2.0, not 4.0)",
           ("        inputs = [as_variable(x) for x in inputs]\n",
            "        inputs = [as_variable(x) for x in inputs]\n        for x in inputs:\n"
            "            x.grad = None\n"), base="stage2"),
    Mutant("retain_grad_true_ignored", {"S8", "S11", "S20", "S22", "S25"},
           "backward drops the outputs' grads even with retain_grad=True",
           ("            if not retain_grad:\n", "            if True:\n"), base="stage2"),
    Mutant("generation_of_first_input", {"S22", "S44"}, "a Function's generation is its first "
           "input's, not the largest: wrong when the longer branch is not the first operand",
           ("            self.generation = max([x.generation for x in inputs])\n",
            "            self.generation = inputs[0].generation\n"), base="stage2"),
    Mutant("generation_of_last_input", {"S22", "S44"}, "a Function's generation is its last "
           "input's, not the largest: wrong when the longer branch is not the last operand",
           ("            self.generation = max([x.generation for x in inputs])\n",
            "            self.generation = inputs[-1].generation\n"), base="stage2"),
    Mutant("mul_backward_writes_gy", {"S28", "S29", "S31", "S44"},
           "Mul backward multiplies gy in place for x1's grad: gy is another Variable's grad",
           ("        return gy * x1, gy * x0\n",
            "        gx0 = gy * x1\n        gy *= x0\n        return gx0, gy\n"), base="stage2"),
    # Caught by the random graphs alone (S44): no hand-written clause divides twice, or
    # negates twice, in one graph.
    Mutant("div_instance_reused", {"S44"}, "div() calls one Div instance kept at module level: "
           "a second division in a graph takes over the first's inputs and output, so "
           "backward reaches the first division's inputs through the second's",
           ("def div(x0, x1):\n    return Div()(x0, as_array(x1))\n",
            "_DIV = Div()\n\n\ndef div(x0, x1):\n    return _DIV(x0, as_array(x1))\n"),
           base="stage2"),
    Mutant("neg_instance_reused", {"S44"}, "neg() calls one Neg instance kept at module level, "
           "as div_instance_reused does",
           ("def neg(x):\n    return Neg()(x)\n",
            "_NEG = Neg()\n\n\ndef neg(x):\n    return _NEG(x)\n"), base="stage2"),
]
MUTANTS += [
    Mutant("create_graph_ignored", {"S36", "S37", "S38", "S39", "S40", "S41", "S42", "S43", "S45"},
           "backward always runs with enable_backprop off: create_graph=True builds no graph, "
           "so a gradient cannot be differentiated",
           ('            with using_config("enable_backprop", create_graph):\n',
            '            with using_config("enable_backprop", False):\n'), base="stage3"),
    Mutant("backward_always_builds_graph", {"S24", "S36"},
           "backward always builds a graph for the gradients (create_graph ignored when "
           "False): right values, but every gradient drags a graph along (and with it a "
           "reference cycle: S24's memory grows)",
           ('            with using_config("enable_backprop", create_graph):\n',
            '            with using_config("enable_backprop", True):\n'), base="stage3"),
    Mutant("pow_backward_uses_data", {"S36", "S37", "S38", "S39", "S40", "S43", "S45"},
           "Pow backward reads x.data: the first derivative is right, the graph of the "
           "gradient stops at x ** (c - 1), so second derivatives drop a term",
           ("        return c * x ** (c - 1) * gy\n",
            "        return c * x.data ** (c - 1) * gy\n"),
           base="stage3"),
    Mutant("mul_backward_uses_data", {"S39", "S40", "S42", "S45"},
           "Mul backward gives x0 the grad gy * x1.data: first derivatives right, the second "
           "derivative through x1 lost",
           ("        return gy * x1, gy * x0\n", "        return gy * x1.data, gy * x0\n"),
           base="stage3"),
    Mutant("div_backward_drops_term", {"S39", "S40", "S45"},
           "Div backward builds x1's grad from x0.data: the second derivative of x0 / x1 "
           "through x0 lost",
           ("        return gy / x1, gy * (-x0 / x1 ** 2)\n",
            "        return gy / x1, gy * (-x0.data / x1 ** 2)\n"), base="stage3"),
    Mutant("tanh_backward_uses_data", {"S40", "S42", "S45"},
           "Tanh backward is gy * (1 - y.data ** 2): tanh's first derivative is right, its "
           "second and later ones are not",
           ("        return gy * (1 - y * y)\n", "        return gy * (1 - y.data * y.data)\n"),
           base="stage3"),
    Mutant("sin_backward_minus_cos", {"S32", "S39", "S40", "S41", "S44", "S45"},
           "Sin backward is gy * -cos(x)",
           ("        return gy * cos(x)\n", "        return gy * -cos(x)\n"), base="stage3"),
    Mutant("cos_backward_plus_sin", {"S32", "S39", "S40", "S41", "S44", "S45"},
           "Cos backward is gy * sin(x): the sign lost",
           ("        return gy * -sin(x)\n", "        return gy * sin(x)\n"), base="stage3"),
    Mutant("exp_backward_uses_data", {"S39", "S40", "S45"},
           "Exp backward is np.exp(x.data) * gy: right first derivative, a gradient that is a "
           "constant to the graph",
           ("        return exp(x) * gy\n", "        return np.exp(x.data) * gy\n"), base="stage3"),
    Mutant("pow_via_exp_log",
           {"S30", "S31", "S33", "S34", "S35", "S36", "S37", "S38", "S40", "S43", "S44", "S45"},
           "Pow forward computes exp(c * log(x)): right for x > 0, nan for x < 0",
           ("        return x ** self.c\n", "        return np.exp(self.c * np.log(x))\n"),
           base="stage3"),
    Mutant("cleargrad_does_nothing",
           {"S8", "S21", "S34", "S36", "S37", "S38", "S39", "S40", "S41", "S42", "S43", "S45"},
           "cleargrad() leaves the grad as it was",
           ("    def cleargrad(self):\n        self.grad = None\n",
            "    def cleargrad(self):\n        pass\n"), base="stage3"),
]
MUTANTS += [
    Mutant('add_backward_no_sum_to', {'S44', 'S45', 'S51', 'S54', 'S55', 'S56', 'S58'},
           'Add backward returns gy to both inputs, not summed back to their shapes',
           ('        return sum_to(gy, x0.shape), sum_to(gy, x1.shape)\n',
            '        return gy, gy\n'),
           base="stage4"),
    Mutant('mul_backward_no_sum_to', {'S44', 'S45', 'S51'},
           "Mul backward does not sum the gradients back to the inputs' shapes",
           ('        return sum_to(gy * x1, x0.shape), sum_to(gy * x0, x1.shape)\n',
            '        return gy * x1, gy * x0\n'),
           base="stage4"),
    Mutant('div_backward_x1_not_summed', {'S44', 'S45', 'S51'},
           "Div backward sums x0's gradient back, not x1's",
           ('        return sum_to(gy / x1, x0.shape), sum_to(gy * (-x0 / x1 ** 2), x1.shape)\n',
            '        return sum_to(gy / x1, x0.shape), gy * (-x0 / x1 ** 2)\n'),
           base="stage4"),
    Mutant('sum_backward_ignores_axis', {'S44', 'S45', 'S49'},
           'Sum backward broadcasts gy as it is, without restoring the summed axes',
           ('        return broadcast_to(reshape(gy, shape), x.shape)\n',
            '        return broadcast_to(gy, x.shape)\n'),
           base="stage4"),
    Mutant('sum_backward_negative_axis', {'S44', 'S45', 'S49'},
           'Sum backward takes a negative axis as it is',
           ('np.atleast_1d(self.axis) % x.ndim',
            'np.atleast_1d(self.axis)'),
           base="stage4"),
    Mutant('transpose_backward_same_axes', {'S44', 'S45', 'S48'},
           'Transpose backward transposes by the same axes, not the inverse permutation',
           ('        return transpose(gy, inv)  # None, all axes reversed, is its own inverse\n',
            '        return transpose(gy, axes)\n'),
           base="stage4"),
    Mutant('broadcast_to_backward_identity', {'S44', 'S45', 'S50'},
           'BroadcastTo backward returns gy unchanged',
           ('        x, = self.inputs\n        return sum_to(gy, x.shape)\n\n\nclass SumTo',
            '        return gy\n\n\nclass SumTo'),
           base="stage4"),
    Mutant('sum_to_keeps_leading_axes',
           {'S29', 'S30', 'S33', 'S37', 'S39', 'S40', 'S42', 'S43', 'S44', 'S45', 'S46', 'S50',
            'S51', 'S54', 'S55', 'S56', 'S58'},
           'SumTo sums only the size-1 axes, leaving the leading ones',
           ('        axes = tuple(range(lead)) + tuple(lead + i for i, n in '
            'enumerate(self.shape) if n == 1)\n',
            '        axes = tuple(lead + i for i, n in enumerate(self.shape) if n == 1)\n'),
           base="stage4"),
    Mutant('matmul_backward_missing_transpose', {'S44', 'S45', 'S52', 'S55', 'S56', 'S58'},
           'MatMul backward gives x the grad gy W, not gy W^T',
           ('        return matmul(gy, W.T), matmul(x.T, gy)\n',
            '        return matmul(gy, W), matmul(x.T, gy)\n'),
           base="stage4"),
    Mutant('reshape_backward_keeps_shape', {'S44', 'S45', 'S47'},
           "Reshape backward returns gy in the output's shape",
           ('        return reshape(gy, x.shape)\n',
            '        return gy\n'),
           base="stage4"),
    Mutant('mse_divides_by_size', {'S53'},
           'mean_squared_error divides by the number of elements, not of rows',
           ('        return (diff ** 2).sum() / len(diff)\n',
            '        return (diff ** 2).sum() / diff.size\n'),
           ('        gx = gy * diff * (2. / len(diff))\n',
            '        gx = gy * diff * (2. / diff.size)\n'),
           base="stage4"),
    Mutant('sigmoid_backward_y_squared', {'S55', 'S56'},
           'Sigmoid backward is gy * y * y',
           ('        return gy * y * (1 - y)\n',
            '        return gy * y * y\n'),
           base="stage4"),
    Mutant('layer_registers_variables', {'S57'},
           'Layer registers every Variable assigned to it, plain ones too',
           ('        if isinstance(value, (Parameter, Layer)) and name not in self._params:\n',
            '        if isinstance(value, (Variable, Layer)) and name not in self._params:\n'),
           base="stage4"),
    Mutant('layer_registers_names_twice', {'S57'},
           "Layer appends an attribute's name each time it is assigned: a reassigned parameter "
           'is listed twice',
           ('        if isinstance(value, (Parameter, Layer)) and name not in self._params:\n',
            '        if isinstance(value, (Parameter, Layer)):\n'),
           base="stage4"),
    Mutant('params_not_nested', {'S57', 'S59'},
           'Layer.params() yields its own Parameters only, not those of nested Layers',
           ('            if isinstance(obj, Layer):\n                yield from obj.params()\n     '
            '       else:\n                yield obj\n',
            '            if not isinstance(obj, Layer):\n                yield obj\n'),
           base="stage4"),
    Mutant('linear_scale_by_out_size', {'S58'},
           'Linear draws W with standard deviation sqrt(1/out_size)',
           ('        self.W.data = W_data * np.sqrt(1 / in_size)\n',
            '        self.W.data = W_data * np.sqrt(1 / self.out_size)\n'),
           base="stage4"),
    Mutant('linear_b_float64', {'S58'},
           "Linear's b is float64 zeros, whatever its dtype",
           ('Parameter(np.zeros(out_size, dtype=dtype), name="b")',
            'Parameter(np.zeros(out_size), name="b")'),
           base="stage4"),
    Mutant('mlp_activation_after_last', {'S59'},
           'MLP applies the activation after the last layer too',
           ('        return self.layers[-1](x)\n',
            '        return self.activation(self.layers[-1](x))\n'),
           base="stage4"),
    Mutant('hooks_after_update', {'S60'},
           'Optimizer.update calls the hooks after updating the parameters',
           ('        for f in self.hooks:  # e.g. weight decay, gradient clipping\n            '
            'f(params)\n        for param in params:\n            self.update_one(param)\n',
            '        for param in params:\n            self.update_one(param)\n        for f in '
            'self.hooks:\n            f(params)\n'),
           base="stage4"),
    Mutant('update_without_grads', {'S60', 'S62'},
           'Optimizer.update steps every parameter, with or without a grad',
           ('        params = [p for p in self.target.params() if p.grad is not None]\n',
            '        params = list(self.target.params())\n'),
           base="stage4"),
    Mutant('momentum_one_buffer', {'S62'},
           'MomentumSGD keeps one velocity for all parameters of a shape',
           ('        v = self.vs.setdefault(id(param), np.zeros_like(param.data))',
            '        v = self.vs.setdefault(param.shape, np.zeros_like(param.data))'),
           base="stage4"),
    Mutant('sgd_default_lr_0_1', {'S61'},
           "SGD's default lr is 0.1",
           ('class SGD(Optimizer):\n    def __init__(self, lr=0.01):\n',
            'class SGD(Optimizer):\n    def __init__(self, lr=0.1):\n'),
           base="stage4"),
    Mutant('setup_returns_none', {'C1', 'S60', 'S61', 'S62'},
           'Optimizer.setup returns None',
           ('        self.target = target\n        return self\n',
            '        self.target = target\n'),
           base="stage4"),
    Mutant('square_backward_sums_gy',
           {'S6', 'S8', 'S11', 'S15', 'S18', 'S21', 'S39', 'S40', 'S44', 'S45', 'S46'},
           'Square backward multiplies by the sum of gy: right for one element',
           ('        return 2 * x * gy\n',
            '        return 2 * x * sum(gy)\n'),
           base="stage4"),
    Mutant('variable_T_is_identity', {'S44', 'S45', 'S48', 'S52', 'S54', 'S55', 'S56', 'S58'},
           'Variable.T returns the Variable itself',
           ('    def T(self):\n        return transpose(self)\n',
            '    def T(self):\n        return self\n'),
           base="stage4"),
]
MUTANTS2 = [m for m in MUTANTS if m.base == "stage2"]


# Engines right in every value that misbehave as processes: every clause must pass, the run
# must end, and nothing they start may outlive it. Run isolated only.
# Each misbehaves in a class body, which runs at import as an engine's package modules
# do (the kit's loader skips a step file's top-level statements as demo code).
UNRULY = [
    Mutant("thread_at_import", set(), "starts a thread that never ends (not a daemon) at import",
           ("import weakref\n", "import threading\nimport time\nimport weakref\n\n"
            "class _AtImport:\n"
            "    threading.Thread(target=lambda: [time.sleep(1) for _ in iter(int, 1)]).start()\n"),
           isolated=True),
    Mutant("chdir_at_import", set(), "changes the working directory at import",
           ("import weakref\n",
            "import os\nimport weakref\n\nclass _AtImport:\n"
            "    os.chdir(os.path.dirname(os.getcwd()))\n"),
           isolated=True),
    Mutant("reads_stdin", set(), "reads standard input to its end at import and in every exp",
           ("import weakref\n", "import sys\nimport weakref\n\nclass _AtImport:\n"
           "    sys.stdin.read()\n"),
           ("        return np.exp(x)\n", "        sys.stdin.read()\n        return np.exp(x)\n"),
           isolated=True),
    Mutant("spawns_a_child", set(), "starts `sleep 1000` at import, sharing its output pipes",
           ("import weakref\n", "import subprocess\nimport weakref\n\n"
            "class _AtImport:\n    child = subprocess.Popen(['sleep', '1000'])\n"), isolated=True),
    Mutant("writes_to_stray_fds", set(), "writes bytes to file descriptors 3 to 30 at import",
           ("import weakref\n", "import os\nimport weakref\n\nclass _AtImport:\n"
           "  for _fd in range(3, 31):\n"
            "      try:\n          os.write(_fd, b'{\"kind\": \"done\"}\\n' + bytes(range(256)))\n"
            "      except OSError:\n          pass\n"), isolated=True),
    Mutant("lowers_recursion_limit", set(), "sets the recursion limit to 50 at import",
           ("import weakref\n", "import sys\nimport weakref\n\nclass _AtImport:\n"
           "    sys.setrecursionlimit(50)\n"),
           isolated=True),
    Mutant("numpy_errors_raise", set(), "makes every numpy floating-point error raise, at import",
           ("__version__ = \"1.0\"\n", "__version__ = \"1.0\"\nclass _AtImport:\n"
           "    np.seterr(all=\"raise\")\n"),
           isolated=True),
]

BY_NAME = {m.name: m for m in MUTANTS + UNRULY}
