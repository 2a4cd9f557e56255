"""python -m conformance.worker RESULT_FD CRASH_FD: runs clause bodies for isolation.py.

Reads one JSON request a line from stdin ({"module", "group", "method"}), runs that clause
body on the engine named by CONFORMANCE_ENGINE, and writes its events as JSON lines to
RESULT_FD, ending with {"kind": "done"}. A fatal signal's Python traceback goes to CRASH_FD.
"""
import faulthandler
import importlib
import json
import os
import sys
import unittest


def main(result_fd, crash_fd):
    out = os.fdopen(result_fd, "w", buffering=1)
    faulthandler.enable(file=os.fdopen(crash_fd, "w"), all_threads=False)
    from conformance import isolation, support
    engine = support.load_engine()

    def emit(event):
        out.write(json.dumps(event) + "\n")

    for line in sys.stdin:
        request = json.loads(line)
        module = importlib.import_module(f"conformance.{request['module']}")
        group = getattr(module, request["group"])
        bound = type(group.__name__, (group, unittest.TestCase), {"engine": engine})
        isolation.record(bound(request["method"]), request["method"], emit)
        emit({"kind": "done"})


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
