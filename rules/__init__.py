"""why403's rules: one module per check, discovered at run time.

Each module defines ``RULE``, a :class:`Rule` whose ``check`` turns the simulated world into
findings. The module docstring is the rule's user documentation (what it finds, why it matters,
an example, how to fix); ``why403 rules ID`` prints it and ``docs/rules.md`` is generated from it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from why403.model.finding import Finding, Kind, Severity

Precision = Literal["very-high", "high", "medium", "low"]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    severity: Severity  # the default; a finding may be less severe when it hinges on an unknown
    summary: str
    check: Callable[[Any], Iterable[Finding]]
    doc: str = ""
    # How often a finding of this rule is a real problem (SARIF's ``precision``): ``high`` for rules
    # that report what the simulation decides, lower for rules that report what may happen.
    precision: Precision = "high"

    def finding(self, message: str, *, severity: Severity | None = None, **details: Any) -> Finding:
        """A finding of this rule: its kind, and its default severity unless ``severity`` says the
        finding is less severe (it hinges on an unknown) or the configuration changed it."""
        return Finding(rule=self.id, kind=self.kind, severity=severity or self.severity, message=message, **details)


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, ordered by id."""
    found: list[Rule] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            if not rule.doc:
                rule = replace(rule, doc=(module.__doc__ or "").strip())
            found.append(rule)
    return tuple(sorted(found, key=lambda r: r.id))


RULE_PREFIX = "W403-"


def get_rule(rule_id: str) -> Rule | None:
    """The rule named ``rule_id``, in any case, with or without the ``W403-`` prefix (``D103``)."""
    wanted = rule_id.strip().upper()
    if not wanted.startswith(RULE_PREFIX):
        wanted = RULE_PREFIX + wanted
    for rule in all_rules():
        if rule.id.upper() == wanted:
            return rule
    return None


def rule_matches(rule_id: str, pattern: str) -> bool:
    """Whether ``pattern`` (a rule id or a prefix of one, any case, with or without ``W403-``;
    ``ALL`` or ``*`` for every rule) names ``rule_id``."""
    pattern = pattern.strip().upper()
    rule_id = rule_id.upper()
    return bool(pattern) and (pattern in {"ALL", "*"} or rule_id.startswith(pattern)
                              or rule_id.startswith(RULE_PREFIX + pattern))


def names_a_rule(pattern: str) -> bool:
    """Whether ``pattern`` (as :func:`rule_matches` reads it) names at least one rule."""
    return any(rule_matches(rule.id, pattern) for rule in all_rules())


def closest_rule(pattern: str, families: bool = True) -> str | None:
    """The rule id or family prefix (``W403-B``, ``W403-D1``) nearest to a ``pattern`` that names no
    rule, for the "did you mean" of an error; None when nothing is close. ``families=False``: rule
    ids only (``why403 rules ID`` takes one rule)."""
    import difflib

    ids = [rule.id for rule in all_rules()]
    prefixes = sorted({i[: len(RULE_PREFIX) + n] for i in ids for n in (1, 2)}) if families else []
    wanted = pattern.strip().upper()
    if not wanted.startswith(RULE_PREFIX):
        wanted = RULE_PREFIX + wanted
    candidates = ids if len(wanted) >= len(ids[0]) or not prefixes else prefixes
    found = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6) or \
        difflib.get_close_matches(wanted, [*ids, *prefixes], n=1, cutoff=0.6)
    return found[0] if found else None


def rule_selected(rule_id: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether a run with these ``--select`` (empty: every rule) and ``--ignore`` patterns runs and
    reports ``rule_id``. The pipeline, the command and the suppressions all decide by this."""
    if select and not any(rule_matches(rule_id, p) for p in select):
        return False
    return not any(rule_matches(rule_id, p) for p in ignore)
