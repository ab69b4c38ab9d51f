"""Every policy of a configuration as terraform computes it, to hold the frontend to.

A fresh plan leaves most policies unknown (they embed ARNs AWS generates), so the oracle plans
twice: the first plan gives every attribute terraform knows; the state for the second plan adds,
for each attribute known only after apply, the value why403 gives it (its token conventions,
turned into concrete strings). With those resources "existing", the second plan computes every
policy from the configuration: jsonencode, heredocs, interpolation, policy documents, modules,
count and for_each are terraform's own. why403's policies, with the same tokens made concrete,
must be equal to them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from why403.model import symbols
from why403.model.facts import SourceOptions
from why403.sources.terraform.instances import ResourceInstance
from why403.sources.terraform.load import instantiate
from why403.sources.terraform.modules import ModuleInstance
from why403.sources.terraform.reader import parse_file
from why403.sources.terraform.tfvalues import ABSENT, LocatedJson, Unk

from .oracle import Terraform, fake_provider

ACCOUNT = "123456789012"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'
_TOKEN = re.compile(symbols.OPEN + r"([a-z])([^" + symbols.CLOSE + r"]*)" + symbols.CLOSE)
POLICY_ATTRS = ("policy", "assume_role_policy", "content")


def concrete(value: Any) -> Any:
    """Tokens -> deterministic concrete strings (the same in the state and in the comparison)."""
    if isinstance(value, str):
        def repl(m: re.Match[str]) -> str:
            # Inside JSON text a token's label has its quotes escaped: hash the label itself.
            kind, label = m.group(1), m.group(2).replace('\\"', '"')
            if kind == "a":
                return ACCOUNT
            if kind == "r":
                return "us-east-1"
            digest = hashlib.sha1(label.encode()).hexdigest()[:12]
            return f"{'AROA' if label.endswith('unique_id') else 'gen-'}{digest}"
        return _TOKEN.sub(repl, value)
    if isinstance(value, dict):
        return {k: concrete(v) for k, v in value.items()}
    if isinstance(value, list):
        return [concrete(v) for v in value]
    return value


# -- building a workspace from examples ---------------------------------------------------------


def _strip_blocks(path: Path, kinds: set[str]) -> tuple[str, list[str]]:
    """The file without its top-level blocks of ``kinds`` (lines kept as blank lines), and the
    aliases of the provider blocks removed."""
    parsed = parse_file(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    aliases: list[str] = []
    assert parsed.body is not None, parsed.error
    for block in parsed.body.blocks_:
        if block.type in kinds or (block.type == "data" and block.labels[:1] == ("aws_caller_identity",)):
            if block.type == "provider":
                alias = block.body.attr("alias")
                if alias is not None and isinstance(getattr(alias.expr, "value", None), str):
                    aliases.append(str(alias.expr.value))  # type: ignore[union-attr]
            for i in range(block.line - 1, block.end_line):
                lines[i] = ""
    text = "\n".join(lines)
    text = re.sub(r"data\.aws_caller_identity\.\w+\.account_id", f'"{ACCOUNT}"', text)
    return text, aliases


def build_workspace(examples: dict[str, Path], workdir: Path) -> None:
    """One root module that calls each example as a module, with fake offline providers."""
    root_aliases: set[str] = set()
    calls = []
    for name, source in examples.items():
        target = workdir / name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("expect.json", ".terraform*"))
        aliases: set[str] = set()
        for path in sorted(target.glob("*.tf")):
            text, found = _strip_blocks(path, {"provider", "terraform"})
            aliases.update(found)
            path.write_text(text, encoding="utf-8")
        extra = ", ".join(f"aws.{a}" for a in sorted(aliases))
        (target / "zz_required.tf").write_text(
            'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n'
            f"      configuration_aliases = [{extra}]\n    }}\n  }}\n}}\n", encoding="utf-8")
        root_aliases.update(aliases)
        mapping = ", ".join(["aws = aws", *(f"aws.{a} = aws.{a}" for a in sorted(aliases))])
        calls.append(f'module "{name}" {{\n  source    = "./{name}"\n  providers = {{ {mapping} }}\n}}\n')
    providers = [fake_provider()] + [fake_provider(a) for a in sorted(root_aliases)]
    (workdir / "main.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
        '      version = "5.100.0"\n    }\n  }\n}\n' + "\n".join(providers) + "\n" + "\n".join(calls),
        encoding="utf-8")


# -- the two plans --------------------------------------------------------------------------------


def _instances(root: ModuleInstance) -> dict[str, ResourceInstance]:
    out: dict[str, ResourceInstance] = {}
    for module in root.walk():
        for (rtype, name) in module.config.resources:
            coll = module.collection("managed", rtype, name)
            assert coll is not None
            for inst in coll.instances():
                out[inst.ref] = inst
        for (rtype, name) in module.config.data:
            coll = module.collection("data", rtype, name)
            assert coll is not None
            for inst in coll.instances():
                out[inst.ref] = inst
    return out


def _walk_resources(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(module.get("resources", []) or [])
    for child in module.get("child_modules", []) or []:
        out.extend(_walk_resources(child))
    return out


def _state_value(value: Any) -> Any:
    if value is ABSENT or isinstance(value, Unk):
        return ABSENT
    if isinstance(value, dict):
        items = {k: _state_value(v) for k, v in value.items()}
        return ABSENT if any(v is ABSENT for v in items.values()) else items
    if isinstance(value, list):
        items_list = [_state_value(v) for v in value]
        return ABSENT if any(v is ABSENT for v in items_list) else items_list
    if isinstance(value, str):
        return concrete(str(value))
    if hasattr(value, "denominator"):
        return float(value) if value.denominator != 1 else int(value)
    return value


# What the provider computes for attributes no configuration sets, as an existing resource has
# them: without these, the second plan would show updates, and terraform defers data sources
# that depend on a resource with pending changes.
_COMPUTED_DEFAULTS: dict[str, Any] = {
    "tags_all": {}, "managed_policy_arns": [], "inline_policy": [], "architectures": ["x86_64"],
    "propagating_vgws": [], "route": [], "egress": [], "ingress": [], "cidr_blocks": [], "dns_entry": [],
    "network_interface_ids": [], "security_group_ids": [], "subnet_ids": [], "triggers": {},
}


def _fill(known: Any, mask: Any, ours: Any) -> Any:
    """Known planned values, with the parts the mask marks unknown taken from why403's value."""
    if mask is True:
        value = _state_value(ours)
        return None if value is ABSENT else value
    if isinstance(known, dict) and isinstance(mask, dict):
        ours_map = ours if isinstance(ours, dict) else {}
        out = dict(known)
        for k, m in mask.items():
            out[k] = _fill(known.get(k), m, ours_map.get(k, ABSENT))
        return out
    if isinstance(known, list) and isinstance(mask, list):
        ours_list = ours if isinstance(ours, list) else []
        return [_fill(known[i] if i < len(known) else None, m, ours_list[i] if i < len(ours_list) else ABSENT)
                for i, m in enumerate(mask)] + known[len(mask):]
    return known


