"""The CloudFormation scenarios of shared/examples produce the model they describe."""

from __future__ import annotations

from pathlib import Path

import pytest

from why403.model import symbols
from why403.model.facts import (
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    InstanceProfileFact,
    KeyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RoleFact,
    SourceResult,
)
from why403.model.policy import PrincipalEntry

from .helpers import EXAMPLES, load_paths, one, opaque

A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION


def example(name: str) -> SourceResult:
    matches = sorted(EXAMPLES.glob(f"{name}*/template.*"))
    if not matches:
        pytest.skip("shared/examples is not available")
    (result,) = load_paths(matches[0])
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    return result


def test_06_key_policy_with_unconditional_deny_and_bypass() -> None:
    r = example("06")
    key = one(r, KeyFact, "RecordsKey")
    assert key.bypass_lockout_check is True
    assert key.arn == f"arn:aws:kms:{R}:{A}:key/" + opaque(r, "RecordsKey.key_id")
    assert key.policy is not None
    root, deny = key.policy.statements
    assert root.principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:root"),)
    assert deny.effect == "Deny" and deny.principals == (PrincipalEntry("AWS", "*"),)
    assert deny.actions == ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey")
    assert not deny.conditions
    # every statement has its own line
    assert root.location is not None and deny.location is not None
    assert (root.location.line, deny.location.line) == (14, 20)
    enc = one(r, BucketEncryptionFact)
    assert enc.bucket == f"patient-records-{A}" and enc.algorithm == "aws:kms"
    assert enc.key == key.arn and enc.bucket_key is True
    role = one(r, RoleFact, "RecordsApiRole")
    (inline,) = role.inline_policies
    assert inline.statements[0].resources == (f"arn:aws:s3:::patient-records-{A}/*",)
    assert inline.statements[1].resources == (key.arn,)
    assert role.trust_policy is not None
    assert role.trust_policy.statements[0].principals == (PrincipalEntry("Service", "ecs-tasks.amazonaws.com"),)


def test_07_cross_account_role_arn_from_parameter_defaults() -> None:
    r = example("07")
    policy = one(r, BucketPolicyFact).policy
    (stmt,) = policy.statements
    assert stmt.principals == (PrincipalEntry("AWS", "arn:aws:iam::662039481177:role/exposure-ingest"),)
    bucket = one(r, BucketFact)
    assert bucket.name == f"reinsurance-exposure-{A}-{R}"
    assert one(r, BucketPolicyFact).bucket == bucket.name
    assert stmt.resources == (f"arn:aws:s3:::{bucket.name}/quarterly/*",)
    key = one(r, KeyFact)
    enc = one(r, BucketEncryptionFact)
    assert enc.key == key.key_id  # !Ref of a key is its id
    assert one(r, OwnershipFact).ownership == "BucketOwnerEnforced"
    assert key.policy is not None and len(key.policy.statements) == 1
    # parameters with defaults need no note
    assert not r.diagnostics


def test_07_parameter_given_on_the_command_line_wins(tmp_path: Path) -> None:
    matches = sorted(EXAMPLES.glob("07*/template.yaml"))
    if not matches:
        pytest.skip("shared/examples is not available")
    (r,) = load_paths(matches[0], cfn_parameters=(("ReinsurerAccountId", "111122223333"),))
    (stmt,) = one(r, BucketPolicyFact).policy.statements
    assert stmt.principals == (PrincipalEntry("AWS", "arn:aws:iam::111122223333:role/exposure-ingest"),)


def test_08_identity_policy_actions_and_resources() -> None:
    r = example("08")
    role = one(r, RoleFact, "IndexerRole")
    assert role.name == "kb-search-indexer"
    assert role.arn == f"arn:aws:iam::{A}:role/kb-search-indexer"
    enumerate_, fetch = role.inline_policies[0].statements
    assert enumerate_.actions == ("s3:ListObjects", "s3:ListObjectsV2")
    assert enumerate_.resources == (f"arn:aws:s3:::kb-articles-{A}",)
    assert fetch.resources == (f"arn:aws:s3:::kb-articles-{A}/*",)
    assert one(r, BucketEncryptionFact).algorithm == "AES256"


