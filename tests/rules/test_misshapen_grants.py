"""Issue 15.7: a grant whose Action and Resource can never meet, when the code's own access relies on it.

The access the statement was written for (the object action on the bucket's objects, the bucket
action on the bucket, the ARN that was meant) is simulated: when nothing else grants it, it is a
denial by the identity-based policy (implicit), with the shape problem as the reason, and W403-S401
does not say it again; when another statement grants it, the dead statement is only S401's.
"""

from __future__ import annotations

import json

from tests.rules.conftest import Lint, by_rule

ROLE = """
resource "aws_s3_bucket" "reports" {
  bucket = "reports-bkt-example"
}

resource "aws_iam_role" "reader" {
  name = "reader"
  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
}

resource "aws_iam_role_policy" "reader" {
  role   = aws_iam_role.reader.id
  policy = jsonencode({Version = "2012-10-17", Statement = [%s]})
}
"""


def denied(findings: list) -> list:  # type: ignore[type-arg]
    return [(f.rule, f.layer, f.denial, f.access.action if f.access else None)
            for f in findings if f.kind == "denied" and f.severity in ("error", "warning") and f.rule != "W403-S401"]


def test_an_object_action_on_the_bucket_arn_is_the_denial_it_causes(lint: Lint) -> None:
    grant = '{Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.reports.arn}'
    findings = lint({"main.tf": ROLE % grant})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:GetObject")]
    d102 = by_rule(findings, "W403-D102")[0]
    assert "applies to objects, but the statement names only bucket ARNs" in d102.message
    assert by_rule(findings, "W403-S401") == []


def test_a_bucket_action_on_object_arns_is_the_denial_it_causes(lint: Lint) -> None:
    findings = lint({"main.tf": ROLE % '{Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], '
                                       'Resource = "${aws_s3_bucket.reports.arn}/*"}'})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:ListBucket")]
    assert by_rule(findings, "W403-S401") == []


def test_an_arn_in_the_bucket_name_slot_is_the_denial_it_causes(lint: Lint) -> None:
    findings = lint({"main.tf": ROLE % '{Effect = "Allow", Action = "s3:GetObject", '
                                       'Resource = "arn:aws:s3:::${aws_s3_bucket.reports.arn}/*"}'})
    assert denied(findings) == [("W403-D102", "identity-policy", "implicit", "s3:GetObject")]
    assert "ARN where the bucket name goes" in by_rule(findings, "W403-D102")[0].message
    assert by_rule(findings, "W403-S401") == []


def test_a_dead_statement_beside_one_that_grants_is_only_a_policy_problem(lint: Lint) -> None:
    statements = ('{Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.reports.arn}, '
                  '{Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.reports.arn}/*"}')
    findings = lint({"main.tf": ROLE % statements})
    assert denied(findings) == []
    assert [f.severity for f in by_rule(findings, "W403-S401")] == ["warning"]


# -- issue 15.6: SAM policy templates take names, not ARNs -----------------------------------------------

SAM = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  DataKey:
    Type: AWS::KMS::Key
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sam-uploads-example
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: "aws:kms", KMSMasterKeyID: !GetAtt DataKey.Arn}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Policies:
        - S3ReadPolicy:
            BucketName: %s
        - KMSDecryptPolicy:
            KeyId: %s
