"""Each ``denied`` rule, firing on a configuration AWS would refuse and silent on its fixed twin."""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule
from why403.model.settings import Organization

ROLE = """
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
{extra}      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
{statements}
"""


def role(statements: str, extra: str = "") -> str:
    return ROLE.format(statements=statements, extra=extra)


BUCKET = """
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data-bkt-example
{extra}"""


def template(*resources: str) -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\nResources:' + "".join(resources)


READ = """              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::data-bkt-example/reports/*
"""


def bucket_policy(statements: str) -> str:
    return f"""
  DataBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref DataBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
{statements}"""


# -- W403-D101 bucket policy ------------------------------------------------------------------------

DENY_APP = """          - Sid: NoReportsForApp
            Effect: Deny
            Principal: {{AWS: !GetAtt AppRole.Arn}}
            Action: s3:GetObject
            Resource: arn:aws:s3:::data-bkt-example/{prefix}/*
"""


def test_d101_fires_on_a_bucket_policy_deny_naming_the_role(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""),
                                        bucket_policy(DENY_APP.format(prefix="reports")))})
    hits = by_rule(findings, "W403-D101")
    assert len(hits) == 1
    f = hits[0]
    assert (f.layer, f.denial, f.severity) == ("bucket-policy", "explicit", "error")
    assert f.access is not None and f.access.action == "s3:GetObject" and f.access.principal_ref == "AppRole"
    assert f.location is not None and f.location.line > 0
    assert "NoReportsForApp" in f.message


def test_d101_silent_when_the_deny_covers_another_prefix(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""),
                                        bucket_policy(DENY_APP.format(prefix="private")))})
    assert by_rule(findings, "W403-D101") == []


def test_d101_is_an_error_when_a_deny_on_a_pattern_of_buckets_refuses_a_named_grant(lint: Lint) -> None:
    """A Deny on ``data-bkt-example*`` covers other buckets too, but it refuses an access the role's
    own policy names: the sources grant it and it will be denied, an error (docs/severity.md)."""
    deny = DENY_APP.format(prefix="reports").replace("arn:aws:s3:::data-bkt-example/reports/*",
                                                     "arn:aws:s3:::data-bkt-example*")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), bucket_policy(deny))})
    hits = by_rule(findings, "W403-D101")
    assert len(hits) == 1 and hits[0].severity == "error"


LOGGING = """      LoggingConfiguration:
        DestinationBucketName: !Ref LogBucket
        LogFilePrefix: data/
"""
LOG_BUCKET = """
  LogBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-bkt-example
"""
LOG_GRANT = """
  LogBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref LogBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: logging.s3.amazonaws.com}
            Action: s3:PutObject
            Resource: arn:aws:s3:::logs-bkt-example/data/*
            Condition:
              ArnLike: {aws:SourceArn: arn:aws:s3:::data-bkt-example}
"""


def test_d101_fires_when_log_delivery_is_not_granted(lint: Lint) -> None:
    findings = lint({"t.yaml": template(BUCKET.format(extra=LOGGING), LOG_BUCKET)})
    hits = by_rule(findings, "W403-D101")
    assert len(hits) == 1
    f = hits[0]
    assert (f.layer, f.denial) == ("bucket-policy", "implicit")
    assert f.access is not None and f.access.principal == "logging.s3.amazonaws.com"
    assert f.suggestion is not None and "logging.s3.amazonaws.com" in f.suggestion


def test_d101_silent_when_log_delivery_is_granted(lint: Lint) -> None:
    findings = lint({"t.yaml": template(BUCKET.format(extra=LOGGING), LOG_BUCKET, LOG_GRANT)})
    assert by_rule(findings, "W403-D101") == []


# -- W403-D102 identity policy ------------------------------------------------------------------------

GUARDRAIL = """
  NoDeletes:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref AppRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: s3:DeleteObject
            Resource: "{resource}"
"""
READ_DELETE = """              - Effect: Allow
                Action: [s3:GetObject, s3:DeleteObject]
                Resource: arn:aws:s3:::data-bkt-example/reports/*
"""


