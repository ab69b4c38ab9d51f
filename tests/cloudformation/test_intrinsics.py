"""Intrinsic functions, conditions and pseudo parameters, on a realistic conditional template."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from why403.model import symbols
from why403.model.facts import (
    AliasFact,
    BucketFact,
    BucketPolicyFact,
    KeyFact,
    ManagedPolicyFact,
    RoleFact,
    SourceOptions,
    SourceResult,
)
from why403.model.policy import PrincipalEntry
from why403.sources.cloudformation import build_template, parse_template
from why403.sources.terraform import load_module

from .helpers import FIXTURES, load_paths, load_text, one, opaque, unknown

A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION


@pytest.fixture(scope="module")
def lake() -> SourceResult:
    (result,) = load_paths(FIXTURES / "conditional_data_lake.yaml")
    return result


def test_sub_with_variable_map_and_pseudo_parameters(lake: SourceResult) -> None:
    assert one(lake, BucketFact).name == f"analytics-lake-{A}-{R}"


def test_statements_guarded_by_conditions(lake: SourceResult) -> None:
    policy = one(lake, BucketPolicyFact).policy
    sids = [s.sid for s in policy.statements]
    # HasAuditRole is false (its parameter defaults to ""), so Audit is removed;
    # DevOrAnalytics is true through TeamName's default.
    assert sids == ["Readers", "PartnerReads", "AnalyticsTeam", "DenyOutsideRegion"]
    readers, partner, analytics, deny = policy.statements
    assert readers.maybe is None and analytics.maybe is None and deny.maybe is None
    # IsProd depends on Environment, which has no value: the statement may or may not exist.
    assert partner.maybe is not None and "Environment" in partner.maybe
    assert partner.principals == (
        PrincipalEntry("AWS", "arn:aws:iam::" + unknown(lake, "Parameter PartnerAccountId") + ":root"),)
    assert readers.principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:root"),)
    assert readers.resources == (f"arn:aws:s3:::analytics-lake-{A}-{R}/raw/*",)
    assert analytics.principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:role/analytics"),)
    # Fn::If on an undecidable condition with different strings: an unknown token, never a branch.
    (cond,) = deny.conditions
    assert symbols.is_entirely_unknown(cond.values[0])


def test_each_statement_keeps_its_own_line(lake: SourceResult) -> None:
    policy = one(lake, BucketPolicyFact).policy
    lines = [s.location.line for s in policy.statements if s.location is not None]
    text = (FIXTURES / "conditional_data_lake.yaml").read_text().splitlines()
    assert len(lines) == 4 and lines == sorted(lines) and len(set(lines)) == 4
    assert "Sid: Readers" in text[lines[0] - 1]
    assert "Sid: PartnerReads" in text[lines[1] - 1]
    assert "Sid: DenyOutsideRegion" in text[lines[3] - 1]


def test_condition_decided_by_allowed_values(lake: SourceResult) -> None:
    # IsKnownEnvironment holds for every AllowedValue of Environment, so it is true.
    assert one(lake, KeyFact).enabled is True


def test_select_split_and_find_in_map(lake: SourceResult) -> None:
    key = one(lake, KeyFact)
    assert key.policy is not None
    assert key.policy.statements[1].principals == (PrincipalEntry("AWS", "arn:aws:iam::111122223333:root"),)
    # the second-level key comes from a parameter without value: the alias name is unknown
    alias = one(lake, AliasFact)
    assert symbols.is_entirely_unknown(alias.name)
    assert alias.target_key == key.key_id


def test_resource_under_undecidable_condition_is_maybe(lake: SourceResult) -> None:
    role = one(lake, RoleFact, "ProdOnlyRole")
    assert role.name == "lake-prod-writer"
    assert all(s.maybe for p in role.inline_policies for s in p.statements)


def test_list_parameter_conditional_managed_policy_and_policy(lake: SourceResult) -> None:
    role = one(lake, RoleFact, "NonProdRole")
    assert role.name == "etl-reader"
    assert role.managed_policy_arns == () and role.managed_policies_unknown
    (partner,) = role.inline_policies
    assert partner.statements[0].maybe is not None


def test_ssm_parameter_and_get_azs_are_unknown(lake: SourceResult) -> None:
    mp = one(lake, ManagedPolicyFact)
    assert mp.arn == f"arn:aws:iam::{A}:policy/lake/ami-" + unknown(lake, "Parameter LatestAmi")
    assert mp.policy.arn == mp.arn
    assert symbols.is_entirely_unknown(mp.policy.statements[1].resources[0])


def test_notes_name_each_parameter_policies_depend_on(lake: SourceResult) -> None:
    notes = [d for d in lake.diagnostics if d.severity == "note" and d.code == "cfn-parameter"]
    named = {d.message.split()[1] for d in notes}
    assert {"Environment", "PartnerAccountId", "LatestAmi"} <= named
    assert "TeamName" not in named and "AuditRoleArn" not in named
    env = next(d for d in notes if d.message.split()[1] == "Environment")
    assert "--parameter Environment=" in env.message
    assert env.location.line == 5


def test_supplying_the_parameter_decides_the_condition() -> None:
    (r,) = load_paths(FIXTURES / "conditional_data_lake.yaml",
                      cfn_parameters=(("Environment", "dev"), ("PartnerAccountId", "444455556666")))
    sids = [s.sid for s in one(r, BucketPolicyFact).policy.statements]
    assert sids == ["Readers", "AnalyticsTeam", "DenyOutsideRegion"]
    assert not [f for f in r.facts if f.ref == "ProdOnlyRole"]
    assert one(r, AliasFact).name == "alias/dev-lake"
    (partner,) = one(r, RoleFact, "NonProdRole").inline_policies
    assert partner.statements[0].maybe is None


def test_getatt_forms_sub_literal_and_long_form_json(tmp_path: Path) -> None:
    r = load_text(tmp_path, """{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "orders-data"}},
    "Reader": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "Path": "/apps/",
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
          "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": "s3:GetObject",
           "Resource": [{"Fn::GetAtt": ["Data", "Arn"]}, {"Fn::Sub": "${Data.Arn}/${!Literal}/*"},
                        {"Fn::Join": ["/", [{"Fn::GetAtt": "Data.Arn"}, "x"]]}]},
          {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::Sub": ["${B}", {"B": {"Ref": "Data"}}]}}
        ]}}]
      }
    }
  }
}""", name="t.json")
    role = one(r, RoleFact)
    assert role.arn == f"arn:aws:iam::{A}:role/apps/" + opaque(r, "Reader.name")
    s0, s1 = role.inline_policies[0].statements
    assert s0.resources == ("arn:aws:s3:::orders-data", "arn:aws:s3:::orders-data/${Literal}/*",
                            "arn:aws:s3:::orders-data/x")
    assert s1.resources == ("orders-data",)


def test_import_value_resolves_against_other_templates_exports(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text("""
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Archive:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "archive-${AWS::AccountId}"
  ArchiveKey:
    Type: AWS::KMS::Key
