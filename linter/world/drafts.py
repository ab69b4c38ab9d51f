"""Draft fixes written the way the source they go into is written, ready to paste.

:mod:`why403.world.suggest` finds a statement that fixes a denial and proves it by re-simulation;
this module writes it in the language of the file that holds the policy it extends:

- Terraform: an ``aws_iam_policy_document`` ``statement`` block when the policy is one, else the
  object ``jsonencode`` takes; values the sources compute are references (``aws_kms_key.data.arn``,
  ``"${aws_s3_bucket.data.arn}/reports/*"``), the account and region ``data.aws_caller_identity``
  and ``data.aws_region`` (the draft says so when it uses them).
- CloudFormation: a statement in YAML or JSON, as the template is written, with ``!GetAtt``,
  ``!Ref`` and ``!Sub`` (``Fn::GetAtt``... in JSON) and ``${AWS::AccountId}``/``${AWS::Region}``.
- Anything else (a plan, a dump): JSON with the values as AWS sees them.

A value the draft cannot write in the source's terms (a value the sources leave open that is no
variable or parameter) makes no draft: never a hard-coded ARN the sources compute, never a
placeholder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from why403.model import symbols
from why403.world.model import World

Syntax = Literal["terraform", "cloudformation-yaml", "cloudformation-json", "json"]

_TF_REFERENCE = re.compile(r"^(var|local|data|module|aws_[a-z0-9_]+)\.[A-Za-z0-9_.\[\]\"-]+$")
_TF_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_CFN_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")


class NotWritable(Exception):
    """A value of the draft the source's language cannot express from what the sources define."""


@dataclass(frozen=True)
class Ref:
    """An expression of the source: ``tf`` for Terraform, ``cfn`` for CloudFormation (``Logical.Arn``
    for GetAtt, a logical id or ``AWS::Region`` for Ref)."""

    tf: str | None = None
    cfn: str | None = None


Parts = tuple[str | Ref, ...]

_ACCOUNT = Ref(tf="data.aws_caller_identity.current.account_id", cfn="AWS::AccountId")
_REGION = Ref(tf="data.aws_region.current.name", cfn="AWS::Region")
_DATA_SOURCES = {_ACCOUNT.tf: 'data "aws_caller_identity" "current" {}', _REGION.tf: 'data "aws_region" "current" {}'}


def syntax_of(file: str | None) -> Syntax:
    """The language of the file a draft goes into, by its name."""
    name = (file or "").lower()
    if name.endswith((".tf", ".tf.json")):
        return "terraform"
    if name.endswith((".yaml", ".yml")):
        return "cloudformation-yaml"
    if name.endswith((".json", ".template")):
        return "cloudformation-json"
    return "json"


class Expressions:
    """The values the sources compute (bucket, key and principal ARNs, bucket names) and the
    expression that computes each, for a draft going into one module or template."""

    def __init__(self, world: World, syntax: Syntax, module: str = "") -> None:
        self.syntax = syntax
        self.module = module
        self.used: set[str] = set()
        entries: dict[str, Ref] = {}
        for binfo in world.buckets.values():
            if binfo.in_sources:
                self._add(entries, binfo.state.arn, binfo.ref, "arn", "Arn")
                self._add(entries, binfo.state.name, binfo.ref, "id", "")
        for key in world.env.keys.values():
            if key.ref and not key.aws_managed:
                self._add(entries, key.arn, key.ref, "arn", "Arn")
        for info in world.principals.values():
            if info.in_sources and info.kind in ("role", "user"):
                self._add(entries, info.arn, info.ref, "arn", "Arn")
        self.entries = sorted(entries.items(), key=lambda kv: len(kv[0]), reverse=True)

    def _add(self, entries: dict[str, Ref], value: str, ref: str | None, tf_attr: str, cfn_attr: str) -> None:
        if not value or not ref or value in entries:
            return
        if self.syntax == "terraform":
            local = self._local(ref)
            if local is not None:
                entries[value] = Ref(tf=f"{local}.{tf_attr}")
        elif self.syntax.startswith("cloudformation") and _CFN_LOGICAL_ID.match(ref):
            entries[value] = Ref(cfn=f"{ref}.{cfn_attr}" if cfn_attr else ref)

    def _local(self, ref: str) -> str | None:
        """A Terraform address as the draft's module writes it; None for another module's."""
        if self.module:
            return ref[len(self.module) + 1:] if ref.startswith(self.module + ".") else None
        return None if ref.startswith("module.") else ref

    def parts(self, value: str) -> Parts:
        """``value`` as literal text and expressions; :class:`NotWritable` when it cannot be."""
        if self.syntax == "json":
            if symbols.has_token(value):
                raise NotWritable(symbols.render(value))
            return (value,)
        for known, ref in self.entries:
            if value == known or value.startswith(known + "/"):
                return (ref, *self._tokens(value[len(known):]))
        return self._tokens(value)

    def _tokens(self, value: str) -> Parts:
        out: list[str | Ref] = []
        for piece in symbols.split_tokens(value):
            if isinstance(piece, str):
                if piece:
                    out.append(piece)
                continue
            kind, label = piece
            out.append(self._token(kind, label, value))
        return tuple(out)

    def _token(self, kind: str, label: str, value: str) -> Ref:
        if kind == "a":
            return _ACCOUNT
        if kind == "r":
            return _REGION
        if self.syntax == "terraform" and _TF_REFERENCE.match(label):
            return Ref(tf=label)
        if self.syntax.startswith("cloudformation") and label.startswith("Parameter "):
            name = label.removeprefix("Parameter ")
            if _CFN_LOGICAL_ID.match(name):
                return Ref(cfn=name)
        raise NotWritable(symbols.render(value))

    def data_sources(self) -> list[str]:
        """The Terraform data sources the draft refers to (the module may not declare them yet)."""
        return [decl for ref, decl in _DATA_SOURCES.items() if ref in self.used]