def test_d102_fires_on_an_attached_guardrail_deny(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ_DELETE), BUCKET.format(extra=""),
                                        GUARDRAIL.format(resource="*"))})
    hits = by_rule(findings, "W403-D102")
    assert [(f.access.action if f.access else None, f.denial, f.severity) for f in hits] == \
        [("s3:DeleteObject", "explicit", "error")]


def test_d102_silent_when_the_guardrail_concerns_another_bucket(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ_DELETE), BUCKET.format(extra=""),
                                        GUARDRAIL.format(resource="arn:aws:s3:::other-bkt/*"))})
    assert by_rule(findings, "W403-D102") == []


# -- W403-D103 KMS ------------------------------------------------------------------------------------

KEY = """
  DataKey:
    Type: AWS::KMS::Key
    Properties:
      Enabled: {enabled}
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: !Sub "arn:aws:iam::${{AWS::AccountId}}:root"}}
            Action: kms:*
            Resource: "*"
"""
SSE_KMS = """      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt DataKey.Arn
"""
WRITE_WITH = """              - Effect: Allow
                Action: s3:PutObject
                Resource: arn:aws:s3:::data-bkt-example/in/*
              - Effect: Allow
                Action: {kms}
                Resource: !GetAtt DataKey.Arn
"""


def test_d103_fires_when_the_writer_has_encrypt_not_generatedatakey(lint: Lint) -> None:
    findings = lint({"t.yaml": template(KEY.format(enabled="true"), BUCKET.format(extra=SSE_KMS),
                                        role(WRITE_WITH.format(kms="kms:Encrypt")))})
    hits = by_rule(findings, "W403-D103")
    assert len(hits) == 1
    f = hits[0]
    assert f.access is not None and (f.access.action, f.access.kms_action) == ("s3:PutObject", "kms:GenerateDataKey")
    assert (f.layer, f.denial, f.severity) == ("identity-policy", "implicit", "error")
    assert f.suggestion is not None and "kms:GenerateDataKey" in f.suggestion


def test_d103_silent_when_the_writer_has_generatedatakey(lint: Lint) -> None:
    findings = lint({"t.yaml": template(KEY.format(enabled="true"), BUCKET.format(extra=SSE_KMS),
                                        role(WRITE_WITH.format(kms="kms:GenerateDataKey")))})
    assert by_rule(findings, "W403-D103") == []


# -- W403-D104 VPC endpoint ---------------------------------------------------------------------------

NETWORK = """
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.0.0.0/16}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  RouteTable:
    Type: AWS::EC2::RouteTable
    Properties: {{VpcId: !Ref Vpc}}
  Association:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {{SubnetId: !Ref Subnet, RouteTableId: !Ref RouteTable}}
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${{AWS::Region}}.s3
      RouteTableIds: [!Ref RouteTable]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: {actions}
            Resource: "*"
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt AppRole.Arn
      Runtime: python3.12
      Handler: app.handler
      Code: {{ZipFile: "def handler(e, c): pass"}}
      VpcConfig:
        SubnetIds: [!Ref Subnet]
        SecurityGroupIds: [sg-0123456789abcdef0]
"""


def test_d104_fires_when_the_endpoint_does_not_allow_the_action(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), NETWORK.format(actions="s3:ListBucket"))})
    hits = by_rule(findings, "W403-D104")
    assert len(hits) == 1
    f = hits[0]
    assert (f.layer, f.denial, f.severity) == ("vpc-endpoint-policy", "implicit", "error")
    assert f.access is not None and f.access.via == "S3Endpoint"


def test_d104_silent_when_the_endpoint_allows_it(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""),
                                        NETWORK.format(actions="[s3:GetObject, s3:ListBucket]"))})
    assert by_rule(findings, "W403-D104") == []


# -- W403-D105 SCP and W403-D106 RCP ----------------------------------------------------------------

ORG = Organization(id="o-a1b2c3d4e5", accounts=("111111111111", "222222222222"), management_account="999999999999")
ORG_POLICY = """
  Guardrail:
    Type: AWS::Organizations::Policy
    Properties:
      Name: guardrail
      Type: {kind}
      TargetIds: ["111111111111"]
      Content:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
{principal}            Action: {action}
            Resource: "*"
"""


