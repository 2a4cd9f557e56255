"""Adapters: the only way the conformance suite reaches an engine.

An adapter is a plain module that translates the engine's names into the names below. It
never changes behaviour: whatever a clause checks (a type, a value, an exception, recursion)
must come from the engine untouched. Adapters never import the suite.

Every adapter provides
    NAME                  the engine's name in reports, e.g. "reference"
    version()             the engine's version, a str
    ABSENT                {capability: reason} for each capability below that the engine's
                          design lacks; every capability not listed is declared present, and
                          the clauses that need an absent one are skipped with its reason
                          (see "Absent or different" below)
    leaf(a)               numpy array -> an engine value that gradients are taken against
    value(v)              engine value -> its forward data, as the engine holds it
    square(v)             the engine's square, engine value -> engine value
    grad(fn, x, gy=None)  y = fn(leaf(x)), then backpropagate from y and return
                          (forward data of y, gradient with respect to x), each as data that
                          np.asarray turns into the values; gy=None lets the engine seed the
                          output gradient itself (the book's backward() with y.grad unset),
                          else gy (an array shaped like y) is the output gradient

Capabilities, with the names each one requires (see CAPABILITIES)
    exp             exp(v), the engine's exponential
    vector          inputs of any shape, not only 0-d scalars
    float64         computes float64 inputs in float64
    integers        computes and differentiates integer arrays as numpy does (the book's
                    Variables hold any ndarray: square of int 3 is 9, its gradient 6)
    backprop        grad and grads backpropagate through a graph: the book's
                    Variable.backward() (step 7; steps 11-12 of the book rewrite Function for
                    many inputs and mend backward at step 13)
    implicit_seed   grad(fn, x) with gy=None seeds ones shaped like y, for any shape of y
    seed_grad       grad(fn, x, gy) backpropagates the given output gradient gy
    variable        Variable(data) class with .data and .backward(); backward(v) is the
                    engine's v.backward() as its step calls it (before the book's step 9 the
                    caller seeds v.grad); grad_of(v) reads v's gradient as data (None before
                    backward); cleargrad(v) resets it to None (the book's `v.grad = None`,
                    later `v.cleargrad()`)
    type_check      Variable accepts only np.ndarray or None and raises TypeError otherwise
    retains_grads   after y.backward(), y and the intermediate Variables keep their gradients
    function_classes  Function, Square, Exp classes: an instance called on a Variable returns
                    a new Variable; .forward(x) and .backward(gy) work on raw arrays
    graph_links     creator_of(v) (None for a leaf), input_of(f), output_of(f)
    as_array        as_array(x): np.array(x) for a numpy/Python scalar, else x itself
    numerical_diff  numerical_diff(f, x, eps=1e-4) on engine values, the central difference

Stage 2 (book steps 11-24)
    cleargrad       cleargrad(v) is the engine's own reset (the book's v.cleargrad()) (step 14)
    add             add(a, b), the engine's addition of two engine values (step 12)
    many_inputs     grads(fn, xs, gy=None): ys = fn(*[leaf(x) for x in xs]), backpropagated as
                    grad does; returns (forward data of y, [gradient for each x]) (step 13)
    arithmetic      mul(a, b), sub(a, b), div(a, b), neg(a), pow(a, c) (c a Python number)
                    (steps 20-22)
    operators       engine values take + - * / ** and unary - with each other and with Python
                    scalars on either side, giving engine values (steps 20-22)
    array_operands  an ndarray on either side of + and * gives an engine value (step 21)
    retain_grad     backward(v, retain_grad=None): v's backward; None is the engine's default,
                    True keeps every Variable's gradient, False only the leaves' (step 18)
    no_grad         no_grad(): a context manager under which operations build no graph
                    (creator_of(y) is None) (step 18)
    config          Config (its enable_backprop attribute) and using_config(name, value) (step 18)
    array_like      Variable(data, name=None) with .name, .shape, .ndim, .size, .dtype, len()
                    and the book's repr (step 19)

Stage 3 (book steps 25-36)
    sin_cos         sin(v), cos(v), the engine's sine and cosine (steps 27, 34)
    higher_order    gradient(fn, gy=None): the function X -> dy/dX for y = fn(X), the gradient
                    returned as an engine value that is differentiable in turn (gradient of
                    gradient, grad of an expression using it), the engine's double backprop
                    (create_graph=True, grad(grad(f)), nested tapes); gy is the output gradient
                    (an array shaped like y), None to seed ones (steps 32-33)
    create_graph    backward(v, retain_grad=None, create_graph=None): v's backward, passing
                    create_graph on when not None; grad_variable(v): v's gradient as the
                    engine holds it (a Variable from step 32), None before backward (step 32)
    tanh            tanh(v), the engine's hyperbolic tangent (step 35)

Stage 4 (book steps 37-46): every value may be a tensor; a gradient has its input's shape
    tensor_shape    reshape(v, shape) and transpose(v, axes=None), the engine's functions
                    (step 38); axes None reverses the axes, as numpy's transpose does
    tensor_methods  the engine's values (the leaves it differentiates) have the book's
                    methods: v.reshape(6), v.reshape((6,)), v.reshape(3, 2), v.transpose(),
                    v.transpose(1, 0, 3, 2), v.T and v.sum(axis=None, keepdims=False) (steps
                    38-39)
    sum             sum(v, axis=None, keepdims=False): axis None, an int (negative too) or a
                    tuple of ints (step 39)
    broadcast       broadcast_to(v, shape) and sum_to(v, shape), each the other's backward;
                    + - * / broadcast their operands as numpy does (step 40)
    matmul          matmul(a, b) of two 2-d values (step 41)
    mse             mean_squared_error(a, b): sum((a - b) ** 2) / len(a - b) (step 42)
    assign          set_value(v, a): replace the data of the leaf v by the array a, in place,
                    outside any graph (the book's `W.data -= lr * W.grad.data`) (step 42)
    linear          linear(x, W, b=None): x W + b with W (in, out); sigmoid(v) (step 43)
    layers          Parameter(data): a leaf that layers register; Layer: a base class whose
                    instances register the Parameters and Layers assigned as their attributes
                    (not other values) and are called on inputs; Linear(out_size,
                    nobias=False): a Layer whose W (in, out) is made on its first call, in_size
                    from that input; params(layer): a list of every registered Parameter,
                    nested Layers' too; cleargrads(layer): every parameter's gradient reset;
                    weights(linear): (W, b) as arrays, W (in, out), None for one not made (or
                    nobias); set_weights(linear, W, b): set them by hand (after its first call)
                    (step 44)
    models          Model: a Layer (base class) for models; MLP(sizes, activation=None): Linear
                    layers of those output sizes with the activation (None: the engine's
                    default, the book's sigmoid) after each but the last; mlp_layers(model):
                    its Linear layers in order (step 45)
    optimizers      SGD(lr=0.01) and MomentumSGD(lr=0.01, momentum=0.9): optimizer objects
                    with setup(target) (a Layer or Model; returns the optimizer), update() (one
                    step on every parameter of the target whose gradient is not None) and
                    add_hook(f) (f(params) called with the list of parameters before each
                    update) (step 46)

Optional: STEP, the book step the engine is judged at (an int; the clauses of steps 1..STEP
apply). An adapter without it is judged at the last step the kit covers, capability by
capability. MISSING, {capability: reason}: capabilities the engine's step needs but the
engine lacks; every clause that needs one fails with the reason (a skip is only for ABSENT).

Optional: register(layer, name, value), from step 44: give a Layer the attribute `name` =
value (a Parameter or a Layer), registered the engine's ordinary way, where plain assignment
is not it (chainer assigns under `init_scope()`); without it the clauses assign. Clause S57
judges plain assignment, the book's way; the others use register, so that they judge models
and optimizers, not how a parameter is registered.

Optional: ASSUMED, capabilities the adapter takes on trust rather than declares (the book
adapter sees only names); clause C1 probes every capability, but leaves a failing probe of an
assumed one to the contract clauses that need it.

Absent or different: the one rule. A capability is absent only when the engine's design has
no such concept (a functional engine has no Variable; micrograd has no arrays). Where the
engine has the concept and behaves differently (its Variable copies the array, accepts 1.0,
its integer tensors get no gradient), the capability is present, the clauses that check the
behaviour fail, and conformance/expected/<engine>.txt lists each with its category: "defect"
(against the contract and against the engine's own intent) or "difference" (the engine's
documented design). An adapter uses the engine's ordinary user-facing path (what its README
teaches: backward() and .grad, a tape, grad()), never a workaround that changes an outcome;
when that path fails, the failure is the finding. Clause C1 enforces the rule: it probes
every capability, absent ones too, and fails when an absent one works, or runs and answers
differently (a difference is not an absence); an engine that refuses the construct with its
own error keeps it absent. So that an absent capability can be probed, an adapter may define
the names of the engine's own constructs even for it (creator_of for torch's grad_fn, say).
An engine whose runtime dependency is missing from the machine (a compiler, a device) raises
EngineUnavailable on import, naming what to install: that is not the adapter's fault.

Select an engine with CONFORMANCE_ENGINE: an adapter name (a module in this folder), a
dotted module name, or a path to a .py file or a Jupyter notebook (.ipynb, its code cells
judged in order as a .py file is: adapters/book/notebook.py). A module that does not define
NAME and grad is taken to be written to the book's API (Variable, square, ...) and bound by
adapters.book.
"""
import importlib
import importlib.util
import os
import re
import sys

