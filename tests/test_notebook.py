"""A Jupyter notebook is judged as a fresh kernel runs its code cells top to bottom, on its
definitions only (adapters/book/notebook.py): IPython's syntax and cells of other languages
are not run, a broken cell is dropped and said, and messages name the cell."""
import ast
import json
import os
import sys
import tempfile
import traceback
import types
import unittest
from unittest import mock

import dezero_conformance
from dezero_conformance import adapters
from dezero_conformance.adapters.book import loader, notebook
from tests import thorough
from tests.test_book_shapes import failed_clauses, judge

# A step-10 engine spread over a learner's notebook, with the magics, demo cells and mistakes
# notebooks have. The definitions are the cells that a .py file of the same engine holds.
SETUP = "%matplotlib inline\n!pip install numpy\nimport numpy as np\n"
VARIABLE = '''class Variable:
    def __init__(self, data):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"{type(data)} is not supported")
        self.data = data
        self.grad = None
        self.creator = None

    def set_creator(self, func):
        self.creator = func

    def backward(self):
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        pending = [self.creator]
        while pending:
            f = pending.pop()
            f.input.grad = f.backward(f.output.grad)
            if f.input.creator is not None:
                pending.append(f.input.creator)
'''
FUNCTION = '''def as_array(x):
    return np.array(x) if np.isscalar(x) else x


class Function:
    def __call__(self, input):
        y = self.forward(input.data)
        output = Variable(as_array(y))
        output.set_creator(self)
        self.input, self.output = input, output
        return output

    def forward(self, x):
        raise NotImplementedError()

    def backward(self, gy):
        raise NotImplementedError()
'''
SQUARE = '''class Square(Function):
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        return 2 * self.input.data * gy


def square(x):
    return Square()(x)
'''
EXP = '''class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, gy):
        return np.exp(self.input.data) * gy


def exp(x):
    return Exp()(x)
'''
NUMERICAL_DIFF = '''def numerical_diff(f, x, eps=1e-4):
    below, above = f(Variable(x.data - eps)), f(Variable(x.data + eps))
    return (above.data - below.data) / (2 * eps)
'''
DEFINITIONS = [VARIABLE, FUNCTION, SQUARE, EXP, NUMERICAL_DIFF]
CELLS = [
    SETUP,                                                             # 1
    ("markdown", "# Step 10\nThe tests of the book's step 10."),
    VARIABLE,                                                          # 2
    "x = Variable(np.array(0.5))\nprint(x.data)\n",                    # 3: demo
    "Variable?\n",                                                     # 4
    FUNCTION,                                                          # 5
    SQUARE,                                                            # 6
    EXP,                                                               # 7
    "%%time\ny = square(exp(square(Variable(np.array(0.5)))))\ny.backward()\n",  # 8: demo
    NUMERICAL_DIFF,                                                    # 9
    "files = !ls\nprint(files)\n",                                     # 10: demo
    "Variable(1.0)  # a TypeError, on purpose\n",                      # 11: demo
    "def half(x:\n    return x / 2\n",                                 # 12: broken
    "%%bash\necho done\n",                                             # 13: not Python
]
SQUARE_BUG = ("return 2 * self.input.data * gy", "return self.input.data * gy")


def write_notebook(path, cells, nbformat=4):
    """cells: a code cell's source, or (cell type, source); written as Jupyter saves them."""
    cells = [c if isinstance(c, tuple) else ("code", c) for c in cells]
    if nbformat == 3:
        book = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
            {"cell_type": kind, "input": text.splitlines(True), "language": "python",
             "outputs": []} for kind, text in cells]}]}
    else:
        book = {"nbformat": 4, "nbformat_minor": 5, "cells": [
            {"cell_type": kind, "metadata": {}, "source": text.splitlines(True),
             **({"execution_count": None, "outputs": []} if kind == "code" else {})}
            for kind, text in cells],
            "metadata": {"language_info": {"name": "python"}}}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(book, f, indent=1)
    return path


def with_bug(cells, old, new):
    changed = [c.replace(old, new) if isinstance(c, str) else c for c in cells]
    assert changed != cells, old
    return changed


