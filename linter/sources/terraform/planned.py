"""Planned resources seen through the handlers' :class:`~.resources.Reader` interface.

A plan holds the exact values Terraform will send, with ``after_unknown`` masks for what is known
only after apply. Two things the plan does not write down are recovered from its
``configuration`` section, where that is exact:

- the attributes AWS computes for a resource (a role's ARN, a key's id) follow the same token
  conventions as HCL, so that they still link;
- an identifier argument that is unknown only because it refers to such an attribute
  (``role = aws_iam_role.app.id``) takes that attribute's value: its configuration names exactly
  one reference, to an attribute of the right kind, which a template around it would not give an
  identifier argument.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.location import Location
from why403.sources.terraform import attributes
from why403.sources.terraform.convert import to_str
from why403.sources.terraform.numbers import norm
from why403.sources.terraform.tfvalues import ABSENT, Lazy, ObjVal, Unk

if TYPE_CHECKING:
    from why403.sources.terraform.plan import Plan


# Arguments that hold an identifier, and the referenced attributes that may fill them.
_ID = ("id", "name", "arn")
_LINKS: dict[str, dict[str, tuple[str, ...]]] = {
    "bucket": {"aws_s3_bucket": ("id", "bucket")},
    "target_bucket": {"aws_s3_bucket": ("id", "bucket")},
    "role": {"aws_iam_role": _ID},
    "user": {"aws_iam_user": _ID},
    "group": {"aws_iam_group": _ID},
    "policy_arn": {"aws_iam_policy": ("arn", "id")},
    "permissions_boundary": {"aws_iam_policy": ("arn", "id")},
    "key_id": {"aws_kms_key": ("key_id", "id", "arn")},
    "target_key_id": {"aws_kms_key": ("key_id", "id", "arn")},
    "kms_master_key_id": {"aws_kms_key": ("key_id", "id", "arn"), "aws_kms_alias": ("arn", "name")},
    "grantee_principal": {"aws_iam_role": ("arn",), "aws_iam_user": ("arn",)},
    "vpc_endpoint_id": {"aws_vpc_endpoint": ("id",)},
    "route_table_id": {"aws_route_table": ("id",), "aws_vpc": ("default_route_table_id", "main_route_table_id")},
    "subnet_id": {"aws_subnet": ("id",)},
    "vpc_id": {"aws_vpc": ("id",)},
    "task_role_arn": {"aws_iam_role": ("arn",)},
    "task_definition": {"aws_ecs_task_definition": ("arn", "arn_without_revision")},
    "iam_instance_profile": {"aws_iam_instance_profile": _ID},
    "policy_id": {"aws_organizations_policy": ("id",)},
    "target_id": {"aws_organizations_organizational_unit": ("id",), "aws_organizations_account": ("id",)},
    "access_point_arn": {"aws_s3_access_point": ("arn",)},
    "route_table_ids": {"aws_route_table": ("id",), "aws_vpc": ("default_route_table_id", "main_route_table_id")},
    "subnet_ids": {"aws_subnet": ("id",)},
    "subnets": {"aws_subnet": ("id",)},
    "roles": {"aws_iam_role": _ID},
    "users": {"aws_iam_user": _ID},
    "groups": {"aws_iam_group": _ID},
    "managed_policy_arns": {"aws_iam_policy": ("arn", "id")},
}


def planned_value(raw: Any, unknown: Any, label: str) -> Any:
    """A planned value with its ``after_unknown`` mask -> evaluator values."""
    if unknown is True:
        return Unk(label, f"{label} is known only after apply", type=None)
    if isinstance(raw, dict):
        mask = unknown if isinstance(unknown, dict) else {}
        out = {k: planned_value(v, mask.get(k), f"{label}.{k}") for k, v in raw.items()}
        for k, flag in mask.items():
            if k not in out and flag is True:
                out[k] = Unk(f"{label}.{k}", f"{label}.{k} is known only after apply")
        return ObjVal(out)
    if isinstance(raw, list):
        mask_list = unknown if isinstance(unknown, list) else []
        items = [planned_value(v, mask_list[i] if i < len(mask_list) else None, f"{label}[{i}]")
                 for i, v in enumerate(raw)]
        for i in range(len(raw), len(mask_list)):
            if mask_list[i] is True:
                items.append(Unk(f"{label}[{i}]", "known only after apply"))
        return items
    if isinstance(raw, Fraction):
        return norm(raw)
    if raw is None and unknown:
        return Unk(label, f"{label} is known only after apply")
    return raw


def strip_index(address: str) -> str:
    out = []
    depth = 0
    for c in address:
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif depth == 0:
            out.append(c)
    return "".join(out)


def single_attribute_reference(refs: list[Any]) -> str | None:
    """The one ``type.name.attr`` (or ``module.m.out``) reference of an expression, if it has one."""
    full = [r for r in refs if isinstance(r, str) and len(r.split(".")) >= 3]
    if len(full) != 1:
        return None
    target = full[0]
    others = [r for r in refs if isinstance(r, str) and r != target]
    if any(not target.startswith(r) for r in others):
        return None
    return target


class PlanResource(Lazy):
    """A planned resource seen through the handlers' :class:`~.resources.Reader` interface."""

    def __init__(self, plan: Plan, raw: dict[str, Any], mask: Any) -> None:
        self.plan = plan
        self.ref = str(raw.get("address", ""))
        self.label = self.ref
        self.rtype = str(raw.get("type", ""))
        self.mode = str(raw.get("mode", "managed"))
        self.file = plan.name
        self.maybe: str | None = None
        self.module_prefix = self.ref[: self.ref.rfind(self.rtype)] if self.rtype in self.ref else ""
        if self.mode == "data":
            self.module_prefix = self.ref[: self.ref.rfind("data.")]
        values = raw.get("values", {}) or {}
        self.values: ObjVal = planned_value(values, mask if isinstance(mask, dict) else {}, self.ref)
        self.unknown_count = sum(1 for v in (mask or {}).values() if v is True) if isinstance(mask, dict) else 0
        self.provider_entry = plan.provider_for(self.ref, self.module_prefix)
        self.config = plan.resource_configs.get(strip_index(self.ref), {})
        self._attrs: dict[str, Any] = {}

    @property
    def account(self) -> str:
        return self.provider_entry.config.account

    @property
    def region(self) -> str:
        region = self.values.get("region")
        return region if isinstance(region, str) else self.provider_entry.config.region

    @property
    def default_tags(self) -> tuple[tuple[str, str], ...] | None:
        """None: a plan's ``tags_all`` already holds the provider's default tags."""
        return ()

    @property
    def location(self) -> Location:
        return Location(self.file, 1)

    def attr_line(self, name: str) -> int:
        return 0

    @property
    def expressions(self) -> dict[str, Any]:
        exprs = self.config.get("expressions") if isinstance(self.config, dict) else None
        return exprs if isinstance(exprs, dict) else {}

    def arg(self, name: str) -> Any:
        return _arg(self, self.values, self.expressions, name)

    def text(self, name: str) -> str | None:
        return self.as_text(self.arg(name))

    def as_text(self, value: Any) -> str | None:
        if value is ABSENT or value is None:
            return None
        if isinstance(value, Unk):
            return symbols.unknown(value.label)
        if isinstance(value, list | dict | Lazy):
            return None
        s = to_str(value)
        return s if isinstance(s, str) else symbols.unknown(self.ref)

    def blocks(self, name: str) -> list[Any]:
        return _blocks(self, self.values, self.ref, self.expressions, name)

    def get_attr(self, name: str) -> Any:
        if name in self._attrs:
            return self._attrs[name]
        value = self.values.get(name, ABSENT)
        if value is ABSENT or _is_unknown(value):
            computed = attributes.computed(self, name)
            if computed is not ABSENT:
                value = computed
            elif value is ABSENT:
                value = attributes.fallback(self, name)
        self._attrs[name] = value
        return value