CAPABILITIES = {
    "exp": ("exp",),
    "backprop": ("grad",),
    "vector": (),
    "float64": (),
    "integers": (),
    "implicit_seed": (),
    "seed_grad": (),
    "variable": ("Variable", "grad_of", "cleargrad", "backward"),
    "type_check": ("Variable",),
    "retains_grads": ("Variable", "grad_of"),
    "function_classes": ("Function", "Square", "Exp"),
    "graph_links": ("creator_of", "input_of", "output_of"),
    "as_array": ("as_array",),
    "numerical_diff": ("numerical_diff",),
    "cleargrad": ("Variable", "cleargrad"),
    "add": ("add",),
    "many_inputs": ("grads",),
    "arithmetic": ("mul", "sub", "div", "neg", "pow"),
    "operators": (),
    "array_operands": (),
    "retain_grad": ("Variable", "backward"),
    "no_grad": ("no_grad", "creator_of"),
    "config": ("Config", "using_config", "creator_of"),
    "array_like": ("Variable",),
    "sin_cos": ("sin", "cos"),
    "higher_order": ("gradient",),
    "create_graph": ("Variable", "backward", "grad_variable", "creator_of"),
    "tanh": ("tanh",),
    "tensor_shape": ("reshape", "transpose"),
    "tensor_methods": (),
    "sum": ("sum",),
    "broadcast": ("broadcast_to", "sum_to"),
    "matmul": ("matmul",),
    "mse": ("mean_squared_error",),
    "assign": ("set_value",),
    "linear": ("linear", "sigmoid"),
    "layers": ("Parameter", "Layer", "Linear", "params", "cleargrads", "weights",
               "set_weights"),
    "models": ("Model", "MLP", "mlp_layers"),
    "optimizers": ("SGD", "MomentumSGD"),
}
LAST_STEP = 46  # the last book step the kit has clauses for
REQUIRED = ("NAME", "version", "ABSENT", "leaf", "value", "square", "grad")
DEFAULT = "reference"
FIX = ("set CONFORMANCE_ENGINE to an adapter name ({}), a dotted module name, "
       "or a path to a .py file or .ipynb notebook written to the book's API")


