"""Policies on buckets and keys the sources do not create (issue 14, point 4).

A bucket policy for a bucket given by name, variable or parameter, and an ``aws_kms_key_policy``
for a key id from a variable, were linted for shape only: a policy opening the bucket or the key to
every AWS account passed. The bucket or key is now a symbol of its own, in the account that writes
the policy (only a bucket's owner may set its policy; KMS takes PutKeyPolicy only in the key's
account), and every rule about policies asks about it.
"""

from __future__ import annotations

from tests.unknowns.conftest import Check, of_rule


def test_terraform_policies_for_a_bucket_and_a_key_named_by_variables(check: Check) -> None:
    code, report = check("tf-foreign-policies")
    assert code == 1
    [public] = of_rule(report, "W403-B301")
    assert public["severity"] == "error"
    assert public["location"]["line"] == 34  # CrossAccountBuilds, not the organization-scoped OrgRead
    assert "bucket <var.artifacts_bucket>" in public["message"]
    assert "not created by the sources" in public["message"]
    assert "s3:GetObject, s3:PutObject on arn:aws:s3:::<var.artifacts_bucket>/*" in public["message"]
    [shape] = of_rule(report, "W403-S401")
    assert "s3:ListObjectsV3" in shape["message"]
    [key] = of_rule(report, "W403-B302")
    assert key["severity"] == "error" and key["access"]["action"] == "kms:Decrypt"
    # The key policy delegates to the root of 111122223333, which may be this unit's account: no
    # lockout is claimed.
    assert not of_rule(report, "W403-L202")


def test_a_cloudformation_policy_for_a_bucket_given_by_a_parameter(check: Check) -> None:
    code, report = check("cfn-foreign-bucket-policy")
    assert code == 1
    [public] = of_rule(report, "W403-B301")
    assert public["access"]["resource"] == "arn:aws:s3:::<Parameter WebsiteBucketName>/uploads/*"
    assert public["access"]["action"] == "s3:PutObject"


def test_a_foreign_key_policy_that_locks_everyone_out(check: Check) -> None:
    files = {"main.tf": '''
        provider "aws" { region = "eu-west-1" }
        variable "key_id" { type = string }
        resource "aws_kms_key_policy" "k" {
          key_id = var.key_id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = { Service = "logs.amazonaws.com" },
                           Action = ["kms:Encrypt", "kms:Decrypt"], Resource = "*" }]
          })
        }
    '''}
    code, report = check(files)
    assert code == 1
    [lockout] = of_rule(report, "W403-L202")
    assert "aws_kms_key_policy.k" in lockout["message"]
