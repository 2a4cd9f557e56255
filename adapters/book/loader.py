"""Loading a file written to the book's API: its definitions, not its demo.

The book's step files, and learners' copies of them, end with demo code: prints, plots,
training loops, deliberate errors, `unittest.main()`, `input()`. What is run is what builds
the engine's API, in source order:

- imports (one whose module is missing is skipped when no definition uses its names);
- `def` and `class` statements;
- assignments to an attribute or an item (`Variable.__add__ = add`,
  `Config.enable_backprop = True`), to a name that a definition uses or that the book's API
  has (`exp = Exp()`), and of a lambda or another name (`add = lambda a, b: Add()(a, b)`);
- calls of the file's own functions with no arguments (`setup_variable()`);
- `for` loops whose body only installs into the API (`for name, fn in ops.items():
  setattr(Variable, name, fn)`);
- `if` and `try` statements, keeping only such statements inside them (the book's
  `if '__file__' in globals(): sys.path.append(...)` before `import dezero`); never
  `if __name__ == '__main__':`.

Everything else is not run, and the first lines say how much was left out. Whatever the
definitions print while they run is kept from the run's output. A load that fails is one
line naming the cause and the fix.
"""
import ast
import contextlib
import importlib.util
import io
import os
import re
import symtable
import sys
import types

import numpy as np

# numpy names removed in 1.24 (the first five) and 2.0, and what replaces each.
NUMPY_REMOVED = {
    "float": "float or np.float64", "int": "int or np.int64", "bool": "bool or np.bool_",
    "object": "object", "complex": "complex or np.complex128", "str": "str",
    "float_": "np.float64", "complex_": "np.complex128", "unicode_": "np.str_",
    "string_": "np.bytes_", "Inf": "np.inf", "Infinity": "np.inf", "NaN": "np.nan",
    "NINF": "-np.inf", "PINF": "np.inf", "NZERO": "-0.0", "PZERO": "0.0",
    "product": "np.prod", "cumproduct": "np.cumprod", "sometrue": "np.any",
    "alltrue": "np.all", "round_": "np.round", "asfarray": "np.asarray(x, dtype=float)",
    "row_stack": "np.vstack", "in1d": "np.isin", "trapz": "np.trapezoid",
    "find_common_type": "np.result_type", "cast": "np.asarray(x, dtype=...)",
}
# Syntax newer than the Python running the kit: what a SyntaxError's line starts with, and
# the version that has it.
NEWER_SYNTAX = ((re.compile(r"^\s*match\s.*:\s*$"), "3.10"),
                (re.compile(r"^\s*except\s*\*"), "3.11"),
                (re.compile(r"^\s*type\s+\w+(\[.*\])?\s*="), "3.12"),
                (re.compile(r"^\s*(def|class)\s+\w+\["), "3.12"))
# Python's modules whose pip name differs from the import name.
PIP_NAMES = {"PIL": "Pillow", "cv2": "opencv-python", "sklearn": "scikit-learn",
             "yaml": "PyYAML", "skimage": "scikit-image"}


class LoadError(Exception):
    """The file cannot be loaded; the message is one line naming the cause and the fix."""


