"""The book's package layout: from step 23 a step file imports `dezero` beside it, and the
book's names live in several of its modules (Variable, Function and the operators in
dezero/core.py or core_simple.py, sin, cos, tanh, exp and the tensor functions in
dezero/functions.py, Layer and Linear in layers.py, Model and MLP in models.py, SGD in
optimizers.py).

A module is judged with its names looked up where the book puts them: the module's own, then
those of each package of the engine's own that it imported (not numpy's, not the standard
library's): the package itself (its __init__), the module its Variable comes from, then its
other modules, `functions` first.
"""
import importlib
import os
import sys
import sysconfig
import types

from dezero_conformance.adapters.book.loader import LoadError

BOOK_MODULES = ("core_simple", "core", "functions", "layers", "models", "optimizers")


def _installed(path):
    """Whether path is in the standard library or a site directory (not the engine's own)."""
    path = os.path.realpath(path)
    roots = {os.path.realpath(p) for p in (sysconfig.get_paths()[k] for k in (
        "stdlib", "platstdlib", "purelib", "platlib")) if p}
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def own_packages(module):
    """The top-level names of the packages of the engine's own that module imported."""
    found = []
    for value in list(vars(module).values()):
        owner = value if isinstance(value, types.ModuleType) else sys.modules.get(
            getattr(value, "__module__", None) or "")
        if owner is None or owner is module:
            continue
        top = owner.__name__.split(".")[0]
        package = sys.modules.get(top)
        path = getattr(package, "__file__", None)
        if path and top not in found and not _installed(path) and top != "dezero_conformance":
            found.append(top)
    return found


def merged(module, tops=None):
    """module itself if it imported no package of its own, else a module whose names are its
    own, then those of its packages' modules (see the module docstring)."""
    tops = tops or own_packages(module)
    if not tops:
        return module
    names = {}
    variable = getattr(module, "Variable", None)
    for top in tops:
        package = sys.modules[top]
        variable = variable or getattr(package, "Variable", None)
        parts = sorted((m for n, m in list(sys.modules.items())
                        if n.startswith(top + ".") and isinstance(m, types.ModuleType)),
                       key=lambda m: (not m.__name__.endswith(".functions"), m.__name__))
        home = sys.modules.get(getattr(variable, "__module__", ""))
        function = getattr(home, "Function", None) or getattr(package, "Function", None)
        for source in reversed(([home] if home else []) + [package] + parts):
            # a module built on another core (the book's step 28 takes core_simple's Variable
            # while dezero/__init__ and functions.py use core's) is not this engine's
            if (getattr(source, "Variable", variable) is variable
                    and getattr(source, "Function", function) is function):
                names.update((k, v) for k, v in vars(source).items() if not k.startswith("_"))
    names.update(vars(module))
    view = types.ModuleType(module.__name__)
    view.__dict__.update(names)
    view.__file__ = getattr(module, "__file__", None)
    view.PACKAGES = tuple(tops)
    return view


def import_package(path):
    """A package directory (dezero/) or a module of one (dezero/core.py), imported as the
    package it is, with its own imports working: the package's module."""
    path = os.path.abspath(path.rstrip(os.sep))
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "__init__.py")):
            raise LoadError(f"{path} is a directory without __init__.py: give the path of a "
                            f".py file, or of a package directory")
        parts, where = [os.path.basename(path)], os.path.dirname(path)
    else:
        parts = [os.path.splitext(os.path.basename(path))[0]]
        where = os.path.dirname(path)
    while os.path.isfile(os.path.join(where, "__init__.py")):  # dezero/core.py: dezero.core
        parts.insert(0, os.path.basename(where))
        where = os.path.dirname(where)
    name = ".".join(parts)
    sys.path.insert(0, where)
    try:
        module = importlib.import_module(name)
        package = os.path.join(where, parts[0])
        for part in BOOK_MODULES:  # where the book keeps its names, whether imported or not
            if os.path.isfile(os.path.join(package, f"{part}.py")):
                importlib.import_module(f"{parts[0]}.{part}")
        return merged(module, [parts[0]])
    except ImportError as exc:
        raise LoadError(_import_failure(name, where, exc)) from None
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise LoadError(f"importing the package {name} (from {where}) raised "
                        f"{type(exc).__name__}: {first}{_where(exc)}; fix the package so that "
                        f"`import {name}` runs") from None


def _where(exc):
    """ ' (dezero/datasets.py line 5)': the last frame of the engine's own code."""
    adapters = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    kit = tuple(os.path.join(os.path.dirname(adapters), d) + os.sep
                for d in ("adapters", "conformance", "dezero_conformance"))
    tb, last = exc.__traceback__, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<") or _installed(filename)
                or os.path.abspath(filename).startswith(kit)):
            last = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if last is None:
        return ""
    shown = os.path.join(os.path.basename(os.path.dirname(last[0])), os.path.basename(last[0]))
    return f" ({shown} line {last[1]})"


def _import_failure(name, where, exc):
    from dezero_conformance.adapters.book.loader import PIP_NAMES, absent_name
    lacking = absent_name(exc)
    if lacking is not None:
        return f"importing the package {name} (from {where}){_where(exc)}: {lacking}"
    missing = (exc.name or "").split(".")[0] or "a module"
    return (f"importing the package {name} (from {where}) needs {missing}, which is not "
            f"installed{_where(exc)}: pip install {PIP_NAMES.get(missing, missing)}")
