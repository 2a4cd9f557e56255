"""The README and docs/: links that resolve, commands that still run, a README that stays
short."""
import glob
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import unittest

from tests import thorough

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
PAGES = [README] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [
    os.path.join(ROOT, "matrix", "FINDINGS.md")]
README_LINES = 200  # issue 24: a learner reads it in two minutes
# Programs the README names that a test does not run (they install, or run the kit's tests):
# each is checked to exist instead.
NOT_RUN = {"pip", "tox", "pytest"}
OUTSIDE = {"pip", "tox", "pytest", "venv"}  # `python -m` modules that are other projects'


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def prose(text):
    """The text without fenced code blocks and inline code, where links are not links."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    return {slug(m) for m in re.findall(r"^#+ (.+)$", prose(read(path)), re.M)}


def commands(text):
    """The commands of the ```sh blocks: (environment, argv), split at `&&`, comments
    dropped, continuation lines joined."""
    found = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in re.split(r"\s&&\s", re.sub(r"\s+#.*$", "", line)):
                words = shlex.split(part)
                env = {}
                while words and re.match(r"^[A-Z_]+=", words[0]):
                    name, value = words.pop(0).split("=", 1)
                    env[name] = value
                if words:
                    found.append((env, words))
    return found


class TestLinks(unittest.TestCase):

    def test_every_relative_link_resolves(self):
        for page in PAGES:
            for target in re.findall(r"\]\(([^)\s]+)\)", prose(read(page))):
                if re.match(r"^[a-z]+:", target):
                    continue
                with self.subTest(page=os.path.relpath(page, ROOT), link=target):
                    path, _, anchor = target.partition("#")
                    path = os.path.normpath(os.path.join(os.path.dirname(page), path)) \
                        if path else page
                    self.assertTrue(os.path.exists(path), f"{target}: no such file")
                    if anchor:
                        self.assertIn(anchor, anchors(path), f"{target}: no such heading")

    def test_every_page_is_linked_from_the_readme(self):
        linked = set(re.findall(r"\]\(docs/([\w-]+\.md)", read(README)))
        for page in glob.glob(os.path.join(ROOT, "docs", "*.md")):
            with self.subTest(page=os.path.basename(page)):
                self.assertIn(os.path.basename(page), linked)


class TestReadme(unittest.TestCase):

    def test_it_fits_on_a_few_screens(self):
        self.assertLessEqual(len(read(README).splitlines()), README_LINES)

    def test_the_matrix_summary_has_a_row_per_engine_that_ran(self):
        with open(os.path.join(ROOT, "matrix", "results.json"), encoding="utf-8") as f:
            ran = [e for e, rec in json.load(f)["engines"].items() if "clauses" in rec]
        block = read(README).split("<!-- matrix-summary:begin -->")[1].split(
            "<!-- matrix-summary:end -->")[0]
        self.assertEqual(sorted(re.findall(r"^\| (\w+) \|", block, re.M)[1:]), sorted(ran))

    def test_every_python_module_the_pages_name_exists(self):
        for page in PAGES:
            for module in set(re.findall(r"python -m ([\w.]+)", read(page))):
                if module.split(".")[0] in OUTSIDE:
                    continue
                with self.subTest(page=os.path.relpath(page, ROOT), module=module):
                    self.assertIsNotNone(self._spec(module), f"python -m {module}: no module")

    @staticmethod
    def _spec(name):
        sys.path.insert(0, ROOT)
        try:
            return importlib.util.find_spec(name)
        except ModuleNotFoundError:
            return None
        finally:
            sys.path.remove(ROOT)

    @thorough
    def test_the_readmes_commands_run(self):
        """Each command of the README's shell blocks runs as written (a step file's
        placeholder path replaced by a book-style engine of that step), or, for those that
        install or run the kit's own tests, names what exists."""
        found = commands(read(README))
        self.assertGreaterEqual(len(found), 5, found)
        for env, argv in found:
            with self.subTest(command=" ".join(f"{k}={v}" for k, v in env.items()) + " "
                              + " ".join(argv)):
                self.assertIn(argv[0], ("python", "dezero-conformance"),
                              "commands start with `python` or the kit's command")
                if argv[0] == "dezero-conformance":
                    self._run(env, ["python", "-m", "dezero_conformance", *argv[1:]])
                    continue
                module = argv[2] if argv[1:2] == ["-m"] else None
                if module in NOT_RUN:
                    self._exists(module, argv[3:])
                    continue
                self._run(env, argv)

    def _exists(self, module, args):
        if module == "tox":
            envs = [a for i, a in enumerate(args) if i and args[i - 1] == "-e"]
            for env in ",".join(envs).split(",") if envs else []:
                self.assertRegex(read(os.path.join(ROOT, "tox.ini")),
                                 rf"(?m)^\[testenv:{re.escape(env)}\]|^envlist.*\b{env}\b")
        elif module == "pip":
            self.assertEqual(args[0], "install")
            if "." in args:  # the checkout itself
                self.assertTrue(os.path.isfile(os.path.join(ROOT, "setup.py")))
        else:  # pytest over the kit's tests
            self.assertTrue(os.path.isdir(os.path.join(ROOT, args[-1])), args)

    def _run(self, env, argv):
        engine = env.get("CONFORMANCE_ENGINE", "")
        placeholder = re.fullmatch(r"path/to/step(\d+)\.py", engine)
        if placeholder:
            source = os.path.join(ROOT, "tests", "engines",
                                  f"step{int(placeholder[1]):02d}_book.py")
            self.assertTrue(os.path.isfile(source), f"no book-style engine for {engine}")
            env = dict(env, CONFORMANCE_ENGINE=source)
        argv = [self._book_style(a) if re.fullmatch(r"step\d+\.py", a) else a for a in argv]
        result = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, capture_output=True,
                                text=True, timeout=600,
                                env=dict(os.environ, PYTHONPATH=ROOT, **env))
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-3000:])
        if argv[2] == "dezero_conformance":
            self.assertRegex(result.stdout, r"\nPASS: \d+ clauses at step \d+ ")
        else:
            self.assertRegex(result.stderr, r"\nOK\b")

    def _book_style(self, name):
        """A step file named in a command: the book-style engine of that step."""
        source = os.path.join(ROOT, "tests", "engines", f"step{int(name[4:-3]):02d}_book.py")
        self.assertTrue(os.path.isfile(source), f"no book-style engine for {name}")
        return source


if __name__ == "__main__":
    unittest.main()
