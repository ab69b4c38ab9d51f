"""One problem, one finding (issue 16 point 2).

No two findings may share the same statement and the same access (principal, resource, action),
whichever rules made them, and no two may share a fingerprint: over every labeled example, the
repository's examples, and small sources that used to give two or three findings for one problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.conftest import Lint
from why403.model.finding import Finding
from why403.pipeline import CheckRequest, run_check

CHECKOUT = Path(__file__).resolve().parents[2]
SHARED = CHECKOUT.parent / "shared" / "examples"
EXAMPLES = sorted(p for p in SHARED.glob("*") if (p / "expect.json").is_file()) if SHARED.is_dir() else []
EXAMPLES += sorted(p for p in (CHECKOUT / "examples").iterdir() if p.is_dir())


def same_statement_same_access(findings: list[Finding]) -> list[tuple[Finding, Finding]]:
    """Pairs of findings about one statement (file and line) and one access (principal, resource,
    any action in common); a grouped finding counts for each action it stands for."""
    seen: dict[tuple[str, int, str, str, str], Finding] = {}
    pairs = []
    for finding in findings:
        if finding.access is None or finding.location is None:
            continue
        access, loc = finding.access, finding.location
        for action in access.all_actions:
            key = (loc.file, loc.line, access.principal_ref or access.principal, access.resource, action.lower())
            if key in seen and seen[key] is not finding:
                pairs.append((seen[key], finding))
            seen.setdefault(key, finding)
    return pairs


def assert_one_finding_per_problem(findings: list[Finding]) -> None:
    pairs = same_statement_same_access(findings)
    assert not pairs, "\n".join(f"{a.rule} and {b.rule} at {a.location}: {a.message!r} / {b.message!r}"
                                for a, b in pairs)
    prints = [f.fingerprint for f in findings]
    assert len(prints) == len(set(prints)), [f.message for f in findings if prints.count(f.fingerprint) > 1]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_give_one_finding_per_problem(example: Path) -> None:
    from tests.rules.test_severity import assert_lowered_severity_says_why

    outcome = run_check(CheckRequest(paths=(str(example),)))
    assert_one_finding_per_problem(list(outcome.result.findings))
    assert_lowered_severity_says_why(list(outcome.result.findings))


def test_the_invariant_catches_two_rules_on_one_access() -> None:
    """The check above can fail: two rules reporting one statement's access are caught."""
    from why403.model.finding import Access
    from why403.model.location import Location

    access = Access(principal="*", action="s3:GetObject", resource="arn:aws:s3:::b")
    twice = [Finding("W403-B301", "broad-allow", "warning", "public", Location("t.yaml", 9), access=access),
             Finding("W403-B307", "broad-allow", "error", "refused", Location("t.yaml", 9),
                     access=Access(principal="*", action="s3:ListBucket", resource="arn:aws:s3:::b",
                                   actions=("s3:ListBucket", "s3:GetObject")))]
    assert len(same_statement_same_access(twice)) == 1