class Origin:
    """Where the lines of a loaded source come from: here the file at path, line by line (a
    notebook's code cells joined into one source name the cell: book/notebook.py)."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)

    def at(self, lineno):
        """'line 12': a line of the source as a message names it."""
        return f"line {lineno}"

    def where(self, lineno):
        """'step10.py line 12'."""
        return f"{self.name} {self.at(lineno)}"

    def listed(self, linenos):
        """'at lines 3, 5, 8, ...': where the statements not run are."""
        shown = ", ".join(map(str, linenos[:6])) + (", ..." if len(linenos) > 6 else "")
        return f"at line{'s' if len(linenos) > 1 else ''} {shown}"

    def filename(self, lineno):
        """What a traceback names for code from that line."""
        return self.path

    def runs(self):
        """How the source is run outside the kit, for a fix that says to make it run."""
        return f"`python {self.name}` runs"

    def compiled(self, node, flags):
        """A top-level statement, compiled under the filename and line numbers that tracebacks
        should show."""
        return compile(ast.Module(body=[node], type_ignores=[]), self.filename(node.lineno),
                       "exec", flags=flags, dont_inherit=True)


class Skipped:
    """What was not run: the top-level statements of demo code and the imports skipped."""

    def __init__(self, origin=None):
        self.origin = origin  # how to name the lines (None: a file's)
        self.lines = []     # first line of each statement not run
        self.imports = []   # (module, why) of imports skipped
        self.printed = ""   # what the definitions printed
        self.before = []    # notices of the source's own (a notebook's cells not run)

    def notices(self, name):
        out = list(self.before)
        if self.lines:
            out.append(f"{name}: {len(self.lines)} top-level statement"
                       f"{'s' if len(self.lines) > 1 else ''} that define nothing (demo code: "
                       f"prints, plots, loops, tests) not run, "
                       f"{(self.origin or Origin(name)).listed(self.lines)}")
        for module, why in self.imports:
            out.append(f"{name}: `import {module}` skipped: {why}; only code that was not "
                       f"run uses it")
        if self.printed.strip():
            count = len(self.printed.strip().splitlines())
            out.append(f"{name}: its definitions printed {count} line"
                       f"{'s' if count > 1 else ''} while loading (not shown)")
        return out


def _names_loaded(nodes):
    """The names read anywhere in nodes."""
    found = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                found.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                base = sub
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name):
                    found.add(base.id)
    return found


def _annotations(function):
    """A function's annotations, which its `def` evaluates (without the annotations future)."""
    args = function.args
    every = args.posonlyargs + args.args + args.kwonlyargs + [
        a for a in (args.vararg, args.kwarg) if a is not None]
    return [a.annotation for a in every if a.annotation is not None] + (
        [function.returns] if function.returns is not None else [])


def _future_flags(tree):
    """The compiler flags of the file's `from __future__ import ...` (each statement is
    compiled on its own, and must keep them: `annotations` above all)."""
    import __future__
    flags = 0
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


def _is_main_guard(test):
    return "__main__" in ast.unparse(test) and "__name__" in ast.unparse(test)


def _bound_by_import(node):
    return [(a.asname or a.name).split(".")[0] for a in node.names]


def _globals_read(source, path):
    """The module-level names that the file's functions and classes read (symtable's view:
    a function's parameters and locals are not among them)."""
    found = set()

    def walk(table):
        for child in table.get_children():
            found.update(sym.get_name() for sym in child.get_symbols()
                         if sym.is_referenced() and sym.is_global())
            walk(child)
    walk(symtable.symtable(source, path, "exec"))
    return found


