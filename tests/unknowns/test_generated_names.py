"""Names AWS generates at deploy time are symbols: a CDK stack's buckets and roles without
``BucketName``/``RoleName`` are the same resource wherever the template refers to them.

Before, the token of ``DataBucket``'s generated name was cut in two when its ARN was split at ``/``
(its hidden input scope held a path), so the access matched no bucket of the sources, and the
SSE-KMS 403 below went unreported (exit 0).
"""

from __future__ import annotations

import json

from tests.unknowns.conftest import FIXTURES, Check, of_rule

# fixtures/cdk-generated-names: what `cdk synth` writes for a bucket encrypted with a stack key and
# a function role given PutObject by grantPut-like code that forgot the key (logical ids with CDK's
# hashes, Fn::Join with the partition, no physical names anywhere).
TEMPLATE = "cdk.out/IngestStack.template.json"


def test_a_generated_bucket_name_is_the_bucket_of_the_stack(check: Check) -> None:
    code, report = check("cdk-generated-names")
    assert code == 1
    [kms] = of_rule(report, "W403-D103")
    assert kms["severity"] == "error"
    assert kms["access"]["action"] == "s3:PutObject"
    assert kms["access"]["resource"] == "arn:aws:s3:::<DataBucketE3889A50.bucket>/*"
    assert kms["access"]["principal"] == "arn:aws:iam::<this unit's account>:role/<UploaderServiceRole1A2B3C4D.name>"


def test_the_same_stack_with_the_key_granted_is_clean(check: Check) -> None:
    stack = json.loads((FIXTURES / "cdk-generated-names" / TEMPLATE).read_text())
    policy = stack["Resources"]["UploaderServiceRoleDefaultPolicy5E6F7A8B"]["Properties"]["PolicyDocument"]
    policy["Statement"].append({"Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Encrypt"],
                                "Resource": {"Fn::GetAtt": ["DataKey4D2F5B5A", "Arn"]}})
    code, report = check({"cdk.out/manifest.json": (FIXTURES / "cdk-generated-names/cdk.out/manifest.json").read_text(),
                          TEMPLATE: json.dumps(stack)})
    assert code == 0, report["findings"]
    assert report["stats"]["accesses_simulated"] >= 1


def test_a_bucket_prefix_and_a_bucket_named_by_a_variable_are_each_one_bucket(check: Check) -> None:
    """``bucket_prefix`` leaves AWS to finish the name; ``bucket = var.bucket_name`` with no value
    leaves the name open. Either way the policy that says ``aws_s3_bucket.scratch.arn`` or
    ``arn:aws:s3:::${var.bucket_name}`` names that bucket, and the 403 holds for any name."""
    code, report = check("tf-prefix-and-vars")
    assert code == 1
    denied = {f["access"]["resource"]: f for f in of_rule(report, "W403-D103")}
    assert set(denied) == {"arn:aws:s3:::scratch-<aws_s3_bucket.scratch.bucket>/*",
                           "arn:aws:s3:::<var.bucket_name>/*"}
    assert all(f["severity"] == "error" for f in denied.values())
    assert {f["access"]["principal"] for f in denied.values()} == {
        "arn:aws:iam::<this unit's account>:role/worker-<var.env>"}
