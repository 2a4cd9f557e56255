"""Stage 1 clauses: book steps 1-10 (S1-S16)."""