def test_d105_fires_on_an_scp_deny_for_the_account(lint: Lint) -> None:
    scp = ORG_POLICY.format(kind="SERVICE_CONTROL_POLICY", principal="", action="s3:GetObject")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), scp)}, account_id="111111111111",
                    organization=ORG)
    hits = by_rule(findings, "W403-D105")
    assert [(f.layer, f.denial) for f in hits] == [("scp", "explicit")]


def test_d105_silent_when_the_scp_denies_something_else(lint: Lint) -> None:
    scp = ORG_POLICY.format(kind="SERVICE_CONTROL_POLICY", principal="", action="s3:DeleteBucket")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), scp)}, account_id="111111111111",
                    organization=ORG)
    assert by_rule(findings, "W403-D105") == []


def test_d106_fires_on_an_rcp_deny_for_the_bucket_account(lint: Lint) -> None:
    rcp = ORG_POLICY.format(kind="RESOURCE_CONTROL_POLICY", principal='            Principal: "*"\n',
                            action="s3:GetObject")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), rcp)}, account_id="111111111111",
                    organization=ORG)
    hits = by_rule(findings, "W403-D106")
    assert [(f.layer, f.denial) for f in hits] == [("rcp", "explicit")]


def test_d106_silent_when_the_rcp_denies_something_else(lint: Lint) -> None:
    rcp = ORG_POLICY.format(kind="RESOURCE_CONTROL_POLICY", principal='            Principal: "*"\n',
                            action="s3:PutBucketAcl")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""), rcp)}, account_id="111111111111",
                    organization=ORG)
    assert by_rule(findings, "W403-D106") == []


# -- W403-D107 permissions boundary -------------------------------------------------------------------

BOUNDARY = """
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: {actions}
            Resource: "*"
"""


def test_d107_fires_when_the_boundary_lacks_the_action(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ, extra="      PermissionsBoundary: !Ref Boundary\n"),
                                        BUCKET.format(extra=""), BOUNDARY.format(actions="s3:ListBucket"))})
    hits = by_rule(findings, "W403-D107")
    assert [(f.layer, f.denial, f.severity) for f in hits] == [("permissions-boundary", "implicit", "error")]


def test_d107_silent_when_the_boundary_allows_it(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ, extra="      PermissionsBoundary: !Ref Boundary\n"),
                                        BUCKET.format(extra=""), BOUNDARY.format(actions="s3:*"))})
    assert by_rule(findings, "W403-D107") == []


# -- W403-D109 access point ---------------------------------------------------------------------------

AP = """
  ReportsAccessPoint:
    Type: AWS::S3::AccessPoint
    Properties:
      Bucket: !Ref DataBucket
      Name: reports-ap
      Policy:
        Version: "2012-10-17"
        Statement:
          - Effect: {effect}
            Principal: {{AWS: !GetAtt AppRole.Arn}}
            Action: s3:GetObject
            Resource: !Sub arn:aws:s3:${{AWS::Region}}:${{AWS::AccountId}}:accesspoint/reports-ap/object/*
"""
READ_AP = """              - Effect: Allow
                Action: s3:GetObject
                Resource:
                  - !Sub arn:aws:s3:${AWS::Region}:${AWS::AccountId}:accesspoint/reports-ap/object/*
                  - arn:aws:s3:::data-bkt-example/*
"""


def test_d109_fires_on_an_access_point_deny(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ_AP), BUCKET.format(extra=""), AP.format(effect="Deny"))})
    hits = by_rule(findings, "W403-D109")
    assert [(f.layer, f.denial) for f in hits] == [("access-point-policy", "explicit")]


def test_d109_silent_when_the_access_point_allows_it(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ_AP), BUCKET.format(extra=""), AP.format(effect="Allow"))})
    assert by_rule(findings, "W403-D109") == []


# -- W403-D110 Block Public Access ---------------------------------------------------------------------

