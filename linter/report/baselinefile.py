"""The baseline file: findings a team has accepted for now, so that it can adopt the gate on a
repository that already has hundreds of them and fail only on new ones.

``why403 check --write-baseline FILE`` records the run's findings; ``--baseline-file FILE`` (or
``baseline-file`` in the configuration) leaves out every finding recorded there and lists the
*stale* entries: recorded for a file this run read, no longer found (fixed, or changed beyond
recognition), to be removed by writing the file again.

Findings are matched by fingerprint (:meth:`Report.fingerprint`): rule, file from the repository
root (outside a git repository, from the baseline file's folder), and the stable names of what the
finding is about, never a line, so moving code keeps it matched, whichever folder the check runs
from. Suppressed findings and files that cannot be read
(``W403-E001``) are never recorded: one has its own record, the other is not a finding to accept.

The format (docs/baseline.md) is JSON, one entry per line, sorted by file, rule and fingerprint,
so that a diff of the file shows exactly the findings that came and went::

    {
      "format": "why403-baseline/1",
      "findings": [
        {"file": "infra/main.tf", "rule": "W403-B301", "fingerprint": "3fa9...", "message": "..."}
      ]
    }

``rule``, ``file`` and ``message`` are for people and for the stale list; only ``fingerprint``
decides. Anything else is a :class:`BaselineFileError` with the file and line.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from typing import Any

from why403.report.base import Report

FORMAT = "why403-baseline/1"
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")
_ENTRY_KEYS = ("file", "rule", "fingerprint", "message")
_FORMAT_KEY, _FINDINGS_KEY = '"format"', '"findings"'


class BaselineFileError(Exception):
    """A baseline file that cannot be used, phrased ``file:line: problem``."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    file: str  # from the repository root, forward slashes
    message: str


@dataclass(frozen=True)
class Baseline:
    path: str  # as the user named it
    entries: tuple[Entry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


@dataclass(frozen=True)
class BaselineUse:
    """What a baseline file did to a run (the summary line and JSON's ``baseline``)."""

    path: str
    matched: int  # findings of this run left out
    stale: tuple[Entry, ...]  # entries for files this run read, not found


def anchored(report: Report, baseline_path: str) -> Report:
    """``report`` with its files named from the repository root, or, outside a git repository, from
    the baseline file's folder: whichever folder the check runs from, a file has one name."""
    if report.root is not None:
        return report
    return replace(report, root=os.path.dirname(os.path.abspath(os.path.join(report.cwd, baseline_path))))


def entries(report: Report) -> tuple[Entry, ...]:
    """The entries accepting every finding of ``report`` (:func:`anchored`) that counts (not
    suppressed), in file order."""
    found = {_entry(report, f.rule, f.location.file if f.location else "", f.message, report.fingerprint(f))
             for f in report.findings if f.suppressed is None}
    return tuple(sorted(found, key=lambda e: (e.file, e.rule, e.fingerprint)))


def render(accepted: tuple[Entry, ...]) -> str:
    """The baseline file holding ``accepted``: one entry per line, ASCII, so diffs show each."""
    lines = [json.dumps({"file": e.file, "rule": e.rule, "fingerprint": e.fingerprint, "message": e.message},
                        ensure_ascii=True) for e in accepted]
    body = ",\n    ".join(lines)
    findings = f"[\n    {body}\n  ]" if lines else "[]"
    return f'{{\n  "format": "{FORMAT}",\n  "findings": {findings}\n}}\n'


def _entry(report: Report, rule: str, file: str, message: str, fingerprint: str) -> Entry:
    return Entry(fingerprint, rule, (report.from_root(file) or report.rel(file)) if file else "", message)


def parse(text: str, shown: str) -> Baseline:
    """Validate a baseline file's text (``shown``: its name in messages)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineFileError(f"{shown}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise BaselineFileError(f"{shown}:1: expected an object with \"format\" and \"findings\" "
                                "(written by why403 check --write-baseline)")
    if data.get("format") != FORMAT:
        raise BaselineFileError(f"{shown}:{_line_of(text, _FORMAT_KEY)}: format {data.get('format')!r} is not "
                                f"{FORMAT!r}; write the file again with why403 check --write-baseline")
    unknown = sorted(set(data) - {"format", "findings"})
    if unknown:
        raise BaselineFileError(f"{shown}:{_line_of(text, json.dumps(unknown[0]))}: unknown key {unknown[0]!r} "
                                "(the keys are format and findings)")
    items = data.get("findings")
    if not isinstance(items, list):
        raise BaselineFileError(f"{shown}:{_line_of(text, _FINDINGS_KEY)}: \"findings\" must be a list")
    lines = _entry_lines(text, len(items))
    return Baseline(shown, tuple(_parse_entry(item, f"{shown}:{lines[i]}") for i, item in enumerate(items)))


def _parse_entry(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise BaselineFileError(f"{where}: an entry is an object with {', '.join(_ENTRY_KEYS)}")
    unknown = sorted(set(item) - set(_ENTRY_KEYS))
    if unknown:
        raise BaselineFileError(f"{where}: unknown key {unknown[0]!r} (an entry has {', '.join(_ENTRY_KEYS)})")
    fingerprint = item.get("fingerprint")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
        raise BaselineFileError(f"{where}: \"fingerprint\" must be 32 lowercase hexadecimal characters, got "
                                f"{fingerprint!r}")
    fields = {}
    for key in ("rule", "file", "message"):
        value = item.get(key, "")
        if not isinstance(value, str):
            raise BaselineFileError(f"{where}: \"{key}\" must be a string")
        fields[key] = value
    return Entry(fingerprint, fields["rule"], fields["file"], fields["message"])


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _entry_lines(text: str, count: int) -> list[int]:
    """The line each entry of ``findings`` starts on: the array is walked with the JSON decoder
    itself, so that a hand-edited file (entries over several lines) is placed right too."""
    decoder = json.JSONDecoder()
    match = re.search(r'"findings"\s*:\s*\[', text)
    out: list[int] = []
    at = match.end() if match else len(text)
    while match and len(out) < count:
        at = _skip(text, at, " \t\r\n")
        try:
            _, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            break
        out.append(text.count("\n", 0, at) + 1)
        at = _skip(text, end, " \t\r\n,")
    return out + [_line_of(text, _FINDINGS_KEY)] * (count - len(out))


def _skip(text: str, at: int, chars: str) -> int:
    while at < len(text) and text[at] in chars:
        at += 1
    return at


def apply(report: Report, baseline: Baseline) -> Report:
    """``report`` without the findings ``baseline`` accepts, and with what it did
    (:attr:`Report.baseline`): how many were left out, and the stale entries -- those for a file
    this run read that match no finding. An entry for a file the run did not read (another folder,
    a pre-commit run of one unit) is neither."""
    accepted = baseline.fingerprints
    kept, found = [], set()
    named = anchored(report, baseline.path)
    for finding in report.findings:
        fingerprint = named.fingerprint(finding)
        if finding.suppressed is None and fingerprint in accepted:
            found.add(fingerprint)
        else:
            kept.append(finding)
    read = {named.from_root(f) or named.rel(f) for f in report.files}
    stale = tuple(e for e in baseline.entries if e.fingerprint not in found and e.file in read)
    use = BaselineUse(baseline.path, len(report.findings) - len(kept), stale)
    return replace(report, findings=tuple(kept), baseline=use)
