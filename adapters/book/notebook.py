"""Jupyter notebooks (.ipynb) as engines, judged as a fresh kernel runs them (Restart & Run
All): their code cells top to bottom, definitions only, as loader.py runs a .py file.

The code cells are joined, in order, into one Python source. IPython's own syntax is
neutralised line for line, so that every line keeps its place in its cell:

- a line magic or shell command (`%matplotlib inline`, `!pip install numpy`) and a help line
  (`Variable?`, `??np.exp`) become `pass`; `x = !ls` and `x = %time f(1)` become `x = None`;
- a cell magic whose body is Python run in the kernel (`%%time`, `%%timeit`, `%%capture`,
  `%%prun`) keeps its body; any other (`%%bash`, `%%writefile`, `%%html`) drops the cell.

A cell that is still not Python is dropped whole and said: one broken cell does not stop the
others. A class defined again in a later cell is defined again there, as in the kernel, so
each cell's definitions hold the names as they stood when it ran (a Square of cell 3 keeps the
Function of cell 3). Messages name the cell and its line (`step10.ipynb cell 4 line 2`), cells
counted from 1 among the code cells (Jupyter's In [k] counts runs, not cells), and so do
tracebacks from the notebook's code.

history_cells(get_ipython()) gives a live kernel's cells, as they ran, to the same to_source.
"""
import ast
import bisect
import copy
import json
import linecache
import os
import re

from dezero_conformance.adapters.book import loader
from dezero_conformance.adapters.book.loader import LoadError

SUFFIX = ".ipynb"
# The cell magics whose body is Python that the kernel runs; any other cell is not Python.
PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")
MAGIC = re.compile(r"^(\s*)[%!](?!=)")  # `%matplotlib inline`, `!ls` (not `!= b` continued)
ASSIGNED = re.compile(r"^(\s*)(\w+(?:\s*,\s*\w+)*)\s*=\s*[%!](?!=)")  # `files = !ls`
HELP = re.compile(r"^(\s*)(?:\?{1,2}\s*[\w.*]+|[\w.*]+\s*\?{1,2})\s*$")  # `Variable?`
FIX = ("save it again from Jupyter (File > Save) or Colab (File > Download > .ipynb), or judge "
       "a script of it (`jupyter nbconvert --to script {name}`)")


def read_cells(path):
    """The sources of the code cells of the notebook at path, in order (nbformat 4, or 3's
    worksheets). Raises LoadError, one line, when the file is not a notebook."""
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            book = json.load(f)
    except OSError as exc:
        raise LoadError(f"{name} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise LoadError(f"{name} is not a Jupyter notebook (not UTF-8 text); "
                        + FIX.format(name=name)) from None
    except json.JSONDecodeError as exc:
        raise LoadError(f"{name} is not a Jupyter notebook (not JSON: {exc.msg} at line "
                        f"{exc.lineno} column {exc.colno}); " + FIX.format(name=name)) from None
    cells = book.get("cells") if isinstance(book, dict) else None
    if cells is None and isinstance(book, dict) and isinstance(book.get("worksheets"), list):
        cells = [c for sheet in book["worksheets"] if isinstance(sheet, dict)
                 for c in sheet.get("cells", [])]  # nbformat 3
    if not isinstance(cells, list):
        raise LoadError(f"{name} is not a Jupyter notebook (its JSON has no list of cells); "
                        + FIX.format(name=name))
    language = (book.get("metadata") or {}).get("language_info", {}).get("name", "python")
    if language != "python":
        raise LoadError(f"{name} is a notebook of {language}, not Python; judge a notebook "
                        f"whose kernel is Python")
    sources = []
    for cell in cells:
        if not (isinstance(cell, dict) and cell.get("cell_type") == "code"):
            continue
        text = cell.get("source", cell.get("input", ""))
        if isinstance(text, list) and all(isinstance(t, str) for t in text):
            text = "".join(text)
        if not isinstance(text, str):
            raise LoadError(f"{name} cell {len(sources) + 1} has a source that is neither "
                            f"text nor a list of lines; " + FIX.format(name=name))
        sources.append(text)
    return sources


def history_cells(ip):
    """The raw sources of the cells run in an IPython session, in the order they ran (ip is
    what get_ipython() returns); cell k is then In [k]."""
    return [str(text) for text in ip.history_manager.input_hist_raw[1:]]


