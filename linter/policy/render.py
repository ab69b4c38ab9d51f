"""Policies back to JSON: for draft fixes printed to humans and re-parsed for re-simulation."""

from __future__ import annotations

import json
from typing import Any

from why403.model import symbols
from why403.model.policy import Policy, PrincipalEntry, Statement


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    rendered = [symbols.render(v) for v in values]
    return rendered[0] if len(rendered) == 1 else rendered


def _raw_one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def _principals(entries: tuple[PrincipalEntry, ...], raw: bool) -> Any:
    if any(e.type == "*" for e in entries):
        return "*"
    out: dict[str, list[str]] = {}
    for e in entries:
        out.setdefault(e.type, []).append(e.value if raw else symbols.render(e.value))
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def statement_to_json(stmt: Statement, raw: bool = False) -> dict[str, Any]:
    """The statement as a JSON object. ``raw`` keeps tokens (for re-parsing) instead of rendering them."""
    conv = _raw_one_or_list if raw else _one_or_list
    out: dict[str, Any] = {}
    if stmt.sid:
        out["Sid"] = stmt.sid
    out["Effect"] = stmt.effect
    if stmt.principals is not None:
        out["Principal"] = _principals(stmt.principals, raw)
    if stmt.not_principals is not None:
        out["NotPrincipal"] = _principals(stmt.not_principals, raw)
    if stmt.actions is not None:
        out["Action"] = conv(stmt.actions)
    if stmt.not_actions is not None:
        out["NotAction"] = conv(stmt.not_actions)
    if stmt.resources is not None:
        out["Resource"] = conv(stmt.resources)
    if stmt.not_resources is not None:
        out["NotResource"] = conv(stmt.not_resources)
    if stmt.conditions:
        block: dict[str, dict[str, Any]] = {}
        for c in stmt.conditions:
            block.setdefault(c.operator, {})[c.key] = conv(c.values)
        out["Condition"] = block
    return out


def policy_to_json(policy: Policy, raw: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if policy.version:
        doc["Version"] = policy.version
    if policy.id:
        doc["Id"] = policy.id
    doc["Statement"] = [statement_to_json(s, raw) for s in policy.statements]
    return doc


def dumps(doc: Any) -> str:
    """Indented JSON with every token rendered for a human (``${AccountId}``)."""
    return symbols.render(json.dumps(doc, indent=2, ensure_ascii=False))