def _arg(res: PlanResource, values: dict[str, Any], exprs: dict[str, Any], name: str) -> Any:
    """A planned argument. Unknown and absent from the configuration means the provider computes
    it (``aws_s3_bucket.policy`` in provider v4+): the configuration does not set it."""
    if name not in values:
        return ABSENT
    value = values[name]
    if not _is_unknown(value):
        return value
    if res.plan.has_config and name not in exprs:
        return ABSENT
    if name in _LINKS:
        linked = _linked(res, name, value, exprs.get(name))
        if linked is not ABSENT:
            return linked
    return value


def _linked(res: PlanResource, name: str, value: Any, expr: Any) -> Any:
    refs = expr.get("references") if isinstance(expr, dict) else None
    if not refs:
        return ABSENT
    target = single_attribute_reference(refs)
    if target is None:
        return ABSENT
    parts = target.split(".")
    allowed = _LINKS[name]
    if parts[0] != "module" and (parts[0] not in allowed or ".".join(parts[2:]) not in allowed[parts[0]]):
        return ABSENT
    resolved = res.plan.follow(target, res.module_prefix)
    if resolved is ABSENT or isinstance(resolved, Unk):
        return ABSENT
    if isinstance(value, list):
        return [resolved] if len(value) == 1 else ABSENT
    return resolved


