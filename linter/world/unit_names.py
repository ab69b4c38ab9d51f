"""What a fact names: the resource it creates (by a literal name) and every name it refers to (by
literal name in a field that holds one, or by ARN anywhere, its policies included). Units are
linked by these names (:mod:`why403.world.units`); a name the sources leave open links nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from functools import cache

from why403.model import symbols
from why403.model.facts import (
    AccessPointFact,
    AliasFact,
    BucketFact,
    Fact,
    GroupFact,
    ManagedPolicyFact,
    RoleFact,
    UserFact,
)
from why403.model.location import Location

# Fields that describe where or what a fact is, never a reference to another resource.
_NOT_REFERENCES = frozenset({"location", "ref", "origin", "sid", "unknown", "maybe", "reason", "message", "code",
                             "label", "problems", "index", "operator", "base", "set_op", "if_exists", "key_id",
                             "unique_id", "account", "region", "name", "arn", "effect"})
# Fields that hold bare names of a kind of resource (an ARN there is read as an ARN).
_NAME_FIELDS = {"bucket": "bucket", "target_bucket": "bucket", "roles": "role", "role": "role", "task_role": "role",
                "users": "user", "groups": "group", "group": "group", "target_key": "alias", "key": "alias",
                "kms_key": "alias", "access_point": "access-point"}
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::([^/*?]+)")
_ACCESS_POINT_ARN = re.compile(r"^arn:aws[a-z-]*:s3:[^:]*:[^:]*:accesspoint/([^/*?]+)")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([^:]*):(role|user|group|policy)/(?:[^*?]*/)?([^/*?]+)$")
_ALIAS = re.compile(r"(?:^|:)(alias/[^*?]+)$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

Name = tuple[str, str]
"""(kind, name): ``("bucket", "acme-logs")``, ``("role", "etl")``, ``("alias", "alias/data")``."""

# The facts that define a named resource, and the kind of name each defines.
_DEFINES: dict[type[Fact], str] = {BucketFact: "bucket", RoleFact: "role", UserFact: "user", GroupFact: "group",
                                   ManagedPolicyFact: "policy", AccessPointFact: "access-point", AliasFact: "alias"}
_Named = BucketFact | RoleFact | UserFact | GroupFact | ManagedPolicyFact | AccessPointFact | AliasFact


def defined_name(fact: Fact) -> Name | None:
    """The name a fact gives the resource it creates, when it is literal."""
    kind = _DEFINES.get(type(fact))
    if kind is None or not isinstance(fact, _Named):
        return None
    name = fact.name
    if kind == "alias" and not name.startswith("alias/"):
        name = f"alias/{name}"
    return (kind, name) if literal(name) else None


def walk(obj: object, field_name: str, strings: list[tuple[str, str]] | None,
         locations: list[Location] | None, depth: int = 0) -> None:
    """One walk of a fact (its policies and their statements included) collecting every string it
    holds with the name of the field it is in (``strings``; fields that describe the fact rather
    than name another resource are left out), and every location it holds (``locations``, along
    tuples, lists and dataclasses)."""
    if depth > 40 or (strings is None and locations is None):
        return
    if isinstance(obj, str):
        if strings is not None:
            strings.append((field_name, obj))
    elif isinstance(obj, tuple | list):
        for item in obj:
            walk(item, field_name, strings, locations, depth + 1)
    elif isinstance(obj, set | frozenset):
        for item in obj:
            walk(item, field_name, strings, None, depth + 1)
    elif isinstance(obj, dict):
        for item in obj.values():
            walk(item, field_name, strings, None, depth + 1)
    elif is_dataclass(obj) and not isinstance(obj, type):
        if locations is not None and isinstance(obj, Location):
            locations.append(obj)
        for name in _field_names(type(obj)):
            walk(getattr(obj, name), name, strings if name not in _NOT_REFERENCES else None, locations, depth + 1)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def names_in(field_name: str, value: str) -> Iterator[Name]:
    """The names a string refers to: by ARN anywhere, by bare name in a field that holds one."""
    if value.startswith("arn:"):
        for pattern, kind in ((_S3_ARN, "bucket"), (_ACCESS_POINT_ARN, "access-point")):
            m = pattern.match(value)
            if m and literal(m.group(1)):
                yield kind, m.group(1)
        m = _IAM_ARN.match(value)
        if m and m.group(1) != "aws" and literal(m.group(3)):
            yield m.group(2), m.group(3)
        alias = _ALIAS.search(value)
        if alias and value.split(":")[2:3] == ["kms"] and literal(alias.group(1)):
            yield "alias", alias.group(1)
        return
    named = _NAME_FIELDS.get(field_name)
    if named is None or not literal(value):
        return
    if named == "alias":
        if value.startswith("alias/"):
            yield "alias", value
    elif named != "bucket" or _BUCKET_NAME.match(value):
        yield named, value


def literal(value: str) -> bool:
    return bool(value) and symbols.OPEN not in value and "*" not in value and "?" not in value \
        and "${" not in value


def literal_account(value: str) -> bool:
    return len(value) == 12 and value.isdigit()
