"""The generic adapter: any module written to the book's API (a learner's step10.py).

Required of the module: Variable and square. Each other book name it lacks (exp, Function,
Square, Exp, as_array, numerical_diff) turns the capability that needs it off, with a reason
naming the module. The later steps' spellings are read too: Function.inputs/outputs (outputs
possibly weak references) and gradients held as Variables.
"""
import inspect
import types
import weakref


def bind(module, origin=None):
    """Return the adapter names for `module` as a dict (see adapters/__init__.py)."""
    origin = origin or getattr(module, "__name__", "module")
    for name in ("Variable", "square"):
        if not hasattr(module, name):
            from adapters import AdapterError
            raise AdapterError(f"{origin} defines no {name}; a module written to the book's API "
                               f"needs at least Variable and square (steps 1-9)")
    Variable = module.Variable

    def grad_of(v):
        g = v.grad
        return g.data if isinstance(g, Variable) else g

    def cleargrad(v):
        if hasattr(v, "cleargrad"):  # step 14 on
            v.cleargrad()
        else:
            v.grad = None

    def leaf(a):
        return Variable(a)

    def value(v):
        return v.data

    def grad(fn, x, gy=None):
        xv = Variable(x)
        y = fn(xv)
        if gy is not None:
            y.grad = gy
        y.backward()
        return y.data, grad_of(xv)

    def creator_of(v):
        return v.creator

    def input_of(f):
        return f.input if hasattr(f, "input") else f.inputs[0]

    def output_of(f):
        out = f.output if hasattr(f, "output") else f.outputs[0]
        return out() if isinstance(out, weakref.ref) else out

    names = dict(NAME=origin, ABSENT={},
                 version=lambda: getattr(module, "__version__", "unversioned"),
                 leaf=leaf, value=value, grad=grad, grad_of=grad_of, cleargrad=cleargrad,
                 creator_of=creator_of,
                 input_of=input_of, output_of=output_of)
    needs = {"exp": ("exp",), "function_classes": ("Function", "Square", "Exp"),
             "as_array": ("as_array",), "numerical_diff": ("numerical_diff",)}
    for name in ("Variable", "square", "exp", "Function", "Square", "Exp", "as_array",
                 "numerical_diff"):
        if hasattr(module, name):
            names[name] = getattr(module, name)
    for cap, required in needs.items():
        lacking = [n for n in required if not hasattr(module, n)]
        if lacking:
            names["ABSENT"][cap] = f"{origin} defines no {', '.join(lacking)}"
    # Only names are seen here: what a capability needs beyond a name is the contract's
    # assumption, and the clauses report it when it does not hold (C1 leaves it to them).
    names["ASSUMED"] = ("vector", "float64", "integers", "implicit_seed", "seed_grad", "variable",
                        "type_check", "retains_grads", "graph_links")
    if _drops_grads_by_default(Variable):
        names["ABSENT"]["retains_grads"] = (
            f"{origin}: backward(retain_grad=False), the later steps' default, drops the "
            f"grads of y and the intermediates by design")
    if "function_classes" in names["ABSENT"]:
        names["ABSENT"]["graph_links"] = names["ABSENT"]["function_classes"]
    return names


def _drops_grads_by_default(Variable):
    """The book's step 18 on: Variable.backward(retain_grad=False) keeps only leaf grads."""
    try:
        param = inspect.signature(Variable.backward).parameters.get("retain_grad")
    except (AttributeError, TypeError, ValueError):
        return False
    return param is not None and param.default is False


def adapt(module, origin=None):
    """Bind `module` and return the adapter as a module object."""
    adapter = types.ModuleType(f"adapters.book[{origin or module.__name__}]")
    adapter.__dict__.update(bind(module, origin))
    return adapter
