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
    # The deployer is not in the sources: only its stand-in, the account root, is left out (a note).
    assert [f.severity for f in by_rule(findings, "W403-L201")] == ["note"]


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


ENDPOINT = HEAD + """
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
%s"""
FULL = """      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: "*", Action: "*", Resource: "*"}
"""
OWN_ACCOUNT = """      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: "*"
            Resource: "*"
            Condition:
              StringEquals: {s3:ResourceAccount: !Ref AWS::AccountId}
"""


def test_b303_warns_on_an_explicit_full_access_endpoint_policy(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": ENDPOINT % FULL}), "W403-B303")
    assert [(f.severity, f.layer) for f in hits] == [("warning", "vpc-endpoint-policy")]


def test_b303_notes_an_endpoint_without_policy(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": ENDPOINT % ""}), "W403-B303")
    assert [f.severity for f in hits] == ["note"]


def test_b303_silent_when_limited_to_own_buckets(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": ENDPOINT % OWN_ACCOUNT}), "W403-B303") == []


GRANTS = HEAD + """
  Worker:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: work
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: %s
                Resource: "%s"
  Data:
    Type: AWS::S3::Bucket
    Properties: {BucketName: data-bkt-example}
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: WorkerAccess
            Effect: Allow
            Principal: {AWS: !GetAtt Worker.Arn}
            Action: %s
            Resource: arn:aws:s3:::data-bkt-example/*
"""


def test_b304_warns_on_wildcard_actions_and_resources(lint: Lint) -> None:
    findings = lint({"t.yaml": GRANTS % ("s3:GetObject", "*", "s3:*")})
    hits = by_rule(findings, "W403-B304")
    assert sorted(f.layer or "" for f in hits) == ["bucket-policy", "identity-policy"]


def test_b304_silent_on_named_actions_and_resources(lint: Lint) -> None:
    findings = lint({"t.yaml": GRANTS % ("s3:GetObject", "arn:aws:s3:::data-bkt-example/*", "s3:GetObject")})
    assert by_rule(findings, "W403-B304") == []


def test_b304_silent_for_a_role_that_may_attach_any_policy_to_itself(lint: Lint) -> None:
    """A deployment role with ``iam:*`` (or ``iam:PutRolePolicy`` on itself) on ``*`` can attach
    AdministratorAccess to itself: "which is not an administrator" would be false."""
    for iam in ('"iam:*"', "iam:PutRolePolicy", "iam:AttachRolePolicy"):
        findings = lint({"t.yaml": GRANTS % (f"[s3:*, kms:*, {iam}]", "*", "s3:*")})
        assert by_rule(findings, "W403-B304") == [], iam


def test_b304_still_warns_when_the_role_cannot_write_its_own_policies(lint: Lint) -> None:
    # Writing other roles' policies (not its own), under a condition it may fail, or with a
    # permissions boundary that caps what it attaches: not an administrator.
    other = (GRANTS % ("[s3:*, iam:PutRolePolicy]", "*", "s3:*")).replace(
        'Resource: "*"', 'Resource: ["*"]\n              - Effect: Deny\n                Action: iam:PutRolePolicy\n'
        '                Resource: !Sub "arn:aws:iam::${AWS::AccountId}:role/worker"')
    conditioned = (GRANTS % ("[s3:*, iam:*]", "*", "s3:*")).replace(
        'Resource: "*"', 'Resource: "*"\n                Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}}')
    bounded = (GRANTS % ("[s3:*, iam:*]", "*", "s3:*")).replace(
        "      RoleName: worker",
        "      RoleName: worker\n      PermissionsBoundary: arn:aws:iam::aws:policy/PowerUserAccess")
    for text in (other, conditioned, bounded):
        assert {f.layer for f in by_rule(lint({"t.yaml": text}), "W403-B304")} >= {"bucket-policy"}, text


NEGATED = HEAD + """
  Ops:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: Everything
            Effect: Allow
            %s: s3:DeleteBucket
            Resource: arn:aws:s3:::data-bkt-example
"""


def test_b305_warns_on_notaction_allow(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": NEGATED % "NotAction"}), "W403-B305")
    assert [(f.severity, f.layer) for f in hits] == [("warning", "identity-policy")]


def test_b305_silent_on_plain_action(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": NEGATED % "Action"}), "W403-B305") == []


OUTVOTED = HEAD + """
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
  Data:
    Type: AWS::S3::Bucket
    Properties: {BucketName: data-bkt-example}
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: LetReaderIn
            Effect: Allow
            Principal: {AWS: !GetAtt Reader.Arn}
            Action: s3:GetObject
            Resource: arn:aws:s3:::data-bkt-example/*
          - Sid: NoReads
            Effect: Deny
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::data-bkt-example/*
%s"""
ONLY_WITHOUT_TLS = """            Condition:
              Bool: {aws:SecureTransport: "false"}
"""


def test_b306_warns_when_an_unconditional_deny_outvotes_the_allow(lint: Lint) -> None:
    hits = by_rule(lint({"t.yaml": OUTVOTED % ""}), "W403-B306")
    assert len(hits) == 1 and "LetReaderIn" in hits[0].message and "NoReads" in hits[0].message


def test_b306_silent_when_the_deny_is_conditional(lint: Lint) -> None:
    assert by_rule(lint({"t.yaml": OUTVOTED % ONLY_WITHOUT_TLS}), "W403-B306") == []


PUBLIC_WEBSITE = HEAD + """
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: site-bkt-example
%s  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Site
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: Public
            Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: arn:aws:s3:::site-bkt-example/*
"""
BPA_OFF = """      PublicAccessBlockConfiguration:
        BlockPublicAcls: true
        IgnorePublicAcls: true
        BlockPublicPolicy: false
        RestrictPublicBuckets: false
"""


def test_b307_fires_when_default_block_public_access_refuses_the_policy(lint: Lint) -> None:
    findings = lint({"t.yaml": PUBLIC_WEBSITE % ""})
    assert [(f.severity, f.layer) for f in by_rule(findings, "W403-B307")] == [("error", "block-public-access")]


def test_b307_silent_when_block_public_policy_is_off(lint: Lint) -> None:
    findings = lint({"t.yaml": PUBLIC_WEBSITE % BPA_OFF})
    assert by_rule(findings, "W403-B307") == []
    assert len(by_rule(findings, "W403-B301")) == 1


# -- issue 15.3: exceptions by principal or by network path --------------------------------------------------


def test_l201_an_endpoint_only_bucket_locks_out_administrators_at_the_console(lint: Lint) -> None:
    findings = lint({"t.yaml": USERID_LOCK % "StringNotEquals: {aws:SourceVpce: vpce-0a1b2c3d4e5f60718}"})
    hits = by_rule(findings, "W403-L201")
    assert [(f.severity, f.denial) for f in hits] == [("error", "explicit")]
    assert "console" in hits[0].message and "s3:PutBucketPolicy" in hits[0].message


def test_l201_an_endpoint_exception_that_also_exempts_the_admins_locks_nobody_out(lint: Lint) -> None:
    condition = ('StringNotEquals: {aws:SourceVpce: vpce-0a1b2c3d4e5f60718}\n'
                 '              ArnNotLike: {aws:PrincipalArn: "arn:aws:iam::111111111111:role/admin"}')
    findings = lint({"t.yaml": USERID_LOCK % condition}, account_id="111111111111",
                    admins=("arn:aws:iam::111111111111:role/admin",),
                    deployers=("arn:aws:iam::111111111111:role/admin",))
    assert by_rule(findings, "W403-L201") == []


def test_l201_a_principal_exception_leaving_out_the_configured_deployer_is_an_error(lint: Lint) -> None:
    findings = lint({"t.yaml": USERID_LOCK % 'ArnNotLike: {aws:PrincipalArn: !GetAtt AppRole.Arn}'},
                    account_id="111111111111", deployers=("arn:aws:iam::111111111111:role/cfn-deployer",))
    hits = by_rule(findings, "W403-L201")
    assert [f.severity for f in hits] == ["error"]
    assert "the deployer" in hits[0].message and "s3:PutBucketPolicy" in hits[0].message


def test_l201_without_a_deployer_the_account_root_stands_in_as_a_note(lint: Lint) -> None:
    findings = lint({"t.yaml": USERID_LOCK % 'ArnNotLike: {aws:PrincipalArn: !GetAtt AppRole.Arn}'})
    hits = by_rule(findings, "W403-L201")
    assert [f.severity for f in hits] == ["note"]
    assert "standing in for the deployer" in hits[0].message
    assert "root user keeps the bucket policy APIs" in hits[0].message


KEY_EXCEPTION = """          - Sid: OnlyKeyAdmin
            Effect: Deny
            Principal: {AWS: "*"}
            Action: kms:*
            Resource: "*"
            Condition:
              %s
"""


def test_l202_a_key_deny_leaving_out_the_console_administrators_is_an_error(lint: Lint) -> None:
    findings = lint({"t.yaml": KEY % (KEY_EXCEPTION % "StringNotEquals: {aws:SourceVpce: vpce-0a1b2c3d4e5f60718}")})
    hits = by_rule(findings, "W403-L202")
    assert [(f.severity, f.denial, f.layer) for f in hits] == [("error", "explicit", "kms-key-policy")]
    assert "OnlyKeyAdmin" in hits[0].message and "kms:PutKeyPolicy" in hits[0].message


def test_l202_a_key_deny_exempting_the_configured_admin_and_deployer_is_silent(lint: Lint) -> None:
    exception = 'ArnNotEquals: {aws:PrincipalArn: "arn:aws:iam::111111111111:role/key-admin"}'
    findings = lint({"t.yaml": KEY % (KEY_EXCEPTION % exception)}, account_id="111111111111",
                    admins=("arn:aws:iam::111111111111:role/key-admin",),
                    deployers=("arn:aws:iam::111111111111:role/key-admin",))
    assert by_rule(findings, "W403-L202") == []


def test_l202_a_key_deny_leaving_out_the_configured_deployer_is_an_error(lint: Lint) -> None:
    exception = 'ArnNotEquals: {aws:PrincipalArn: "arn:aws:iam::111111111111:role/key-admin"}'
    findings = lint({"t.yaml": KEY % (KEY_EXCEPTION % exception)}, account_id="111111111111",
                    admins=("arn:aws:iam::111111111111:role/key-admin",),
                    deployers=("arn:aws:iam::111111111111:role/pipeline",))
    hits = by_rule(findings, "W403-L202")
    assert [f.severity for f in hits] == ["error"] and "the deployer" in hits[0].message


NOT_PRINCIPAL_PARAMETER = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminArns: {Type: String}
Resources:
  State:
    Type: AWS::S3::Bucket
    Properties: {BucketName: state-bkt-example}
  StatePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref State
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: s3:*
            Resource: [arn:aws:s3:::state-bkt-example, arn:aws:s3:::state-bkt-example/*]
            NotPrincipal:
              AWS: !Split [",", !Ref AdminArns]
"""


def test_l201_a_not_principal_list_the_sources_leave_open_may_exempt_anyone(lint: Lint) -> None:
    """widdix's Terraform state bucket: NotPrincipal from a parameter may list the administrators."""
    findings = lint({"t.yaml": NOT_PRINCIPAL_PARAMETER})
    assert [f for f in by_rule(findings, "W403-L201") if f.severity == "error"] == []


SHARED = """\
Resources:
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: ReadEverything
            Effect: Allow
            Action: s3:GetObject
            Resource: "*"
%s"""
ROLE = """\
  Worker%d:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker-%d
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [!Ref Shared]
"""


def test_b304_one_statement_attached_to_many_roles_is_one_finding(lint: Lint) -> None:
    """One managed policy attached to seven roles is one problem, at one statement, with one fix:
    one finding naming the roles (five, and the others counted), not seven at the same line."""
    one = by_rule(lint({"t.yaml": SHARED % (ROLE % (1, 1))}), "W403-B304")
    assert len(one) == 1 and "to Worker1, which is not an administrator" in one[0].message
    many = by_rule(lint({"t.yaml": SHARED % "".join(ROLE % (i, i) for i in range(1, 8))}), "W403-B304")
    assert len(many) == 1, [f.message for f in many]
    message = many[0].message
    assert "ReadEverything" in message and "none of which is an administrator" in message
    assert "Worker1, Worker2, Worker3, Worker4, Worker5 and 2 more" in message