class TestReading(unittest.TestCase):

    def test_code_cells_in_order_from_nbformat_4_and_3(self):
        cells = ["import numpy as np\n", ("markdown", "# text"), "x = 1\ny = 2", ("raw", "r")]
        with tempfile.TemporaryDirectory() as tmp:
            for version in (4, 3):
                path = write_notebook(os.path.join(tmp, f"v{version}.ipynb"), cells, version)
                self.assertEqual(notebook.read_cells(path),
                                 ["import numpy as np\n", "x = 1\ny = 2"], version)
            path = os.path.join(tmp, "one_string.ipynb")
            with open(path, "w") as f:
                json.dump({"nbformat": 4, "cells": [{"cell_type": "code", "source": "a = 1\n"}]},
                          f)
            self.assertEqual(notebook.read_cells(path), ["a = 1\n"])

    def test_a_file_that_is_not_a_notebook_is_one_line_naming_the_fix(self):
        with tempfile.TemporaryDirectory() as tmp:
            for name, text, what in (("step10.ipynb", "class Variable: pass\n", "not JSON"),
                                     ("list.ipynb", "[1, 2]", "its JSON has no list of cells")):
                path = os.path.join(tmp, name)
                with open(path, "w") as f:
                    f.write(text)
                with self.subTest(name), self.assertRaises(adapters.AdapterError) as caught:
                    adapters._import_file(path)
                message = str(caught.exception)
                self.assertEqual(len(message.splitlines()), 1, message)
                self.assertIn(f"{name} is not a Jupyter notebook ({what}", message)
                self.assertIn("nbconvert --to script", message)

    def test_a_live_kernels_cells_come_from_its_history(self):
        ip = types.SimpleNamespace(history_manager=types.SimpleNamespace(
            input_hist_raw=["", "import numpy as np", "%time 1", "check(step=10)"]))
        self.assertEqual(notebook.history_cells(ip),
                         ["import numpy as np", "%time 1", "check(step=10)"])

    def test_a_notebook_path_is_a_path_and_names_its_step(self):
        self.assertTrue(adapters.is_path("step10.ipynb"))
        self.assertEqual(
            adapters.book.infer_step(types.SimpleNamespace(__file__="/x/step10.ipynb"))[0], 10)


class TestToSource(unittest.TestCase):

    def test_ipython_syntax_is_neutralised_and_every_line_keeps_its_place(self):
        cells = ["%matplotlib inline\nimport numpy as np\n!pip install numpy\n",
                 "files = !ls\nout = %time f(1)\nVariable?\n??np.exp\n",
                 "def f(x):\n    %time g()\n    return x\n",
                 "%%time\nz = 3\n",
                 "%%writefile helper.py\nprint('not run')\n",
                 "", "y = (1\n     != 2)\n"]
        source, cell_of_line, notices = notebook.to_source(cells, "nb.ipynb")
        self.assertEqual(source.splitlines(), [
            "pass", "import numpy as np", "pass",
            "files = None", "out = None", "pass", "pass",
            "def f(x):", "    pass", "    return x",
            "pass", "z = 3",
            "y = (1", "     != 2)"])
        self.assertEqual([cell_of_line(n) for n in (1, 3, 4, 7, 9, 12, 14)],
                         [(1, 1), (1, 3), (2, 1), (2, 4), (3, 2), (4, 2), (7, 2)])
        self.assertEqual(notices, ["nb.ipynb: cell 5 is a %%writefile cell, not Python that the "
                                   "kernel runs, and was skipped"])

    def test_a_cell_that_is_not_python_is_dropped_and_said_and_the_others_kept(self):
        source, cell_of_line, notices = notebook.to_source(
            ["a = 1\n", "b = 2\ndef half(x:\n    return x / 2\n", "c = 3\n"], "step10.ipynb")
        self.assertEqual(source, "a = 1\nc = 3\n")
        self.assertEqual(cell_of_line(2), (3, 1))
        self.assertEqual(len(notices), 1)
        self.assertRegex(notices[0], r"^step10\.ipynb: cell 2 is not valid Python \(line \d: "
                                     r".+\) and was skipped$")


def load(tmp, cells, name="step10.ipynb"):
    """(module, skipped) of the notebook of cells."""
    path = write_notebook(os.path.join(tmp, name), cells)
    module = loader.new_module(path)
    return module, notebook.load(path, module)


