"""Stage 2 clauses: book steps 11-24 (S17-S31)."""
