"""The generic adapter: any module written to the book's API (a learner's step10.py, step36.py).

The module is judged at a book step (see adapters/__init__.py, STEP): CONFORMANCE_STEP, else the
highest step whose names the module defines (infer_step says which and why). Every name a
step up to it needs and the module lacks makes its capability MISSING: the clauses needing it
fail, naming the step. The book's code drops Square, Exp, square, exp and numerical_diff after
step 19 (step 20 on reaches square as `x ** 2`): from step 20, a module without them gets the
kit's Square and Exp, subclasses of the module's own Function (forward and backward in numpy),
and without numerical_diff its clause is not judged. Both are said on the run's first lines.

The later steps' spellings are read too: Function.inputs/outputs (outputs possibly weak
references), gradients held as Variables, backward(retain_grad=False), and from step 32
backward(create_graph=True), whose gradients are Variables with graphs of their own.
"""
import inspect
import os
import re
import sys
import types
import weakref

import numpy as np

from dezero_conformance.adapters.book.manifest import book_has

STEP_VAR = "CONFORMANCE_STEP"
LAST_STEP = 46

# Steps that introduce names, newest first: (step judged at, step introducing them, what).
# Steps 10, 13, 23-26, 28-31, 33, 34, 36 and 37 add no names (the contract asks for cos with sin at
# step 27, where the book writes only Sin), so a module with the names of 9, 12, 22, 27,
# 32 or 35 is judged at 10, 13, 24, 31, 34 or 36.
INFERENCE = (
    (46, 46, "SGD or MomentumSGD", lambda m, V: _has(m, "SGD") or _has(m, "MomentumSGD")),
    (45, 45, "Model or MLP", lambda m, V: _has(m, "MLP") or _has(m, "Model")),
    (44, 44, "Layer or Parameter", lambda m, V: _has(m, "Layer") or _has(m, "Parameter")),
    (43, 43, "linear or sigmoid", lambda m, V: _has(m, "sigmoid") or _has(m, "linear")),
    (42, 42, "mean_squared_error", lambda m, V: _has(m, "mean_squared_error")),
    (41, 41, "matmul", lambda m, V: _has(m, "matmul")),
    (40, 40, "broadcast_to or sum_to", lambda m, V: _has(m, "broadcast_to")
     or _has(m, "sum_to")),
    (39, 39, "sum", lambda m, V: _has(m, "sum")),
    (38, 38, "reshape or transpose", lambda m, V: _has(m, "reshape") or _has(m, "transpose")),
    (36, 35, "tanh", lambda m, V: _has(m, "tanh")),
    (34, 32, "Variable.backward(create_graph=...)", lambda m, V: _graph_param(V) is not None),
    (31, 27, "sin", lambda m, V: _has(m, "sin")),
    (24, 22, "neg, sub, div and pow", lambda m, V: _has(m, "neg", "sub", "div", "pow")
     or all(hasattr(V, a) for a in ("__neg__", "__sub__", "__rsub__", "__truediv__",
                                     "__rtruediv__", "__pow__"))),
    (21, 21, "Variable.__array_priority__", lambda m, V: _defers_to_ndarray(V)),
    (20, 20, "mul", lambda m, V: _has(m, "mul")),
    (19, 19, "shape, ndim, size and dtype on a Variable",
     lambda m, V: _reads_like_an_array(V)),
    (18, 18, "no_grad, using_config or backward(retain_grad=...)",
     lambda m, V: _has(m, "no_grad") or _has(m, "using_config") or _retain_param(V) is not None),
    (17, 17, "Function.outputs held as weak references", lambda m, V: _weak_outputs(m)),
    (16, 16, "a generation on every Variable", lambda m, V: _generations(V)),
    (14, 14, "Variable.cleargrad", lambda m, V: hasattr(V, "cleargrad")),
    (13, 12, "add", lambda m, V: _has(m, "add")),
    (10, 9, "square, exp or as_array", lambda m, V: _has(m, "square") or _has(m, "exp")
     or _has(m, "as_array")),
    (8, 4, "numerical_diff", lambda m, V: _has(m, "numerical_diff")),
    (3, 3, "Exp", lambda m, V: _has(m, "Exp")),
    (2, 2, "Function and Square", lambda m, V: _has(m, "Function")),
)


