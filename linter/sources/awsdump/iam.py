"""``iam get-account-authorization-details``: every role, user, group and managed policy of an account,
with their inline policies, attachments, permissions boundaries and tags, as model facts."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from why403.model.facts import GroupFact, ManagedPolicyFact, RoleFact, UserFact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.awsdump.context import Reader, arn_account
from why403.sources.awsdump.files import DumpFile, Located


def read_authorization_details(reader: Reader, dump: DumpFile, focus: str | None = None) -> str | None:
    """Facts of one account's IAM; returns the account the dump describes (from its ARNs).

    With ``focus`` (the ARN of the request's principal) only that role or user, its groups and the
    managed policies they use are parsed: a large account holds thousands of roles whose policies
    one diagnosis never reads, and parsing them all would take seconds.
    """
    located = reader.load(dump)
    if located is None:
        return None
    doc = located.value
    if doc.get("IsTruncated") is True:
        reader.error(dump, "the dump is truncated (IsTruncated: true): run the command without --max-items "
                     "so that the AWS CLI fetches every page", located.line(doc))
    lists: dict[str, list[dict[str, Any]]] = {}
    for key in ("Policies", "GroupDetailList", "RoleDetailList", "UserDetailList"):
        items = reader.field(dump, located, doc, key, list, "the authorization details") or []
        lists[key] = []
        for item in items:
            if isinstance(item, dict):
                lists[key].append(item)
            else:
                reader.error(dump, f"{key}: every entry should be an object", located.line(items))
    account: str | None = next((arn_account(str(i.get("Arn", ""))) for k in ("RoleDetailList", "UserDetailList")
                                for i in lists[k] if arn_account(str(i.get("Arn", "")))), None)
    if focus is not None:
        _narrow(lists, focus)
    for key, reading in (("Policies", _managed), ("GroupDetailList", _group), ("RoleDetailList", _role),
                         ("UserDetailList", _user)):
        for item in lists[key]:
            found = reading(reader, dump, located, item)
            account = account or found
    return account


def _narrow(lists: dict[str, list[dict[str, Any]]], focus: str) -> None:
    """Keep the entities a request by ``focus`` involves (see :func:`read_authorization_details`)."""
    parts = focus.split(":", 5)
    resource = parts[5] if len(parts) == 6 else ""
    pieces = resource.split("/")
    role_name = pieces[1] if pieces[0] == "assumed-role" and len(pieces) > 2 else \
        pieces[-1] if pieces[0] == "role" else None
    user_name = pieces[-1] if pieces[0] == "user" else None
    lists["RoleDetailList"] = [r for r in lists["RoleDetailList"] if role_name and r.get("RoleName") == role_name]
    lists["UserDetailList"] = [u for u in lists["UserDetailList"] if user_name and u.get("UserName") == user_name]
    groups = {g for u in lists["UserDetailList"] for g in u.get("GroupList") or () if isinstance(g, str)}
    lists["GroupDetailList"] = [g for g in lists["GroupDetailList"] if g.get("GroupName") in groups]
    used: set[str] = set()
    for key in ("RoleDetailList", "UserDetailList", "GroupDetailList"):
        for item in lists[key]:
            used.update(str(a.get("PolicyArn")) for a in item.get("AttachedManagedPolicies") or ()
                        if isinstance(a, dict))
            boundary = _boundary(item)
            if boundary:
                used.add(boundary)
    lists["Policies"] = [p for p in lists["Policies"] if p.get("Arn") in used]


def _arn(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any], what: str) -> str | None:
    arn = item.get("Arn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        reader.error(dump, f"{what} without an ARN", located.line(item))
        return None
    return arn


def _inline(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any], key: str,
            owner: str) -> tuple[Policy, ...]:
    out = []
    for entry in reader.field(dump, located, item, key, list, owner) or ():
        if not isinstance(entry, dict):
            continue
        name = entry.get("PolicyName") if isinstance(entry.get("PolicyName"), str) else "?"
        out.append(reader.policy(entry.get("PolicyDocument"), PolicyKind.IDENTITY, f"inline policy {name} of {owner}",
                                 dump, located, entry, "PolicyDocument"))
    return tuple(out)


def _attached(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any], owner: str) -> tuple[str, ...]:
    arns = []
    for entry in reader.field(dump, located, item, "AttachedManagedPolicies", list, owner) or ():
        if isinstance(entry, dict) and isinstance(entry.get("PolicyArn"), str):
            arns.append(entry["PolicyArn"])
    return tuple(arns)


def _boundary(item: dict[str, Any]) -> str | None:
    pb = item.get("PermissionsBoundary")
    if isinstance(pb, dict) and isinstance(pb.get("PermissionsBoundaryArn"), str):
        return str(pb["PermissionsBoundaryArn"])
    return None


def _tags(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    out = []
    for tag in item.get("Tags") or ():
        if isinstance(tag, dict) and isinstance(tag.get("Key"), str) and isinstance(tag.get("Value"), str):
            out.append((tag["Key"], tag["Value"]))
    return tuple(out)


class _Principal(TypedDict):
    """What a role, a user and a group entry of the dump all say (their facts' shared fields)."""

    ref: str
    location: Location
    name: str
    arn: str
    account: str
    inline_policies: tuple[Policy, ...]
    managed_policy_arns: tuple[str, ...]


def _principal(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any],
               kind: Literal["Role", "User", "Group"]) -> _Principal | None:
    """The shared fields of a ``RoleDetailList``, ``UserDetailList`` or ``GroupDetailList`` entry
    (``RoleName``, ``RolePolicyList`` ...); None, with an error, for an entry without an ARN."""
    arn = _arn(reader, dump, located, item, f"a {kind.lower()}")
    if arn is None:
        return None
    name = str(item.get(f"{kind}Name") or arn.rsplit("/", 1)[-1])
    ref = f"{kind.lower()}/{name}"
    return _Principal(ref=ref, location=Location(dump.file, located.line(item)), name=name, arn=arn,
                      account=arn_account(arn) or "",
                      inline_policies=_inline(reader, dump, located, item, f"{kind}PolicyList", ref),
                      managed_policy_arns=_attached(reader, dump, located, item, arn))


def _role(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any]) -> str | None:
    common = _principal(reader, dump, located, item, "Role")
    if common is None:
        return None
    trust = item.get("AssumeRolePolicyDocument")
    reader.facts.append(RoleFact(
        **common, unique_id=str(item.get("RoleId") or ""),
        trust_policy=reader.policy(trust, PolicyKind.TRUST, f"trust policy of {common['arn']}", dump, located, item,
                                   "AssumeRolePolicyDocument") if trust is not None else None,
        boundary_arn=_boundary(item), tags=_tags(item)))
    return common["account"] or None


