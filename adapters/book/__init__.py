"""Reading code written to the book's API: a learner's step file, the book's own step files
and its `dezero` package.

manifest  what the book's code has at each step (data)
loader    a file's definitions without its demo code, and one-line load failures
binding   the adapter names bound to such a module, judged at a book step
"""
from dezero_conformance.adapters.book.binding import (
    LAST_STEP,
    STEP_VAR,
    adapt,
    bind,
    infer_step,
    step_from_env,
)

__all__ = ["LAST_STEP", "STEP_VAR", "adapt", "bind", "infer_step", "step_from_env"]