def _root(node):
    """The name an attribute or item chain starts from (`Variable.__dict__[k]`: Variable)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


class _Selector:
    """Chooses the statements that define the engine (see the module docstring)."""

    def __init__(self, tree, source, path):
        self.functions = {n.name for n in tree.body
                          if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        # what a kept statement may extend (`Variable.__add__ = add`): the file's classes,
        # functions and imports (and below, the names its definitions read)
        self.api = {n.name for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                self.api.update(_bound_by_import(n))
            elif isinstance(n, ast.ImportFrom):
                self.api.update(a.asname or a.name for a in n.names)
        # what definitions read: their bodies' globals, and their decorators, bases, defaults
        heads = []
        for n in tree.body:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                heads += n.decorator_list + (n.bases + [k.value for k in n.keywords]
                                             if isinstance(n, ast.ClassDef)
                                             else n.args.defaults + [
                                                 d for d in n.args.kw_defaults if d]
                                             + _annotations(n))
        self.used = _globals_read(source, path) | _names_loaded(heads)
        # assignments to names that definitions (or kept assignments) read, to a fixed point
        assigns = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))]
        while True:
            more = _names_loaded([a.value for a in assigns if a.value is not None
                                  and self._targets_used(a)]) - self.used
            if not more:
                break
            self.used |= more

    def _defines_api(self, node):
        """`add = lambda a, b: Add()(a, b)`, `square = Square.apply`, `F = functions`, or a
        name of the book's API (`exp = Exp()`): an assignment that defines, not a demo (whose
        `gx = x.grad` reads a demo value)."""
        from dezero_conformance.adapters.book.manifest import KIT_NAMES
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if names & set(KIT_NAMES) or isinstance(node.value, ast.Lambda):
            return True
        return isinstance(node.value, (ast.Name, ast.Attribute)) and _names_loaded(
            [node.value]) <= self.api

    def _targets_used(self, node):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and sub.id in self.used:
                    return True
        return False

    def _installs(self, node):
        """setattr(Variable, name, fn), or an assignment to an attribute or item of the API
        (`Variable.__dict__[name] = fn`): what a loop that installs operators does."""
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            return (isinstance(call.func, ast.Name) and call.func.id == "setattr"
                    and bool(call.args) and isinstance(call.args[0], ast.Name)
                    and call.args[0].id in self.api)
        if isinstance(node, ast.Assign):
            return all(isinstance(t, (ast.Attribute, ast.Subscript))
                       and isinstance(_root(t), ast.Name) and _root(t).id in self.api
                       for t in node.targets)
        return False

    def keep(self, node):
        """node filtered to what defines the engine, or None."""
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef, ast.Global, ast.Nonlocal, ast.Pass)):
            return node
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in targets):
                roots = _names_loaded(targets)  # Variable.__add__ = add: Variable
                return node if roots and roots <= (self.api | self.used) else None
            if self._targets_used(node) or self._defines_api(node):
                return node
            return None
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if (isinstance(call.func, ast.Name) and call.func.id in self.functions
                    and not call.args and not call.keywords):
                return node  # setup_variable()
            if (isinstance(call.func, ast.Attribute) and ast.unparse(call.func).startswith(
                    ("sys.path.", "warnings."))):
                return node  # sys.path.append(...) before an import of a sibling
            return None
        if isinstance(node, ast.For) and not node.orelse and all(
                self._installs(s) for s in node.body):
            return node  # for name, fn in ...: setattr(Variable, name, fn)
        if isinstance(node, ast.If) and not _is_main_guard(node.test):
            body = [k for k in map(self.keep, node.body) if k is not None]
            orelse = [k for k in map(self.keep, node.orelse) if k is not None]
            if body or orelse:
                return ast.If(test=node.test, body=body or [ast.Pass()], orelse=orelse)
            return None
        if isinstance(node, ast.Try):
            body = [k for k in map(self.keep, node.body) if k is not None]
            if not body:
                return None
            handlers = [ast.ExceptHandler(type=h.type, name=h.name, body=[
                k for k in map(self.keep, h.body) if k is not None] or [ast.Pass()])
                for h in node.handlers]
            return ast.Try(body=body, handlers=handlers, orelse=[
                k for k in map(self.keep, node.orelse) if k is not None],
                finalbody=[k for k in map(self.keep, node.finalbody) if k is not None])
        return None


def newer_syntax(line):
    """The Python version that a line which does not parse needs, if this one is older."""
    for pattern, version in NEWER_SYNTAX:
        if pattern.search(line) and sys.version_info < tuple(map(int, version.split("."))):
            return version
    return None


def _syntax_error(origin, exc):
    line = (exc.text or "").rstrip("\n")
    version = newer_syntax(line)
    if version is not None:
        here = ".".join(map(str, sys.version_info[:2]))
        return LoadError(f"{origin.where(exc.lineno)} needs Python {version} or newer "
                         f"(`{line.strip()}`), and this is Python {here}: run the kit with "
                         f"a newer Python, or rewrite that line")
    return LoadError(f"{origin.name} raised SyntaxError ({origin.at(exc.lineno)}): {exc.msg} "
                     f"(`{line.strip()}`); fix the file so that {origin.runs()}")


def _numpy_removals(tree, origin):
    """A numpy name the definitions use that this numpy no longer has: one line, the fix."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "numpy"}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr in NUMPY_REMOVED
                and not hasattr(np, node.attr)):
            return LoadError(f"{origin.where(node.lineno)} uses np.{node.attr}, which numpy "
                             f"{np.__version__} no longer has: use {NUMPY_REMOVED[node.attr]}")
        if (isinstance(node, ast.ImportFrom) and node.module
                and node.module.startswith("numpy.lib.") and not _importable(node.module)):
            return LoadError(f"{origin.where(node.lineno)} imports {node.module}, which numpy "
                             f"{np.__version__} no longer has: import the functions from numpy "
                             f"itself (np.unique, np.isin, ...)")
    return None


