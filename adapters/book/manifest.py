"""What the book's own code has at each step, as data: the names a step's code defines (in its
step file, or from step 23 in the `dezero` package beside it), read from the book's public
repository (oreilly-japan/deep-learning-from-scratch-3, steps/stepNN.py and dezero/).

The book's step files are not cumulative: each holds what its chapter needs. step10.py has
no Exp, steps 11, 12 and 14 no Square, step 17 no Add, steps 20-22 neither Square nor Exp.
Judged at step N, an engine must have what the book's step N has; a name the book's step N
does not have is judged when the engine has it, and otherwise said once, never a failure.
"""

# The names the kit reads (see binding.bind), by the step whose book code first has them. A
# step's own set is BOOK[step]; a name first seen at step s may be missing from later steps.
KIT_NAMES = ("Variable", "Function", "Square", "Exp", "square", "exp", "numerical_diff",
             "as_array", "Add", "add", "mul", "neg", "sub", "div", "pow", "no_grad",
             "using_config", "Config", "sin", "cos", "tanh", "reshape", "transpose", "sum",
             "broadcast_to", "sum_to", "matmul", "mean_squared_error", "linear", "sigmoid",
             "Parameter", "Layer", "Linear", "Model", "MLP", "SGD", "MomentumSGD")

_CORE = {"Variable", "Function", "as_array", "Add", "add", "mul", "neg", "sub", "div", "pow",
         "no_grad", "using_config", "Config"}  # dezero/core_simple.py (step 23 on)
_STEP_FILES = {
    1: {"Variable"},
    2: {"Variable", "Function", "Square"},
    3: {"Variable", "Function", "Square", "Exp"},
    4: {"Variable", "Function", "Square", "Exp", "numerical_diff"},
    6: {"Variable", "Function", "Square", "Exp"},
    7: {"Variable", "Function", "Square", "Exp"},
    8: {"Variable", "Function", "Square", "Exp"},
    9: {"Variable", "as_array", "Function", "Square", "Exp", "square", "exp"},
    10: {"Variable", "as_array", "Function", "Square", "square", "numerical_diff"},
    11: {"Variable", "as_array", "Function", "Add"},
    12: {"Variable", "as_array", "Function", "Add", "add"},
    13: {"Variable", "as_array", "Function", "Square", "square", "Add", "add"},
    14: {"Variable", "as_array", "Function", "Add", "add"},
    16: {"Variable", "as_array", "Function", "Square", "square", "Add", "add"},
    17: {"Variable", "as_array", "Function", "Square", "square"},
    18: {"Config", "using_config", "no_grad", "Variable", "as_array", "Function", "Square",
         "square", "Add", "add"},
    19: {"Config", "using_config", "no_grad", "Variable", "as_array", "Function", "Square",
         "square", "Add", "add"},
    20: {"Config", "using_config", "no_grad", "Variable", "as_array", "Function", "Add", "add",
          "mul"},
    21: {"Config", "using_config", "no_grad", "Variable", "as_array", "Function", "Add", "add",
          "mul"},
    22: _CORE,
    # 23-36: the package; step 27's file adds Sin and sin; dezero/functions.py has sin and cos
    # from step 34, tanh from step 35.
    27: _CORE | {"sin"},
    34: _CORE | {"sin", "cos"},
    35: _CORE | {"sin", "cos", "tanh"},
    36: _CORE | {"sin", "cos", "tanh"},
}
# 37-46: the step files import the package (dezero.functions, layers, models, optimizers) and
# define nothing of their own; what each step of the book introduces, cumulatively.
_STAGE4 = ((38, {"reshape", "transpose"}), (39, {"sum"}), (40, {"broadcast_to", "sum_to"}),
           (41, {"matmul"}), (42, {"mean_squared_error"}), (43, {"linear", "sigmoid"}),
           (44, {"Parameter", "Layer", "Linear"}), (45, {"Model", "MLP"}),
           (46, {"SGD", "MomentumSGD"}))
_names = _CORE | {"sin", "cos", "tanh"}
_STEP_FILES[37] = _names
for _step, _new in _STAGE4:
    _names = _names | _new
    _STEP_FILES[_step] = _names
del _names, _new
# Steps 5 and 15 have no code: what both steps around them have (step 5 needs no
# numerical_diff, which step 4 has and step 6 has not). Steps 23-26 and 28-33 are demo code
# over the package: its core's names.
BOOK = {}
for _step in range(1, 47):
    if _step in _STEP_FILES:
        BOOK[_step] = frozenset(_STEP_FILES[_step])
    elif _step > 22:
        BOOK[_step] = frozenset(_CORE)
    else:
        BOOK[_step] = frozenset(_STEP_FILES[_step - 1] & _STEP_FILES[_step + 1])
del _step


def book_has(step, name):
    """Whether the book's code at `step` has `name` (a step's own code, not earlier ones')."""
    return name in BOOK[step]


def first_step(name):
    """The first step whose book code has `name`."""
    return min(s for s, names in BOOK.items() if name in names)
