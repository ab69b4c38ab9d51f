"""Bad input at the limits: a 50 MB document, a 10,000-deep one, text that is not JSON.

Each comes back as a Problem with a location; no exception escapes ``parse_policy``. (Each of
these also returns in well under the 5 s the issue allows; the tests assert the problem, not
the time.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.policy.parse_json import MAX_POLICY_TEXT

AT = Location("huge/policy.json", 3)
STATEMENT = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def parse(source: Any, kind: PolicyKind = PolicyKind.BUCKET) -> Policy:
    return parse_policy(source, kind, origin="limits", location=AT)


def only_problem(p: Policy) -> tuple[str, str]:
    assert len(p.problems) >= 1, p
    first = p.problems[0]
    assert first.location is not None and first.location.file == AT.file and first.location.line >= AT.line
    assert first.severity == "error"
    return first.code, first.message


def test_a_50_mb_document_is_a_size_problem() -> None:
    one = json.dumps(STATEMENT)
    text = '{"Version": "2012-10-17", "Statement": [\n' + ",\n".join([one] * (50_000_000 // len(one))) + "\n]}"
    assert len(text) > 50_000_000
    p = parse(text)
    code, message = only_problem(p)
    assert code == "size" and "characters long" in message
    assert p.problems[0].location == AT
    assert p.statements == () and p.unknown is not None


def test_a_50_mb_string_that_is_not_json_is_a_size_problem() -> None:
    assert only_problem(parse("x" * 50_000_000))[0] == "size"


def test_the_size_limit_is_far_above_what_aws_accepts() -> None:
    """Nothing AWS would store (32 KB at most, a KMS key policy) is refused."""
    assert MAX_POLICY_TEXT >= 32 * 32_768
    one = json.dumps(STATEMENT)
    text = '{"Version": "2012-10-17", "Statement": [\n' + ",\n".join([one] * 9000) + "\n]}"
    assert 32_768 < len(text) < MAX_POLICY_TEXT
    p = parse(text)
    assert p.problems == () and len(p.statements) == 9000
    # Every statement keeps its own line (counted once, not once per statement).
    assert [s.location.line for s in p.statements[:3] if s.location] == [AT.line + 1, AT.line + 2, AT.line + 3]
    assert p.statements[-1].location == Location(AT.file, AT.line + 9000)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ' + "[" * 10_000 + "]" * 10_000
        + ', "Resource": "*"}]}',
        '{"Statement": ' + "[" * 10_000,  # deep and unterminated
    ],
    ids=["lists", "objects", "inside-a-statement", "unterminated"],
)
def test_a_10000_deep_document_is_a_problem(text: str) -> None:
    code, message = only_problem(parse(text))
    assert code == "json"
    assert "nested too deeply" in message or "not valid JSON" in message


def _deep(depth: int, leaf: Any = "x") -> Any:
    value: Any = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    "where",
    ["document", "Version", "Id", "Statement", "statement", "Sid", "Effect", "Principal", "Principal.AWS",
     "Action", "Resource", "Condition", "Condition.operator", "Condition.value"],
)
def test_a_10000_deep_value_from_a_frontend_is_a_problem(where: str) -> None:
    """Frontends hand over JSON-like values, which no JSON decoder limited: nothing may recurse."""
    deep = _deep(10_000)
    statement: dict[str, Any] = dict(STATEMENT)
    document: Any = {"Version": "2012-10-17", "Statement": [statement]}
    if where == "document":
        document = deep
    elif where in ("Version", "Id", "Statement"):
        document[where] = deep
    elif where == "statement":
        document["Statement"] = [deep]
    elif where == "Principal.AWS":
        statement["Principal"] = {"AWS": deep}
    elif where == "Condition.operator":
        statement["Condition"] = {"StringEquals": deep}
    elif where == "Condition.value":
        statement["Condition"] = {"StringEquals": {"aws:SourceVpce": deep}}
    else:
        statement[where] = deep
    code, message = only_problem(parse(document))
    assert code in ("type", "version", "effect", "principal", "condition", "element")
    assert len(message) < 300


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("not json at all", 0),
        ('{"Version": "2012-10-17",\n "Statement": [\n  {"Effect": "Allow",}\n ]}', 2),
        ("\x00\x01\x02{}", 0),
        ("{'Version': '2012-10-17'}", 0),
        ('{"Version": "2012-10-17", "Statement": []} trailing', 0),
        ("\ufeff", 0),
        ("", 0),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "\\ud800"}]', 0),
    ],
    ids=["prose", "trailing-comma", "binary", "single-quotes", "trailing-text", "bom-only", "empty",
         "unterminated-with-surrogate"],
)
def test_text_that_is_not_json_is_a_problem_at_its_line(text: str, line: int) -> None:
    p = parse(text)
    code, _ = only_problem(p)
    assert code == "json"
    assert p.problems[0].location == Location(AT.file, AT.line + line)
    assert p.statements == () and p.unknown is not None


def test_a_large_string_value_is_cut_short_in_messages() -> None:
    p = parse({"Version": "2012-10-17", "Statement": [dict(STATEMENT, Effect="A" * 1_000_000)]})
    code, message = only_problem(p)
    assert code == "effect" and len(message) < 300


def test_many_broken_statements_are_capped_with_a_summary() -> None:
    from why403.policy.parse_elements import MAX_PROBLEMS

    text = '{"Statement": [' + ",".join(["1"] * 20_000) + "]}"
    p = parse(text)
    assert len(p.problems) == MAX_PROBLEMS + 1
    assert {x.code for x in p.problems[:MAX_PROBLEMS]} == {"type"}
    assert p.problems[-1].code == "too-many-problems"
