"""Scalars in a template's policy documents reach IAM as CloudFormation sends them: as text.

CloudFormation turns every scalar of a resource's properties into a string before the resource
handler sees it, so ``Sid: 1`` arrives as ``"1"`` and ``aws:SecureTransport: false`` as
``"false"`` (cfn-lint, which models this coercion, accepts both; a list where a string goes it
refuses). A document given as JSON text reaches IAM as written and is not touched.
"""

from __future__ import annotations

from pathlib import Path

from why403.model.facts import RoleFact

from .helpers import load_text, one

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  EventRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Sid: %s
            Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Sid: 2
                Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::reports-bkt/*
                Condition:
                  Bool: {aws:SecureTransport: true}
                  NumericLessThan: {aws:MultiFactorAuthAge: 3600}
"""


def test_numbers_and_booleans_are_text_as_cloudformation_sends_them(tmp_path: Path) -> None:
    role = one(load_text(tmp_path, TEMPLATE % "1"), RoleFact)
    assert role.trust_policy is not None and role.trust_policy.problems == ()
    assert role.trust_policy.statements[0].sid == "1"
    (inline,) = role.inline_policies
    assert inline.problems == ()
    (stmt,) = inline.statements
    assert stmt.sid == "2"
    assert {c.key.lower(): c.values for c in stmt.conditions} == {
        "aws:securetransport": ("true",), "aws:multifactorauthage": ("3600",)}


def test_a_list_where_a_string_goes_is_still_refused(tmp_path: Path) -> None:
    role = one(load_text(tmp_path, TEMPLATE % "[1]"), RoleFact)
    assert role.trust_policy is not None
    assert [p.message for p in role.trust_policy.problems if "Sid must be a string" in p.message]


CONDITIONAL = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Audit: {Type: String}
Conditions:
  WithAudit: !Equals [!Ref Audit, "yes"]
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - !If
                - WithAudit
                - Sid: 7
                  Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::reports-bkt/*
                - !Ref AWS::NoValue
"""


def test_a_statement_behind_fn_if_is_sent_as_text_too(tmp_path: Path) -> None:
    role = one(load_text(tmp_path, CONDITIONAL), RoleFact)
    (inline,) = role.inline_policies
    assert inline.problems == ()
    assert [s.sid for s in inline.statements] == ["7"]
