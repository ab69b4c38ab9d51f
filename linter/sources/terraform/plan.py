"""Plan JSON (``terraform show -json plan.out``) -> facts.

A plan holds the exact values Terraform will send, after variables, modules, ``count`` and
functions; values unknown until apply stay unknown here. Planned values feed the same resource
handlers as HCL, through :class:`~.planned.PlanResource`; the providers' accounts are decided by
:func:`~.providers.provider_account`, as for HCL. The plan carries no source lines, so locations
point at the plan file and facts carry addresses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, Fact, SourceOptions, SourceResult
from why403.model.location import Location
from why403.sources import confine
from why403.sources.terraform.numbers import exact_decimal
from why403.sources.terraform.planned import PlanResource, single_attribute_reference, strip_index
from why403.sources.terraform.providers import ProviderConfig, provider_account, provider_facts
from why403.sources.terraform.resources import HANDLERS, FactList
from why403.sources.terraform.tfvalues import ABSENT


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
        data = json.loads(confine.read_text(path), parse_float=exact_decimal)
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
        return Plan(data, name, options).load()
    except Exception as exc:  # a plan of an unexpected shape, or a defect: one error, never a traceback
        return _error(name, f"the plan could not be read: {type(exc).__name__}: {exc}")


def _error(name: str, message: str) -> SourceResult:
    return SourceResult(diagnostics=(Diagnostic("error", message, Location(name, 1), "parse"),), files=(name,))


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


class Plan:
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
        config = self.resource_configs.get(strip_index(address))
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
            target = single_attribute_reference(refs)
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
