"""Severity means one thing (docs/severity.md), and a finding below ``error`` says why.

error: an access the sources grant will be denied. warning: the denial rests on something stated
as a fact outside the sources, or on a wildcard a Deny may narrow on purpose. note: it depends on
a value the sources leave open.
"""

from __future__ import annotations

import pytest

from tests.rules.conftest import Lint, by_rule
from tests.rules.test_denied_rules import BUCKET, READ, bucket_policy, role, template
from tests.rules.test_notes_and_intents import TEMPLATE as ORG_TEMPLATE
from why403.model.finding import Finding
from why403.model.settings import Intent, Organization
from why403.rules import get_rule

DENY_DELETE_FOR_EVERYONE = """          - Sid: NoDeletes
            Effect: Deny
            Principal: "*"
            Action: s3:DeleteObject
            Resource: arn:aws:s3:::data-bkt-example/*
"""
EVERYTHING = """              - Effect: Allow
                Action: s3:*
                Resource: arn:aws:s3:::data-bkt-example/*
"""
NAMED_DELETE = """              - Effect: Allow
                Action: [s3:GetObject, s3:DeleteObject]
                Resource: arn:aws:s3:::data-bkt-example/*
"""


def _deletes(findings: list[Finding]) -> list[Finding]:
    return [f for f in by_rule(findings, "W403-D101") if f.access and "s3:DeleteObject" in f.access.all_actions]


def test_a_named_grant_a_deny_refuses_is_an_error_without_excuse(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(NAMED_DELETE), BUCKET.format(extra=""),
                                        bucket_policy(DENY_DELETE_FOR_EVERYONE))})
    hits = _deletes(findings)
    assert len(hits) == 1 and hits[0].severity == "error"
    assert "(warning:" not in hits[0].message
    assert hits[0].message.startswith("AppRole cannot s3:DeleteObject on arn:aws:s3:::data-bkt-example/*: ")


def test_a_wildcard_a_deny_narrows_is_a_warning_that_says_so(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(EVERYTHING), BUCKET.format(extra=""),
                                        bucket_policy(DENY_DELETE_FOR_EVERYONE))})
    hits = _deletes(findings)
    assert len(hits) == 1 and hits[0].severity == "warning"
    assert "(warning: the grant names s3:DeleteObject only through a wildcard" in hits[0].message


def test_a_denial_resting_on_the_configurations_organization_is_a_warning_that_says_so(lint: Lint) -> None:
    org = Organization(id="o-a1b2c3d4e5", accounts=("222222222222",))
    findings = lint({"t.yaml": ORG_TEMPLATE}, account_id="111111111111", organization=org)
    hits = [f for f in findings if f.kind == "denied"]
    assert len(hits) == 1 and hits[0].severity == "warning"
    assert "(warning: it rests on the configuration's organization (o-a1b2c3d4e5" in hits[0].message


def test_a_must_allow_of_the_configuration_denied_is_a_warning_that_says_so(lint: Lint) -> None:
    intent = Intent(principal="AppRole", action="s3:PutObject", resource="arn:aws:s3:::data-bkt-example/in/x",
                    expect_allowed=True)
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""))}, intents=(intent,))
    hits = [f for f in findings if f.kind == "denied" and f.access and f.access.action == "s3:PutObject"]
    assert len(hits) == 1 and hits[0].severity == "warning"
    assert "a must-allow of the configuration" in hits[0].message
    assert "(warning: it rests on the configuration's must-allow" in hits[0].message


def assert_lowered_severity_says_why(findings: list[Finding]) -> None:
    """A finding less severe than its rule's default names its reason: ``(warning: ...)``."""
    order = {"note": 0, "warning": 1, "error": 2}
    for f in findings:
        rule = get_rule(f.rule)
        if rule is not None and order[f.severity] < order[rule.severity]:
            assert f"({f.severity}: " in f.message, f"{f.rule} is a {f.severity}, not {rule.severity}, without " \
                f"saying why: {f.message}"


def test_every_finding_below_its_rules_default_says_why(lint: Lint) -> None:
    assert_lowered_severity_says_why([
        *lint({"a.yaml": template(role(EVERYTHING), BUCKET.format(extra=""), bucket_policy(DENY_DELETE_FOR_EVERYONE))}),
        *lint({"b.yaml": ORG_TEMPLATE}, account_id="111111111111",
              organization=Organization(id="o-a1b2c3d4e5", accounts=("222222222222",))),
        *lint({"c.yaml": template(role(READ), BUCKET.format(extra=""))}, intents=(
            Intent(principal="AppRole", action="s3:PutObject", resource="arn:aws:s3:::data-bkt-example/in/x",
                   expect_allowed=True),)),
    ])


def test_the_check_catches_a_silent_lowering() -> None:
    from why403.model.location import Location

    silent = Finding("W403-D101", "denied", "warning", "AppRole cannot s3:GetObject on x: denied", Location("t", 1))
    with pytest.raises(AssertionError, match="without saying why"):
        assert_lowered_severity_says_why([silent])
