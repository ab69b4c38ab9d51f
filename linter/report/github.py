"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff.

``::error file=F,line=L,endLine=E,col=C,title=RULE::message``; notes become ``::notice``.
Useful where code scanning (SARIF upload) is not available; suppressed findings are not shown.

Source text reaches the runner only inside the data and properties of our own commands, escaped as
the runner unescapes them (``%``, CR, LF; and ``:`` ``,`` in properties), with control characters
shown and the legacy ``##[`` command prefix broken (:mod:`why403.report.escape`): every line this
format prints starts with a command or the summary, never with text from the sources.
"""

from __future__ import annotations

from why403.model.finding import Finding
from why403.report.base import Report, summary_line
from why403.report.escape import workflow_text

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def render(report: Report) -> str:
    lines = [_annotation(f, report) for f in report.active]
    lines.append(f"why403: {summary_line(report)}")
    return "\n".join(lines) + "\n"


def _annotation(finding: Finding, report: Report) -> str:
    props: list[tuple[str, str]] = []
    loc = finding.location
    if loc is not None and loc.file:
        props.append(("file", report.rel(loc.file)))
        if loc.line:
            props.append(("line", str(loc.line)))
            if loc.end_line and loc.end_line >= loc.line:
                props.append(("endLine", str(loc.end_line)))
        if loc.column:
            props.append(("col", str(loc.column)))
    props.append(("title", f"{finding.rule} ({finding.kind})"))
    message = finding.message
    if finding.trace:
        message += "\n" + "\n".join(finding.trace)
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in props)
    return f"::{_COMMAND[finding.severity]} {joined}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return workflow_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
