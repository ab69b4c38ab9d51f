"""What every report format shares: the run's findings as reports see them, and small helpers.

Renderers are pure functions from a :class:`Report` to text, so that the CLI, the cfn-lint
plugin and tests can all use them; none of them prints or writes a file.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from why403.model.finding import SEVERITY_ORDER, Finding, InputError, Kind, Severity, Stats
from why403.model.location import Location

if TYPE_CHECKING:
    from why403.report.baselinefile import BaselineUse

# Most severe first: the order of summaries, of fail levels and of what a config may set.
SEVERITIES = cast("tuple[Severity, ...]", tuple(sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__, reverse=True)))
FailLevel = Literal["error", "warning", "note", "never"]
FAIL_LEVELS: tuple[FailLevel, ...] = (*SEVERITIES, "never")
PARSE_ERROR_RULE = "W403-E001"
SUPPRESSION_RULE = "W403-E002"


@dataclass(frozen=True)
class Report:
    """One run, ready to render.

    ``findings`` holds every finding in deterministic order, suppressed ones included (with
    ``suppressed`` set) and the notes about suppressions; parse errors stay in ``errors`` and
    each format decides how to show them (``W403-E001`` findings in text and SARIF, ``errors``
    in JSON, per the output contract).
    """

    findings: tuple[Finding, ...] = ()
    errors: tuple[InputError, ...] = ()
    stats: Stats = field(default_factory=Stats)
    files: tuple[str, ...] = ()
    cwd: str = "."
    # The repository the checked paths are in (SARIF locations are relative to it); None: ``cwd``.
    root: str | None = None
    fail_level: FailLevel = "warning"
    verbose: int = 0
    color: bool = False
    show_parse_errors: bool = True  # False when W403-E001 is ignored/not selected
    # Where the rule pages (docs/rules/<ID>.md) are published: SARIF's helpUri. None: not published.
    docs_url: str | None = None
    # Columns the text report wraps to: the terminal's width, or 100 when the output is not one.
    width: int = 100
    # What a baseline file (--baseline-file) left out and which of its entries are stale.
    baseline: BaselineUse | None = None

    def rel(self, path: str) -> str:
        return relative(path, self.cwd)

    @property
    def root_dir(self) -> Path:
        """The repository root (SARIF's %SRCROOT%: code scanning resolves locations against the
        checkout's root, wherever in it the check ran), or the working directory outside one."""
        return Path(self.root or self.cwd).resolve()

    def from_root(self, file: str) -> str | None:
        """``file`` relative to :attr:`root_dir` (forward slashes), or None when it is outside it."""
        joined = os.path.join(self.cwd, file)
        absolute = Path(os.path.realpath(os.path.dirname(joined)), os.path.basename(joined))
        root = self.root_dir
        if root in absolute.parents:
            return absolute.relative_to(root).as_posix()
        return None

    def fingerprint(self, finding: Finding) -> str:
        """The finding's fingerprint with its file named from the repository root: the same in JSON
        and SARIF, whichever folder of the repository the check ran in, and when lines move."""
        loc = finding.location
        relative = self.from_root(loc.file) if loc is not None else None
        if loc is None or relative is None:
            return finding.fingerprint
        return replace(finding, location=replace(loc, file=relative)).fingerprint

    # Reports ask these several times; a Report is frozen, so each is computed once.
    @cached_property
    def active(self) -> tuple[Finding, ...]:
        """Findings that count: not suppressed, parse errors included as W403-E001."""
        return tuple(f for f in self.with_parse_errors if f.suppressed is None)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is not None)

    @cached_property
    def with_parse_errors(self) -> tuple[Finding, ...]:
        """All findings plus one W403-E001 finding per input error, sorted."""
        extra = parse_error_findings(self.errors) if self.show_parse_errors else ()
        return tuple(sorted((*self.findings, *extra), key=Finding.sort_key))

    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.active)

    @property
    def failed(self) -> bool:
        return fails(self.active, self.fail_level)


