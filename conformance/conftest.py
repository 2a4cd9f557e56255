"""pytest in a checkout (`pytest conformance`): the kit's plugin, unless pytest has loaded it
already through its entry point (the kit installed). unittest never imports this file."""
import sys

pytest_plugins = ([] if "dezero_conformance.pytest_plugin" in sys.modules
                  else ["dezero_conformance.pytest_plugin"])
