"""The Terraform scenarios of shared/examples produce the model they describe (their findings come
with the simulation; here, the facts the simulation will need)."""

from __future__ import annotations

from why403.model.facts import (
    AccountFact,
    AttachmentFact,
    BucketEncryptionFact,
    BucketFact,
    BucketPolicyFact,
    ComputeFact,
    DeployerFact,
    EndpointFact,
    GrantFact,
    InlinePolicyFact,
    KeyFact,
    ManagedPolicyFact,
    OrgAttachmentFact,
    OrgPolicyFact,
    PublicAccessBlockFact,
    RoleFact,
    RouteTableAssociationFact,
    SourceOptions,
    SourceResult,
    SubnetFact,
    TaskDefinitionFact,
)
from why403.model.policy import PolicyKind, PrincipalEntry
from why403.sources.terraform import load_module

from .helpers import A, errors, example_dir, facts, one


def example(prefix: str) -> SourceResult:
    result = load_module(example_dir(prefix), SourceOptions())
    assert not errors(result), result.diagnostics
    assert not [d for d in result.diagnostics if d.severity == "warning"], result.diagnostics
    return result


def test_01_inline_allow_and_baseline_deny_attached_with_for_each() -> None:
    r = example("01")
    role = one(r, RoleFact, "aws_iam_role.transcoder")
    assert role.name == "media-transcoder" and role.arn == f"arn:aws:iam::{A}:role/media-transcoder"
    assert role.trust_policy is not None and role.trust_policy.kind is PolicyKind.TRUST
    assert role.trust_policy.statements[0].principals == (PrincipalEntry("Service", "ecs-tasks.amazonaws.com"),)
    bucket = one(r, BucketFact)
    assert bucket.name == "media-transcoder-scratch-356017482930"
    inline = one(r, InlinePolicyFact)
    assert inline.roles == ("media-transcoder",)
    (allow,) = inline.policy.statements
    assert allow.effect == "Allow" and "s3:DeleteObject" in (allow.actions or ())
    assert allow.resources == (f"arn:aws:s3:::{bucket.name}/*",)
    assert allow.location is not None and allow.location.file.endswith("transcoder.tf") and allow.location.line == 19
    managed = one(r, ManagedPolicyFact)
    assert managed.arn == f"arn:aws:iam::{A}:policy/baseline-deny-destructive-s3"
    (deny,) = managed.policy.statements
    assert deny.effect == "Deny" and deny.sid == "NoDeletes" and deny.resources == ("*",)
    attachment = one(r, AttachmentFact)
    assert attachment.ref == 'aws_iam_role_policy_attachment.baseline["media-transcoder"]'
    assert attachment.policy_arn == managed.arn and attachment.roles == (role.name,)
    bpa = one(r, PublicAccessBlockFact)
    assert bpa.bucket == bucket.name and bpa.block_public_policy is True


def test_02_three_providers_with_concrete_accounts() -> None:
    r = example("02")
    accounts = {f.name: f.account for f in facts(r, AccountFact)}
    assert accounts == {"management": "664201938475", "reporting": "287410593826", "partner": "913648207751"}
    deployers = {f.ref: f for f in facts(r, DeployerFact)}
    assert deployers["provider.aws.partner"].arn == "arn:aws:iam::913648207751:role/terraform-cross-org"
    assert deployers["provider.aws.reporting"].account == "287410593826"
    bucket = one(r, BucketFact)
    assert (bucket.name, bucket.account) == ("sox-audit-exports-287410593826", "287410593826")
    auditor = one(r, RoleFact, "aws_iam_role.auditor")
    assert auditor.account == "913648207751"
    assert auditor.arn == "arn:aws:iam::913648207751:role/sox-external-auditor"
    policy = one(r, BucketPolicyFact).policy
    assert policy.statements[0].principals == (PrincipalEntry("AWS", auditor.arn),)
    rcp = one(r, OrgPolicyFact)
    assert rcp.policy_type == "RESOURCE_CONTROL_POLICY" and rcp.policy.kind is PolicyKind.RCP
    condition = {c.key: c.values for c in rcp.policy.statements[0].conditions}
    assert condition["aws:PrincipalAccount"] == ("664201938475", "287410593826", "530918264471")
    attachment = one(r, OrgAttachmentFact)
    assert attachment.policy_id == rcp.policy_id and attachment.target == "287410593826"


def test_03_key_policy_delegates_to_the_home_account_and_the_exporter_has_only_encrypt() -> None:
    r = example("03")
    key = one(r, KeyFact)
    assert key.policy is not None
    assert key.policy.statements[0].principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:root"),)
    enc = one(r, BucketEncryptionFact)
    assert enc.algorithm == "aws:kms" and enc.key == key.arn
    assert enc.bucket == one(r, BucketFact).name == f"vehicle-telemetry-exports-{A}"
    exporter = next(f for f in facts(r, InlinePolicyFact) if f.roles == ("telemetry-exporter",))
    stmts = {s.sid: s for s in exporter.policy.statements}
    assert stmts["EncryptExports"].actions == ("kms:Encrypt",) and stmts["EncryptExports"].resources == (key.arn,)
    assert [s.location.line for s in exporter.policy.statements if s.location] == [17, 23]
    trust = one(r, RoleFact, "aws_iam_role.exporter").trust_policy
    assert trust is not None and trust.statements[0].principals == (PrincipalEntry("Service", "glue.amazonaws.com"),)