NOTICES = []  # what loading changed that a run should mention (one line each)


class AdapterError(Exception):
    """The engine named could not be loaded or bound; the message is one line."""


class EngineUnavailable(AdapterError):
    """The engine imported, but something it needs at run time is missing from the machine
    (a compiler, a device): an environment fault, not an adapter's. An adapter raises it on
    import with one line naming what to install."""


def known():
    here = os.path.dirname(__file__)
    return sorted(f[:-3] for f in os.listdir(here)
                  if f.endswith(".py") and not f.startswith("_"))


def is_path(spec):
    return spec.endswith((".py", ".ipynb")) or os.sep in spec or "/" in spec


def resolve(spec=None):
    """spec as load() will read it, wherever the process is by then: a path made absolute."""
    spec = (spec or DEFAULT).strip()
    return os.path.abspath(os.path.expanduser(spec)) if is_path(spec) else spec


def load(spec=None):
    """Load, bind and validate the engine named by spec (see the module docstring)."""
    spec = (spec or DEFAULT).strip()
    limit = sys.getrecursionlimit()
    own = _own_package(spec) if spec in BOOK_NAMED else None
    if is_path(spec):
        module = _import_file(spec)
    elif own is not None:  # a learner's own dezero, not the released one the adapter is for
        NOTICES.append(f"{spec}: judging your own package at {own}, not the released "
                       f"{spec} that the kit's adapter of that name is for (pip install {spec})")
        module = _import_file(own)
    elif spec in known():
        module = _import(f"{__name__}.{spec}", spec)
    else:
        module = _import(spec, spec)
    if sys.getrecursionlimit() < limit:  # the kit's own calls need the room they had
        NOTICES.append(f"{spec} lowered the recursion limit to {sys.getrecursionlimit()} on "
                       f"import; it is set back to {limit}")
        sys.setrecursionlimit(limit)
    if not (hasattr(module, "NAME") and hasattr(module, "grad")):
        from dezero_conformance.adapters import book
        module = book.adapt(module, getattr(module, "__file__", None) or spec)
    validate(module, spec)
    return module