# -- Terraform ----------------------------------------------------------------------------------


def _tf_string(parts: Parts, ex: Expressions) -> str:
    if len(parts) == 1 and isinstance(parts[0], Ref):
        assert parts[0].tf is not None
        ex.used.add(parts[0].tf)
        return parts[0].tf
    text = ""
    for part in parts:
        if isinstance(part, Ref):
            assert part.tf is not None
            ex.used.add(part.tf)
            text += "${" + part.tf + "}"
        else:
            text += part.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")
    return f'"{text}"'


def _tf_value(value: Any, ex: Expressions, indent: str) -> str:
    if isinstance(value, str):
        return _tf_string(ex.parts(value), ex)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_tf_value(v, ex, indent) for v in value) + "]"
    if isinstance(value, dict):
        inner = indent + "  "
        keys = [k if _TF_IDENTIFIER.match(k) else json.dumps(k) for k in value]
        width = max((len(k) for k in keys), default=0)
        rows = [f"{inner}{k:<{width}} = {_tf_value(v, ex, inner)}" for k, v in zip(keys, value.values(), strict=True)]
        return "{\n" + "\n".join(rows) + f"\n{indent}}}"
    return json.dumps(value)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _tf_document_statement(stmt: dict[str, Any], ex: Expressions) -> str:
    """An ``aws_iam_policy_document`` ``statement`` block."""
    rows: list[str] = []
    if "Sid" in stmt:
        rows.append(f"  sid       = {_tf_value(stmt['Sid'], ex, '  ')}")
    rows.append(f"  effect    = {_tf_value(stmt.get('Effect', 'Allow'), ex, '  ')}")
    rows.append(f"  actions   = {_tf_value(_listed(stmt['Action']), ex, '  ')}")
    rows.append(f"  resources = {_tf_value(_listed(stmt['Resource']), ex, '  ')}")
    for kind, values in (stmt.get("Principal") or {}).items():
        rows += ["  principals {", f"    type        = {json.dumps(kind)}",
                 f"    identifiers = {_tf_value(_listed(values), ex, '    ')}", "  }"]
    for test, entries in (stmt.get("Condition") or {}).items():
        for variable, values in entries.items():
            rows += ["  condition {", f"    test     = {json.dumps(test)}", f"    variable = {json.dumps(variable)}",
                     f"    values   = {_tf_value(_listed(values), ex, '    ')}", "  }"]
    return "statement {\n" + "\n".join(rows) + "\n}"


# -- CloudFormation -----------------------------------------------------------------------------


def _cfn_sub_text(parts: Parts) -> str:
    text = ""
    for part in parts:
        if isinstance(part, Ref):
            assert part.cfn is not None
            text += "${" + part.cfn + "}"
        else:
            text += part.replace("${", "${!")
    return text


def _cfn_json_value(value: Any, ex: Expressions) -> Any:
    """The statement as CloudFormation JSON: ``Fn::GetAtt``, ``Ref``, ``Fn::Sub``."""
    if isinstance(value, str):
        parts = ex.parts(value)
        if not any(isinstance(p, Ref) for p in parts):
            return "".join(p for p in parts if isinstance(p, str))
        if len(parts) == 1 and isinstance(parts[0], Ref) and parts[0].cfn is not None:
            name = parts[0].cfn
            if "." in name:
                logical, attr = name.split(".", 1)
                return {"Fn::GetAtt": [logical, attr]}
            return {"Ref": name}
        return {"Fn::Sub": _cfn_sub_text(parts)}
    if isinstance(value, list):
        return [_cfn_json_value(v, ex) for v in value]
    if isinstance(value, dict):
        return {k: _cfn_json_value(v, ex) for k, v in value.items()}
    return value