def test_04_lambda_subnets_are_routed_through_the_gateway_endpoint() -> None:
    r = example("04")
    fn = one(r, ComputeFact)
    assert fn.kind == "lambda" and fn.in_vpc is True
    assert fn.role == one(r, RoleFact).arn
    subnets = {f.subnet_id for f in facts(r, SubnetFact)}
    assert len(subnets) == 2 and set(fn.subnet_ids) == subnets
    endpoint = one(r, EndpointFact)
    assert endpoint.endpoint_type == "Gateway" and endpoint.service_name == "com.amazonaws.us-east-1.s3"
    (table,) = endpoint.route_table_ids
    associations = facts(r, RouteTableAssociationFact)
    assert {a.subnet_id for a in associations if a.route_table_id == table} == subnets
    assert endpoint.policy is not None
    deny = endpoint.policy.statements[1]
    assert deny.effect == "Deny" and "s3:PutObject" in (deny.actions or ())
    assert one(r, BucketFact).name == "risk-scoring-results-718264930551"


def test_05_heredoc_policy_with_the_role_unique_id_interpolated() -> None:
    r = example("05")
    role = one(r, RoleFact)
    policy = one(r, BucketPolicyFact).policy
    (stmt,) = policy.statements
    assert stmt.effect == "Deny" and stmt.principals == (PrincipalEntry("*", "*"),)
    (cond,) = stmt.conditions
    assert cond.operator == "StringNotLike" and cond.key == "aws:userId"
    assert cond.values == (f"{role.unique_id}:*",)
    assert stmt.location is not None and stmt.location.line == 20
    deployer = one(r, DeployerFact)
    assert deployer.arn == "arn:aws:iam::842751930664:role/platform-terraform"
    assert role.account == "842751930664"


def test_12_local_module_and_a_kms_grant() -> None:
    r = example("12")
    key = one(r, KeyFact)
    assert key.ref == "module.bucket.aws_kms_key.this"
    assert key.policy is not None
    admin = "arn:aws:iam::590374126688:role/data-platform-admin"
    assert key.policy.statements[0].principals == (PrincipalEntry("AWS", admin),)
    assert key.policy.statements[0].location is not None
    assert key.policy.statements[0].location.file.endswith("modules/encrypted-bucket/main.tf")
    grant = one(r, GrantFact)
    assert grant.key == key.key_id and grant.grantee == one(r, RoleFact).arn
    assert set(grant.operations) == {"GenerateDataKey", "Decrypt"}
    bucket = one(r, BucketFact)
    assert bucket.ref == "module.bucket.aws_s3_bucket.this" and bucket.name == "sensor-ingest-590374126688"
    assert one(r, BucketEncryptionFact).key == key.arn
    inline = one(r, InlinePolicyFact)
    assert inline.policy.statements[0].resources == (f"arn:aws:s3:::{bucket.name}/readings/*",)
    assert one(r, DeployerFact).arn == admin


def test_15_policy_document_with_concat_keeps_the_admins_in_the_allowlist() -> None:
    r = example("15")
    policy = one(r, BucketPolicyFact).policy
    (stmt,) = policy.statements
    assert stmt.effect == "Deny" and stmt.principals == (PrincipalEntry("*", "*"),)
    (cond,) = stmt.conditions
    assert cond.operator == "ArnNotLike" and cond.key == "aws:PrincipalArn"
    assert set(cond.values) == {
        one(r, RoleFact).arn,
        "arn:aws:iam::447120985316:role/terraform-deployer",
        "arn:aws:iam::447120985316:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_*",
    }
    assert one(r, DeployerFact).arn == "arn:aws:iam::447120985316:role/terraform-deployer"


def test_16_ecs_service_in_the_endpoint_vpc() -> None:
    r = example("16")
    task = one(r, TaskDefinitionFact)
    assert task.task_role == one(r, RoleFact, "aws_iam_role.quotes_task").arn and task.network_mode == "awsvpc"
    service = one(r, ComputeFact)
    assert service.kind == "ecs" and service.task_definition == task.arn and service.in_vpc is True
    subnets = facts(r, SubnetFact)
    assert set(service.subnet_ids) == {s.subnet_id for s in subnets} and len(subnets) == 3
    endpoint = one(r, EndpointFact)
    assert {s.vpc_id for s in subnets} == {endpoint.vpc_id}
    (table,) = endpoint.route_table_ids
    assert {a.subnet_id for a in facts(r, RouteTableAssociationFact) if a.route_table_id == table} == \
        set(service.subnet_ids)
    policy = one(r, BucketPolicyFact).policy
    (cond,) = policy.statements[0].conditions
    assert cond.key == "aws:SourceVpc" and cond.values == (endpoint.vpc_id,)
