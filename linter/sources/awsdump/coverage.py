"""Which dumps one request needs that the folder does not hold, or holds unusable (:class:`Coverage`)."""

from __future__ import annotations

from why403.model.coverage import Coverage, Gap
from why403.model.facts import BucketEncryptionFact, EndpointFact, ObjectFact, OwnershipFact, SessionFact
from why403.sources.awsdump import Dumps
from why403.sources.awsdump.collect import Step, Target, plan
from why403.sources.awsdump.context import arn_account, is_account

_OK = ("read", "absent")


def target_for(dumps: Dumps, principal: str, action: str, bucket: str, key: str | None, vpce: str | None,
               bucket_account: str | None) -> Target:
    """The plan's view of the request, completed with what the dumps say (the object's key, the bucket's
    Object Ownership, the organization's policies)."""
    facts = dumps.result.facts
    kms_key: str | None = None
    for f in facts:
        if isinstance(f, ObjectFact) and f.bucket == bucket and f.key == key and f.kms_key:
            kms_key = f.kms_key
    if kms_key is None and (key is None or action.lower() == "s3:putobject" or
                            not any(isinstance(f, ObjectFact) and f.bucket == bucket for f in facts)):
        for f in facts:
            if isinstance(f, BucketEncryptionFact) and f.bucket == bucket and f.key and \
                    f.algorithm in ("aws:kms", "aws:kms:dsse"):
                kms_key = f.key
    ownership = next((f.ownership for f in facts if isinstance(f, OwnershipFact) and f.bucket == bucket), None)
    session = principal.startswith("arn:aws:sts:") and ":assumed-role/" in principal and \
        not any(isinstance(f, SessionFact) and f.arn == principal for f in facts)
    policies = tuple((name.resource, name.resource) for name in dumps.folder.files
                     if name.kind == ("organizations", "describe-policy") and name.resource is not None)
    listed = _listed_policy_ids(dumps)
    return Target(principal, action, bucket, key, vpce, bucket_account or dumps.owners.buckets.get(bucket), kms_key,
                  ownership, session, dumps.orgs.in_org, tuple(dict.fromkeys((*listed, *policies))),
                  tuple(sorted(dumps.orgs.placed)))


def _listed_policy_ids(dumps: Dumps) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for dump in dumps.folder.of_kind("organizations", "list-policies"):
        located = dump.parsed  # read by the frontend already
        if located is None:
            continue
        for item in located.value.get("Policies") or ():
            if isinstance(item, dict) and isinstance(item.get("Id"), str):
                out.append((item["Id"], dump.name.resource or ""))
    return tuple(out)


def coverage(dumps: Dumps, target: Target) -> Coverage:
    gaps: list[Gap] = []
    for step in plan(target):
        state = _state(dumps, step, target)
        if state is not None:
            gaps.append(Gap(step.name.file, state, step.command, step.layers, step.account))

    def reason(*commands: str) -> str | None:
        for gap in gaps:
            if any(gap.file.split(".")[1] == c for c in commands):
                return f"{gap.describe()}; collect: {gap.command}"
        return None

    scp: list[tuple[str, str]] = []
    rcp: list[tuple[str, str]] = []
    org = dumps.orgs
    if org.in_org is None:
        why = org.why or "whether the accounts are in an organization is not in the dumps"
        scp += [(a, why) for a in _accounts(target.principal_account)]
        rcp += [(a, why) for a in _accounts(target.bucket_account, _key_account(target))]
    elif org.in_org:
        for filter_name, out, accounts in (("SERVICE_CONTROL_POLICY", scp, _accounts(target.principal_account)),
                                           ("RESOURCE_CONTROL_POLICY", rcp,
                                            _accounts(target.bucket_account, _key_account(target)))):
            if not org.listed.get(filter_name, False):
                out += [(a, org.why_type.get(filter_name, "not collected")) for a in accounts]
    return Coverage(
        gaps=tuple(gaps),
        ownership_unknown=reason("get-bucket-ownership-controls"),
        acl_unknown=reason("get-bucket-acl", "get-object-acl"),
        object_unknown=reason("head-object"),
        grants_unknown=reason("list-grants"),
        session_unknown=reason("lookup-events") if target.session else None,
        endpoint_unknown=reason("describe-vpc-endpoints"),
        scp_unknown=tuple(scp), rcp_unknown=tuple(rcp),
        organization_known=org.in_org is not None and (org.in_org is False or org.org_id is not None),
        organization=org.org_id if org.in_org else None)


def _key_account(target: Target) -> str | None:
    return arn_account(target.kms_key) if target.kms_key else None


def _accounts(*accounts: str | None) -> list[str]:
    return list(dict.fromkeys(a for a in accounts if a is not None and is_account(a)))


def _state(dumps: Dumps, step: Step, target: Target) -> str | None:
    """None when the step's information is in the dumps; else why it is not."""
    name = step.name
    kind = name.kind
    if kind == ("iam", "get-account-authorization-details"):
        account = target.principal_account
        if account in dumps.iam_accounts:
            return None
        return _worst(dumps, kind) or "not collected"
    if kind == ("cloudtrail", "lookup-events"):
        found = _worst(dumps, kind)
        return found or ("no AssumeRole event for this session in the dumps" if any(
            n.kind == kind for n in dumps.folder.files) else "not collected")
    if kind == ("s3control", "get-public-access-block"):
        for dump in dumps.folder.of_kind(*kind):
            if dump.name.resource in (target.bucket_account, None):
                status = dumps.state(dump.name)
                if status is not None and status.state in _OK:
                    return None
        return _worst(dumps, kind) or "not collected"
    if kind == ("ec2", "describe-vpc-endpoints"):
        if any(isinstance(f, EndpointFact) and f.endpoint_id == target.vpce for f in dumps.result.facts):
            return None
        return _worst(dumps, kind) or ("the endpoint is not in the dump" if any(
            n.kind == kind for n in dumps.folder.files) else "not collected")
    if kind == ("s3api", "list-buckets"):
        return _worst(dumps, kind) or ("the bucket is not in any bucket list" if any(
            n.kind == kind for n in dumps.folder.files) else "not collected")
    status = dumps.state(name)
    if status is None:
        return "not collected"
    if status.state in _OK:
        return None
    return {"failed": f"failed: {status.detail}", "empty": status.detail,
            "malformed": f"malformed: {status.detail}"}.get(status.state, status.detail)


def _worst(dumps: Dumps, kind: tuple[str, str]) -> str | None:
    for name, status in dumps.status.items():
        if name.kind == kind and status.state not in _OK:
            return f"{name.file}: {status.detail}"
    return None
