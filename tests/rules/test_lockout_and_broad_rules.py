"""Lockout (L201, L202) and broad-allow (B301, B302) rules, firing and not firing."""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule

HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'

USERID_LOCK = HEAD + """
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: token-app
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
  Tokens:
    Type: AWS::S3::Bucket
    Properties: {BucketName: tokens-bkt-example}
  TokensPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Tokens
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: OnlyTheApp
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [arn:aws:s3:::tokens-bkt-example, arn:aws:s3:::tokens-bkt-example/*]
            Condition:
              %s
"""


def test_l201_fires_when_only_the_app_role_is_exempt(lint: Lint) -> None:
    findings = lint({"t.yaml": USERID_LOCK % 'StringNotLike: {aws:userId: !Sub "${AppRole.RoleId}:*"}'})
    hits = by_rule(findings, "W403-L201")
    assert [(f.kind, f.layer, f.denial, f.severity) for f in hits] == [("lockout", "bucket-policy", "explicit",
                                                                         "error")]
    assert "OnlyTheApp" in hits[0].message


def test_l201_silent_when_administrators_are_exempt_by_principal_arn(lint: Lint) -> None:
    condition = ('ArnNotLike: {aws:PrincipalArn: [!GetAtt AppRole.Arn, '
                 '!Sub "arn:aws:iam::${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin*"]}')
    findings = lint({"t.yaml": USERID_LOCK % condition})
    assert by_rule(findings, "W403-L201") == []


def test_l201_fires_for_the_configured_deployer(lint: Lint) -> None:
    condition = ('ArnNotLike: {aws:PrincipalArn: [!GetAtt AppRole.Arn, '
                 '!Sub "arn:aws:iam::${AWS::AccountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin*"]}')
    findings = lint({"t.yaml": USERID_LOCK % condition}, account_id="111111111111",
                    deployers=("arn:aws:iam::111111111111:role/cfn-deployer",))
    hits = by_rule(findings, "W403-L201")
    assert len(hits) == 1 and hits[0].access is not None
    assert hits[0].access.principal == "arn:aws:iam::111111111111:role/cfn-deployer"


KEY = HEAD + """
  RecordsKey:
    Type: AWS::KMS::Key
    Properties:
      BypassPolicyLockoutSafetyCheck: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
%s"""
TAMPER_DENY = """          - Sid: NobodyMayTamper
            Effect: Deny
            Principal: {AWS: "*"}
            Action: [kms:PutKeyPolicy, kms:ScheduleKeyDeletion, kms:DisableKey]
            Resource: "*"
%s"""
EXEMPT_ADMIN = """            Condition:
              ArnNotEquals: {aws:PrincipalArn: !Sub "arn:aws:iam::${AWS::AccountId}:role/key-admin"}
"""


def test_l202_fires_when_a_deny_binds_everyone(lint: Lint) -> None:
    findings = lint({"t.yaml": KEY % (TAMPER_DENY % "")})
    hits = by_rule(findings, "W403-L202")
    assert [(f.kind, f.layer, f.denial) for f in hits] == [("lockout", "kms-key-policy", "explicit")]


def test_l202_silent_with_the_default_key_policy(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": KEY % ""}), "W403-L202") == []


def test_l202_silent_when_an_admin_role_is_exempt(lint: Lint) -> None:
    findings = lint({"t.yaml": KEY % (TAMPER_DENY % EXEMPT_ADMIN)},
                    admins=("arn:aws:iam::111111111111:role/key-admin",), account_id="111111111111")
    assert by_rule(findings, "W403-L202") == []


NO_ADMIN_KEY = HEAD + """
  VaultKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:role/app"}
            Action: [kms:Decrypt, kms:GenerateDataKey]
            Resource: "*"
"""


def test_l202_implicit_when_nobody_is_given_management(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": NO_ADMIN_KEY}), "W403-L202")
    assert [(f.denial, f.layer) for f in hits] == [("implicit", "kms-key-policy")]


OPEN_BUCKET = HEAD + """
  Artifacts:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: artifacts-bkt-example
      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: false
        RestrictPublicBuckets: false
  ArtifactsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Artifacts
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: FleetRead
            Effect: Allow
            Principal: {AWS: "*"}
            Action: s3:GetObject
            Resource: arn:aws:s3:::artifacts-bkt-example/*
%s"""
ORG_ONLY = """            Condition:
              StringEquals: {aws:PrincipalOrgID: o-a1b2c3d4e5}
"""


def test_b301_fires_on_an_unconditioned_wildcard_principal(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": OPEN_BUCKET % ""}), "W403-B301")
    assert [(f.kind, f.layer, f.severity) for f in hits] == [("broad-allow", "bucket-policy", "error")]
    assert "anonymous" in hits[0].message


def test_b301_silent_when_narrowed_to_the_organization(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": OPEN_BUCKET % ORG_ONLY}), "W403-B301") == []


OPEN_KEY = HEAD + """
  ArtifactKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
          - Sid: AnyoneDecrypts
            Effect: Allow
            Principal: {AWS: "*"}
            Action: kms:Decrypt
            Resource: "*"
%s"""
CALLER_ACCOUNT = """            Condition:
              StringEquals:
                kms:CallerAccount: !Ref AWS::AccountId
                kms:ViaService: !Sub s3.${AWS::Region}.amazonaws.com
"""


def test_b302_fires_on_an_unconditioned_wildcard_key_user(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": OPEN_KEY % ""}), "W403-B302")
    assert [(f.kind, f.layer, f.severity) for f in hits] == [("broad-allow", "kms-key-policy", "error")]


def test_b302_silent_when_narrowed_to_the_caller_account_through_s3(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": OPEN_KEY % CALLER_ACCOUNT}), "W403-B302") == []