BOOK_NAMED = ("dezero",)  # adapters named like the package a learner writes with the book


def _own_package(spec):
    """The directory of the package `spec` that `import spec` would find, when it is not the
    installed distribution of that name (a learner's own dezero/), else None."""
    found = importlib.util.find_spec(spec)
    if found is None or not found.submodule_search_locations:
        return None
    where = os.path.realpath(list(found.submodule_search_locations)[0])
    try:
        from importlib import metadata
        dist = metadata.distribution(spec)
        installed = os.path.realpath(str(dist.locate_file(spec)))
    except Exception:  # no such distribution installed: whatever is found is the learner's
        return where
    return None if where == installed else where


def _fail_import(spec, exc):
    last = f"{type(exc).__name__}: {exc}".splitlines()[0]
    fix = (f"install the engine (`pip install .[{spec}]`, or run `tox -e {spec}`)"
           if spec in known() else "install what it imports")
    return AdapterError(f"engine {spec!r} did not import ({last}); {fix} or fix the module")


def _import(name, spec):
    if importlib.util.find_spec(name.split(".")[0]) is None:
        raise AdapterError(f"unknown engine {spec!r}: no adapter, module or file of that name; "
                           + FIX.format(", ".join(known())))
    try:
        return importlib.import_module(name)
    except AdapterError:
        raise
    except Exception as exc:
        raise _fail_import(spec, exc) from exc


# A script named as a step (step_44_nn_sin_layer.py, step44-layers.py) in a folder that is a
# package: loaded as a file, its demo left out, not imported as a module of the package.
STEP_LIKE = re.compile(r"^step[_-]?\d+.*\.py$", re.IGNORECASE)