def _lines(text):
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _neutralised(lines):
    """The lines with IPython's line syntax made Python, each at its place."""
    out = []
    for line in lines:
        assigned = ASSIGNED.match(line)
        if assigned:
            line = f"{assigned[1]}{assigned[2]} = None"
        elif MAGIC.match(line) or HELP.match(line):
            line = line[:len(line) - len(line.lstrip())] + "pass"
        out.append(line)
    return out


def _python(text):
    """(Python text of a cell, why not): the text None when the cell is not run."""
    lines = _lines(text)
    while lines and lines[-1].strip() == "":
        lines.pop()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None, None  # empty: nothing to run, nothing to say
    magic = re.match(r"\s*%%(\w*)", lines[first])
    if magic:
        if magic[1] not in PYTHON_CELL_MAGICS:
            return None, f"is a %%{magic[1]} cell, not Python that the kernel runs,"
        lines[first] = "pass"
    for candidate in (lines, _neutralised(lines)):  # IPython's syntax only if Python fails
        source = "\n".join(candidate) + "\n"
        try:
            compile(source, "<cell>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            error = exc
            continue
        return source, None
    line = getattr(error, "lineno", None)
    newer = loader.newer_syntax(getattr(error, "text", None) or "")
    what = (f"needs Python {newer} or newer" if newer
            else getattr(error, "msg", None) or str(error))
    return None, f"is not valid Python ({f'line {line}: ' if line else ''}{what})"


class CellMap:
    """cell_of_line(n): (cell, line) of line n of the joint source, the cell counted from 1
    among the notebook's code cells and the line within it. .texts: each cell's Python text."""

    def __init__(self):
        self.starts = []  # the joint source's first line of each cell kept
        self.cells = []   # the cell's number there
        self.texts = {}   # cell number -> its Python text

    def add(self, number, text, start):
        self.starts.append(start)
        self.cells.append(number)
        self.texts[number] = text

    def __call__(self, lineno):
        at = max(bisect.bisect_right(self.starts, lineno) - 1, 0)
        return self.cells[at], lineno - self.starts[at] + 1


def to_source(cells, origin):
    """(source, cell_of_line, notices): the code cells' sources joined into one Python module,
    IPython's syntax neutralised line for line; cell_of_line maps a line of it to (cell,
    line in the cell); notices say which cells were dropped. origin names the notebook in them
    (`step10.ipynb`)."""
    parts, cell_of_line, notices = [], CellMap(), []
    start = 1
    for number, text in enumerate(cells, 1):
        python, why = _python(text)
        if python is None:
            if why:
                notices.append(f"{origin}: cell {number} {why} and was skipped")
            continue
        cell_of_line.add(number, python, start)
        parts.append(python)
        start += python.count("\n")
    return "".join(parts), cell_of_line, notices


class Cells(loader.Origin):
    """The lines of a notebook's joint source named by cell (loader.Origin's protocol); each
    cell's text is in linecache, so that tracebacks show its lines."""

    def __init__(self, path, cell_of_line):
        super().__init__(path)
        self.cell_of_line = cell_of_line
        for number, text in cell_of_line.texts.items():
            filename = self.cell_file(number)
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)

    def cell_file(self, number):
        return f"{self.path} cell {number}"

    def at(self, lineno):
        return "cell {} line {}".format(*self.cell_of_line(lineno))

    def listed(self, linenos):
        cells = list(dict.fromkeys(self.cell_of_line(n)[0] for n in linenos))
        return f"in cell{'s' if len(cells) > 1 else ''} " + ", ".join(map(str, cells))

    def filename(self, lineno):
        return self.cell_file(self.cell_of_line(lineno)[0])

    def runs(self):
        return f"a fresh kernel runs {self.name} (Restart & Run All)"

    def compiled(self, node, flags):
        cell, line = self.cell_of_line(node.lineno)
        shifted = ast.increment_lineno(copy.deepcopy(node), line - node.lineno)
        return compile(ast.Module(body=[shifted], type_ignores=[]), self.cell_file(cell),
                       "exec", flags=flags, dont_inherit=True)


def load(path, module):
    """Run the definitions of the notebook at path into module, as loader.load_file runs a
    .py file's; return what was skipped (its notices first say which cells were dropped)."""
    source, cell_of_line, notices = to_source(read_cells(path), os.path.basename(path))
    skipped = loader.load_source(source, path, module, origin=Cells(path, cell_of_line))
    skipped.before = notices + skipped.before
    return skipped