def test_09_wildcards_in_json_template() -> None:
    r = example("09")
    pab = one(r, PublicAccessBlockFact)
    assert (pab.block_public_acls, pab.ignore_public_acls, pab.block_public_policy, pab.restrict_public_buckets) == (
        True, True, False, False)
    (stmt,) = one(r, BucketPolicyFact).policy.statements
    assert stmt.principals == (PrincipalEntry("AWS", "*"),)
    assert stmt.resources == (f"arn:aws:s3:::model-artifacts-{A}/*",)
    key = one(r, KeyFact)
    assert key.policy is not None
    assert key.policy.statements[0].principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:root"),)
    assert key.policy.statements[1].principals == (PrincipalEntry("AWS", "*"),)
    assert key.location.line == 5  # JSON keeps lines too


def test_10_logging_configuration_into_perimeter_bucket() -> None:
    r = example("10")
    log = one(r, BucketLoggingFact)
    assert log.bucket == f"payments-ledger-{A}"
    assert log.target_bucket == f"s3-access-logs-{A}-{R}"
    assert log.target_prefix == "payments/"
    policy = one(r, BucketPolicyFact, "AccessLogBucketPolicy").policy
    allow, deny = policy.statements
    assert allow.principals == (PrincipalEntry("Service", "logging.s3.amazonaws.com"),)
    conds = {(c.base, c.key): c.values for c in allow.conditions}
    assert conds[("ArnLike", "aws:SourceArn")] == (f"arn:aws:s3:::payments-ledger-{A}",)
    assert conds[("StringEquals", "aws:SourceAccount")] == (A,)
    assert deny.principals == (PrincipalEntry("*", "*"),)
    assert deny.conditions[0].values == ("o-5tn8r2kq7v",)
    assert deny.resources == (f"arn:aws:s3:::s3-access-logs-{A}-{R}", f"arn:aws:s3:::s3-access-logs-{A}-{R}/*")


def test_11_tls_deny_and_delegating_key() -> None:
    r = example("11")
    (deny,) = one(r, BucketPolicyFact).policy.statements
    assert deny.effect == "Deny" and deny.conditions[0].key == "aws:SecureTransport"
    assert one(r, BucketFact).name == f"loan-docs-{A}"
    key = one(r, KeyFact)
    intake = one(r, RoleFact, "IntakeApiRole")
    assert intake.inline_policies[0].statements[1].resources == (key.arn,)
    assert intake.name == opaque(r, "IntakeApiRole.name")


def test_13_instance_profile_and_managed_policy_arn() -> None:
    r = example("13")
    role = one(r, RoleFact, "ConfigAgentRole")
    assert role.managed_policy_arns == ("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",)
    assert not role.managed_policies_unknown
    profile = one(r, InstanceProfileFact)
    assert profile.roles == ("edge-config-agent",)
    assert profile.name == opaque(r, "ConfigAgentProfile.id")
    list_stmt, read_stmt = one(r, BucketPolicyFact).policy.statements
    assert list_stmt.principals == (PrincipalEntry("AWS", role.arn),)
    assert read_stmt.resources == (f"arn:aws:s3:::edge-config-bundles-{A}/bundles/*",)


def test_14_key_policy_names_role_with_via_service() -> None:
    r = example("14")
    role = one(r, RoleFact, "TokenizerRole")
    key = one(r, KeyFact)
    assert key.policy is not None
    custodians, tokenizer = key.policy.statements
    assert custodians.principals == (PrincipalEntry("AWS", f"arn:aws:iam::{A}:role/pci-key-custodian"),)
    assert tokenizer.principals == (PrincipalEntry("AWS", role.arn),)
    (cond,) = tokenizer.conditions
    assert (cond.base, cond.key, cond.values) == ("StringEquals", "kms:ViaService", (f"s3.{R}.amazonaws.com",))
    assert one(r, BucketEncryptionFact).key == key.arn


def test_home_account_and_region_given() -> None:
    matches = sorted(EXAMPLES.glob("14*/template.json"))
    if not matches:
        pytest.skip("shared/examples is not available")
    (r,) = load_paths(matches[0], account_id="123456789012", region="eu-west-1")
    key = one(r, KeyFact)
    assert key.arn.startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert one(r, BucketFact).name == "card-token-vault-123456789012"
