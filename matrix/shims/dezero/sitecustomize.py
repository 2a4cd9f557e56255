"""Shim for dezero 0.0.13 on numpy >= 1.24, put on PYTHONPATH by tox's dezero env only.

dezero.transforms uses np.int at import; numpy 1.24 removed that alias of the builtin int
(Python 3.12+ has no numpy < 1.24). Restoring the alias gives dezero what older numpy gave
it, and changes nothing it computes. A no-op where numpy still has np.int.
"""
try:
    import numpy
except ImportError:
    numpy = None
if numpy is not None and "int" not in vars(numpy):
    numpy.int = int
