"""python -m tests.broken [NAME]: list the mutants, or print one's source."""
import sys

from tests.broken import BY_NAME, MUTANTS, UNRULY

if len(sys.argv) < 2:
    for m in MUTANTS:
        print(f"{m.name:28} breaks "
              f"{', '.join(sorted(m.breaks, key=lambda c: (c[0], int(c[1:]))))}: {m.why}")
    for m in UNRULY:
        print(f"{m.name:28} breaks nothing, misbehaves: {m.why}")
elif sys.argv[1] in BY_NAME:
    sys.stdout.write(BY_NAME[sys.argv[1]].source())
else:
    sys.exit(f"no mutant {sys.argv[1]!r}; run `python -m tests.broken` to list them")
