"""The kit's reference engine (package `reference`), bound by the book-API adapter."""
import reference
from adapters import book

globals().update(book.bind(reference, "reference"))
NAME = "reference"