def _importable(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def absent_name(exc):
    """What an ImportError lacks when its module is installed (a name or a submodule it no
    longer has, or not yet: numpy 2, a newer Python), with the fix; None when the module
    itself is not installed."""
    module = exc.name or ""
    name = re.search(r"cannot import name '(\w+)'", str(exc))
    top = module.split(".")[0]
    found = importlib.util.find_spec(top) if top else None
    if found is None:
        return None
    origin = found.origin or (list(found.submodule_search_locations or []) or [""])[0]
    if name is None and isinstance(exc, ModuleNotFoundError):
        try:
            if importlib.util.find_spec(module) is not None:
                return None
        except ImportError:
            pass
        what = (f"the {top} found ({os.path.dirname(origin) if found.origin else origin}) "
                f"has no module {module}")
    elif name is not None:
        what = f"{module} has no {name[1]}"
    else:
        return None
    if top == "numpy":
        return f"{what} in numpy {np.__version__} (numpy 2 removed it): use numpy's own names"
    # sys.stdlib_module_names is Python 3.10's; on 3.9, the modules whose names grow often
    if top in getattr(sys, "stdlib_module_names", ("typing", "collections", "functools")):
        here = ".".join(map(str, sys.version_info[:2]))
        return f"{what} in Python {here}: it may be newer; run the kit with that Python"
    return f"{what}: fix the import, or install the version of {top} the file was written for"


def _missing_module(origin, node, exc, skipped, used):
    """An import whose module is missing: skipped when neither a definition nor the book's API
    needs its names, else a LoadError naming the module and how to get it."""
    from dezero_conformance.adapters.book.manifest import KIT_NAMES
    at, elsewhere = origin.where(node.lineno), _elsewhere(exc, origin, node)
    missing = (exc.name or "").split(".")[0]
    if isinstance(node, ast.Import):
        bound, imported = _bound_by_import(node), node.names[0].name.split(".")[0]
    else:
        bound, imported = [a.asname or a.name for a in node.names], (node.module or "")
    imported = imported.split(".")[0]
    lacking = absent_name(exc)  # not None: the module is there; a name or submodule is not
    if not set(bound) & (used | set(KIT_NAMES)) and imported not in {"dezero"}:
        skipped.imports.append((missing, lacking or f"{missing} is not installed"))
        return None
    if lacking is not None:
        return LoadError(f"{at} imports {imported}{elsewhere}: {lacking}")
    if missing != imported:  # the module imported was found; something it imports was not
        return LoadError(f"{at} imports {imported}, which needs "
                         f"{missing}{elsewhere}, and {missing} is not installed: "
                         f"pip install "
                         f"{PIP_NAMES.get(missing, missing)}")
    where = os.path.dirname(origin.path)
    looked = " and ".join(dict.fromkeys([where, os.path.dirname(where)]))
    return LoadError(f"{at} imports {missing}, which is not installed and "
                     f"not a module beside the file (looked in {looked}), and its definitions "
                     f"use it: if it is your own, put {missing}.py or the package {missing}/ "
                     f"where the file expects it (the book keeps dezero/ beside steps/); if it "
                     f"is a library, pip install {PIP_NAMES.get(missing, missing)}")


ADAPTER_IMPORTS = ("adapters", "reference")  # the kit's modules that an adapter imports


def _imports_kit_modules(node):
    """`from dezero_conformance.adapters import book`, `from dezero_conformance import
    reference`: the imports of an adapter. Not `from dezero_conformance import check`, which a
    learner's file or notebook has to judge itself."""
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
        modules = ([f"{node.module}.{a.name}" for a in node.names]
                   if node.module == "dezero_conformance" else [node.module])
    else:
        return False
    return any(m.split(".")[0] == "dezero_conformance" and m.split(".")[1:2]
               and m.split(".")[1] in ADAPTER_IMPORTS for m in modules)


def _is_adapter(tree):
    """A file written as an adapter (NAME = ..., or importing the kit's adapters or reference
    engines): it is the kit's interface, with no demo code, and runs whole."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "NAME" for t in node.targets):
            return True
        if _imports_kit_modules(node):
            return True
    return False


def _run_whole(tree, origin, module):
    flags = _future_flags(tree)
    try:
        for node in tree.body:
            exec(origin.compiled(node, flags), module.__dict__)
    except Exception as exc:
        from dezero_conformance.adapters import AdapterError
        if isinstance(exc, AdapterError):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise LoadError(f"{origin.name} raised {type(exc).__name__} on import: "
                        f"{first}; fix the file so that {origin.runs()}"
                        ) from exc


def load_file(path, module):
    """Run the definitions of the file at path into module (a fresh module object); return
    what was skipped. Raises LoadError."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        raise LoadError(f"{os.path.basename(path)} cannot be read ({exc.strerror})") from None
    return load_source(source, path, module)


def load_source(source, path, module, origin=None):
    """Run the definitions of source, the text of the file at path, into module; return what
    was skipped. origin names the source's lines in messages and tracebacks (default: the
    file's own lines; a notebook's name its cells). Raises LoadError."""
    origin = origin or Origin(path)
    try:
        tree = ast.parse(source, path)
    except SyntaxError as exc:
        raise _syntax_error(origin, exc) from None
    if _is_adapter(tree):
        _run_whole(tree, origin, module)
        return Skipped(origin)
    selector = _Selector(tree, source, path)
    kept = []
    skipped = Skipped(origin)
    for node in tree.body:
        node_kept = selector.keep(node)
        if node_kept is None:
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                skipped.lines.append(node.lineno)  # a docstring is not demo code
            continue
        kept.append(ast.fix_missing_locations(ast.copy_location(node_kept, node)))
    removed = _numpy_removals(ast.Module(body=kept, type_ignores=[]), origin)
    if removed is not None:
        raise removed
    future = _future_flags(tree)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        for node in kept:
            code = origin.compiled(node, future)
            try:
                exec(code, module.__dict__)
            except ImportError as exc:
                if not isinstance(node, (ast.Import, ast.ImportFrom)) or exc.name is None:
                    raise _raised(origin, node, exc) from exc
                error = _missing_module(origin, node, exc, skipped, selector.used)
                if error is not None:
                    raise error from exc
            except NameError as exc:
                if not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr)):
                    raise _raised(origin, node, exc) from exc
                skipped.lines.append(node.lineno)  # it reads a value only the demo makes
            except SystemExit as exc:
                raise LoadError(f"{origin.where(node.lineno)} exits (SystemExit {exc.code!r}) "
                                f"while its definitions load; keep sys.exit() out of them"
                                ) from None
            except Exception as exc:
                raise _raised(origin, node, exc) from exc
    skipped.printed = out.getvalue()
    return skipped