class TestLoading(unittest.TestCase):

    def test_demo_cells_magics_and_broken_cells_are_not_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            module, skipped = load(tmp, CELLS)
        for name in ("Variable", "Function", "Square", "square", "Exp", "exp", "numerical_diff",
                     "as_array", "np"):
            self.assertTrue(hasattr(module, name), name)
        for name in ("x", "y", "files", "half"):
            self.assertFalse(hasattr(module, name), name)
        y = module.square(module.Variable(module.np.array(3.0)))
        y.backward()
        self.assertEqual(y.creator.input.grad, 6.0)
        notices = skipped.notices("step10.ipynb")
        self.assertRegex(notices[0], r"^step10\.ipynb: cell 12 is not valid Python \(line \d: ")
        self.assertEqual(notices[1], "step10.ipynb: cell 13 is a %%bash cell, not Python that "
                                     "the kernel runs, and was skipped")
        self.assertIn("not run, in cells 3, 8, 10, 11", notices[2])

    def test_a_class_redefined_in_a_later_cell_keeps_each_cells_definitions(self):
        cells = ["import numpy as np\n",
                 "class Variable:\n    version = 1\n\n\nclass Function:\n    version = 1\n",
                 "class Square(Function):\n    pass\n",
                 "class Function:\n    version = 2\n",
                 "class Exp(Function):\n    pass\n",
                 "class Variable:\n    version = 2\n"]
        source, _, _ = notebook.to_source(cells, "step10.ipynb")
        self.assertEqual(source.count("class Function:"), 2)
        with tempfile.TemporaryDirectory() as tmp:
            module, _ = load(tmp, cells)
        self.assertEqual((module.Variable.version, module.Function.version), (2, 2))
        self.assertEqual(module.Square.__bases__[0].version, 1)
        self.assertIsNot(module.Square.__bases__[0], module.Function)
        self.assertIs(module.Exp.__bases__[0], module.Function)

    def test_a_definition_that_raises_names_the_cell_and_its_line(self):
        with tempfile.TemporaryDirectory() as tmp, \
                self.assertRaises(adapters.AdapterError) as caught:
            write_notebook(os.path.join(tmp, "step10.ipynb"), [
                "import numpy as np\n", "# the variable\nclass Variable:\n    kind = unknown\n"])
            adapters._import_file(os.path.join(tmp, "step10.ipynb"))
        message = str(caught.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertIn("step10.ipynb cell 2 line 2 raised NameError", message)

    def test_a_traceback_from_the_notebooks_code_shows_the_cells_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            module, _ = load(tmp, ["import numpy as np\n",
                                   "%matplotlib inline\n\ndef boom():\n    return np.one(1)\n"])
            path = os.path.join(tmp, "step10.ipynb")
        try:
            module.boom()
        except AttributeError:
            shown = traceback.format_exc()
        self.assertIn(f'File "{path} cell 2", line 4, in boom', shown)
        self.assertIn("    return np.one(1)", shown)


class TestTheKitsOwnCheck(unittest.TestCase):
    """A learner's notebook may call the kit itself: `from dezero_conformance import check`
    then `check(step=10)`. Only its definitions run: check() is not called while the kit
    loads the notebook (it would judge it again, from inside the judging)."""

    def test_importing_check_does_not_make_a_file_an_adapter(self):
        for line, adapter in (("from dezero_conformance import check", False),
                              ("import dezero_conformance", False),
                              ("from dezero_conformance.adapters import book", True),
                              ("from dezero_conformance import adapters", True),
                              ("import dezero_conformance.reference.stage1", True),
                              ("NAME = 'mine'", True)):
            with self.subTest(line):
                self.assertEqual(loader._is_adapter(ast.parse(line)), adapter)

    def test_check_in_a_cell_is_not_called(self):
        with mock.patch.object(dezero_conformance, "check", create=True) as check, \
                tempfile.TemporaryDirectory() as tmp:
            module, _ = load(tmp, CELLS + ["from dezero_conformance import check\n"
                                           "check(step=10)\n"])
        check.assert_not_called()
        self.assertTrue(hasattr(module, "square"))


class TestJudged(unittest.TestCase):
    """The suite on a notebook, in a subprocess, as a learner runs it."""

    def test_the_notebook_passes_at_its_step_with_its_cells_said(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = judge(write_notebook(os.path.join(tmp, "step10.ipynb"), CELLS))
            self.assertEqual(sorted(os.listdir(tmp)), ["step10.ipynb"], "the demo ran")
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertEqual(run.stdout, "")
        first = run.stderr.splitlines()[0]
        self.assertIn("at book step 10 (the file is named step10.ipynb", first)
        self.assertRegex(run.stderr, r"notice: step10\.ipynb: cell 12 is not valid Python")
        self.assertIn("notice: step10.ipynb: cell 13 is a %%bash cell", run.stderr)
        self.assertIn("statements that define nothing (demo code: prints, plots, loops, tests) "
                      "not run, in cells 3, 8, 10, 11", run.stderr)

    def test_a_file_that_is_not_a_notebook_stops_the_run_in_one_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "step10.ipynb")
            with open(path, "w") as f:
                f.write("{\"cells\": [")
            run = judge(path)
        self.assertEqual(run.returncode, 2, run.stderr[-3000:])
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertIn("step10.ipynb is not a Jupyter notebook (not JSON", run.stderr)

    @thorough
    def test_a_planted_bug_fails_the_clauses_it_fails_in_the_same_py_file(self):
        buggy = with_bug(CELLS, *SQUARE_BUG)
        py = "import numpy as np\n\n\n" + "\n\n".join(with_bug(DEFINITIONS, *SQUARE_BUG))
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "py"))
            with open(os.path.join(tmp, "py", "step10.py"), "w") as f:
                f.write(py)
            as_py = judge(os.path.join(tmp, "py", "step10.py"))
            as_notebook = judge(write_notebook(os.path.join(tmp, "step10.ipynb"), buggy))
        self.assertEqual(as_py.returncode, 1, as_py.stderr[-3000:])
        self.assertEqual(as_notebook.returncode, 1, as_notebook.stderr[-3000:])
        failed = failed_clauses(as_notebook.stderr)
        self.assertIn("S11", failed)  # backward() through square gives 2 * x * gy
        self.assertEqual(failed, failed_clauses(as_py.stderr))

    @thorough
    def test_check_in_a_cell_is_not_run_by_the_suite(self):
        cells = CELLS + ["from dezero_conformance import check\ncheck(step=10)\n"]
        with tempfile.TemporaryDirectory() as tmp:
            run = judge(write_notebook(os.path.join(tmp, "step10.ipynb"), cells))
        self.assertEqual(run.returncode, 0, run.stderr[-3000:])
        self.assertIn("not run, in cells 3, 8, 10, 11, 14", run.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv)
