"""A judged engine as people and machines read it: a summary that fits on a screen (the
verdict step by step, then the first failure in full and the others in a line each), an
HTML table for Jupyter, JSON, and JUnit XML."""
import html
import json
import os
import textwrap
import xml.etree.ElementTree as ET

from dezero_conformance.judge import (
    ADAPTER_STEP,
    BAD,
    ERROR,
    FAILED,
    SKIPPED,
    XFAIL,
    XPASS,
    order_key,
)

WIDTH = 100  # columns of a line in the summary (a line is cut, never wrapped)
SHOWN = {FAILED: "FAIL", ERROR: "ERROR", XPASS: "UNEXPECTED PASS"}


def cut(text, width=WIDTH):
    return text if len(text) <= width else text[:width - 3] + "..."


def steps(result):
    """[(first step, last step, verdict, [records])]: runs of steps with the same verdict,
    failing steps one row each."""
    by_step = {}
    for record in result.records:
        by_step.setdefault(record.step or ADAPTER_STEP, []).append(record)
    rows = []
    for step in sorted(by_step):
        records = sorted(by_step[step], key=lambda r: order_key((r.id, 0)))
        bad = [r for r in records if r.failed or r.outcome == XPASS]
        verdict = ("FAIL" if bad else "skipped" if all(r.outcome == SKIPPED for r in records)
                   else "pass")
        if rows and verdict != "FAIL" and rows[-1][2] == verdict and step != ADAPTER_STEP:
            first, _, _, old = rows[-1]
            rows[-1] = (first, step, verdict, old + records)
        else:
            rows.append((step, step, verdict, records))
    return rows


def summary(result, verbose=False):
    """The report as text: the engine, the verdict per step, the failures (the first in
    full; all in full with verbose), and the counts."""
    out = textwrap.wrap(result.description, WIDTH, subsequent_indent="  ")
    out += [cut(f"  notice: {n}") for n in result.notices]
    out.append("")
    for first, last, verdict, records in steps(result):
        label = f"step {first}" if first == last else f"steps {first}-{last}"
        if first == ADAPTER_STEP:
            label = "the adapter"
        bad = [r for r in records if r.failed or r.outcome == XPASS]
        if bad:
            names = ", ".join(f"{r.id} {SHOWN[r.outcome]}" for r in bad)
            out.append(cut(f"  {label:<13} {verdict:<8} {names}: {bad[0].first_line()}"))
        else:
            xf = [r.id for r in records if r.outcome == XFAIL]
            tail = f" ({', '.join(xf)} expected to fail)" if xf else ""
            out.append(cut(f"  {label:<13} {verdict:<8} "
                           f"{' '.join(r.id for r in records)}{tail}"))
    out.append("")
    out += details(result, verbose)
    out.append(counts_line(result))
    return "\n".join(out) + "\n"


def counts_line(result):
    counts = result.counts()
    parts = [f"{counts[k]} {one if counts[k] == 1 else many}" for k, one, many in (
        ("pass", "passed", "passed"), (FAILED, "failed", "failed"), (ERROR, "error", "errors"),
        (SKIPPED, "skipped", "skipped"), (XFAIL, "expected failure", "expected failures"),
        (XPASS, "unexpected pass", "unexpected passes")) if counts.get(k)]
    verdict = "PASS" if result.ok else "FAIL" if result.records else "NOTHING RUN"
    stopped = "; stopped at the first failure (-x)" if result.stopped else ""
    return (f"{verdict}: {len(result.records)} clauses at step {result.step} in "
            f"{result.seconds:.1f} s: {', '.join(parts) or 'none run'}{stopped}")


def details(result, verbose=False):
    """The failures, simplest first: the first in full; each other one in a line, with the
    cause it shares with an earlier one where that is known (verbose: all in full)."""
    failures = [r for r in result.records if r.outcome in BAD + (XPASS,)]
    if not failures:
        return []
    first, rest = failures[0], failures[1:]
    out = [f"{first.id} (step {first.step}): {first.title}"]
    if verbose:
        for r in failures:
            if r is not first:
                out.append(f"{r.id} (step {r.step}): {r.title}")
            out += [textwrap.indent(trim(r.message), "  "), ""]
        return out
    out.append(textwrap.indent(trim(first.first_part()), "  "))
    if first.failed_parts > 1:
        out.append(f"  ... and {first.failed_parts - 1} more failing sub-case"
                   f"{'s' * (first.failed_parts > 2)} of {first.id} (-v shows them)")
    out.append("")
    if not rest:
        return out
    hand = [r for r in failures if not r.random]
    out.append(f"Also failing ({len(rest)}; fix {first.id} first and run again, they may share "
               f"its cause; -v shows each in full):")
    causes, lines = {}, {}
    for r in failures:
        if r.cause:
            causes.setdefault(r.cause, r.id)
        lines.setdefault(r.first_line(), r.id)
    for r in rest:
        if r.cause and causes[r.cause] != r.id:
            why = f"the same error as {causes[r.cause]} ({r.cause})"
        elif lines[r.first_line()] != r.id and r.first_line():
            why = f"the same as {lines[r.first_line()]}: {r.first_line()}"
        elif r.random and hand:
            why = (f"random graphs; {', '.join(h.id for h in hand[:3])} above fail too, and "
                   f"usually explain them")
        else:
            why = r.first_line()
        out.append(cut(f"  {r.id:<4} step {r.step:<3} {why}"))
    out.append("")
    return out


