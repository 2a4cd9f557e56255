"""python -m dezero_conformance: the dezero-conformance command (cli.py)."""
import sys

from dezero_conformance.cli import main

sys.exit(main())