def _import_file(spec):
    """The definitions of the file at spec, a .py file or a notebook's code cells (its demo
    code is not run: book.loader, book.notebook)."""
    from dezero_conformance.adapters.book import loader, notebook, packages
    path = os.path.abspath(os.path.expanduser(spec))
    from dezero_conformance.adapters.book.binding import STEP_FILE
    is_notebook = path.endswith(notebook.SUFFIX)
    in_package = os.path.isfile(os.path.join(os.path.dirname(path), "__init__.py"))
    if os.path.isdir(path) or (in_package and not is_notebook
                               and not STEP_FILE.match(os.path.basename(path))
                               and not STEP_LIKE.match(os.path.basename(path))):
        try:  # a package (dezero/), or a module of one (dezero/core.py): imported as such
            return packages.import_package(path)
        except loader.LoadError as exc:
            raise AdapterError(str(exc)) from None
    if not os.path.isfile(path):
        raise AdapterError(f"engine file {spec!r} does not exist; "
                           + FIX.format(", ".join(known())))
    module = loader.new_module(path)
    sys.path.insert(0, os.path.dirname(path))  # so the file can import its siblings
    parent = os.path.dirname(os.path.dirname(path))
    if parent not in sys.path:  # and the book's layout (dezero/ beside steps/), as if run
        sys.path.append(parent)  # from the repository's root, where learners run it
    root = os.path.dirname(path)
    while os.path.isfile(os.path.join(root, "__init__.py")):  # practice/steps/ in a package:
        root = os.path.dirname(root)  # `from practice.dezero import ...` from the root
    if root not in sys.path:
        sys.path.append(root)
    sys.modules[module.__name__] = module
    try:
        skipped = (notebook.load if is_notebook else loader.load_file)(path, module)
    except BaseException as exc:
        sys.modules.pop(module.__name__, None)
        if isinstance(exc, loader.LoadError):
            raise AdapterError(str(exc)) from None
        raise
    finally:
        sys.path.remove(os.path.dirname(path))
    NOTICES.extend(skipped.notices(os.path.basename(path)))
    view = packages.merged(module)
    if view is not module:
        NOTICES.append(f"{os.path.basename(path)} is judged with the package"
                       f"{'s' if len(view.PACKAGES) > 1 else ''} it imports: "
                       + ", ".join(f"{p} ({os.path.dirname(sys.modules[p].__file__)})"
                                   for p in view.PACKAGES))
    return view


def validate(adapter, spec="?"):
    """Raise AdapterError unless adapter provides what it declares."""
    missing = [n for n in REQUIRED if not hasattr(adapter, n)]
    if missing:
        raise AdapterError(f"adapter {spec!r} lacks {', '.join(missing)}; every adapter must "
                           f"define {', '.join(REQUIRED)} (see adapters/__init__.py)")
    absent = adapter.ABSENT
    unknown = sorted(set(absent) - set(CAPABILITIES))
    if unknown:
        raise AdapterError(f"adapter {spec!r} declares unknown capabilities absent: "
                           f"{', '.join(unknown)}; known: {', '.join(CAPABILITIES)}")
    for cap, reason in absent.items():
        if not (isinstance(reason, str) and reason.strip()):
            raise AdapterError(f"adapter {spec!r} declares {cap!r} absent with no reason; "
                               f"give ABSENT[{cap!r}] a sentence saying why")
    missing = getattr(adapter, "MISSING", {})
    step = getattr(adapter, "STEP", LAST_STEP)
    if not (isinstance(step, int) and 1 <= step <= LAST_STEP):
        raise AdapterError(f"adapter {spec!r} has STEP={step!r}; it must be a book step from 1 "
                           f"to {LAST_STEP}")
    for cap, names in CAPABILITIES.items():
        lacking = [n for n in names if cap not in absent and cap not in missing
                   and not hasattr(adapter, n)]
        if lacking:
            raise AdapterError(f"adapter {spec!r} declares capability {cap!r} but lacks "
                               f"{', '.join(lacking)}; define it or add {cap!r} to ABSENT "
                               f"with a reason")
