"""The default report, for people: each finding as ``file:line:col: RULE severity  message``, then
its decision chain as indented lines, then a summary.

- The message says who cannot do what and which layer says no; it is wrapped to the terminal's
  width (100 columns when the output is not a terminal), continuation lines indented.
- Beneath it, the chain: one line per statement that decided, in AWS's order of evaluation
  (``allow  identity-policy  Enumerate of IndexerRole.crawl-articles  template.yaml:35``). The
  first line keeps ``file:line:col:`` first, so editors' problem matchers and ``grep`` still read it.
- Findings are grouped by file, a blank line between files. ``-v`` adds the request, the unit, the
  whole evaluation trace (layers that answered "unknown" too) and the draft fix; a draft identical
  to one already printed is not printed twice.
- The summary counts findings by severity and by kind, and names the files, the deployment units,
  the notes about values left open and the time.
- Colour only on a terminal, never with NO_COLOR (decided by the command: ``Report.color``).

Everything taken from the sources is shown with its control characters escaped, and no line can
be read as a CI workflow command (:mod:`why403.report.escape`): this report is what a CI log shows.
"""

from __future__ import annotations

import os
import textwrap

from why403.model import symbols
from why403.model.finding import Finding, Step
from why403.report.base import Report, summary_line
from why403.report.escape import defuse_text, printable, printable_lines

_COLOURS = {"error": "31;1", "warning": "33;1", "note": "36", "dim": "2", "ok": "32;1", "bold": "1"}
MESSAGE_INDENT = "    "
CHAIN_INDENT = "      "
_MIN_WIDTH = 60


def render(report: Report) -> str:
    out: list[str] = []
    paint = _Paint(report.color)
    width = max(report.width, _MIN_WIDTH)
    shown = report.with_parse_errors if report.verbose else report.active
    previous_file: str | None = None
    drafts: dict[str, str] = {}
    for finding in shown:
        file = printable(report.rel(finding.location.file)) if finding.location else ""
        if previous_file is not None and file != previous_file:
            out.append("")
        previous_file = file
        out.extend(_head(finding, file, report, paint, width))
        out.extend(_chain(finding, report, paint, width))
        if report.verbose:
            out.extend(_details(finding, report, paint, drafts))
    if shown:
        out.append("")
    out.extend(_stale(report))
    summary = summary_line(report)
    if not report.verbose and any(f.suggestion for f in report.active):
        summary += "; -v shows the draft fixes"
    out.append(paint("error" if report.failed else "ok", summary) if report.color else summary)
    return defuse_text("\n".join(out)) + "\n"


_STALE_SHOWN = 10


def _stale(report: Report) -> list[str]:
    """The baseline file's entries no longer found: fixed, or changed beyond recognition."""
    if report.baseline is None or not report.baseline.stale:
        return []
    stale = report.baseline.stale
    out = [f"{printable(report.baseline.path)}: {len(stale)} stale {'entry' if len(stale) == 1 else 'entries'} "
           "(no longer found; --write-baseline writes the file again without them):"]
    out.extend(f"  {printable(e.file)}: {e.rule} {e.fingerprint[:12]}  {_readable(e.message)}"
               for e in stale[:_STALE_SHOWN])
    if len(stale) > _STALE_SHOWN:
        out.append(f"  and {len(stale) - _STALE_SHOWN} more (--format json lists them all)")
    return [*out, ""]


def _readable(text: str) -> str:
    """Source text as people read it: a value left open as ``<label>``, never as a token, and every
    character a terminal would act on escaped."""
    return printable(symbols.render(text) if symbols.has_token(text) else text)


def _head(finding: Finding, file: str, report: Report, paint: _Paint, width: int) -> list[str]:
    """The finding's first line and its message's continuation lines."""
    loc = finding.location
    where = f"{file}:{loc.line or 1}:{loc.column or 1}" if loc and file else "<run>"
    prefix = f"{where}: {finding.rule} {finding.severity}  "
    message = _readable(finding.message) + _unit(finding, report)
    if finding.suppressed is not None:
        message += f"  [suppressed: {_readable(finding.suppressed.reason)}]"
    # the prefix is never broken: 'file:line:col: RULE severity' stays on the first line, however long
    lines = textwrap.wrap(message, width=width, initial_indent=prefix, subsequent_indent=MESSAGE_INDENT,
                          break_long_words=False, break_on_hyphens=False) or [prefix.rstrip()]
    # colour after wrapping, so that escape sequences never count toward the width
    lines[0] = lines[0].replace(f"{finding.rule} {finding.severity}",
                                f"{paint('bold', finding.rule)} {paint(finding.severity, finding.severity)}", 1)
    return lines


