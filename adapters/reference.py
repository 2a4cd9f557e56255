"""The kit's reference engine for stage 2 (reference/stage2.py), judged at step 24 with every
book name required (no stand-ins), by the book-API adapter."""
from adapters import book
from reference import stage2

globals().update(book.bind(stage2, "reference", step=24, standins=False))
NAME = "reference"