def _user(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any]) -> str | None:
    common = _principal(reader, dump, located, item, "User")
    if common is None:
        return None
    groups = tuple(g for g in item.get("GroupList") or () if isinstance(g, str))
    reader.facts.append(UserFact(**common, unique_id=str(item.get("UserId") or ""), boundary_arn=_boundary(item),
                                 groups=groups, tags=_tags(item)))
    return common["account"] or None


def _group(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any]) -> str | None:
    common = _principal(reader, dump, located, item, "Group")
    if common is None:
        return None
    reader.facts.append(GroupFact(**common))
    return common["account"] or None


def _managed(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any]) -> str | None:
    arn = _arn(reader, dump, located, item, "a managed policy")
    if arn is None:
        return None
    name = str(item.get("PolicyName") or arn.rsplit("/", 1)[-1])
    default = item.get("DefaultVersionId")
    versions = reader.field(dump, located, item, "PolicyVersionList", list, arn) or []
    chosen = next((v for v in versions if isinstance(v, dict) and
                   (v.get("IsDefaultVersion") is True or (default and v.get("VersionId") == default))), None)
    location = Location(dump.file, located.line(item))
    if chosen is None:
        policy = Policy(kind=PolicyKind.IDENTITY, origin=name, arn=arn, location=location,
                        unknown=f"the default version of {arn} is not in the dump")
    else:
        policy = reader.policy(chosen.get("Document"), PolicyKind.IDENTITY, name, dump, located, chosen, "Document")
    # Managed policies never attach by themselves here: the roles, users and groups list them.
    reader.facts.append(ManagedPolicyFact(ref=arn, location=location, name=name, arn=arn,
                                          account=arn_account(arn) or "aws", policy=policy))
    return arn_account(arn)