Outputs:
  ArchiveArn:
    Value: !GetAtt Archive.Arn
    Export:
      Name: shared-archive-arn
  KeyArn:
    Value: !GetAtt ArchiveKey.Arn
    Export:
      Name: !Sub "${AWS::Region}-archive-key"
""")
    (tmp_path / "app.yaml").write_text("""
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Writer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: write
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:PutObject
                Resource: !Sub ["${Arn}/*", {Arn: !ImportValue shared-archive-arn}]
              - Effect: Allow
                Action: kms:GenerateDataKey
                Resource: !ImportValue {"Fn::Sub": "${AWS::Region}-archive-key"}
              - Effect: Allow
                Action: s3:GetObject
                Resource: !ImportValue not-exported-anywhere
""")
    shared, app = load_paths(tmp_path / "shared.yaml", tmp_path / "app.yaml")
    s0, s1, s2 = one(app, RoleFact).inline_policies[0].statements
    assert s0.resources == (f"arn:aws:s3:::archive-{A}/*",)
    assert s1.resources == (one(shared, KeyFact).arn,)
    assert symbols.is_entirely_unknown(s2.resources[0])
    assert any(d.code == "cfn-import" and "not-exported-anywhere" in d.message for d in app.diagnostics)
    # alone, the import is unknown
    (alone,) = load_paths(tmp_path / "app.yaml")
    assert one(alone, RoleFact).inline_policies[0].statements[0].resources == (
        unknown(alone, "ImportValue shared-archive-arn") + "/*",)


def test_home_account_against_literal_is_undecided_in_conditions(tmp_path: Path) -> None:
    text = """
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsSecurityAccount: !Equals [!Ref "AWS::AccountId", "999988887777"]
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !If [IsSecurityAccount, central-logs, !Sub "logs-${AWS::AccountId}"]
"""
    r = load_text(tmp_path, text)
    assert symbols.is_entirely_unknown(one(r, BucketFact).name)
    r = load_text(tmp_path, text, account_id="999988887777")
    assert one(r, BucketFact).name == "central-logs"


def test_parsed_template_and_result_are_picklable() -> None:
    data = (FIXTURES / "conditional_data_lake.yaml").read_bytes()
    parsed = parse_template(data, "lake.yaml")
    again = pickle.loads(pickle.dumps(parsed))
    result = build_template(again, SourceOptions())
    assert pickle.loads(pickle.dumps(result)).facts == result.facts
    assert result.facts == build_template(parsed, SourceOptions()).facts


def test_key_policy_removed_by_no_value_means_the_default_policy(tmp_path: Path) -> None:
    r = load_text(tmp_path, """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Hardened: {Type: String, Default: "no", AllowedValues: ["yes", "no"]}
  Strict: {Type: String, AllowedValues: ["yes", "no"]}
