"""Random computation graphs (clauses S44, S45): every engine's operations, combined in ways no
hand-written clause thought of, against the kit's own oracle (conformance/fuzz/)."""