HEAD = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
"""

PUBLIC_UNDER_BPA = HEAD + """
  Site:
    Type: AWS::S3::Bucket
    Properties: {BucketName: site-bkt-example}
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: Everyone
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::site-bkt-example/*
          - Sid: EveryoneLists
            Effect: Allow
            Principal: "*"
            Action: s3:ListBucket
            Resource: arn:aws:s3:::site-bkt-example
"""


def test_a_public_statement_that_block_public_access_refuses_is_one_finding(lint: Lint) -> None:
    """Block Public Access is on by default: S3 refuses the policy (B307), and the statement is not
    reported a second time as a public grant (B301) that can never take effect."""
    findings = lint({"t.yaml": PUBLIC_UNDER_BPA})
    assert_one_finding_per_problem(findings)
    assert sorted(f.rule for f in findings if f.rule in ("W403-B301", "W403-B307")) == ["W403-B307", "W403-B307"]
    assert {f.location.line for f in findings if f.rule == "W403-B307" and f.location} == {14, 19}


MIS_INDENTED_TRUST = HEAD + """
  EksRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Principal:
          Service: eks.amazonaws.com
        Statement:
          - Effect: Allow
"""


def test_one_mis_indented_trust_policy_is_one_finding(lint: Lint) -> None:
    """cfngoat's eks.yaml: Principal and Action one level too far out gave three S401 errors."""
    findings = [f for f in lint({"t.yaml": MIS_INDENTED_TRUST}) if f.rule == "W403-S401"]
    assert len(findings) == 1, [f.message for f in findings]
    message = findings[0].message
    assert "unknown top-level element 'Principal'" in message and "needs a Principal" in message
    assert "no Action or NotAction" in message and findings[0].severity == "error"


API_NAMES = HEAD + """
  Crawler:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: crawl
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: Enumerate
                Effect: Allow
                Action: [s3:ListObjects, s3:ListObjectsV2]
                Resource: !GetAtt Articles.Arn
              - Sid: Fetch
                Effect: Allow
                Action: [s3:GetObject, s3:HeadObject]
                Resource: !Sub "${Articles.Arn}/*"
  Articles:
    Type: AWS::S3::Bucket
    Properties: {BucketName: articles-bkt-example}
"""


def test_api_names_are_explained_once(lint: Lint) -> None:
    """ListObjectsV2 is no IAM action: the denial of s3:ListBucket says so, and no S401 repeats it;
    HeadObject written beside GetObject denies nothing: one note that says why it is only a note."""
    findings = lint({"t.yaml": API_NAMES})
    assert_one_finding_per_problem(findings)
    denied = [f for f in findings if f.rule == "W403-D102"]
    assert len(denied) == 1 and "s3:ListObjectsV2" in denied[0].message and "s3:ListBucket" in denied[0].message
    s401 = [f for f in findings if f.rule == "W403-S401"]
    assert len(s401) == 1 and "s3:HeadObject" in s401[0].message, [f.message for f in s401]
    assert s401[0].severity == "note" and "(note: the permission S3 checks for it is granted" in s401[0].message


NEVER_MATCHING_TWICE = HEAD + """
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: work
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ["s3:Head*", "s3:Upload*"]
                Resource: "*"
"""


def test_one_statement_that_matches_nothing_is_one_finding(lint: Lint) -> None:
    findings = [f for f in lint({"t.yaml": NEVER_MATCHING_TWICE}) if f.rule == "W403-S401"]
    assert len(findings) == 1
    assert "'s3:Head*' matches no s3 action; 's3:Upload*' matches no s3 action" in findings[0].message


UNDECLARED_VARIABLE = {
    "main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }
        resource "aws_vpc_endpoint" "interface" {
          for_each     = toset(["ec2", "ssm", "logs"])
          vpc_id       = "vpc-0123456789abcdef0"
          service_name = "com.amazonaws.${var.region}.${each.key}"
        }
        resource "aws_vpc_endpoint" "gateway" {
          vpc_id       = "vpc-0123456789abcdef0"
          service_name = "com.amazonaws.${var.region}.s3"
        }
    """,
}


def test_one_note_per_unresolved_input_not_one_per_use(lint: Lint) -> None:
    notes = [f for f in lint(UNDECLARED_VARIABLE) if f.rule == "W403-E003" and "var.region" in f.message]
    assert len(notes) == 1, [f.message for f in notes]
    assert "(4 uses; first at aws_vpc_endpoint." in notes[0].message
    assert len(notes[0].related) == 1  # the other place it is used (the three instances share one line)


def test_an_allow_that_can_never_take_effect_is_one_note(lint: Lint) -> None:
    """The Deny's refusal is the denial rule's finding; the dead Allow is a note, at the Allow."""
    from tests.rules.test_lockout_and_broad_rules import OUTVOTED

    findings = lint({"t.yaml": OUTVOTED % ""})
    assert_one_finding_per_problem(findings)
    dead = [f for f in findings if f.rule == "W403-B306"]
    assert len(dead) == 1 and dead[0].severity == "note"
    denials = [f for f in findings if f.kind == "denied"]
    assert denials and all(d.location != dead[0].location for d in denials)
