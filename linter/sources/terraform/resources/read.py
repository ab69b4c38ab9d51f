"""The readings resource handlers make of a resource or nested block: an identifier, a list of
them, a policy, a flag, a computed attribute. Each tells the emitter which values it used, so
that an unknown one is traced to the inputs that would decide it.

Handlers use them as ``read.text(r, out, "bucket")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.sources.terraform.policies import policy_from_value
from why403.sources.terraform.tfvalues import ABSENT, Unk

if TYPE_CHECKING:
    from why403.sources.terraform.resources.base import Emitter, Reader


def loc(r: Reader, name: str | None = None) -> Location:
    if name is not None:
        line = r.attr_line(name)
        if line:
            return Location(r.file, line)
    return r.location


def policy(r: Any, out: Emitter, name: str, kind: PolicyKind, origin: str | None = None) -> Policy | None:
    value = r.arg(name)
    out.used(value, getattr(r, "ref", origin or ""))
    owner_ref = getattr(r, "owner_ref", None) or r.ref
    rests_on = getattr(r, "rests_on", None)
    return policy_from_value(value, kind, origin or f"{owner_ref}.{name}", loc(r, name), r.maybe,
                             rests_on(name) if rests_on is not None else None)


def optional_policy(r: Any, out: Emitter, name: str, kind: PolicyKind) -> Policy | None:
    """An Optional policy argument (``aws_s3_bucket.policy``, ``aws_kms_key.policy``,
    ``aws_vpc_endpoint.policy``, ``aws_s3_access_point.policy``). The provider sends it only when it
    is set, and ``""`` is Terraform's zero value for a string: a module's ``default = ""`` ("if empty,
    no policy will be set") writes no policy, it is not an empty document AWS would refuse."""
    if r.arg(name) == "":
        return None
    return policy(r, out, name, kind)


def text(r: Any, out: Emitter, name: str) -> str | None:
    value = r.arg(name)
    out.used(value, r.ref)
    found: str | None = r.as_text(value)
    return found


def computed(r: Reader, out: Emitter, name: str) -> str:
    value = r.get_attr(name)
    out.used(value, r.ref)
    text = r.as_text(value)
    return text if text is not None else symbols.unknown(f"{r.ref}.{name}")


def texts(r: Any, out: Emitter, name: str) -> tuple[tuple[str, ...], bool]:
    """A list-of-strings argument; the flag says whether part of it is unknown."""
    value = r.arg(name)
    out.used(value, r.ref)
    if value is ABSENT or value is None:
        return (), False
    if isinstance(value, Unk):
        return (), True
    items = value if isinstance(value, list) else [value]
    texts: list[str] = []
    unknown = False
    for item in items:
        if isinstance(item, Unk) and item.many:
            unknown = True
            continue
        t = r.as_text(item)
        if t is not None:
            texts.append(t)
    return tuple(texts), unknown


def flag(r: Any, name: str, default: bool | None) -> bool | None:
    value = r.arg(name)
    if value is ABSENT or value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return None


def first_block(r: Any, name: str) -> Any:
    for b in r.blocks(name):
        if not isinstance(b, Unk):
            return b
    return None