"""


def test_sam_templates_given_names_grant_what_they_say(lint: Lint) -> None:
    findings = lint({"template.yaml": SAM % ("!Ref Uploads", "!Ref DataKey")})
    assert denied(findings) == [] and by_rule(findings, "W403-S401") == []


def test_a_sam_bucket_name_given_the_buckets_arn_is_the_denial_it_causes(lint: Lint) -> None:
    findings = lint({"template.yaml": SAM % ("!GetAtt Uploads.Arn", "!Ref DataKey")})
    assert sorted(denied(findings)) == [("W403-D102", "identity-policy", "implicit", "s3:GetObject"),
                                        ("W403-D102", "identity-policy", "implicit", "s3:ListBucket")]
    assert all("BucketName of a SAM policy template" in f.message for f in by_rule(findings, "W403-D102"))
    assert by_rule(findings, "W403-S401") == []


def test_a_sam_key_id_given_the_keys_arn_matches_no_key(lint: Lint) -> None:
    """The key id slot holds an ARN: the statement names no key, so S3's kms:Decrypt for the reader
    is refused (D103), and S401 says why."""
    findings = lint({"template.yaml": SAM % ("!Ref Uploads", "!GetAtt DataKey.Arn")})
    assert [(r, a) for r, _, _, a in denied(findings)] == [("W403-D103", "s3:GetObject")]
    s401 = by_rule(findings, "W403-S401")
    assert len(s401) == 1 and "KeyId of a SAM policy template" in s401[0].message


# -- CDK grants, as cdk synth writes them (bucket.grantRead(fn) on a KMS-encrypted bucket) ----------------

CDK_GRANT_READ = """{
 "Resources": {
  "Bucket83908E77": {
   "Type": "AWS::S3::Bucket",
   "Properties": {
    "BucketEncryption": {
     "ServerSideEncryptionConfiguration": [
      {
       "ServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {
         "Fn::GetAtt": [
          "Key961B73FD",
          "Arn"
         ]
        }
       }
      }
     ]
    }
   }
  },
  "Key961B73FD": {
   "Type": "AWS::KMS::Key",
   "Properties": {
    "KeyPolicy": {
     "Statement": [
      {
       "Action": "kms:*",
       "Effect": "Allow",
       "Principal": {
        "AWS": {
         "Fn::Join": [
          "",
          [
           "arn:",
           {
            "Ref": "AWS::Partition"
           },
           ":iam::",
           {
            "Ref": "AWS::AccountId"
           },
           ":root"
          ]
         ]
        }
       },
       "Resource": "*"
      }
     ],
     "Version": "2012-10-17"
    }
   }
  },
  "FnServiceRoleB9001A96": {
   "Type": "AWS::IAM::Role",
   "Properties": {
    "AssumeRolePolicyDocument": {
     "Statement": [
      {
       "Action": "sts:AssumeRole",
       "Effect": "Allow",
       "Principal": {
        "Service": "lambda.amazonaws.com"
       }
      }
     ],
     "Version": "2012-10-17"
    }
   }
  },
  "FnServiceRoleDefaultPolicyC6A839BF": {
   "Type": "AWS::IAM::Policy",
   "Properties": {
    "PolicyDocument": {
     "Statement": [
      {
       "Action": [
        "s3:GetBucket*",
        "s3:GetObject*",
        "s3:List*"
       ],
       "Effect": "Allow",
       "Resource": [
        {
         "Fn::GetAtt": [
          "Bucket83908E77",
          "Arn"
         ]
        },
        {
         "Fn::Join": [
          "",
          [
           {
            "Fn::GetAtt": [
             "Bucket83908E77",
             "Arn"
            ]
           },
           "/*"
          ]
         ]
        }
       ]
      },
      {
       "Action": "kms:Decrypt",
       "Effect": "Allow",
       "Resource": {
        "Fn::GetAtt": [
         "Key961B73FD",
         "Arn"
        ]
       }
      }
     ],
     "Version": "2012-10-17"
    },
    "PolicyName": "FnServiceRoleDefaultPolicyC6A839BF",
    "Roles": [
     {
      "Ref": "FnServiceRoleB9001A96"
     }
    ]
   }
  }
 },
 "AWSTemplateFormatVersion": "2010-09-09"
}
"""


def test_a_cdk_grant_read_on_an_encrypted_bucket_gives_no_denial(lint: Lint) -> None:
    assert denied(lint({"Stack.template.json": CDK_GRANT_READ})) == []


def test_a_cdk_grant_without_its_key_statement_is_refused_by_kms(lint: Lint) -> None:
    without_key = json.loads(CDK_GRANT_READ)
    policy = without_key["Resources"]["FnServiceRoleDefaultPolicyC6A839BF"]["Properties"]["PolicyDocument"]
    policy["Statement"] = policy["Statement"][:1]
    found = denied(lint({"Stack.template.json": json.dumps(without_key)}))
    assert ("W403-D103", "identity-policy", "implicit", "s3:GetObject") in found


def test_an_api_name_beside_its_permission_in_a_deny_is_a_note(lint: Lint) -> None:
    """``s3:HeadObject`` next to ``s3:GetObject`` in a Deny: HEAD requests are refused through
    s3:GetObject, so the Deny does what it reads; the dead name is worth a note, not a warning."""
    deny = '{Effect = "Deny", Action = ["s3:HeadObject", "s3:GetObject"], Resource = "${aws_s3_bucket.reports.arn}/*"}'
    (s401,) = by_rule(lint({"main.tf": ROLE % deny}), "W403-S401")
    assert s401.severity == "note" and "s3:HeadObject" in s401.message
    assert "(note: the permission S3 checks for it is denied by the same statement" in s401.message


def test_an_api_name_alone_in_a_deny_says_the_deny_refuses_nothing(lint: Lint) -> None:
    """Alone, the name leaves HEAD requests allowed: a warning, worded for a Deny, not a grant."""
    deny = '{Effect = "Deny", Action = "s3:HeadObject", Resource = "${aws_s3_bucket.reports.arn}/*"}'
    (s401,) = by_rule(lint({"main.tf": ROLE % deny}), "W403-S401")
    assert s401.severity == "warning" and "authorized by s3:GetObject" in s401.message
    assert "the requests this Deny reads as refusing are not refused by it" in s401.message
    assert "grant" not in s401.message


def test_an_api_name_beside_a_wildcard_that_covers_its_permission_is_a_note(lint: Lint) -> None:
    deny = '{Effect = "Deny", Action = ["s3:GetObject*", "s3:HeadObject"], Resource = "${aws_s3_bucket.reports.arn}/*"}'
    (s401,) = by_rule(lint({"main.tf": ROLE % deny}), "W403-S401")
    assert s401.severity == "note"


def test_an_unsupported_element_does_not_say_the_grant_never_happens(lint: Lint) -> None:
    """``Id`` in an identity policy (AWS: not allowed there) changes nothing its statements grant:
    the warning says what AWS documents, not that the grant is dead."""
    source = ROLE.replace('jsonencode({Version = "2012-10-17", Statement',
                          'jsonencode({Version = "2012-10-17", Id = "reader-policy", Statement')
    grant = '{Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.reports.arn}/*"}'
    (s401,) = by_rule(lint({"main.tf": source % grant}), "W403-S401")
    assert s401.severity == "warning" and "Id is not allowed in identity-based policies" in s401.message
    assert "never happens" not in s401.message and "AWS documents" in s401.message


def test_a_short_arn_whose_star_spans_the_colons_is_no_policy_problem(lint: Lint) -> None:
    """``arn:aws:sns:*:alerts`` names the topic ``alerts`` in every region and account: a ``*``
    ending a segment runs past the colons after it (IAM JSON policy elements: Resource)."""
    grants = ('{Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.reports.arn}/*"}, '
              '{Effect = "Allow", Action = "sns:Publish", Resource = "arn:aws:sns:*:alerts"}')
    assert by_rule(lint({"main.tf": ROLE % grants}), "W403-S401") == []
    wildcard_service = grants.replace("arn:aws:sns:*:alerts", "arn:aws:*")
    (s401,) = by_rule(lint({"main.tf": ROLE % wildcard_service}), "W403-S401")
    assert s401.severity == "warning" and "wildcards are not allowed in the service part" in s401.message