Conditions:
  IsHardened: !Equals [!Ref Hardened, "yes"]
  IsStrict: !Equals [!Ref Strict, "yes"]
Resources:
  DefaultKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !If
        - IsHardened
        - {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:*", Resource: "*"}]}
        - !Ref AWS::NoValue
  MaybeKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !If
        - IsStrict
        - {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "*"}, Action: "kms:*", Resource: "*"}]}
        - !Ref AWS::NoValue
""")
    assert one(r, KeyFact, "DefaultKey").policy is None
    maybe = one(r, KeyFact, "MaybeKey").policy
    assert maybe is not None and maybe.unknown is not None and not maybe.statements


_PARTITIONED = """
Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: !Sub "lambda.${AWS::URLSuffix}"}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub "arn:${AWS::Partition}:s3:::data/*"
"""


@pytest.mark.parametrize(("region", "partition", "suffix"), [
    (None, "aws", "amazonaws.com"), ("eu-west-1", "aws", "amazonaws.com"),
    ("cn-north-1", "aws-cn", "amazonaws.com.cn"), ("us-gov-west-1", "aws-us-gov", "amazonaws.com")])
def test_the_partition_follows_the_region_as_in_terraform(tmp_path: Path, region: str | None, partition: str,
                                                          suffix: str) -> None:
    role = one(load_text(tmp_path, _PARTITIONED, account_id="123456789012", region=region), RoleFact)
    assert role.arn == f"arn:{partition}:iam::123456789012:role/app"
    assert role.inline_policies[0].statements[0].resources == (f"arn:{partition}:s3:::data/*",)
    assert role.trust_policy is not None
    assert role.trust_policy.statements[0].principals == (PrincipalEntry("Service", f"lambda.{suffix}"),)
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = "{}"\n}\n', encoding="utf-8")
    from_terraform = load_module(tmp_path / "tf", SourceOptions(account_id="123456789012", region=region))
    assert one(from_terraform, RoleFact).arn == role.arn