def _is_unknown(value: Any) -> bool:
    if isinstance(value, Unk):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, Unk) for v in value)


def _blocks(owner: PlanResource, values: dict[str, Any], path: str, exprs: dict[str, Any], name: str) -> list[Any]:
    """The nested blocks ``name`` of a resource's or a block's planned values, as readers. Blocks
    known only after apply are each an ``Unk(many=True)``, as HCL gives a dynamic block whose
    ``for_each`` is unknown, at any depth."""
    value = values.get(name)
    if isinstance(value, Unk):
        return [value.as_many()]
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append(_PlanBlock(owner, item, f"{path}.{name}[{i}]", _nested_exprs(exprs, name, i)))
        elif isinstance(item, Unk):
            out.append(item.as_many())
    return out


def _nested_exprs(exprs: dict[str, Any], name: str, index: int) -> dict[str, Any]:
    """The configuration expressions of the ``index``-th nested block ``name`` (when static)."""
    blocks = exprs.get(name)
    if isinstance(blocks, list) and index < len(blocks) and isinstance(blocks[index], dict):
        found: dict[str, Any] = blocks[index]
        return found
    return {}


class _PlanBlock:
    """A nested block of a planned resource (a list element of objects)."""

    def __init__(self, owner: PlanResource, values: dict[str, Any], path: str, exprs: dict[str, Any]) -> None:
        self.owner = owner
        self.values = values
        self.ref = owner.ref
        self.owner_ref = owner.ref
        self.rtype = owner.rtype
        self.file = owner.file
        self.maybe: str | None = None
        self.path = path
        self.exprs = exprs
        # A nested block is where its resource is.
        self.location: Location = owner.location
        self.account: str = owner.account
        self.region: str = owner.region

    def attr_line(self, name: str) -> int:
        return 0

    def arg(self, name: str) -> Any:
        if not self.exprs and self.owner.plan.has_config:
            value = self.values.get(name, ABSENT)
            return ABSENT if _is_unknown(value) and not self.owner.expressions else value
        return _arg(self.owner, self.values, self.exprs, name)

    def text(self, name: str) -> str | None:
        return self.owner.as_text(self.arg(name))

    def as_text(self, value: Any) -> str | None:
        return self.owner.as_text(value)

    def blocks(self, name: str) -> list[Any]:
        return _blocks(self.owner, self.values, self.path, self.exprs, name)

    def get_attr(self, name: str) -> Any:
        return self.values.get(name, ABSENT)