RESTRICTED = """      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: false
        RestrictPublicBuckets: true
"""
PARTNER = """          - Sid: Partner
            Effect: Allow
            Principal: {AWS: "222222222222"}
            Action: s3:GetObject
            Resource: arn:aws:s3:::data-bkt-example/shared/*
"""
PUBLIC = """          - Sid: Website
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::data-bkt-example/public/*
"""


def test_d110_fires_when_a_public_statement_makes_restrict_public_buckets_refuse_the_partner(lint: Lint) -> None:
    findings = lint({"t.yaml": template(BUCKET.format(extra=RESTRICTED), bucket_policy(PARTNER + PUBLIC))},
                    account_id="111111111111")
    hits = by_rule(findings, "W403-D110")
    assert [(f.layer, f.denial) for f in hits] == [("block-public-access", "explicit")]
    assert hits[0].access is not None and "222222222222" in hits[0].access.principal


def test_d110_silent_without_the_public_statement(lint: Lint) -> None:
    findings = lint({"t.yaml": template(BUCKET.format(extra=RESTRICTED), bucket_policy(PARTNER))},
                    account_id="111111111111")
    assert by_rule(findings, "W403-D110") == []


# -- W403-D111 refused before policies ---------------------------------------------------------------

READ_KMS = READ + """              - Effect: Allow
                Action: kms:Decrypt
                Resource: !GetAtt DataKey.Arn
"""


def test_d111_fires_when_the_bucket_key_is_disabled(lint: Lint) -> None:
    findings = lint({"t.yaml": template(KEY.format(enabled="false"), BUCKET.format(extra=SSE_KMS), role(READ_KMS))})
    hits = by_rule(findings, "W403-D111")
    assert [(f.layer, f.access.kms_action if f.access else None) for f in hits] == [("kms-key-state", "kms:Decrypt")]


def test_d111_silent_when_the_key_is_enabled(lint: Lint) -> None:
    findings = lint({"t.yaml": template(KEY.format(enabled="true"), BUCKET.format(extra=SSE_KMS), role(READ_KMS))})
    assert by_rule(findings, "W403-D111") == []
    assert [f for f in findings if f.kind == "denied"] == []


KMS_LOG_BUCKET = """
  LogBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs-bkt-example
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: %s}
"""


def test_logs_to_a_bucket_encrypted_with_the_aws_managed_key_are_refused_by_kms(lint: Lint) -> None:
    """Issue 15.1: S3 calls KMS for log delivery as logging.s3.amazonaws.com, which the AWS managed
    key aws/s3 never allows (a customer managed key that allows it works: tests/rules/test_services.py)."""
    findings = lint({"t.yaml": template(BUCKET.format(extra=LOGGING), KMS_LOG_BUCKET % "aws:kms", LOG_GRANT)})
    assert by_rule(findings, "W403-D111") == []
    hits = by_rule(findings, "W403-D103")
    assert [(f.layer, f.access.principal if f.access else None) for f in hits] == \
        [("kms-key-policy", "logging.s3.amazonaws.com")]
    assert "aws/s3" in hits[0].message


def test_logs_to_an_sse_s3_bucket_are_delivered(lint: Lint) -> None:
    findings = lint({"t.yaml": template(BUCKET.format(extra=LOGGING), KMS_LOG_BUCKET % "AES256", LOG_GRANT)})
    assert [f for f in findings if f.kind == "denied"] == []


def test_s404_fires_on_two_policies_for_one_bucket(lint: Lint) -> None:
    second = bucket_policy(DENY_APP.format(prefix="private")).replace("DataBucketPolicy:", "SecondPolicy:")
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""),
                                        bucket_policy(DENY_APP.format(prefix="reports")), second)})
    hits = by_rule(findings, "W403-S404")
    assert len(hits) == 1 and "DataBucketPolicy" in hits[0].message and "SecondPolicy" in hits[0].message
    # With the policy in force undetermined, the Deny is not reported as a definite denial.
    assert by_rule(findings, "W403-D101") == []


def test_s404_silent_with_one_policy(lint: Lint) -> None:
    findings = lint({"t.yaml": template(role(READ), BUCKET.format(extra=""),
                                        bucket_policy(DENY_APP.format(prefix="reports")))})
    assert by_rule(findings, "W403-S404") == []
