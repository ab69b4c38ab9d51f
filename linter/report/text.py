"""The default report: one line per finding, ``file:line:col: RULE severity message``.

Findings are grouped by file (a blank line between files) so that a terminal, an editor's
problem matcher and ``grep`` all read it. With ``-v`` each finding is followed by the evaluation
trace, the other statements that took part and the suggested fix. A closing summary line counts
findings by severity and says how many were suppressed.

Everything taken from the sources is shown with its control characters escaped, and no line can
be read as a CI workflow command (:mod:`why403.report.escape`): this report is what a CI log shows.
"""

from __future__ import annotations

import os

from why403.model.finding import Finding
from why403.report.base import Report, summary_line
from why403.report.escape import defuse_text, printable, printable_lines

_COLOURS = {"error": "31;1", "warning": "33;1", "note": "36", "dim": "2", "ok": "32;1", "bold": "1"}


def render(report: Report) -> str:
    out: list[str] = []
    paint = _Paint(report.color)
    shown = report.with_parse_errors if report.verbose else report.active
    previous_file: str | None = None
    for finding in shown:
        file = printable(report.rel(finding.location.file)) if finding.location else ""
        if previous_file is not None and file != previous_file:
            out.append("")
        previous_file = file
        out.append(_line(finding, file, paint) + _unit(finding, report))
        if report.verbose:
            out.extend(_details(finding, report, paint))
    if shown:
        out.append("")
    summary = summary_line(report)
    out.append(paint("error" if report.failed else "ok", summary) if report.color else summary)
    return defuse_text("\n".join(out)) + "\n"


def _line(finding: Finding, file: str, paint: _Paint) -> str:
    loc = finding.location
    where = f"{file}:{loc.line or 1}:{loc.column or 1}" if loc and file else "<run>"
    severity = paint(finding.severity, finding.severity)
    text = f"{where}: {paint('bold', finding.rule)} {severity}  {printable(finding.message)}"
    if finding.suppressed is not None:
        text += paint("dim", f"  [suppressed: {printable(finding.suppressed.reason)}]")
    return text


def _unit(finding: Finding, report: Report) -> str:
    """`` [unit envs/prod]`` after a finding in a file outside its unit's folder (a module shared
    by several roots): which deployment the defect is in."""
    unit, loc = finding.unit, finding.location
    if not unit or loc is None or report.stats.units < 2:
        return ""
    folder = unit if not unit.endswith((".json", ".yaml", ".yml", ".template")) else os.path.dirname(unit)
    inside = os.path.abspath(loc.file).startswith(os.path.abspath(folder).rstrip(os.sep) + os.sep)
    return "" if inside or loc.file == unit else f"  [unit {printable(report.rel(unit))}]"


def _details(finding: Finding, report: Report, paint: _Paint) -> list[str]:
    lines: list[str] = []
    if finding.unit and report.stats.units > 1:
        lines.append(f"    unit: {printable(report.rel(finding.unit))}")
    access = finding.access
    if access is not None:
        ref = access.principal_ref
        who = access.principal + (f" ({ref})" if ref and ref != access.principal else "")
        call = access.action + (f" -> {access.kms_action}" if access.kms_action else "")
        via = f" via {access.via}" if access.via else ""
        lines.append(f"    access: {printable(f'{who} {call} on {access.resource}{via}')}")
    if finding.layer:
        denial = f" ({finding.denial} deny)" if finding.denial else ""
        lines.append(f"    decided by: {printable(finding.layer + denial)}")
    for step in finding.trace:
        lines.extend(paint("dim", f"    | {row}") for row in printable_lines(step))
    for loc in finding.related:
        lines.append(f"    see also: {printable(report.rel(loc.file))}:{loc.line or 1}")
    if finding.suggestion:
        lines.append("    suggestion:")
        lines.extend(f"      {row}" for row in printable_lines(finding.suggestion))
    return lines


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        code = _COLOURS.get(style)
        if not self.enabled or code is None:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"