def trim(text):
    """A failure's text without the kit's own traceback frames (a clause's assertion is not
    where the bug is); the engine's frames, and the exception, stay."""
    from dezero_conformance import judge
    kit = judge.kit_dirs()
    out, skip_code = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if skip_code:
            skip_code = False
            if not stripped.startswith("File "):
                continue  # the code line under a dropped frame
        if stripped == "Traceback (most recent call last):":
            continue
        frame = judge.FRAME.match(stripped)
        if frame and os.path.abspath(frame.group(1)).startswith(kit):
            skip_code = True
            continue
        out.append(line)
    return "\n".join(out)


def to_json(result, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result.to_dict(), f, indent=1)
        f.write("\n")


def to_junit(result, path):
    """JUnit XML (the schema CI systems read: testsuites/testsuite/testcase)."""
    counts = result.counts()
    suite = ET.Element("testsuite", {
        "name": "dezero-conformance", "tests": str(len(result.records)),
        "failures": str(counts.get(FAILED, 0) + counts.get(XPASS, 0)),
        "errors": str(counts.get(ERROR, 0)),
        "skipped": str(counts.get(SKIPPED, 0) + counts.get(XFAIL, 0)),
        "time": f"{result.seconds:.3f}"})
    props = ET.SubElement(suite, "properties")
    for name, value in (("engine", result.engine), ("step", result.step),
                        ("seed", result.seed), ("description", result.description)):
        ET.SubElement(props, "property", {"name": name, "value": str(value)})
    for r in result.records:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"dezero_conformance.step{r.step:02d}", "name": f"{r.id} {r.title}",
            "time": f"{r.seconds:.3f}"})
        if r.outcome in BAD or r.outcome == XPASS:
            kind = "error" if r.outcome == ERROR else "failure"
            ET.SubElement(case, kind, {"message": r.first_line() or r.outcome}).text = r.message
        elif r.outcome in (SKIPPED, XFAIL):
            ET.SubElement(case, "skipped", {"message": cut(
                r.message if r.outcome == SKIPPED else f"expected failure: {r.expected}",
                500)})
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


COLOURS = {"pass": "#1a7f37", "FAIL": "#cf222e", "skipped": "#6e7781"}


def to_html(result):
    """The summary as an HTML table (Jupyter), the failures' messages folded under it."""
    esc = html.escape
    rows = []
    for first, last, verdict, records in steps(result):
        label = ("adapter" if first == ADAPTER_STEP else str(first) if first == last
                 else f"{first}-{last}")
        ids = " ".join(r.id for r in records)
        bad = [r for r in records if r.failed or r.outcome == XPASS]
        why = esc(bad[0].first_line()) if bad else ""
        rows.append(f"<tr><td>{label}</td><td style='color:{COLOURS[verdict]};"
                    f"font-weight:bold'>{verdict}</td><td>{esc(ids)}</td><td>{why}</td></tr>")
    fails = "".join(
        f"<details><summary><b>{esc(r.id)}</b> (step {r.step}): {esc(r.title)}</summary>"
        f"<pre>{esc(r.message)}</pre></details>" for r in result.records
        if r.outcome in BAD + (XPASS,))
    notices = "".join(f"<li>{esc(n)}</li>" for n in result.notices)
    return (f"<div><p><b>{'PASS' if result.ok else 'FAIL'}</b>: {esc(result.engine)}<br>"
            f"<small>{esc(result.description)}</small></p>"
            + (f"<ul><small>{notices}</small></ul>" if notices else "")
            + "<table><tr><th>step</th><th>verdict</th><th>clauses</th><th>first failure"
              "</th></tr>" + "".join(rows) + "</table>" + fails
            + f"<p><small>{esc(counts_line(result))}</small></p></div>")
