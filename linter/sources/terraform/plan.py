"""Plan JSON (``terraform show -json plan.out``) -> facts.

A plan holds the exact values Terraform will send, after variables, modules, ``count`` and
functions; values unknown until apply are marked ``after_unknown`` and stay unknown here. Planned
values feed the same resource handlers as HCL, through :class:`PlanResource`. Two things the plan
does not write down are recovered from its ``configuration`` section, where that is exact:

- the attributes AWS computes for a resource (a role's ARN, a key's id) follow the same token
  conventions as HCL, so that they still link;
- an identifier argument that is unknown only because it refers to such an attribute
  (``role = aws_iam_role.app.id``) takes that attribute's value: its configuration names exactly
  one reference, to an attribute of the right kind, which a template around it would not give an
  identifier argument.

The plan carries no source lines, so locations point at the plan file and facts carry addresses.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, Fact, SourceOptions, SourceResult
from why403.model.location import Location
from why403.sources import confine
from why403.sources.terraform import attributes
from why403.sources.terraform.convert import to_str
from why403.sources.terraform.numbers import norm
from why403.sources.terraform.providers import ProviderConfig, provider_account, provider_facts
from why403.sources.terraform.resources import HANDLERS, FactList
from why403.sources.terraform.tfvalues import ABSENT, Lazy, ObjVal, Unk

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


def is_plan_json(path: Path | str) -> bool:
    """A cheap sniff: a JSON object whose first kilobytes name ``format_version`` and planned values."""
    try:
        head = confine.read_head(path, 4096)
    except OSError:
        return False
    text = head.lstrip().decode("utf-8", "replace")
    if not text.startswith("{"):
        return False
    return '"format_version"' in text and ('"planned_values"' in text or '"terraform_version"' in text)


def load_plan(path: Path, options: SourceOptions) -> SourceResult:
    path = Path(path)
    name = str(path)
    try:
        data = json.loads(confine.read_text(path), parse_float=Fraction)
    except OSError as exc:
        return _error(name, f"cannot read the plan: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return _error(name, f"cannot read the plan: {exc}")
    except ValueError as exc:
        return _error(name, f"the plan is not valid JSON: {exc}")
    except RecursionError:
        return _error(name, "the plan is nested too deeply to be read")
    if not isinstance(data, dict) or "planned_values" not in data:
        return _error(name, "not a Terraform plan: no planned_values (use terraform show -json on a saved plan)")
    try:
        return _Plan(data, name, options).load()
    except Exception as exc:  # a plan of an unexpected shape, or a defect: one error, never a traceback
        return _error(name, f"the plan could not be read: {type(exc).__name__}: {exc}")


def _error(name: str, message: str) -> SourceResult:
    return SourceResult(diagnostics=(Diagnostic("error", message, Location(name, 1), "parse"),), files=(name,))


def _value(raw: Any, unknown: Any, label: str) -> Any:
    """A planned value with its ``after_unknown`` mask -> evaluator values."""
    if unknown is True:
        return Unk(label, f"{label} is known only after apply", type=None)
    if isinstance(raw, dict):
        mask = unknown if isinstance(unknown, dict) else {}
        out = {k: _value(v, mask.get(k), f"{label}.{k}") for k, v in raw.items()}
        for k, flag in mask.items():
            if k not in out and flag is True:
                out[k] = Unk(f"{label}.{k}", f"{label}.{k} is known only after apply")
        return ObjVal(out)
    if isinstance(raw, list):
        mask_list = unknown if isinstance(unknown, list) else []
        items = [_value(v, mask_list[i] if i < len(mask_list) else None, f"{label}[{i}]") for i, v in enumerate(raw)]
        for i in range(len(raw), len(mask_list)):
            if mask_list[i] is True:
                items.append(Unk(f"{label}[{i}]", "known only after apply"))
        return items
    if isinstance(raw, Fraction):
        return norm(raw)
    if raw is None and unknown:
        return Unk(label, f"{label} is known only after apply")
    return raw


class _Provider:
    """Account and region of a provider configuration, from constant expressions only."""

    def __init__(self, key: str, entry: dict[str, Any], options: SourceOptions, plan_file: str) -> None:
        exprs = entry.get("expressions", {}) or {}
        alias = entry.get("alias", "") or ""
        ref = f"provider.{key.split(':')[-1]}"
        if ":" in key:
            ref = key.split(":")[0] + "." + ref
        region = _constant(exprs.get("region"))
        region_text = region if isinstance(region, str) else (
            options.home_region if "region" not in exprs else symbols.unknown(f"{ref}.region"))
        allowed = _constant(exprs.get("allowed_account_ids"))
        role_arn = None
        assume = exprs.get("assume_role") or exprs.get("assume_role_with_web_identity")
        if isinstance(assume, list) and assume:
            role = _constant(assume[0].get("role_arn")) if isinstance(assume[0], dict) else None
            role_arn = role if isinstance(role, str) else symbols.unknown(f"{ref}.assume_role.role_arn")
        single = isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str)
        account = provider_account(ref, options, allowed=allowed[0] if single else None,
                                   restricts_accounts="allowed_account_ids" in exprs, role_arn=role_arn,
                                   assumes_role=bool(assume))
        self.config = ProviderConfig(key, ref, alias, account, region_text, role_arn, Location(plan_file, 1))


def _constant(expr: Any) -> Any:
    if isinstance(expr, dict) and "constant_value" in expr:
        return expr["constant_value"]
    return None


class _Plan:
    def __init__(self, data: dict[str, Any], name: str, options: SourceOptions) -> None:
        self.data = data
        self.name = name
        self.options = options
        self.diagnostics: list[Diagnostic] = []
        self.unknown_masks: dict[str, Any] = {}
        for change in data.get("resource_changes", []) or []:
            if isinstance(change, dict) and isinstance(change.get("change"), dict):
                self.unknown_masks[change.get("address", "")] = change["change"].get("after_unknown")
        config = data.get("configuration", {}) or {}
        self.providers: dict[str, _Provider] = {}
        for key, entry in (config.get("provider_config", {}) or {}).items():
            if isinstance(entry, dict) and str(entry.get("name", "")) == "aws":
                self.providers[key] = _Provider(key, entry, options, name)
        self.default_provider = self.providers.get("aws") or _Provider("aws", {}, options, name)
        self.resource_configs: dict[str, dict[str, Any]] = {}
        self.module_calls: dict[str, dict[str, Any]] = {}
        self.has_config = bool(config.get("root_module"))
        self._index_config(config.get("root_module", {}) or {}, "")
        self.resources: dict[str, PlanResource] = {}

    def _index_config(self, module: dict[str, Any], prefix: str) -> None:
        for res in module.get("resources", []) or []:
            if isinstance(res, dict):
                self.resource_configs[prefix + str(res.get("address", ""))] = res
        for call_name, call in (module.get("module_calls", {}) or {}).items():
            if isinstance(call, dict):
                self.module_calls[f"{prefix}module.{call_name}"] = call
                self._index_config(call.get("module", {}) or {}, f"{prefix}module.{call_name}.")

    def load(self) -> SourceResult:
        planned = self.data.get("planned_values", {}) or {}
        self._collect(planned.get("root_module", {}) or {})
        facts: list[Fact] = []
        emitter = FactList(facts)
        count = 0
        for res in self.resources.values():
            if res.mode != "managed":
                continue
            count += 1
            handler = HANDLERS.get(res.rtype)
            if handler is None:
                continue
            try:
                handler(res, emitter)
            except Exception as exc:  # one resource of an unexpected shape must not hide the others
                self.diagnostics.append(Diagnostic("warning", f"{res.ref}: {exc}", Location(self.name, 1), "plan"))
        used = {id(r.provider_entry) for r in self.resources.values()}
        seen: set[int] = set()
        for provider in [self.default_provider, *self.providers.values()]:
            if id(provider) in seen or not (id(provider) in used or provider.config.key in self.providers):
                continue
            seen.add(id(provider))
            facts.extend(provider_facts(provider.config))
        unknown = sum(1 for r in self.resources.values() if r.unknown_count)
        if unknown:
            self.diagnostics.append(Diagnostic(
                "note", f"{unknown} resources have values known only after apply; what depends on them is "
                "unknown (plan against existing state, or lint the configuration with --var values)",
                Location(self.name, 1), "unknown-input"))
        return SourceResult(tuple(facts), tuple(self.diagnostics), (self.name,), count)

    def _collect(self, module: dict[str, Any]) -> None:
        for raw in module.get("resources", []) or []:
            if not isinstance(raw, dict):
                continue
            address = str(raw.get("address", ""))
            self.resources[address] = PlanResource(self, raw, self.unknown_masks.get(address))
        for child in module.get("child_modules", []) or []:
            if isinstance(child, dict):
                self._collect(child)

    def provider_for(self, address: str, module_prefix: str) -> _Provider:
        config = self.resource_configs.get(_strip_index(address))
        key = str(config.get("provider_config_key", "aws")) if config else "aws"
        if ":" not in key and module_prefix:
            scoped = f"{module_prefix.rstrip('.')}:{key}"
            if scoped in self.providers:
                return self.providers[scoped]
        return self.providers.get(key) or self.default_provider

    def follow(self, reference: str, module_prefix: str, depth: int = 0) -> Any:
        """The value of ``aws_iam_role.app.arn`` or ``module.m.out`` as the plan knows it."""
        if depth > 16:
            return ABSENT
        parts = reference.split(".")
        if parts[0] == "module" and len(parts) >= 3:
            call = f"{module_prefix}module.{parts[1]}"
            entry = self.module_calls.get(call)
            output = (((entry or {}).get("module") or {}).get("outputs") or {}).get(parts[2])
            refs = ((output or {}).get("expression") or {}).get("references") or []
            target = _single_attribute_reference(refs)
            if target is None:
                return ABSENT
            return self.follow(target, f"{call}.", depth + 1)
        if len(parts) < 3 or parts[0] in ("var", "local", "data", "each", "count", "path"):
            return ABSENT
        address = module_prefix + ".".join(parts[:2])
        res = self.resources.get(address)
        if res is None:
            return ABSENT
        return res.get_attr(".".join(parts[2:]))


def _strip_index(address: str) -> str:
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


def _single_attribute_reference(refs: list[Any]) -> str | None:
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

    def __init__(self, plan: _Plan, raw: dict[str, Any], mask: Any) -> None:
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
        self.values: ObjVal = _value(values, mask if isinstance(mask, dict) else {}, self.ref)
        self.unknown_count = sum(1 for v in (mask or {}).values() if v is True) if isinstance(mask, dict) else 0
        self.provider_entry = plan.provider_for(self.ref, self.module_prefix)
        self.config = plan.resource_configs.get(_strip_index(self.ref), {})
        self._attrs: dict[str, Any] = {}

    @property
    def account(self) -> str:
        return self.provider_entry.config.account

    @property
    def region(self) -> str:
        region = self.values.get("region")
        return region if isinstance(region, str) else self.provider_entry.config.region

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
    target = _single_attribute_reference(refs)
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

    @property
    def location(self) -> Location:
        return self.owner.location

    @property
    def account(self) -> str:
        return self.owner.account

    @property
    def region(self) -> str:
        return self.owner.region

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
