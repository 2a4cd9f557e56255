"""tox's inline plugin: makes pyenv's interpreters visible to tox, so `python -m tox` tests
every Python in envlist that pyenv has, whether or not its versions are on PATH. Those it
still cannot find fail the run (tox.ini: skip_missing_interpreters = false)."""
import glob
import os
import subprocess

from tox.plugin import impl


def pyenv_bins():
    """The bin folder of every version pyenv has installed, or none without pyenv."""
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            root = os.path.expanduser("~/.pyenv")
    return sorted(glob.glob(os.path.join(root or os.path.expanduser("~/.pyenv"),
                                         "versions", "*", "bin")))


@impl
def tox_add_core_config(core_conf, state):
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join(path + [b for b in pyenv_bins() if b not in path])
