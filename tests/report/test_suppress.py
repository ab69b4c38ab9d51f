"""Suppressions keep people honest: a reason, a date that expires, config that can forbid them,
and a note for every one that does not do what it says."""

from __future__ import annotations

import datetime as dt

from why403.model.facts import SuppressionFact
from why403.model.finding import Finding
from why403.model.location import Location
from why403.report.suppress import SuppressionPolicy, apply_suppressions

TODAY = dt.date(2026, 6, 1)


def finding(line: int, rule: str = "W403-D101", file: str = "s3.tf") -> Finding:
    return Finding(
        rule=rule, kind="denied", severity="error", message=f"denied at {line}", location=Location(file, line)
    )


def suppression(
    rules: tuple[str, ...] = ("W403-D101",),
    reason: str = "the partner reads through the replica",
    until: str | None = None,
    span: tuple[int, int] = (10, 20),
    file: str = "s3.tf",
    ref: str = "aws_s3_bucket_policy.data",
) -> SuppressionFact:
    return SuppressionFact(
        ref=ref,
        location=Location(file, span[0], span[1]),
        rules=rules,
        reason=reason,
        until=until,
        comment_location=Location(file, span[0] - 1),
    )


def run(findings: list[Finding], facts: list[SuppressionFact], **kwargs: object) -> tuple[Finding, ...]:
    return apply_suppressions(findings, facts, today=TODAY, **kwargs)  # type: ignore[arg-type]


def notes(result: tuple[Finding, ...]) -> list[str]:
    return [f.message for f in result if f.rule == "W403-E002"]


def test_a_reasoned_suppression_covers_findings_of_its_rule_on_its_lines() -> None:
    result = run([finding(12), finding(25), finding(15, rule="W403-B201")], [suppression()])
    by_line = {f.location.line: f for f in result if f.location and f.rule != "W403-E002"}
    assert by_line[12].suppressed is not None
    assert by_line[12].suppressed.reason == "the partner reads through the replica"
    assert by_line[12].suppressed.location == Location("s3.tf", 9)
    assert by_line[25].suppressed is None  # outside the block
    assert by_line[15].suppressed is None  # another rule
    assert notes(result) == []


def test_same_lines_in_another_file_are_not_covered() -> None:
    result = run([finding(12, file="other.tf")], [suppression()])
    assert result[0].suppressed is None


def test_a_rule_prefix_covers_the_rules_it_names() -> None:
    result = run([finding(12), finding(13, rule="W403-D102")], [suppression(rules=("W403-D",))])
    assert all(f.suppressed is not None for f in result)


def test_without_a_reason_nothing_is_suppressed_and_a_note_says_why() -> None:
    result = run([finding(12)], [suppression(reason="  ")])
    assert result[0].suppressed is None
    [message] = notes(result)
    assert "has no reason, so it is ignored" in message
    note = result[-1]
    assert (note.severity, note.kind, note.location) == ("note", "source", Location("s3.tf", 9))


def test_until_in_the_future_works_and_in_the_past_expires_with_a_note() -> None:
    assert run([finding(12)], [suppression(until="2026-06-01")])[0].suppressed is not None  # the last day
    result = run([finding(12)], [suppression(until="2026-05-31")])
    assert result[0].suppressed is None
    assert notes(result) == [
        "suppression of W403-D101 expired on 2026-05-31 and no longer applies: renew the date if the "
        "reason still holds, or fix the finding"
    ]


def test_until_that_is_not_a_date_is_not_honoured() -> None:
    result = run([finding(12)], [suppression(until="next spring")])
    assert result[0].suppressed is None
    assert "until=next spring is not a date" in notes(result)[0]


def test_config_can_forbid_inline_suppressions_altogether() -> None:
    policy = SuppressionPolicy(inline=False, source="pyproject.toml")
    result = run([finding(12)], [suppression()], policy=policy)
    assert result[0].suppressed is None
    assert notes(result) == [
        "suppression of W403-D101 is ignored: inline suppressions are forbidden by the configuration "
        "(pyproject.toml)"
    ]


def test_config_can_forbid_suppressing_chosen_rules() -> None:
    policy = SuppressionPolicy(forbid=("W403-D",), source=".why403.yaml")
    result = run(
        [finding(12), finding(13, rule="W403-B201")],
        [suppression(rules=("W403-D101", "W403-B201"))],
        policy=policy,
    )
    by_rule = {f.rule: f for f in result if f.rule != "W403-E002"}
    assert by_rule["W403-D101"].suppressed is None
    assert by_rule["W403-B201"].suppressed is not None
    assert notes(result) == [
        "suppression of W403-D101 is ignored: the configuration (.why403.yaml) forbids suppressing it inline"
    ]


def test_a_suppression_that_matches_nothing_is_a_note() -> None:
    result = run([finding(40)], [suppression()])
    assert notes(result) == [
        "suppression of W403-D101 matches no finding on lines 10-20: remove it, or move it onto the block "
        "or statement the finding points at"
    ]


def test_unused_is_not_reported_for_a_rule_that_did_not_run() -> None:
    result = run([], [suppression()], rule_active=lambda rule: rule != "W403-D101")
    assert notes(result) == []


def test_unknown_rule_is_a_note() -> None:
    result = run([finding(12)], [suppression(rules=("W403-X999",))], rule_known=lambda rule: False)
    assert notes(result) == ["suppression names W403-X999, which is not a why403 rule"]
    assert result[0].suppressed is None


def test_notes_have_stable_distinct_fingerprints() -> None:
    a, b = suppression(span=(10, 20)), suppression(span=(30, 31), ref="aws_kms_key.data")
    first = run([], [a, b])
    again = run([], [b, a])
    moved = run([], [suppression(span=(12, 22)), suppression(span=(40, 41), ref="aws_kms_key.data")])
    assert [f.fingerprint for f in first] == [f.fingerprint for f in again]
    assert len({f.fingerprint for f in first}) == 2
    assert [f.fingerprint for f in moved] == [f.fingerprint for f in first]