def _has(module, *names):
    return all(callable(getattr(module, n, None)) for n in names)


def _defers_to_ndarray(Variable):
    """ndarray (op) Variable calls the Variable's reflected operator: a higher
    __array_priority__ (the book's step 21), or __array_ufunc__ = None."""
    return hasattr(Variable, "__array_priority__") or (
        "__array_ufunc__" in dir(Variable) and Variable.__array_ufunc__ is None)


def _reads_like_an_array(Variable):
    """A Variable has shape, ndim, size and dtype (step 19): properties in the book, any
    attribute here."""
    try:
        v = Variable(np.array([1.0]))
        return all(hasattr(v, a) for a in ("shape", "ndim", "size", "dtype"))
    except Exception:
        return False


def _retain_param(Variable):
    try:
        return inspect.signature(Variable.backward).parameters.get("retain_grad")
    except (AttributeError, TypeError, ValueError):
        return None


def _graph_param(Variable):
    try:
        return inspect.signature(Variable.backward).parameters.get("create_graph")
    except (AttributeError, TypeError, ValueError):
        return None


def _generations(Variable):
    try:
        return hasattr(Variable(np.array(1.0)), "generation")
    except Exception:
        return False


def _weak_outputs(module):
    try:
        v = module.Variable(np.array(1.0))
        y = (module.square(v) if _has(module, "square") else module.add(v, v))
        out = y.creator.outputs[0]
    except Exception:
        return False
    return isinstance(out, weakref.ref)


STEP_FILE = re.compile(r"^step0*(\d+)\.(py|ipynb)$")  # the book's file names: step01.py


def infer_step(module):
    """(step, why): the step a file's name gives (stepNN.py), else the highest book step whose
    names module defines."""
    name = os.path.basename(getattr(module, "__file__", None) or module.__name__)
    named = STEP_FILE.match(name)
    if named and int(named[1]) >= 1:
        step = min(int(named[1]), LAST_STEP)
        return step, (f"the file is named {name}" + (
            f"; the kit's clauses end at step {LAST_STEP}" if int(named[1]) > LAST_STEP else ""))
    for step, introduced, what, test in INFERENCE:
        if test(module, module.Variable):
            why = f"{name} defines {what} (step {introduced})"
            if step == introduced + 1:
                why += f"; step {step} adds no names"
            elif step != introduced:
                why += f"; steps {introduced + 1}-{step} add no names"
            return step, why
    return 1, f"{name} defines Variable (step 1) and none of the later steps' names"


