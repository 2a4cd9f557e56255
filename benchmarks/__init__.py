"""Benchmarks of the reference engine: ratios measured side by side in one run, never timed
unit tests. `python -m benchmarks` runs them all; see benchmarks/__main__.py."""
import os
import platform


def machine():
    """The CPU, its count, and the Python and numpy versions, for a benchmark's first line."""
    import numpy as np
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, "
            f"numpy {np.__version__}")
