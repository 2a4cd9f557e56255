"""matrix/results.md from the merged results."""
from matrix.check import headline, order

CELL = {"pass": "pass", "skip": "skip", "fail": "**FAIL**", "error": "**ERROR**"}
EXPECTED_CELL = {"fail": "xfail", "error": "xerror"}


def verdict(rec):
    if rec["unexpected"]:
        return f"{len(rec['unexpected'])} unexpected: {', '.join(rec['unexpected'])}"
    return "as expected"


def cell(clause, c):
    if c["status"] in EXPECTED_CELL and c.get("expected") is not None:
        return EXPECTED_CELL[c["status"]]
    if c["status"] == "pass" and c.get("message"):
        return "pass*"  # passed what applies; the parts skipped are listed below
    return CELL[c["status"]]


def clause_ids(results):
    ids = set()
    for rec in results["engines"].values():
        ids |= set(rec.get("clauses", {}))
    return sorted(ids, key=order)


def md(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(results):
    engines = results["engines"]
    ran = [e for e in sorted(engines) if "clauses" in engines[e]]
    not_run = [e for e in sorted(engines) if "clauses" not in engines[e]]
    ids = clause_ids(results)
    out = ["# Cross-engine conformance matrix", "",
           "Written by `python -m matrix` (see matrix/FINDINGS.md for what each failure is). "
           "`pass`; `pass*`: passed the parts that apply, others skipped (listed below); "
           "`skip`: the adapter declares a capability absent (reason below); "
           "`xfail`/`xerror`: a failure listed in matrix/expected/ENGINE.txt; "
           "**FAIL**/**ERROR**: a failure nobody has explained.", "",
           "| engine | version | Python | numpy | " + " | ".join(ids) + " | verdict |",
           "|---|---|---|---|" + "---|" * len(ids) + "---|"]
    for e in ran:
        rec = engines[e]
        cells = [cell(c, rec["clauses"][c]) if c in rec["clauses"] else "" for c in ids]
        out.append(f"| {e} | {md(rec['version'])} | {rec['python']} | {rec['numpy']} | "
                   + " | ".join(cells) + f" | {md(verdict(rec))} |")
    if not_run:
        out += ["", "## Not run", ""]
        out += [f"- **{e}**: {md(engines[e]['not_run'])}" for e in not_run]
    out += ["", "## Per engine", ""]
    for e in ran:
        rec = engines[e]
        out += [f"### {e} {md(rec['version'])}", "",
                f"Run {rec['date']} on Python {rec['python']}, numpy {rec['numpy']}.", ""]
        for clause, c in rec["clauses"].items():
            if c["status"] in ("fail", "error"):
                why = f"expected: {c['expected']}" if c.get("expected") else "UNEXPECTED"
                out.append(f"- {clause} {c['status']} ({md(why)}): "
                           f"`{md(headline(clause, c['message']))}`")
        partial = [f"{clause}" for clause, c in rec["clauses"].items()
                   if c["status"] == "pass" and c.get("message")]
        if partial:
            out.append(f"- passed in part (the rest needs an absent capability): "
                       f"{', '.join(partial)}")
        for clause, why in rec["unexpected"].items():
            if rec["clauses"][clause]["status"] not in ("fail", "error"):
                out.append(f"- {clause} {md(why)}")
        if rec["absent"]:
            out.append("- capabilities absent: " + "; ".join(
                f"`{cap}` ({md(reason)})" for cap, reason in sorted(rec["absent"].items())))
        out.append("")
    return "\n".join(out)
