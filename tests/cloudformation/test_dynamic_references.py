"""A dynamic reference (``{{resolve:ssm:/app/bucket}}``) is a value CloudFormation reads from
Parameter Store or Secrets Manager when it deploys: unknown here, never the text of the reference.

Read as text, ``arn:aws:s3:::{{resolve:ssm:/data/raw-bucket}}`` looks like an object ARN (the
parameter's name has slashes), and ``{{resolve:ssm:/iam/reader-arn}}`` in a key policy's Principal
is no principal at all: both were reported as policy problems on real templates.
"""

from __future__ import annotations

from pathlib import Path

from why403.model import symbols
from why403.model.facts import KeyFact, RoleFact

from .helpers import load_text, one

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  RawBucket:
    Type: String
    Default: "{{resolve:ssm:/data/raw-bucket}}"
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
              - Effect: Allow
                Action: s3:ListBucket
                Resource:
                  - !Sub arn:${AWS::Partition}:s3:::${RawBucket}
                  - !Sub "arn:${AWS::Partition}:s3:::{{resolve:ssm:/data/stage-bucket}}"
              - Effect: Allow
                Action: kms:Decrypt
                Resource: "{{resolve:ssm:/data/key-arn}}"
              - Effect: Allow
                Action: s3:GetObject
                Resource: %s
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Admin
            Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
          - Sid: Lake
            Effect: Allow
            Principal: {AWS: "{{resolve:ssm:/iam/lake-role-arn}}"}
            Action: kms:Decrypt
            Resource: "*"
"""

GOOD = '"arn:aws:s3:::{{resolve:ssm:/data/raw-bucket}}/*"'


def test_a_dynamic_reference_is_an_unknown_value_named_after_it(tmp_path: Path) -> None:
    result = load_text(tmp_path, TEMPLATE % GOOD)
    role = one(result, RoleFact)
    (inline,) = role.inline_policies
    assert inline.problems == ()
    listing, decrypt, _ = inline.statements
    assert all(symbols.is_entirely_unknown(r.split(":::", 1)[1]) for r in listing.resources or ())
    assert [symbols.render(r) for r in listing.resources or ()] == [
        "arn:aws:s3:::<{{resolve:ssm:/data/raw-bucket}}>", "arn:aws:s3:::<{{resolve:ssm:/data/stage-bucket}}>"]
    assert symbols.is_entirely_unknown((decrypt.resources or ("",))[0])
    key = one(result, KeyFact)
    assert key.policy is not None and key.policy.problems == ()
    lake = key.policy.statements[1]
    assert [symbols.render(p.value) for p in lake.principals or ()] == ["<{{resolve:ssm:/iam/lake-role-arn}}>"]


def test_the_same_reference_is_the_same_value(tmp_path: Path) -> None:
    role = one(load_text(tmp_path, TEMPLATE % GOOD), RoleFact)
    listing, _, reading = role.inline_policies[0].statements
    assert (reading.resources or ("",))[0] == (listing.resources or ("",))[0] + "/*"

