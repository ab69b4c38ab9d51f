"""Inline suppressions, applied so that they keep people honest.

A suppression (``# why403:ignore[RULE] reason until=YYYY-MM-DD`` in Terraform, resource
``Metadata: {why403: {ignore: [...]}}`` in CloudFormation) marks the findings of that rule whose
location falls on the lines it covers as suppressed: they are counted in the summary and kept in
SARIF as suppressed results, but do not fail the run. It only works when it says why, and only
until its date. Everything that keeps one from working is reported as a ``W403-E002`` note, so
a suppression never fails silently:

- no reason: ignored;
- ``until`` in the past (or not a date): ignored, the finding is back;
- the configuration forbids inline suppressions, altogether or for that rule: ignored;
- a rule id that does not exist, or nothing of that rule on the lines covered: dead text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from why403.model.finding import Finding, Suppression
from why403.model.location import Location
from why403.report.base import SUPPRESSION_RULE
from why403.rules import rule_matches

if TYPE_CHECKING:
    from why403.model.facts import SuppressionFact


@dataclass(frozen=True)
class SuppressionPolicy:
    """What the configuration allows (``[tool.why403.suppressions]``)."""

    inline: bool = True  # False: no inline suppression is honoured
    forbid: tuple[str, ...] = ()  # rule ids or prefixes that may not be suppressed inline
    source: str | None = None  # the config file that said so, for the note


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Iterable[SuppressionFact],
    policy: SuppressionPolicy = SuppressionPolicy(),
    *,
    today: dt.date | None = None,
    rule_known: Callable[[str], bool] = lambda rule: True,
    rule_active: Callable[[str], bool] = lambda rule: True,
) -> tuple[Finding, ...]:
    """``findings`` with ``suppressed`` set where a suppression applies, plus ``W403-E002`` notes.

    ``rule_known`` says whether a rule id exists; ``rule_active`` whether it ran (selected and not
    ignored), so that a suppression for a rule left out of this run is not called unused.
    """

    today = today or dt.date.today()
    result = list(findings)
    notes: list[Finding] = []
    for fact in sorted(suppressions, key=lambda s: (s.location.file, s.location.line, s.rules)):
        where = fact.comment_location or fact.location
        named = ", ".join(fact.rules) or "(no rule)"

        def note(
            message: str, problem: str, where: Location = where, named: str = named, ref: str = fact.ref
        ) -> None:
            # identified by what it is about, not its line, so that its fingerprint is stable
            notes.append(_note(message, where, (ref, named, problem)))

        if not policy.inline:
            note(
                f"suppression of {named} is ignored: inline suppressions are forbidden by the "
                f"configuration{_in(policy.source)}",
                "forbidden",
            )
            continue
        if not fact.rules:
            note("suppression names no rule, so it is ignored: write why403:ignore[RULE] reason", "no-rule")
            continue
        if not fact.reason.strip():
            note(
                f"suppression of {named} has no reason, so it is ignored: write the reason after the "
                f"rule, e.g. # why403:ignore[{fact.rules[0]}] the partner reads through the replica",
                "no-reason",
            )
            continue
        if fact.until is not None:
            expiry = _date(fact.until)
            if expiry is None:
                note(
                    f"suppression of {named} is ignored: until={fact.until} is not a date (YYYY-MM-DD)",
                    "bad-date",
                )
                continue
            if expiry < today:
                note(
                    f"suppression of {named} expired on {expiry.isoformat()} and no longer applies: "
                    "renew the date if the reason still holds, or fix the finding",
                    "expired",
                )
                continue
        for rule in fact.rules:
            if any(rule_matches(rule, banned) or rule_matches(banned, rule) for banned in policy.forbid):
                note(
                    f"suppression of {rule} is ignored: the configuration{_in(policy.source)} forbids "
                    "suppressing it inline",
                    f"forbidden:{rule}",
                    named=rule,
                )
                continue
            if not rule_known(rule):
                note(f"suppression names {rule}, which is not a why403 rule", f"unknown:{rule}", named=rule)
                continue
            matched = False
            for i, finding in enumerate(result):
                if finding.suppressed is None and rule_matches(finding.rule, rule) and _covers(fact, finding):
                    result[i] = replace(
                        finding, suppressed=Suppression(fact.reason.strip(), where, fact.until)
                    )
                    matched = True
            if not matched and rule_active(rule):
                span = fact.location
                lines = f"line {span.line}"
                if span.end_line and span.end_line != span.line:
                    lines = f"lines {span.line}-{span.end_line}"
                note(
                    f"suppression of {rule} matches no finding on {lines}: remove it, or move it onto "
                    "the block or statement the finding points at",
                    f"unused:{rule}",
                    named=rule,
                )
    return (*result, *notes)


def _covers(fact: SuppressionFact, finding: Finding) -> bool:
    loc = finding.location
    span = fact.location
    if loc is None or not _same_file(loc.file, span.file):
        return False
    end = span.end_line if span.end_line is not None else span.line
    return span.line <= loc.line <= end


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _in(source: str | None) -> str:
    return f" ({source})" if source else ""


def _note(message: str, where: Location, identity: tuple[str, ...]) -> Finding:
    return Finding(
        rule=SUPPRESSION_RULE,
        kind="source",
        severity="note",
        message=message,
        location=where,
        identity=(where.file, *identity),
    )
