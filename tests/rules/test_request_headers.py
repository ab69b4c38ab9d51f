"""Issue 15.2: the headers a real request carries.

S3 applies a bucket's default encryption *after* it has evaluated the bucket policy, so a client
that relies on it sends no ``x-amz-server-side-encryption`` header; one that names the encryption
sends it. Which one the application's code does is not in the sources, so both are plausible: a
Deny that refuses every plausible request is an error, one that refuses only some is a note. TLS
versions below 1.2 never reach an AWS endpoint. The bucket policies are the S3 User Guide's
"require server-side encryption" examples.
"""

from __future__ import annotations

from tests.rules.conftest import Lint, by_rule

WRITER = """
  WriterRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: writer
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: write
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:PutObject]
                Resource: arn:aws:s3:::upload-bkt-example/incoming/*
              - Effect: Allow
                Action: [kms:GenerateDataKey, kms:Decrypt]
                Resource: !GetAtt UploadKey.Arn
  UploadKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Enable IAM User Permissions
            Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
  UploadBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: upload-bkt-example
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt UploadKey.Arn
"""


def template(*statements: str) -> str:
    policy = """
  UploadBucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref UploadBucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
""" + "".join(statements)
    return 'AWSTemplateFormatVersion: "2010-09-09"\nResources:' + WRITER + policy


def deny_put(sid: str, condition: str) -> str:
    return f"""          - Sid: {sid}
            Effect: Deny
            Principal: "*"
            Action: s3:PutObject
            Resource: arn:aws:s3:::upload-bkt-example/*
            Condition:
{condition}"""


# Denies a request without the header, whatever the default encryption would do.
REQUIRE_KMS_HEADER = deny_put("DenyNotSSEKMS", """              StringNotEquals:
                s3:x-amz-server-side-encryption: aws:kms
""")
# The same with the documented Null guard: only a request that names another encryption is denied.
REQUIRE_KMS_IF_NAMED = deny_put("DenyOtherEncryption", """              StringNotEquals:
                s3:x-amz-server-side-encryption: aws:kms
              "Null":
                s3:x-amz-server-side-encryption: "false"
""")
# No request the application plausibly sends names SSE-S3 on a bucket whose default is SSE-KMS.
REQUIRE_AES256 = deny_put("DenyNotAES256", """              StringNotEquals:
                s3:x-amz-server-side-encryption: AES256
""")
OLD_TLS = """          - Sid: DenyOldTls
            Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [arn:aws:s3:::upload-bkt-example, arn:aws:s3:::upload-bkt-example/*]
            Condition:
              NumericLessThan:
                s3:TlsVersion: "1.2"
"""
NO_TLS13 = OLD_TLS.replace("DenyOldTls", "DenyBelowTls13").replace('"1.2"', '"1.3"')


def denials(findings: list) -> list:  # type: ignore[type-arg]
    return [f for f in findings if f.kind == "denied" and f.severity in ("error", "warning")]


def test_a_deny_that_refuses_only_requests_relying_on_default_encryption_is_a_note(lint: Lint) -> None:
    findings = lint({"t.yaml": template(REQUIRE_KMS_HEADER)})
    assert denials(findings) == []
    notes = by_rule(findings, "W403-U001")
    assert len(notes) == 1
    assert "DenyNotSSEKMS" in notes[0].message and notes[0].severity == "note"
    assert "default" in notes[0].message


def test_the_null_guard_makes_the_deny_refuse_no_plausible_request(lint: Lint) -> None:
    findings = lint({"t.yaml": template(REQUIRE_KMS_IF_NAMED)})
    assert denials(findings) == []
    assert by_rule(findings, "W403-U001") == []


def test_a_deny_that_refuses_every_plausible_request_is_an_error(lint: Lint) -> None:
    findings = lint({"t.yaml": template(REQUIRE_AES256)})
    hits = by_rule(findings, "W403-D101")
    assert len(hits) == 1
    # A definite denial (its severity is graded like any Deny written for everyone), not a note.
    assert hits[0].severity != "note" and hits[0].denial == "explicit"
    assert hits[0].access is not None and hits[0].access.action == "s3:PutObject"


def test_a_deny_for_tls_below_1_2_never_matches(lint: Lint) -> None:
    findings = lint({"t.yaml": template(OLD_TLS)})
    assert denials(findings) == [] and by_rule(findings, "W403-U001") == []


def test_a_deny_for_tls_below_1_3_may_refuse_a_tls_1_2_client(lint: Lint) -> None:
    findings = lint({"t.yaml": template(NO_TLS13)})
    assert denials(findings) == []
    assert any("DenyBelowTls13" in f.message for f in by_rule(findings, "W403-U001"))