def relative(path: str, cwd: str | None = None) -> str:
    """``path`` relative to ``cwd`` (default: the working directory) with forward slashes: the
    contract's ``location.file``, and how every message names a file the user gave."""
    if not path:
        return path
    cwd = os.getcwd() if cwd is None else cwd
    absolute = os.path.abspath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(absolute, os.path.abspath(cwd))
    except ValueError:  # another drive on Windows
        rel = absolute
    return rel.replace(os.sep, "/")


def at_or_above(severity: Severity, level: FailLevel) -> bool:
    if level == "never":
        return False
    return SEVERITY_ORDER[severity] >= SEVERITY_ORDER[level]


def fails(findings: tuple[Finding, ...], level: FailLevel) -> bool:
    return any(f.suppressed is None and at_or_above(f.severity, level) for f in findings)


def parse_error_findings(errors: tuple[InputError, ...]) -> tuple[Finding, ...]:
    """Each file that could not be read as a ``W403-E001`` finding (text and SARIF show these)."""
    return tuple(
        Finding(
            rule=PARSE_ERROR_RULE,
            kind="source",
            severity="error",
            message=error.message,
            location=Location(error.file, error.line or 0),
            identity=(error.file, error.message),
        )
        for error in errors
    )


KINDS: tuple[Kind, ...] = ("denied", "broad-allow", "lockout", "new-access", "source")
UNKNOWN_RULES = ("W403-E003", "W403-U001")  # notes about values the sources leave open


def summary_line(report: Report) -> str:
    """``3 errors, 1 warning, 2 notes (2 denied, 1 broad-allow, 3 about the sources) in 12 files,
    2 deployment units (2 suppressed; 1 file could not be read); 1 note about a value left open,
    0.41 s``."""
    counts = report.counts()
    parts = [plural(counts.get(sev, 0), sev) for sev in SEVERITIES]
    files = report.stats.files or len(report.files)
    text = ", ".join(parts)
    kinds = Counter(f.kind for f in report.active)
    if kinds:
        text += " (" + ", ".join(f"{kinds[k]} {_KIND_WORDS[k]}" for k in KINDS if kinds[k]) + ")"
    text += f" in {plural(files, 'file')}"
    if report.stats.units:
        text += f", {plural(report.stats.units, 'deployment unit')}"
    extras = []
    suppressed = len(report.suppressed)
    if suppressed:
        extras.append(f"{suppressed} suppressed")
    if report.errors:
        unreadable = len({e.file for e in report.errors})
        extras.append(f"{plural(unreadable, 'file')} could not be read")
    if report.stats.module_calls_not_read:
        extras.append(f"{plural(report.stats.module_calls_not_read, 'module call')} not read")
    if report.stats.unknown_resource_types:
        extras.append(f"{plural(report.stats.unknown_resource_types, 'resource')} of types CloudFormation does "
                      "not define")
    if report.stats.skipped_files:
        extras.append(f"{plural(report.stats.skipped_files, 'YAML/JSON file')} skipped: not templates")
    if report.baseline is not None:
        extras.append(f"{report.baseline.matched} in the baseline file")
        if report.baseline.stale:
            stale = len(report.baseline.stale)
            extras.append(f"{stale} stale baseline {'entry' if stale == 1 else 'entries'}: no longer found, "
                          "write the file again with --write-baseline")
    if extras:
        text += f" ({'; '.join(extras)})"
    unknowns = sum(1 for f in report.active if f.rule in UNKNOWN_RULES)
    if unknowns:
        text += f"; {unknowns} {'note is' if unknowns == 1 else 'notes are'} about values the sources leave open"
    if report.stats.seconds:
        text += f", {report.stats.seconds:.2f} s"
    return text


_KIND_WORDS = {"denied": "denied", "broad-allow": "broad-allow", "lockout": "lockout", "new-access": "new-access",
               "source": "about the sources"}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
