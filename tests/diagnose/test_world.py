"""The world built from dumps: the same linker as the linter's, with the facts only live state has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from why403.cli.main import main
from why403.model.facts import OrgMembershipFact, OrgPolicyFact, RoleFact, SourceResult
from why403.model.location import Location
from why403.model.policy import PolicyKind
from why403.model.symbols import has_token
from why403.policy.parse import parse_policy
from why403.rules.d107_permissions_boundary import RULE as D107
from why403.simulate.engine import authorize
from why403.simulate.request import S3Request
from why403.sources.awsdump import Hints, load_dumps
from why403.sources.awsdump.message import parse_message
from why403.world.analysis import Analysis
from why403.world.build import build_world
from why403.world.drift import same_statement
from why403.world.model import internet_path

CASES = Path(__file__).resolve().parents[2] / "examples" / "diagnose"
HERE = Location("dumps", 1)
ACCOUNT = "111122223333"


def _scp(pid: str, doc: dict[str, object], *targets: str) -> OrgPolicyFact:
    return OrgPolicyFact(pid, HERE, pid, "SERVICE_CONTROL_POLICY", parse_policy(doc, PolicyKind.SCP), targets)


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
EC2_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
S3_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def _decide(*facts: object) -> str:
    role = RoleFact("role/r", HERE, "r", f"arn:aws:iam::{ACCOUNT}:role/r", ACCOUNT, "AROAEXAMPLE",
                    inline_policies=(parse_policy(S3_ALL, PolicyKind.IDENTITY),))
    world = build_world([SourceResult(facts=(role, *facts))])  # type: ignore[arg-type]
    info = world.principals[f"arn:aws:iam::{ACCOUNT}:role/r"]
    analysis = Analysis.of(world)
    bucket = analysis.sim.bucket("b")
    req = S3Request(info.actor, "s3:ListBucket", bucket, network=internet_path("t").network)
    return authorize(req, world.env).summary()


def test_an_ou_without_full_access_denies_what_it_does_not_allow() -> None:
    """Access-model V16, with the organization as its dumps show it: each level must allow."""
    member = OrgMembershipFact("account", HERE, ACCOUNT, "o-a1", ("r-a1", "ou-a1-x"), "999988887777")
    root_full = _scp("p-FullAWSAccess", FULL, "r-a1", ACCOUNT)
    assert _decide(member, root_full, _scp("p-ec2", EC2_ONLY, "ou-a1-x")).startswith("implicit deny by scp")
    assert _decide(member, root_full, _scp("p-full-ou", FULL, "ou-a1-x")).startswith("unknown"), \
        "allowed by every level; only the bucket's own settings are unknown here"


def test_a_level_the_dumps_attach_nothing_to_is_unknown() -> None:
    member = OrgMembershipFact("account", HERE, ACCOUNT, "o-a1", ("r-a1", "ou-a1-x"), "999988887777")
    summary = _decide(member, _scp("p-FullAWSAccess", FULL, "r-a1", ACCOUNT))
    assert summary.startswith("unknown") and "ou-a1-x" in summary


def test_sessions_carry_their_session_policy_and_tags() -> None:
    dumps = load_dumps(CASES / "07-session-policy" / "dumps")
    world = build_world([dumps.result])
    session = world.principals["arn:aws:sts::111122223333:assumed-role/ci-deployer/pipeline-4821"]
    assert session.ref == "role/ci-deployer" and session.actor.session_name == "pipeline-4821"
    (policy,) = session.actor.session_policies or ()
    assert policy.kind is PolicyKind.SESSION and policy.statements[0].sid == "ReadOnlyForThisStage"
    assert world.principals["arn:aws:iam::111122223333:role/ci-deployer"].actor.session_policies is None


def test_d107_reports_a_session_policy_denial_and_not_other_denials() -> None:
    world = build_world([load_dumps(CASES / "07-session-policy" / "dumps").result])
    findings = list(D107.check(Analysis.of(world)))
    assert findings and all(f.layer == "session-policy" for f in findings)
    assert any("s3:PutObject" in f.message for f in findings)
    world = build_world([load_dumps(CASES / "01-bucket-policy-deny" / "dumps").result])
    assert list(D107.check(Analysis.of(world))) == []


def test_objects_keep_their_own_key() -> None:
    dumps = load_dumps(CASES / "06-cross-account" / "dumps",
                       Hints(object_keys=(("partner-shared-exports", "exports/2025-03-06/customers.csv.gz"),)))
    world = build_world([dumps.result])
    obj = world.objects[("partner-shared-exports", "exports/2025-03-06/customers.csv.gz")]
    assert obj.encryption == "SSE-KMS" and obj.kms_key is not None
    assert obj.kms_key.account == "444455556666" and obj.owner_account == "444455556666"
    assert world.buckets["partner-shared-exports"].state.account == "444455556666", "from list-buckets"


def test_a_bucket_nobody_says_the_owner_of_has_an_unknown_account(tmp_path: Path) -> None:
    dest = tmp_path / "d"
    shutil.copytree(CASES / "05-permissions-boundary" / "dumps", dest)
    (dest / "s3api.list-buckets.json").unlink()
    world = build_world([load_dumps(dest).result])
    assert has_token(world.buckets["acme-ml-datasets"].state.account)


def test_statements_compare_through_values_the_code_leaves_open() -> None:
    code = parse_policy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
                        '\ue000uaws_iam_role.r.arn\ue001"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}',
                        PolicyKind.BUCKET)
    live = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/r"}, "Action": ["s3:GetObject"],
         "Resource": "arn:aws:s3:::b/*"}]}, PolicyKind.BUCKET)
    other = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/r"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::b/*"}]}, PolicyKind.BUCKET)
    assert same_statement(code.statements[0], live.statements[0])
    assert not same_statement(code.statements[0], other.statements[0])


def test_message_forms() -> None:
    m = parse_message("User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: s3:GetObject on "
                      "resource: arn:aws:s3:::b/k with an explicit deny in a service control policy: "
                      "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd")
    assert (m.principal, m.action, m.resource, m.explicit, m.policy_type) == (
        "arn:aws:iam::123456789012:user/Matt", "s3:GetObject", "arn:aws:s3:::b/k", True, "scp")
    assert m.policy_arn is not None and m.policy_arn.endswith("p-2kgnabcd")
    m = parse_message('User: x is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/k" because '
                      "no VPC endpoint policy allows the s3:PutObject action")
    assert (m.explicit, m.policy_type, m.resource) == (False, "vpc-endpoint-policy", "arn:aws:s3:::b/k")
    m = parse_message("Access Denied")
    assert m.policy_type is None and m.principal is None


def test_a_message_naming_another_layer(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS names one of the layers that deny: the simulation says which it found and what it can tell."""
    monkeypatch.chdir(CASES / "05-permissions-boundary")
    message = ("User: arn:aws:sts::111122223333:assumed-role/ml-trainer/SageMaker is not authorized to perform: "
               "s3:PutObject on resource: \"arn:aws:s3:::acme-ml-datasets/models/churn/v14/model.tar.gz\" because no "
               "identity-based policy allows the s3:PutObject action")
    code = main(["diagnose", "dumps", "--message", message])
    text = capsys.readouterr().out
    assert code == 1
    assert "AWS's message (DISAGREES)" in text and "the permissions boundary first" in text
