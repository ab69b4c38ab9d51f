"""Names AWS generates at deploy time are symbols: a CDK stack's buckets and roles without
``BucketName``/``RoleName`` are the same resource wherever the template refers to them.

Before, the token of ``DataBucket``'s generated name was cut in two when its ARN was split at ``/``
(its hidden input scope held a path), so the access matched no bucket of the sources, and the
SSE-KMS 403 below went unreported (exit 0).
"""

from __future__ import annotations

import json

from tests.unknowns.conftest import Check, of_rule

# What `cdk synth` writes for a bucket encrypted with a stack key and a function role given PutObject
# by grantPut-like code that forgot the key (logical ids with CDK's hashes, Fn::Join with the
# partition, no physical names anywhere).
CDK_STACK = json.dumps({
    "Resources": {
        "DataKey4D2F5B5A": {
            "Type": "AWS::KMS::Key",
            "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "kms:*", "Resource": "*",
                "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::",
                                                         {"Ref": "AWS::AccountId"}, ":root"]]}}}]}},
            "UpdateReplacePolicy": "Retain", "DeletionPolicy": "Retain",
            "Metadata": {"aws:cdk:path": "IngestStack/DataKey/Resource"},
        },
        "DataBucketE3889A50": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"BucketEncryption": {"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                  "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey4D2F5B5A", "Arn"]}}}]},
                           "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                              "IgnorePublicAcls": True, "RestrictPublicBuckets": True}},
            "Metadata": {"aws:cdk:path": "IngestStack/DataBucket/Resource"},
        },
        "UploaderServiceRole1A2B3C4D": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}},
            "Metadata": {"aws:cdk:path": "IngestStack/Uploader/ServiceRole/Resource"},
        },
        "UploaderServiceRoleDefaultPolicy5E6F7A8B": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "PolicyName": "UploaderServiceRoleDefaultPolicy5E6F7A8B",
                "Roles": [{"Ref": "UploaderServiceRole1A2B3C4D"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["s3:PutObject", "s3:Abort*"],
                    "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["DataBucketE3889A50", "Arn"]}, "/*"]]}}]},
            },
            "Metadata": {"aws:cdk:path": "IngestStack/Uploader/ServiceRole/DefaultPolicy/Resource"},
        },
    },
}, indent=1)


def test_a_generated_bucket_name_is_the_bucket_of_the_stack(check: Check) -> None:
    code, report = check({"cdk.out/IngestStack.template.json": CDK_STACK})
    assert code == 1
    [kms] = of_rule(report, "W403-D103")
    assert kms["severity"] == "error"
    assert kms["access"]["action"] == "s3:PutObject"
    assert kms["access"]["resource"] == "arn:aws:s3:::<DataBucketE3889A50.bucket>/*"
    assert kms["access"]["principal"] == "arn:aws:iam::<this unit's account>:role/<UploaderServiceRole1A2B3C4D.name>"


def test_the_same_stack_with_the_key_granted_is_clean(check: Check) -> None:
    stack = json.loads(CDK_STACK)
    policy = stack["Resources"]["UploaderServiceRoleDefaultPolicy5E6F7A8B"]["Properties"]["PolicyDocument"]
    policy["Statement"].append({"Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Encrypt"],
                                "Resource": {"Fn::GetAtt": ["DataKey4D2F5B5A", "Arn"]}})
    code, report = check({"cdk.out/IngestStack.template.json": json.dumps(stack)})
    assert code == 0, report["findings"]
    assert report["stats"]["accesses_simulated"] >= 1
