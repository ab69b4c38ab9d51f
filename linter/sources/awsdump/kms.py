"""KMS dumps of one key: ``describe-key`` (account, Region, state, AWS managed or not),
``get-key-policy`` and ``list-grants``. A key whose policy dump is missing has an *unknown* policy,
never the default key policy."""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.model.facts import GrantFact, KeyFact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.awsdump.catalogue import command_line, dump_name
from why403.sources.awsdump.context import Reader, arn_account, arn_region
from why403.sources.awsdump.files import DumpFile, Located

KMS_COMMANDS = ("describe-key", "get-key-policy", "list-grants")


def key_ids(reader: Reader) -> list[str]:
    ids = {f.name.resource for f in reader.folder.files.values()
           if f.name.service == "kms" and f.name.command in KMS_COMMANDS and f.name.resource}
    return sorted(i for i in ids if i)


def key_id_of(key: str) -> str:
    """The id part of a key ARN (``arn:aws:kms:r:a:key/ID`` -> ``ID``); other forms unchanged."""
    return key.rsplit("key/", 1)[-1] if ":key/" in key else key


def read_key(reader: Reader, key_id: str, arn_hint: str | None) -> None:
    describe = reader.folder.get("kms", "describe-key", key_id)
    meta: dict[str, Any] = {}
    where = Location(str(reader.folder.root), 1)
    if describe is not None:
        where = describe.location()
        located = reader.load(describe)
        if located is not None:
            found = reader.field(describe, located, located.value, "KeyMetadata", dict, "the key description")
            if found is not None:
                meta = found
                where = Location(describe.file, located.line(found))
    arn = meta.get("Arn") if isinstance(meta.get("Arn"), str) else arn_hint
    if not arn:
        if describe is not None:
            reader.error(describe, f"the key {key_id}: no ARN (kms describe-key gives it)", where.line)
        return
    account = meta.get("AWSAccountId") if isinstance(meta.get("AWSAccountId"), str) else arn_account(arn)
    region = arn_region(arn) or symbols.unknown(f"region of key {key_id}")
    enabled: bool | None = None
    if meta:
        state = meta.get("KeyState")
        enabled = meta.get("Enabled") is True and state in (None, "Enabled")
    policy = _policy(reader, key_id, arn)
    reader.facts.append(KeyFact(ref=arn, location=where, key_id=key_id, arn=arn,
                                account=account or symbols.unknown(f"account of key {key_id}"), region=region,
                                policy=policy, enabled=enabled, aws_managed=meta.get("KeyManager") == "AWS"))
    _grants(reader, key_id, arn)


def _policy(reader: Reader, key_id: str, arn: str) -> Policy:
    dump = reader.folder.get("kms", "get-key-policy", key_id)
    name = dump_name("kms", "get-key-policy", key_id)
    if dump is not None:
        located = reader.load(dump)
        if located is not None:
            return reader.policy(located.value.get("Policy"), PolicyKind.KEY, f"key policy of {key_id}", dump,
                                 located, located.value, "Policy")
    status = reader.state(name)
    why = f"{name.file}: {status.detail}" if status is not None else f"{name.file} was not collected"
    return Policy(kind=PolicyKind.KEY, origin=f"key policy of {key_id}",
                  location=dump.location() if dump else None,
                  unknown=f"{why} (collect: {command_line(name, key_id=arn)})")


def _grants(reader: Reader, key_id: str, arn: str) -> None:
    dump = reader.folder.get("kms", "list-grants", key_id)
    if dump is None:
        return
    for located, item in reader.listed(dump, "Grants", "the grants"):
        _grant(reader, dump, located, item, arn)


def _grant(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any], arn: str) -> None:
    grantee = item.get("GranteePrincipal")
    operations = tuple(o for o in item.get("Operations") or () if isinstance(o, str))
    if not isinstance(grantee, str) or not operations:
        return
    constraints = item.get("Constraints") if isinstance(item.get("Constraints"), dict) else {}
    assert isinstance(constraints, dict)
    equals = _pairs(constraints.get("EncryptionContextEquals"))
    subset = _pairs(constraints.get("EncryptionContextSubset"))
    name = item.get("Name") or item.get("GrantId") or "grant"
    reader.facts.append(GrantFact(ref=f"grant {name}", location=Location(dump.file, located.line(item)), key=arn,
                                  grantee=grantee, operations=operations, context_equals=equals,
                                  context_subset=subset))


def _pairs(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict):
        return None
    return tuple((str(k), str(v)) for k, v in value.items())