def crafted_state(plan: dict[str, Any], instances: dict[str, ResourceInstance]) -> dict[str, Any]:
    masks = {c["address"]: c["change"].get("after_unknown") or {} for c in plan.get("resource_changes", [])}
    grouped: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for res in _walk_resources(plan["planned_values"]["root_module"]):
        if res.get("mode") != "managed":
            continue
        address = res["address"]
        inst = instances[address]
        attrs = dict(res.get("values") or {})
        for key, unknown in masks.get(address, {}).items():
            if unknown is True:
                # The task definition revision is the one number among the generated values.
                value = 1 if key == "revision" else _state_value(inst.get_attr(key))
                if value is ABSENT and key in _COMPUTED_DEFAULTS:
                    value = _COMPUTED_DEFAULTS[key]
                if value is not ABSENT:
                    attrs[key] = value
            elif isinstance(unknown, dict | list) and key in attrs:
                attrs[key] = _fill(attrs[key], unknown, inst.get_attr(key))
        if "id" not in attrs:
            attrs["id"] = _state_value(inst.get_attr("id"))
        module = address[: address.rfind(res["type"] + "." + res["name"])].rstrip(".")
        provider = PROVIDER + (f".{inst.provider.alias}" if inst.provider.alias else "")
        key = (module, res["type"], res["name"], provider)
        entry: dict[str, Any] = {"schema_version": res.get("schema_version", 0), "attributes": attrs,
                                 "sensitive_attributes": []}
        if "index" in res:
            entry["index_key"] = res["index"]
        grouped.setdefault(key, []).append(entry)
    resources = []
    for (module, rtype, name, provider), entries in grouped.items():
        item: dict[str, Any] = {"mode": "managed", "type": rtype, "name": name, "provider": provider,
                                "instances": entries}
        if module:
            item["module"] = module
        resources.append(item)
    return {"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "why403-oracle", "outputs": {},
            "resources": resources}