def step_from_env():
    """CONFORMANCE_STEP as an int, None if unset; ValueError names the fix."""
    raw = os.environ.get(STEP_VAR, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= LAST_STEP:
        raise ValueError(f"{STEP_VAR}={raw!r} is not a book step; set it to a whole number "
                         f"from 1 to {LAST_STEP}, or unset it to judge the module at the "
                         f"highest step whose names it defines")
    return int(raw)


def bind(module, origin=None, step=None, standins=True, why=None, default_step=None):
    """Return the adapter names for `module` as a dict (see adapters/__init__.py).

    step: the book step to judge at (default: CONFORMANCE_STEP, else default_step with `why`,
    else inferred); standins=False judges the module as a cumulative engine, needing every
    name at every later step."""
    from dezero_conformance.adapters import AdapterError
    origin = origin or getattr(module, "__name__", "module")
    if not [n for n in vars(module) if not n.startswith("_")]:
        raise AdapterError(f"{origin} defines nothing to judge (no class or function: the "
                           f"book's steps 5, 15, 25 and 30-32 are text only); a module written "
                           f"to the book's API needs at least Variable (step 1)")
    if not hasattr(module, "Variable"):
        raise AdapterError(f"{origin} defines no Variable; a module written to the book's API "
                           f"needs at least Variable (step 1)")
    Variable = module.Variable
    notices = []
    if callable(getattr(module, "setup_variable", None)) and not hasattr(Variable, "__add__"):
        module.setup_variable()  # the book's dezero/__init__.py does this on import (step 23)
        notices.append(f"{origin}'s setup_variable() was called, as the book's package does "
                       f"on import, to give Variable its operators")
    if step is not None:
        why = why or f"step {step}, given by its adapter"
    else:
        try:
            step = step_from_env()
        except ValueError as exc:
            raise AdapterError(str(exc)) from None
        if step is not None:
            why = f"{STEP_VAR}={step}"
        elif default_step is not None:
            step = default_step
        else:
            step, why = infer_step(module)
    names = dict(NAME=origin, ABSENT={}, MISSING={}, RETIRED={}, STEP=step,
                          NOTICES=notices,
                 STEP_WHY=f"{why}; set {STEP_VAR} to judge at another step",
                 version=lambda: getattr(module, "__version__", "unversioned"))
    found = {n: getattr(module, n) for n in (
        "Function", "Square", "Exp", "square", "exp", "as_array", "numerical_diff", "add",
        "mul", "sub", "div", "neg", "pow", "no_grad", "using_config", "Config", "sin", "cos",
        "tanh", "reshape", "transpose", "sum", "broadcast_to", "sum_to", "matmul",
        "mean_squared_error", "linear", "sigmoid", "Parameter", "Layer", "Model", "MLP", "SGD",
        "MomentumSGD")
        if callable(getattr(module, n, None)) or (n == "Config" and hasattr(module, n))}
    if "Layer" in found:
        linear_layer = _layer_class(module, "Linear", found["Layer"])
        if linear_layer is not None:
            found["Linear"] = linear_layer
    if isinstance(getattr(module, "config", None), getattr(module, "Config", ())):
        found["Config"] = module.config  # the setting kept on an instance (an earlier book)
    missing, retired = names["MISSING"], names["RETIRED"]

    def need(cap, first, what, present, book_names=()):
        """The capability cap: present, else missing from step `first` on, unless the book's
        own code at this step lacks one of `book_names` too (then it is not judged, and said)."""
        if present:
            return True
        if step < first:
            names["ABSENT"].setdefault(cap, f"not judged at step {step} (step {first} "
                                             f"introduces {what})")
        elif standins and book_names and not all(book_has(step, n) for n in book_names):
            lacking = [n for n in book_names if not book_has(step, n)]
            retired.setdefault(cap, f"the book's own code at step {step} has no "
                                    f"{' or '.join(lacking)}, and {origin} defines none")
        else:
            has = [n for n in book_names if n in found]
            lacks = [n for n in book_names if n not in found]
            missing.setdefault(cap, f"step {first} needs {what}; {origin} defines "
                                    + (f"{' and '.join(has)} but not {' and '.join(lacks)}"
                                       if has else "none"))
        return False

    # The book's step 11 calls a Function on a list of inputs and gets a list back (step 12
    # makes the call variadic): the classes are judged from step 12, square and exp now.
    list_form = "Function" in found and _call_takes_a_list(found["Function"])
    if list_form:
        retired["function_classes"] = (
            f"{origin}'s Function is called on a list of inputs, as the book's step 11 has it "
            f"(step 12 makes the call variadic): Function, Square and Exp are judged from "
            f"step 12, square and exp now")
    # Square/Exp and square/exp: the book's names, or the kit's stand-ins.
    for cls, fn in (("Square", "square"), ("Exp", "exp")):
        if (cls not in found and standins and not book_has(step, cls)
                and "Function" in found):
            found[cls] = _standin(found["Function"], Variable, cls)
            names["NOTICES"].append(f"{origin} defines no {cls}, which the book's own code "
                                    f"at step {step} has not either: the kit's {cls}, a "
                                    f"subclass of {origin}'s Function, stands in"
                                    + (f" ({fn} is {origin}'s own)" if fn in found else ""))
        if fn not in found and cls in found and list_form:  # the book's step 11
            found[fn] = (lambda C: lambda x: C()([x])[0])(found[cls])
        elif fn not in found and cls in found:  # the steps before 9 call the class
            found[fn] = (lambda C: lambda x: C()(x))(found[cls])
    if "square" not in found and step < 2:  # the book's step 1 has Variable alone
        found["square"] = None
        notices.append(f"{origin} has no operation yet (the book's step 1 has Variable alone): "
                       f"only Variable is judged")
    elif "square" not in found:
        raise AdapterError(f"{origin} defines no square or Square, which step 2 needs (judged "
                           f"at step {step}); define them, or a Function the kit's Square can "
                           f"subclass")
    need("exp", 3, "Exp (and exp from step 9)", "exp" in found, ("Exp",))
    lacking = [n for n in ("Function", "Square", "Exp") if n not in found]
    need("function_classes", 3 if lacking == ["Exp"] else 2, " and ".join(lacking), not lacking)
    need("as_array", 9, "as_array", "as_array" in found, ("as_array",))
    if "numerical_diff" not in found and standins and not book_has(step, "numerical_diff"):
        retired["numerical_diff"] = (f"the book's own code at step {step} has no "
                                     f"numerical_diff, and {origin} defines none")
    need("numerical_diff", 4, "numerical_diff", "numerical_diff" in found or
         "numerical_diff" in retired)

    def grad_of(v):
        g = v.grad
        return g.data if isinstance(g, Variable) else g

    def cleargrad(v):
        if hasattr(v, "cleargrad"):  # step 14 on
            v.cleargrad()
        else:
            v.grad = None

    def backward(v, retain_grad=None, create_graph=None):
        if step < 9 and v.grad is None:  # the book's backward seeds from step 9
            v.grad = np.ones_like(v.data)
        options = {}
        if retain_grad is not None and _retain_param(Variable) is not None:
            options["retain_grad"] = retain_grad
        if create_graph is not None:
            options["create_graph"] = create_graph
        return v.backward(**options)

    def grad_variable(v):
        return v.grad

    def gradient(fn, gy=None):
        """The book's step 33: y.backward(create_graph=True), then x.grad, cleared from x so
        that a later backward starts afresh."""
        def dfn(x):
            cleargrad(x)
            y = fn(x)
            if gy is not None:
                y.grad = Variable(gy)
            y.backward(create_graph=True)
            gx = x.grad
            cleargrad(x)
            return gx
        return dfn

    def leaf(a):
        return Variable(a)

    def value(v):
        return v.data

    def grads(fn, xs, gy=None):
        vs = [Variable(x) for x in xs]
        y = fn(*vs)
        if gy is not None:  # as the engine holds a gradient: a Variable from step 32
            y.grad = Variable(gy) if _graph_param(Variable) is not None else gy
        elif step < 9:  # the book's backward seeds from step 9; before, its caller does
            y.grad = np.ones_like(y.data)
        y.backward()
        return y.data, [grad_of(v) for v in vs]

    def grad(fn, x, gy=None):
        y, (gx,) = grads(fn, [x], gy)
        return y, gx

    def creator_of(v):
        return v.creator

    def input_of(f):
        return f.input if hasattr(f, "input") else f.inputs[0]

    def output_of(f):
        out = f.output if hasattr(f, "output") else f.outputs[0]
        return out() if isinstance(out, weakref.ref) else out

    def set_value(v, a):
        v.data = a

    def params(layer):
        return list(layer.params())

    def cleargrads(layer):
        layer.cleargrads()

    def weights(linear):
        b = linear.b
        return linear.W.data, None if b is None else b.data

    def set_weights(linear, W, b=None):
        linear.W.data = W
        if b is not None:
            linear.b.data = b

    def mlp_layers(model):
        """The model's layers in order: the book's list `layers`, else its attributes that
        are Layers, or hold them in a list, tuple or dict, each once."""
        Layer = found["Layer"]
        layers = getattr(model, "layers", None)
        if isinstance(layers, (list, tuple)) and layers and all(isinstance(v, Layer)
                                                                for v in layers):
            return list(layers)
        out, seen = [], set()
        for value in getattr(model, "__dict__", {}).values():
            items = (value.values() if isinstance(value, dict) else
                     value if isinstance(value, (list, tuple)) else (value,))
            for item in items:
                if isinstance(item, Layer) and id(item) not in seen:
                    seen.add(id(item))
                    out.append(item)
        return out

    if "MLP" in found:
        book_mlp = found["MLP"]
        found["MLP"] = lambda sizes, activation=None: (
            book_mlp(sizes) if activation is None else book_mlp(sizes, activation=activation))
    names.update(set_value=set_value, params=params, cleargrads=cleargrads, weights=weights,
                 set_weights=set_weights, mlp_layers=mlp_layers)
    names.update(leaf=leaf, value=value, grad=grad, grads=grads, grad_of=grad_of,
                 cleargrad=cleargrad, backward=backward, creator_of=creator_of,
                 input_of=input_of, output_of=output_of, Variable=Variable,
                 grad_variable=grad_variable, gradient=gradient, **found)
    if "add" not in found and "Add" in vars(module):
        names["add"] = lambda a, b: module.Add()(a, b)
    if step in (11, 12):
        retired["backprop"] = (f"not judged at step {step}: the book's steps 11 and 12 rewrite "
                               f"Function for many inputs and mend Variable.backward at step "
                               f"13, where backward is judged")
    need("backprop", 7, "Variable.backward", callable(getattr(Variable, "backward", None)))
    need("add", 12, "add", "add" in names, ("Add",))
    need("many_inputs", 13, "add (backward through many inputs)", "add" in names, ("Add",))
    need("cleargrad", 14, "Variable.cleargrad", hasattr(Variable, "cleargrad"))
    need("no_grad", 18, "no_grad", "no_grad" in found, ("no_grad",))
    need("config", 18, "Config and using_config", "Config" in found and "using_config" in found,
         ("Config", "using_config"))
    need("retain_grad", 18, "Variable.backward(retain_grad=False)",
         _retain_param(Variable) is not None)
    need("array_like", 19, "Variable.shape, ndim, size and dtype", _reads_like_an_array(Variable))
    need("operators", 20, "Variable.__mul__ and __add__",
         hasattr(Variable, "__mul__") and hasattr(Variable, "__add__"))
    need("array_operands", 21, "Variable.__array_priority__ (or __array_ufunc__ = None) and "
         "__radd__, __rmul__", _defers_to_ndarray(Variable)
         and all(hasattr(Variable, a) for a in ("__radd__", "__rmul__")))
    need("arithmetic", 22, "mul, neg, sub, div and pow",
         all(n in found for n in ("mul", "neg", "sub", "div", "pow")))
    if step >= 22:
        need("operators", 22, "Variable.__neg__, __sub__, __rsub__, __truediv__, "
             "__rtruediv__ and __pow__", all(hasattr(Variable, a) for a in (
                 "__neg__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__", "__pow__")))
    need("sin_cos", 27, " and ".join(n for n in ("sin", "cos") if n not in found),
         "sin" in found and "cos" in found, ("sin", "cos"))
    need("higher_order", 32, "Variable.backward(create_graph=...)",
         _graph_param(Variable) is not None)
    need("create_graph", 32, "Variable.backward(create_graph=...)",
         _graph_param(Variable) is not None)
    need("tanh", 35, "tanh", "tanh" in found, ("tanh",))
    for cap, first, needed in STAGE4:
        need(cap, first, " and ".join(needed), all(n in found for n in needed), needed)
    methods = ("reshape", "transpose", "T") + (("sum",) if step >= 39 else ())
    lacking = [a for a in methods if not hasattr(Variable, a)]
    need("tensor_methods", 39 if lacking == ["sum"] else 38,
         " and ".join(f"Variable.{a}" for a in lacking or methods), not lacking)
    # Capabilities the module has no name for at all, before the step that needs them.
    for cap, first in (("add", 12), ("many_inputs", 13), ("cleargrad", 14), ("no_grad", 18),
                       ("config", 18), ("retain_grad", 18), ("array_like", 19),
                       ("operators", 20), ("array_operands", 21), ("arithmetic", 22),
                       ("sin_cos", 27), ("higher_order", 32), ("create_graph", 32),
                       ("tanh", 35), ("tensor_methods", 38), ("assign", 42),
                       *((cap, first) for cap, first, _ in STAGE4)):
        if step < first and cap not in missing:
            names["ABSENT"][cap] = f"not judged at step {step} (step {first} introduces it)"
    for cap in ("exp", "function_classes", "as_array", "numerical_diff"):
        if step < {"exp": 3, "function_classes": 2, "as_array": 9, "numerical_diff": 4}[cap]:
            names["ABSENT"][cap] = f"not judged at step {step}"
    for cap in list(names["ABSENT"]):
        if cap in missing or cap in retired:
            del names["ABSENT"][cap]
    for cap in retired:
        missing.pop(cap, None)
        names["ABSENT"][cap] = retired[cap]
    if retired:
        lacked = sorted({n for cap, why in retired.items()
                         for n in (why.split(", and ")[0].split(" has no ")[-1].split(" or ")
                                   if " has no " in why else [f"{cap}: {why}"])})
        notices.append(f"not judged at step {step}: {', '.join(lacked)} ({origin} defines "
                       f"none, nor does the book's own code at this step)")
    # Only names are seen here: what a capability needs beyond a name is the contract's
    # assumption, and the clauses report it when it does not hold (C1 leaves it to them).
    names["ASSUMED"] = ("vector", "float64", "integers", "implicit_seed", "seed_grad", "variable",
                        "type_check", "retains_grads", "graph_links", "many_inputs",
                        "operators", "array_operands", "array_like", "retain_grad",
                        "higher_order", "create_graph")
    if _retain_param(Variable) is not None and _retain_param(Variable).default is False:
        if step < 7:
            names["ABSENT"]["retains_grads"] = (f"not judged at step {step} (step 7 "
                                                f"introduces Variable.backward)")
        elif 7 <= step < 18:
            missing["retains_grads"] = (
                f"steps 7-17 need backward() to keep the grads of y and the intermediates; "
                f"{origin}'s backward(retain_grad=False) drops them (step 18 on)")
        else:
            names["ABSENT"]["retains_grads"] = (
                f"{origin}: backward(retain_grad=False), the later steps' default, drops the "
                f"grads of y and the intermediates by design (kept with retain_grad=True)")
    if "Function" not in found:
        names["ABSENT"].setdefault("graph_links", f"not judged at step {step}")
    return names


# Stage 4: (capability, the step introducing it, the book's names it needs).
STAGE4 = (("tensor_shape", 38, ("reshape", "transpose")), ("sum", 39, ("sum",)),
          ("broadcast", 40, ("broadcast_to", "sum_to")), ("matmul", 41, ("matmul",)),
          ("mse", 42, ("mean_squared_error",)), ("linear", 43, ("linear", "sigmoid")),
          ("layers", 44, ("Parameter", "Layer", "Linear")), ("models", 45, ("Model", "MLP")),
          ("optimizers", 46, ("SGD", "MomentumSGD")))


def _layer_class(module, name, base):
    """The class `name` that subclasses base (the book's layers.Linear, not functions.Linear,
    its Function): the module's own, else that of a module it imported or of its packages."""
    def fits(c):
        return isinstance(c, type) and issubclass(c, base)
    if fits(getattr(module, name, None)):
        return getattr(module, name)
    places = [v for v in vars(module).values() if isinstance(v, types.ModuleType)]
    places += [m for top in getattr(module, "PACKAGES", ()) for n, m in list(sys.modules.items())
               if n == top or n.startswith(top + ".")]
    for place in places:
        if fits(getattr(place, name, None)):
            return getattr(place, name)
    return None


def _call_takes_a_list(Function):
    """Function.__call__(self, inputs): one list of inputs, the book's step 11."""
    try:
        params = list(inspect.signature(Function.__call__).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    return (len(params) == 1 and params[0].name == "inputs"
            and params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _standin(Function, Variable, name):
    """The kit's Square or Exp on the module's Function, using only what the book's API
    guarantees: Function.__call__, forward(x) and backward(gy). The call's inputs and x are
    kept by the stand-in itself, never read from the Function's own attributes. A gradient
    that is a Variable (step 32 on) gets a backward written with the module's Variable
    operations, on the input Variable, so that it can be differentiated again."""
    def __call__(self, *inputs, **options):
        self.kit_inputs = inputs
        return Function.__call__(self, *inputs, **options)

    def forward(self, x):
        if isinstance(x, list):  # the book's step 11: a list in, a tuple out
            return (forward(self, x[0]),)
        self.kit_x = x
        return x ** 2 if name == "Square" else np.exp(x)

    def backward(self, gy):
        if isinstance(gy, Variable):
            x = self.kit_inputs[0]
            x = x if isinstance(x, Variable) else Variable(np.asarray(x))
            return x * gy * 2.0 if name == "Square" else gy * type(self)()(x)
        x = self.kit_x
        return gy * 2 * x if name == "Square" else np.exp(x) * gy
    return type(name, (Function,), {"__call__": __call__, "forward": forward,
                                    "backward": backward,
                                    "__module__": "dezero_conformance.adapters.book"})


def adapt(module, origin=None, **options):
    """Bind `module` (bind's options) and return the adapter as a module object."""
    adapter = types.ModuleType(f"{__name__}[{origin or module.__name__}]")
    adapter.__dict__.update(bind(module, origin, **options))
    return adapter