def _chain_steps(finding: Finding, verbose: bool) -> list[Step]:
    """The steps shown: by default those with a statement to look at, and the deciding layer's last
    answer even without one (``no identity-based policy allows it``); with ``-v`` every step."""
    if verbose:
        return list(finding.chain)
    steps = [s for s in finding.chain if s.location is not None]
    deciding = [s for s in finding.chain if s.layer == finding.layer and s.outcome not in ("allow", "unknown")]
    if deciding and deciding[-1] not in steps:
        steps.append(deciding[-1])
    return [s for s in finding.chain if s in steps]


def _chain(finding: Finding, report: Report, paint: _Paint, width: int) -> list[str]:
    steps = _chain_steps(finding, bool(report.verbose))
    if not steps:
        return []
    outcome_w = max(len(s.outcome) for s in steps)
    layer_w = max(len(s.layer) for s in steps)
    lines: list[str] = []
    for step in steps:
        head = f"{CHAIN_INDENT}{step.outcome:<{outcome_w}}  {step.layer:<{layer_w}}  "
        where = f" ({printable(report.rel(step.location.file))}:{step.location.line or 1})" if step.location else ""
        text = head + _readable(step.what) + where
        wrapped = textwrap.wrap(text, width=width, subsequent_indent=" " * len(head), break_long_words=False,
                                break_on_hyphens=False) or [head.rstrip()]
        lines.extend(paint("dim", row) if step.location is None else row for row in wrapped)
    return lines


def _unit(finding: Finding, report: Report) -> str:
    """`` [unit envs/prod]`` after a finding in a file outside its unit's folder (a module shared
    by several roots): which deployment the defect is in."""
    unit, loc = finding.unit, finding.location
    if not unit or loc is None or report.stats.units < 2:
        return ""
    folder = unit if not unit.endswith((".json", ".yaml", ".yml", ".template")) else os.path.dirname(unit)
    inside = os.path.abspath(loc.file).startswith(os.path.abspath(folder).rstrip(os.sep) + os.sep)
    return "" if inside or loc.file == unit else f"  [unit {printable(report.rel(unit))}]"


def _details(finding: Finding, report: Report, paint: _Paint, drafts: dict[str, str]) -> list[str]:
    """What ``-v`` adds: the request, the unit, the trace, other places, the draft fix."""
    lines: list[str] = []
    if finding.unit and report.stats.units > 1:
        lines.append(f"{CHAIN_INDENT}unit: {printable(report.rel(finding.unit))}")
    access = finding.access
    if access is not None:
        ref = access.principal_ref
        who = access.principal + (f" ({ref})" if ref and ref != access.principal else "")
        call = ", ".join(access.all_actions) + (f" -> {access.kms_action}" if access.kms_action else "")
        via = f" via {access.via}" if access.via else ""
        lines.append(f"{CHAIN_INDENT}access: {_readable(f'{who} {call} on {access.resource}{via}')}")
    if finding.layer:
        denial = f" ({finding.denial} deny)" if finding.denial else ""
        lines.append(f"{CHAIN_INDENT}decided by: {printable(finding.layer + denial)}")
    if not finding.chain:  # the chain above is the trace, with places; a finding without one shows its lines
        for step in finding.trace:
            lines.extend(paint("dim", f"{CHAIN_INDENT}| {row}") for row in printable_lines(symbols.render(step)))
    chained = {s.location for s in finding.chain}
    for loc in finding.related:
        if loc not in chained and loc != finding.location:
            lines.append(f"{CHAIN_INDENT}see also: {printable(report.rel(loc.file))}:{loc.line or 1}")
    if finding.suggestion:
        at = finding.location
        here = f"{printable(report.rel(at.file))}:{at.line or 1}" if at else "this finding"
        if finding.suggestion in drafts:
            lines.append(f"{CHAIN_INDENT}draft fix: the same as for {drafts[finding.suggestion]} above")
        else:
            drafts[finding.suggestion] = here
            lines.append(f"{CHAIN_INDENT}draft fix:")
            lines.extend(f"{CHAIN_INDENT}  {row}" for row in printable_lines(symbols.render(finding.suggestion)))
    return lines


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        code = _COLOURS.get(style)
        if not self.enabled or code is None:
            return text
        return f"\x1b[{code}m{text}\x1b[0m"
