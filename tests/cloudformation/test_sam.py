"""SAM: the role, policies and compute that AWS::Serverless::Function expands to."""

from __future__ import annotations

import pytest

from why403.model import symbols
from why403.model.facts import ComputeFact, KeyFact, RoleFact, SourceResult
from why403.model.policy import PrincipalEntry

from .helpers import FIXTURES, facts, load_paths, one, opaque

A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VPC = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
XRAY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"


@pytest.fixture(scope="module")
def sam() -> SourceResult:
    (result,) = load_paths(FIXTURES / "sam_app.yaml")
    return result


def test_generated_role_name_trust_and_managed_policies(sam: SourceResult) -> None:
    role = one(sam, RoleFact, "ResizeFunctionRole")
    assert role.name == opaque(sam, "ResizeFunctionRole.name")
    assert role.trust_policy is not None
    assert role.trust_policy.statements[0].principals == (PrincipalEntry("Service", "lambda.amazonaws.com"),)
    # Globals.Function.VpcConfig applies, Tracing adds X-Ray; names and ARNs in Policies are attached
    assert role.managed_policy_arns == (BASIC, XRAY, VPC, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                        "arn:aws:iam::123456789012:policy/thumbs-extra")


def test_policy_templates_expand_to_sam_statements(sam: SourceResult) -> None:
    role = one(sam, RoleFact, "ResizeFunctionRole")
    by_name = {p.origin: p for p in role.inline_policies}
    assert set(by_name) == {f"ResizeFunctionRole.ResizeFunctionRolePolicy{i}" for i in (0, 1, 2, 5, 6, 7)}
    (read,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy0"].statements
    assert read.actions == ("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
                            "s3:GetLifecycleConfiguration")
    assert read.resources == ("arn:aws:s3:::thumbs-uploads", "arn:aws:s3:::thumbs-uploads/*")
    (crud,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy1"].statements
    assert "s3:DeleteObject" in (crud.actions or ())
    assert crud.resources == (f"arn:aws:s3:::thumbs-{A}", f"arn:aws:s3:::thumbs-{A}/*")
    (decrypt,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy2"].statements
    key = one(sam, KeyFact)
    assert decrypt.actions == ("kms:Decrypt",)
    assert decrypt.resources == (key.arn,)  # key/${KeyId} with the key's id gives its ARN
    (inline,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy5"].statements
    assert inline.actions == ("s3:PutObjectTagging",)
    assert inline.location is not None and inline.location.line > 30


def test_templates_outside_s3_and_kms_cannot_decide_s3(sam: SourceResult) -> None:
    role = one(sam, RoleFact, "ResizeFunctionRole")
    by_name = {p.origin: p for p in role.inline_policies}
    (dynamo,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy6"].statements
    assert dynamo.effect == "Allow" and dynamo.actions is not None
    assert dynamo.actions[0].startswith("dynamodb:") and symbols.has_uncertain_token(dynamo.actions[0])
    (unknown,) = by_name["ResizeFunctionRole.ResizeFunctionRolePolicy7"].statements
    assert unknown.effect == "Allow" and unknown.actions is not None
    assert symbols.is_entirely_unknown(unknown.actions[0])


def test_function_compute_fact_uses_generated_role_and_vpc(sam: SourceResult) -> None:
    role = one(sam, RoleFact, "ResizeFunctionRole")
    fn = one(sam, ComputeFact, "ResizeFunction")
    assert (fn.kind, fn.role, fn.subnet_ids, fn.in_vpc) == ("lambda", role.arn, ("subnet-0aaa1111bbbb22223",), True)
    audit = one(sam, ComputeFact, "AuditFunction")
    assert audit.subnet_ids == ("subnet-0ccc3333dddd44445",)  # the function's own VpcConfig wins
    audit_role = one(sam, RoleFact, "AuditFunctionRole")
    assert audit_role.managed_policy_arns == (BASIC, VPC, "arn:aws:iam::aws:policy/AWSLambdaExecute")


def test_role_given_means_no_generated_role(sam: SourceResult) -> None:
    assert not [f for f in facts(sam, RoleFact) if f.ref == "ByoRoleFunctionRole"]
    assert one(sam, ComputeFact, "ByoRoleFunction").role == "arn:aws:iam::123456789012:role/prebuilt"


def test_write_and_full_access_templates_and_boundary(sam: SourceResult) -> None:
    role = one(sam, RoleFact, "WriterFunctionRole")
    assert role.boundary_arn == "arn:aws:iam::123456789012:policy/boundary"
    assert VPC in role.managed_policy_arns and role.managed_policy_arns.count(VPC) == 1
    write, full, encrypt = role.inline_policies
    assert write.statements[0].actions == ("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration")
    objects, bucket = full.statements
    assert objects.resources == ("arn:aws:s3:::archive/*",) and bucket.resources == ("arn:aws:s3:::archive",)
    assert encrypt.statements[0].resources == (
        f"arn:aws:kms:{R}:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab",)