def terraform_policies(plan: dict[str, Any]) -> dict[str, Any]:
    """(address.attribute) -> the policy text terraform plans, or None when it plans it unknown."""
    out: dict[str, Any] = {}
    for change in plan.get("resource_changes", []):
        after = change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        address = change["address"]
        if change.get("mode") == "data":
            if change["type"] == "aws_iam_policy_document":
                out[f"{address}.json"] = None if unknown.get("json") is True else after.get("json")
            continue
        if "delete" in change["change"]["actions"] and "create" not in change["change"]["actions"]:
            continue
        for attr in POLICY_ATTRS:
            if unknown.get(attr) is True:
                out[f"{address}.{attr}"] = None
            elif after.get(attr):
                out[f"{address}.{attr}"] = after[attr]
        for i, inline in enumerate(after.get("inline_policy") or []):
            if inline.get("policy"):
                out[f"{address}.inline_policy[{i}].policy"] = inline["policy"]
    if plan.get("prior_state"):
        for res in _walk_resources(plan["prior_state"]["values"]["root_module"]):
            if res.get("mode") == "data" and res["type"] == "aws_iam_policy_document":
                out.setdefault(f"{res['address']}.json", (res.get("values") or {}).get("json"))
    return out


def why403_policy(inst: ResourceInstance, attr: str) -> Any:
    if attr == "json":
        value = inst.get_attr("json")
    elif attr.startswith("inline_policy["):
        index = int(attr[len("inline_policy["): attr.index("]")])
        view = inst.blocks("inline_policy")[index]
        value = view.arg("policy")
    else:
        value = inst.arg(attr)
    if isinstance(value, LocatedJson):
        return concrete(value.doc)
    if isinstance(value, Unk):
        return value
    return concrete(json.loads(str(value)))


def normalize(doc: Any) -> Any:
    """Order-insensitive where IAM is (value lists), order-sensitive for statements."""
    if isinstance(doc, dict):
        return {k: normalize(v) for k, v in sorted(doc.items())}
    if isinstance(doc, list):
        items = [normalize(v) for v in doc]
        if all(isinstance(v, str) for v in items):
            unique = sorted(set(items))
            return unique[0] if len(unique) == 1 else unique
        return items
    return doc


def compare(workdir: Path, tf: Terraform) -> tuple[int, list[str]]:
    """Plan twice and compare every policy; returns (policies compared, differences)."""
    tf.init()
    first = tf.plan_json()
    ctx, root = instantiate(workdir, SourceOptions(account_id=ACCOUNT))
    instances = _instances(root)
    state = crafted_state(first, instances)
    second = tf.plan_json(state)
    theirs = terraform_policies(second)
    problems: list[str] = []
    for key, text in sorted(theirs.items()):
        address, _, attr = key.partition(".inline_policy") if ".inline_policy" in key else key.rpartition(".")
        if ".inline_policy" in key:
            attr = "inline_policy" + attr
        inst = instances.get(address)
        if inst is None:
            problems.append(f"{key}: why403 has no {address}")
            continue
        if not isinstance(text, str):
            problems.append(f"{key}: terraform's value is not known")
            continue
        ours = why403_policy(inst, attr)
        if isinstance(ours, Unk):
            problems.append(f"{key}: why403 left it unknown ({ours.reason})")
            continue
        if normalize(ours) != normalize(json.loads(text)):
            problems.append(f"{key}:\n  why403:    {json.dumps(normalize(ours))}\n"
                            f"  terraform: {json.dumps(normalize(json.loads(text)))}")
    internal = [d for d in ctx.diagnostics if d.code == "internal" or d.severity == "error"]
    problems.extend(f"diagnostic: {d.message}" for d in internal)
    return len(theirs), problems
