"""``data "aws_iam_policy_document"``, computed as the AWS provider (5.x) computes it.

The provider builds the document locally: ``statement`` blocks (``sid``, ``effect`` defaulting to
Allow, ``actions``/``not_actions``, ``resources``/``not_resources``, ``principals``/
``not_principals`` merged by type, ``condition`` blocks merged by test and variable), ``&{...}``
written for IAM policy variables, ``source_policy_documents`` merged first and
``override_policy_documents`` last, each replacing statements with the same Sid. The result keeps
every statement's own source line, also through ``source_policy_documents`` that are themselves
documents.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from why403.model.values import Unknown
from why403.sources.terraform.convert import EvalError, to_str
from why403.sources.terraform.functions import dumps, has_markers, to_json_like
from why403.sources.terraform.numbers import exact_decimal
from why403.sources.terraform.tfvalues import ABSENT, LocatedJson, Unk, combine_unknown, is_known

if TYPE_CHECKING:
    from why403.sources.terraform.bodies import BodyReader
    from why403.sources.terraform.instances import ResourceInstance

Loc = tuple[str, int, int] | None


def document_attribute(inst: ResourceInstance, name: str) -> Any:
    if name not in ("json", "minified_json"):
        if inst.has(name):
            return inst.arg(name)
        if name == "id":
            return Unk(f"{inst.ref}.id", "a hash of the document")
        return Unk(f"{inst.ref}.{name}", f"{inst.ref} has no attribute {name}")
    cache_key = "__document__"
    cached = inst._attrs.get(cache_key)
    if cached is None:
        cached = build_document(inst)
        inst._attrs[cache_key] = cached
    doc, locs, unknown = cached
    file, line = inst.decl.file, inst.decl.block.line
    if unknown is not None:
        u = combine_unknown(f"{inst.ref}.{name}", unknown, type="string")
        u.doc = doc
        u.locs = locs
        return u
    try:
        text = dumps(doc, indent=name == "json", sort_keys=False)
    except EvalError as e:  # a value no JSON can hold: say so rather than guess its text
        return Unk(f"{inst.ref}.{name}", f"{inst.ref}.{name} cannot be written as JSON: {e}")
    return LocatedJson(text, doc, file, line, locs, "policy-document")


def build_document(inst: ResourceInstance) -> tuple[dict[str, Any], list[Loc], list[Any] | None]:
    """(document, statement locations, the unknown values it contains or None)."""
    unknowns: list[Any] = []
    merged_statements: list[Any] = []
    merged_locs: list[Loc] = []
    merged: dict[str, Any] = {"Version": ""}

    def merge(doc: dict[str, Any], stmts: list[Any], locs: list[Loc]) -> None:
        if doc.get("Id"):
            merged["Id"] = doc["Id"]
        version = doc.get("Version")
        if isinstance(version, str) and version > str(merged.get("Version", "")):
            merged["Version"] = version
        for stmt, loc in zip(stmts, locs, strict=True):
            sid = stmt.get("Sid") if isinstance(stmt, dict) else None
            if isinstance(sid, str) and sid:
                for i, existing in enumerate(merged_statements):
                    if isinstance(existing, dict) and existing.get("Sid") == sid:
                        merged_statements[i] = stmt
                        merged_locs[i] = loc
                        break
                else:
                    merged_statements.append(stmt)
                    merged_locs.append(loc)
            else:
                merged_statements.append(stmt)
                merged_locs.append(loc)

    for item in _documents(inst, "source_policy_documents", unknowns):
        merge(*item)

    version = inst.arg("version")
    own: dict[str, Any] = {"Version": version if isinstance(version, str) else "2012-10-17"}
    if isinstance(version, Unk):
        unknowns.append(version)
    policy_id = inst.arg("policy_id")
    if policy_id is not ABSENT and policy_id is not None:
        own["Id"] = _scalar_text(policy_id)
        unknowns.append(policy_id)
    stmts: list[Any] = []
    locs: list[Loc] = []
    for view in inst.blocks("statement"):
        if isinstance(view, Unk):
            unknowns.append(view)
            stmts.append(Unknown(f"statements from dynamic \"statement\": {view.reason}"))
            locs.append(None)
            continue
        stmts.append(_statement(view, own["Version"], unknowns))
        locs.append((view.file, view.block.line, view.block.end_line))
    merge(own, stmts, locs)

    for item in _documents(inst, "override_policy_documents", unknowns):
        merge(*item)

    doc: dict[str, Any] = {"Version": merged["Version"]}
    if "Id" in merged:
        doc["Id"] = merged["Id"]
    if merged_statements:
        doc["Statement"] = merged_statements
    unknown_parts = [u for u in unknowns if not is_known(u)]
    return doc, merged_locs, (unknown_parts if unknown_parts or has_markers(doc) else None)


def _documents(inst: ResourceInstance, name: str, unknowns: list[Any]) -> list[tuple[dict[str, Any], list[Any],
                                                                                     list[Loc]]]:
    value = inst.arg(name)
    if value is ABSENT or value is None:
        return []
    if isinstance(value, Unk):
        unknowns.append(value)
        return [({}, [Unknown(f"{name}: {value.reason}")], [None])]
    if not isinstance(value, list):
        return []
    out: list[tuple[dict[str, Any], list[Any], list[Loc]]] = []
    for item in value:
        if item is None:
            continue
        if isinstance(item, Unk) and item.doc is None:
            unknowns.append(item)
            out.append(({}, [Unknown(f"a document in {name}: {item.reason}")], [None]))
            continue
        if isinstance(item, Unk | LocatedJson):
            if isinstance(item, Unk):
                unknowns.append(item)
            doc = item.doc
            locs = item.locs
        elif isinstance(item, str):
            try:
                doc = json.loads(item, parse_float=exact_decimal)
            except ValueError:
                unknowns.append(Unk(name, f"a document in {name} is not valid JSON"))
                continue
            locs = None
        else:
            continue
        if not isinstance(doc, dict):
            continue
        stmts = doc.get("Statement", [])
        if isinstance(stmts, dict):
            stmts = [stmts]
        if not isinstance(stmts, list):
            stmts = [Unknown(f"the statements of a document in {name}")]
        stmt_locs: list[Loc] = list(locs) if locs and len(locs) == len(stmts) else [None] * len(stmts)
        out.append((doc, list(stmts), stmt_locs))
    return out


def _scalar_text(value: Any) -> Any:
    """A string argument of the data source as the provider sends it. Its schema types ``sid``,
    ``effect`` and ``policy_id`` as strings, so Terraform converts ``sid = 0`` to ``"0"`` before the
    provider sees it (as it does each element of the string sets, see :func:`_string_list`)."""
    return to_str(value) if isinstance(value, bool | int | Fraction) else to_json_like(value)


def _policy_vars(value: Any, version: str) -> Any:
    """``&{aws:username}`` is how policy variables are written inside Terraform strings."""
    if version != "2012-10-17":
        return value
    if isinstance(value, str):
        return value.replace("&{", "${")
    if isinstance(value, list):
        return [_policy_vars(v, version) for v in value]
    return value


def _string_list(view: BodyReader, name: str, unknowns: list[Any], version: str,
                 replace_vars: bool = False) -> Any:
    """A set-of-strings argument: absent/empty -> None; one -> string; more -> list."""
    value = view.arg(name)
    if value is ABSENT or value is None:
        return None
    if isinstance(value, Unk):
        unknowns.append(value)
        return Unknown(f"{name}: {value.reason}")
    if not isinstance(value, list):
        value = [value]
    items = []
    for v in value:
        if isinstance(v, Unk):
            unknowns.append(v)
        items.append(to_json_like(v) if not isinstance(v, Unk) or v.many else view.ctx.evaluator.token_for(v))
    # The provider's arguments are sets of strings: numbers and bools arrive as Terraform's text for
    # them ("1.5", not the Fraction's "3/2").
    items = [to_str(i) if isinstance(i, bool | int | Fraction) else i for i in items]
    if replace_vars:
        items = _policy_vars(items, version)
    if not items:
        return None
    deduped: list[Any] = []
    for i in items:
        if i not in deduped:
            deduped.append(i)
    return deduped[0] if len(deduped) == 1 else deduped


def _statement(view: BodyReader, version: str, unknowns: list[Any]) -> dict[str, Any]:
    stmt: dict[str, Any] = {}
    sid = view.arg("sid")
    if sid is not ABSENT and sid is not None and sid != "":
        stmt["Sid"] = _scalar_text(sid) if not isinstance(sid, Unk) else view.ctx.evaluator.token_for(sid)
        unknowns.append(sid)
    effect = view.arg("effect")
    if effect is ABSENT or effect is None:
        stmt["Effect"] = "Allow"
    elif isinstance(effect, Unk):
        unknowns.append(effect)
        stmt["Effect"] = view.ctx.evaluator.token_for(effect)
    else:
        stmt["Effect"] = _scalar_text(effect)
    for arg, key, replace in (("actions", "Action", False), ("not_actions", "NotAction", False),
                              ("resources", "Resource", True), ("not_resources", "NotResource", True)):
        v = _string_list(view, arg, unknowns, version, replace)
        if v is not None:
            stmt[key] = v
    for block_name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(view, block_name, unknowns, version)
        if principals is not None:
            stmt[key] = principals
    conditions = _conditions(view, unknowns, version)
    if conditions is not None:
        stmt["Condition"] = conditions
    return stmt


def _principals(view: BodyReader, name: str, unknowns: list[Any], version: str) -> Any:
    blocks = view.blocks(name)
    if not blocks:
        return None
    entries: list[tuple[Any, Any]] = []
    for b in blocks:
        if isinstance(b, Unk):
            unknowns.append(b)
            return Unknown(f"{name}: {b.reason}")
        ptype = b.arg("type")
        if isinstance(ptype, Unk):
            unknowns.append(ptype)
            return Unknown(f"the type of {name}: {ptype.reason}")
        ids = _string_list(b, "identifiers", unknowns, version, replace_vars=True)
        entries.append((ptype, ids))
    if len(entries) == 1 and entries[0][0] == "*" and entries[0][1] == "*":
        return "*"
    raw: dict[str, Any] = {}
    for ptype, ids in entries:
        key = str(ptype)
        if isinstance(ids, Unknown):
            raw[key] = ids
            continue
        if ids is None:
            continue
        if key in raw and not isinstance(raw[key], Unknown):
            existing = raw[key] if isinstance(raw[key], list) else [raw[key]]
            raw[key] = existing + (ids if isinstance(ids, list) else [ids])
        elif key not in raw:
            raw[key] = ids
    return raw


def _conditions(view: BodyReader, unknowns: list[Any], version: str) -> Any:
    blocks = view.blocks("condition")
    if not blocks:
        return None
    raw: dict[str, Any] = {}
    for b in blocks:
        if isinstance(b, Unk):
            unknowns.append(b)
            return Unknown(f"condition: {b.reason}")
        test, variable = b.arg("test"), b.arg("variable")
        if isinstance(test, Unk) or isinstance(variable, Unk):
            unknowns.extend([test, variable])
            return Unknown("a condition's test or variable is not known")
        values = _string_list(b, "values", unknowns, version, replace_vars=True)
        per_test = raw.setdefault(str(test), {})
        key = str(variable)
        if key in per_test and not isinstance(per_test[key], Unknown) and not isinstance(values, Unknown):
            existing = per_test[key] if isinstance(per_test[key], list) else [per_test[key]]
            per_test[key] = existing + (values if isinstance(values, list) else [values])
        else:
            per_test[key] = values if values is not None else []
    return raw