def _yaml_scalar(text: str) -> str:
    import yaml

    dumped: str = yaml.safe_dump(text, default_style=None, width=10_000).strip()
    return dumped.removesuffix("\n...").removesuffix("...").strip()


def _cfn_yaml_lines(value: Any, indent: str) -> list[str]:
    """YAML block lines of a value already in CloudFormation JSON form, with the short tags."""
    if isinstance(value, dict):
        if _is_intrinsic(value):
            ((tag, arg),) = value.items()
            if tag == "Fn::GetAtt":
                return [f"!GetAtt {arg[0]}.{arg[1]}"]
            if tag == "Ref":
                return [f"!Ref {arg}"]
            return [f"!Sub {json.dumps(arg)}"]
        lines: list[str] = []
        for key, item in value.items():
            rendered = _cfn_yaml_lines(item, indent + "  ")
            head = f"{indent}{_yaml_scalar(key)}:"
            if len(rendered) == 1 and not rendered[0].startswith(" "):
                lines.append(f"{head} {rendered[0]}")
            else:
                lines.append(head)
                lines.extend(rendered)
        return lines
    if isinstance(value, list):
        if len(value) == 1 and (not isinstance(value[0], dict | list) or _is_intrinsic(value[0])):
            return _cfn_yaml_lines(value[0], indent)
        lines = []
        for item in value:
            rendered = _cfn_yaml_lines(item, indent + "  ")
            lines.append(f"{indent}- {rendered[0].strip()}")
            lines.extend(rendered[1:])
        return lines
    if isinstance(value, str):
        return [_yaml_scalar(value)]
    return [json.dumps(value)]


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Fn::GetAtt", "Ref", "Fn::Sub")


# -- the draft ----------------------------------------------------------------------------------


def render_statement(stmt: dict[str, Any], ex: Expressions, written: str = "") -> str:
    """One statement in the draft's language (:class:`NotWritable` when it cannot be)."""
    if ex.syntax == "terraform":
        if written == "policy-document":
            return _tf_document_statement(stmt, ex)
        return _tf_value(stmt, ex, "")
    if ex.syntax == "cloudformation-yaml":
        lines = _cfn_yaml_lines(_cfn_json_value(stmt, ex), "  ")
        return "- " + lines[0].strip() + ("\n" + "\n".join(lines[1:]) if len(lines) > 1 else "")
    if ex.syntax == "cloudformation-json":
        return json.dumps(_cfn_json_value(stmt, ex), indent=2)
    return json.dumps(_plain(stmt, ex), indent=2)


def render_condition(condition: dict[str, Any], ex: Expressions, written: str = "") -> str:
    """A Condition block's entries, to add to a statement, in the draft's language."""
    if ex.syntax == "terraform":
        if written == "policy-document":
            rows: list[str] = []
            for test, entries in condition.items():
                for variable, values in entries.items():
                    rows += ["condition {", f"  test     = {json.dumps(test)}", f"  variable = {json.dumps(variable)}",
                             f"  values   = {_tf_value(_listed(values), ex, '  ')}", "}"]
            return "\n".join(rows)
        body = _tf_value(condition, ex, "")
        return "\n".join(body.splitlines()[1:-1]).replace("\n  ", "\n").removeprefix("  ")
    if ex.syntax == "cloudformation-yaml":
        return "\n".join(line[2:] for line in _cfn_yaml_lines(_cfn_json_value(condition, ex), "  "))
    if ex.syntax == "cloudformation-json":
        return json.dumps(_cfn_json_value(condition, ex), indent=2)
    return json.dumps(_plain(condition, ex), indent=2)


def _plain(value: Any, ex: Expressions) -> Any:
    if isinstance(value, str):
        return "".join(p for p in ex.parts(value) if isinstance(p, str))
    if isinstance(value, list):
        return [_plain(v, ex) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, ex) for k, v in value.items()}
    return value


def where_in(syntax: Syntax, written: str) -> str:
    """Where in the policy the statement goes, in the source's words."""
    if syntax == "terraform":
        return "a statement block of its aws_iam_policy_document" if written == "policy-document" else \
            "an element of the Statement list its jsonencode takes"
    return "an element of its Statement list"