def _elsewhere(exc, origin, node):
    """ ' (dezero/cuda.py line 2)': the engine's own module that raised, if not the file (or
    the notebook's cell) of node."""
    from dezero_conformance.adapters.book.packages import _where
    where = _where(exc)
    here = os.path.basename(origin.filename(node.lineno))
    return "" if f"/{here} line" in where or f" ({here} line" in where else where


def _raised(origin, node, exc):
    at = origin.where(node.lineno)
    if isinstance(exc, SyntaxError) and exc.filename:  # in a module the file imports
        inner = _syntax_error(Origin(exc.filename), exc)
        return LoadError(f"{at} imports a module that cannot be read: {inner}")
    first = str(exc).splitlines()[0] if str(exc) else ""
    where = _elsewhere(exc, origin, node)
    if isinstance(exc, AttributeError) and "numpy" in first:
        attr = re.search(r"attribute '(\w+)'", first)
        if attr and attr.group(1) in NUMPY_REMOVED:
            return LoadError(f"{at}{where} uses np.{attr.group(1)}, "
                             f"which numpy {np.__version__} no longer has: use "
                             f"{NUMPY_REMOVED[attr.group(1)]}")
    return LoadError(f"{at}{where} raised {type(exc).__name__} while its "
                     f"definitions loaded: {first}; fix the file so that its definitions "
                     f"import cleanly")


def new_module(path):
    """A fresh module object for the file at path."""
    module = types.ModuleType(
        "conformance_engine_" + os.path.splitext(os.path.basename(path))[0])
    module.__file__ = path
    return module
