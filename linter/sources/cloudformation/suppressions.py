"""``Metadata: {why403: {ignore: [{rule, reason, until}]}}`` on a resource -> SuppressionFact."""

from __future__ import annotations

from typing import Any

from why403.model.facts import Diagnostic, SuppressionFact
from why403.model.location import Location
from why403.sources.cloudformation.tree import Map, line_of


def suppressions(file: str, lid: str, res: Map, span: Location) -> tuple[list[SuppressionFact], list[Diagnostic]]:
    meta = res.get("Metadata")
    if not isinstance(meta, dict) or "why403" not in meta:
        return [], []
    block = meta["why403"]
    where = Location(file, meta.key_line("why403") if isinstance(meta, Map) else span.line)
    entries = block.get("ignore") if isinstance(block, dict) else None
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return [], [Diagnostic("warning", f"{lid}: Metadata.why403 needs an ignore list of {{rule, reason, until}}",
                               where, code="suppression")]
    facts: list[SuppressionFact] = []
    problems: list[Diagnostic] = []
    for entry in entries:
        at = Location(file, line_of(entry, where.line))
        rules = _rules(entry.get("rule", entry.get("rules")) if isinstance(entry, dict) else None)
        if not rules:
            problems.append(Diagnostic("warning", f"{lid}: a why403 ignore entry names no rule", at,
                                       code="suppression"))
            continue
        assert isinstance(entry, dict)
        reason = entry.get("reason")
        until = entry.get("until")
        facts.append(SuppressionFact(
            lid, span, rules=rules, reason=reason.strip() if isinstance(reason, str) else "",
            until=str(until) if until is not None else None, comment_location=at))
    return facts, problems


def _rules(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        return tuple(r.strip() for r in raw.split(",") if r.strip())
    if isinstance(raw, list):
        return tuple(str(r).strip() for r in raw if isinstance(r, str) and r.strip())
    return ()
