"""Plan JSON: real plans made by terraform (fixtures/plans, see make_plan_fixtures.py).

``fresh.json`` is a first plan (every generated ARN unknown until apply); ``existing.json`` plans
the same workspace against a state where its resources exist. Reading ``existing.json`` must give
the same facts as reading the workspace's HCL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from why403.model import symbols
from why403.model.facts import (
    AccountFact,
    AttachmentFact,
    BucketFact,
    BucketPolicyFact,
    ComputeFact,
    EndpointFact,
    Fact,
    InlinePolicyFact,
    KeyFact,
    ManagedPolicyFact,
    OrgPolicyFact,
    RoleFact,
    SourceOptions,
    SourceResult,
)
from why403.model.policy import Policy
from why403.sources.terraform import is_plan_json, load_module, load_plan

from .helpers import EXAMPLES, FIXTURES, facts, one, write
from .make_plan_fixtures import workspace_sources
from .policyoracle import ACCOUNT, build_workspace, concrete

PLANS = FIXTURES / "plans"


def plan(name: str) -> SourceResult:
    return load_plan(PLANS / name, SourceOptions(account_id=ACCOUNT))


def test_plan_json_is_recognised_cheaply(tmp_path: Path) -> None:
    assert is_plan_json(PLANS / "fresh.json")
    write(tmp_path, {"main.tf.json": '{"resource": {}}', "other.json": '{"format_version": "1.0"}'})
    assert not is_plan_json(tmp_path / "main.tf.json")
    assert not is_plan_json(tmp_path / "other.json")
    assert not is_plan_json(tmp_path / "missing.json")


def test_a_first_plan_keeps_what_is_known_after_apply_unknown_and_still_links() -> None:
    result = plan("fresh.json")
    role = one(result, RoleFact, "module.ex01.aws_iam_role.transcoder")
    assert role.name == "media-transcoder"
    assert role.trust_policy is not None and role.trust_policy.statements[0].principals is not None
    inline = one(result, InlinePolicyFact, "module.ex01.aws_iam_role_policy.transcoder_scratch")
    # The policy embeds the bucket ARN, which AWS returns on creation: unknown, never a guess.
    assert inline.policy.unknown is not None and not inline.policy.statements
    # role = aws_iam_role.transcoder.id: unknown in the plan, linked through the configuration.
    assert inline.roles == ("media-transcoder",)
    attach = one(result, AttachmentFact, 'module.ex01.aws_iam_role_policy_attachment.baseline["media-transcoder"]')
    policy = one(result, ManagedPolicyFact, "module.ex01.aws_iam_policy.deny_destructive_s3")
    assert attach.policy_arn == policy.arn == f"arn:aws:iam::{ACCOUNT}:policy/baseline-deny-destructive-s3"
    assert attach.roles == ("media-transcoder",)
    assert any(d.code == "unknown-input" and "after apply" in d.message for d in result.diagnostics)
    assert all(f.location.file.endswith("fresh.json") for f in result.facts)


def test_plan_providers_and_module_resources() -> None:
    result = plan("fresh.json")
    accounts = {f.ref: f for f in facts(result, AccountFact)}
    assert accounts["provider.aws"].region == "us-east-1"
    assert accounts["provider.aws"].account == ACCOUNT
    assert {"provider.aws.partner", "provider.aws.reporting", "provider.aws.management"} <= set(accounts)
    key = one(result, KeyFact, "module.ex12.module.bucket.aws_kms_key.this")
    assert key.policy is not None and key.policy.statements[0].sid == "KeyAdministrators"
    lam = one(result, ComputeFact, "module.ex04.aws_lambda_function.scoring")
    assert lam.kind == "lambda" and lam.role == f"arn:aws:iam::{ACCOUNT}:role/risk-scoring-fn"


def _statements(policy: Policy | None) -> Any:
    if policy is None:
        return None
    if policy.unknown is not None:
        return ("unknown",)
    out = []
    for s in policy.statements:
        out.append((s.effect, s.sid, sorted(s.actions or ()), sorted(s.not_actions or ()),
                    sorted(concrete(list(s.resources or ()))), sorted(concrete(list(s.not_resources or ()))),
                    sorted((p.type, concrete(p.value)) for p in s.principals or ()),
                    sorted((p.type, concrete(p.value)) for p in s.not_principals or ()),
                    sorted((c.operator, c.key, tuple(sorted(concrete(list(c.values))))) for c in s.conditions)))
    return out


def _policies(fact: Fact) -> list[Any]:
    if isinstance(fact, RoleFact):
        return [_statements(fact.trust_policy), *[_statements(p) for p in fact.inline_policies]]
    policy = getattr(fact, "policy", None)
    return [_statements(policy)] if isinstance(policy, Policy) or policy is None else []


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared/examples is not available")
def test_a_plan_of_existing_resources_reads_like_the_configuration(tmp_path: Path) -> None:
    build_workspace(workspace_sources(), tmp_path)
    hcl = load_module(tmp_path, SourceOptions(account_id=ACCOUNT))
    planned = plan("existing.json")
    kinds = (BucketFact, BucketPolicyFact, InlinePolicyFact, ManagedPolicyFact, RoleFact, KeyFact, EndpointFact,
             OrgPolicyFact, AttachmentFact)
    compared = 0
    for cls in kinds:
        ours = {f.ref: f for f in facts(hcl, cls)}
        theirs = {f.ref: f for f in facts(planned, cls)}
        assert set(ours) == set(theirs), cls.__name__
        for ref, fact in ours.items():
            other = theirs[ref]
            assert _policies(fact) == _policies(other), ref
            for field in ("name", "bucket", "arn", "policy_arn", "roles"):
                if hasattr(fact, field):
                    assert concrete(getattr(fact, field)) == concrete(getattr(other, field)), (ref, field)
            compared += 1
    assert compared >= 60


def test_a_broken_plan_is_one_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"format_version": "1.2", "planned_values": ', encoding="utf-8")
    result = load_plan(tmp_path / "bad.json", SourceOptions())
    (diag,) = result.diagnostics
    assert diag.severity == "error" and "not valid JSON" in diag.message
    (tmp_path / "odd.json").write_text(json.dumps({"format_version": "1.2", "planned_values": {
        "root_module": {"resources": [{"address": "aws_s3_bucket.x", "type": "aws_s3_bucket", "mode": "managed",
                                       "values": {"bucket": ["not", "a", "string"]}}, "junk"]}}}),
        encoding="utf-8")
    odd = load_plan(tmp_path / "odd.json", SourceOptions())
    assert not [d for d in odd.diagnostics if d.severity == "error"]
    bucket = one(odd, BucketFact)
    assert symbols.has_token(bucket.name)


# A provider block as HCL, and the same block as a plan's configuration writes it.
_PROVIDERS: dict[str, tuple[str, dict[str, Any]]] = {
    "home": ("", {}),
    "allowed": ('allowed_account_ids = ["210987654321"]',
                {"allowed_account_ids": {"constant_value": ["210987654321"]}}),
    "allowed-two": ('allowed_account_ids = ["210987654321", "310987654321"]',
                    {"allowed_account_ids": {"constant_value": ["210987654321", "310987654321"]}}),
    "role": ('assume_role {\n role_arn = "arn:aws:iam::210987654321:role/deploy"\n}',
             {"assume_role": [{"role_arn": {"constant_value": "arn:aws:iam::210987654321:role/deploy"}}]}),
    "web-identity": ('assume_role_with_web_identity {\n role_arn = "arn:aws:iam::210987654321:role/ci"\n}',
                     {"assume_role_with_web_identity": [
                         {"role_arn": {"constant_value": "arn:aws:iam::210987654321:role/ci"}}]}),
    "role-without-account": ('assume_role {\n role_arn = "arn:aws:iam:::role/deploy"\n}',
                             {"assume_role": [{"role_arn": {"constant_value": "arn:aws:iam:::role/deploy"}}]}),
}


@pytest.mark.parametrize("name", sorted(_PROVIDERS))
def test_a_provider_account_is_resolved_alike_from_hcl_and_from_a_plan(tmp_path: Path, name: str) -> None:
    hcl, expressions = _PROVIDERS[name]
    write(tmp_path / "hcl", {"main.tf": f'provider "aws" {{\n region = "eu-west-1"\n{hcl}\n}}\n'})
    (tmp_path / "plan.json").write_text(json.dumps({
        "format_version": "1.2", "planned_values": {"root_module": {}},
        "configuration": {"provider_config": {"aws": {
            "name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}, **expressions}}}}}),
        encoding="utf-8")
    options = SourceOptions(account_id=ACCOUNT)
    from_hcl = {f.ref: f.account for f in facts(load_module(tmp_path / "hcl", options), AccountFact)}
    from_plan = {f.ref: f.account for f in facts(load_plan(tmp_path / "plan.json", options), AccountFact)}
    assert from_hcl == from_plan
    expected = {"home": ACCOUNT, "allowed": "210987654321", "role": "210987654321", "web-identity": "210987654321"}
    account = from_plan["provider.aws"]
    assert account == expected[name] if name in expected else account == symbols.unknown("provider.aws.account")
