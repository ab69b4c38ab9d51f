"""why403's findings inside cfn-lint, for CloudFormation users who already run it.

    cfn-lint --append-rules why403.cli.cfnlint_plugin -- template.yaml

or, in ``.cfnlintrc``: ``append_rules: [why403.cli.cfnlint_plugin]``.

Each why403 rule appears as cfn-lint rules whose id is the finding's severity letter (``E``,
``W``, ``I``), then ``9``, a digit for the rule's family and its number: ``W403-D101`` is
``E9101`` (or ``W9101`` / ``I9101`` when a finding of it is less severe, e.g. because it hinges
on an unknown value), ``W403-S401`` is ``E9501``.
Matches carry why403's own line numbers and sit under the resource they are in, so cfn-lint's
``--ignore-checks`` and resource ``Metadata: {cfn-lint: {config: {ignore_checks: [...]}}}`` work
as for any cfn-lint rule; why403's own suppressions and configuration (found walking up from the
working directory) apply too. Parse errors are left to cfn-lint, which reports them itself.

why403 checks each template once (every rule class shares the result) and, like the command,
reads only: no network, no credentials.
"""

from __future__ import annotations

import os
import re
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from why403.model.finding import Finding
from why403.report.base import PARSE_ERROR_RULE, SEVERITIES
from why403.rules import Rule, all_rules

_LETTER = {"error": "E", "warning": "W", "note": "I"}
# why403's rule families: E source, D denied, L lockout, B broad allow, N new access, S policy shape
_FAMILY = {"E": "0", "D": "1", "L": "2", "B": "3", "N": "4", "S": "5"}
_cache: dict[tuple[str, float], tuple[Finding, ...]] = {}


def cfnlint_id(rule_id: str, severity: str) -> str:
    """``W403-D101`` at ``error`` -> ``E9101``: cfn-lint keeps ``9xxx`` for custom rules, so the
    three digits are the rule's family (a digit per letter) and its number within the family."""
    code = rule_id.split("-", 1)[-1]
    digits = re.sub(r"\D", "", code).zfill(3)
    family = _FAMILY.get(code[:1].upper(), digits[-3])
    return f"{_LETTER[severity]}9{family}{digits[-2:]}"


def findings_for(filename: str) -> tuple[Finding, ...]:
    """why403's unsuppressed findings located in ``filename`` (one run per file and version)."""
    path = os.path.abspath(filename)
    try:
        key = (path, os.path.getmtime(path))
    except OSError:
        return ()
    if key not in _cache:
        _cache[key] = tuple(f for f in _run(filename) if _same(f, path))
    return _cache[key]


def _run(filename: str) -> tuple[Finding, ...]:
    """``why403 check FILE`` as the command line would run it here (configuration included)."""
    from why403.cli.check import check
    from why403.cli.main import build_parser

    args = build_parser("check").parse_args(["check", "--", filename])
    checked = check(args, os.getcwd())
    if checked is None:
        return ()
    return tuple(f for f in checked.report.findings if f.suppressed is None and f.rule != PARSE_ERROR_RULE)


def _same(finding: Finding, path: str) -> bool:
    return finding.location is not None and os.path.abspath(finding.location.file) == path


def _resource_path(cfn: Any, line: int) -> list[str]:
    """``["Resources", LogicalId]`` for the resource whose text holds ``line`` (1-based)."""
    resources = getattr(cfn, "template", {}).get("Resources", {})
    if isinstance(resources, dict):
        for logical_id, node in resources.items():
            start = getattr(node, "start_mark", None)
            end = getattr(node, "end_mark", None)
            if start is not None and end is not None and start.line + 1 <= line <= end.line + 1:
                return ["Resources", str(logical_id)]
    return ["Resources"]


def _base() -> type[Any]:
    """The shared behaviour of the generated rules. Built here, not at module level, because
    cfn-lint instantiates every CloudFormationLintRule subclass it finds in this module."""

    class _Why403Rule(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint ships no type hints
        why403_rule: str = ""
        why403_severity: str = ""

        def match(self, cfn: Any) -> list[Any]:
            matches = []
            for finding in findings_for(str(getattr(cfn, "filename", "") or "")):
                if finding.rule != self.why403_rule or finding.severity != self.why403_severity:
                    continue
                loc = finding.location
                assert loc is not None
                line = max(loc.line, 1)
                end = max(loc.end_line or line, line)
                column = max(loc.column or 1, 1)
                matches.append(
                    RuleMatch(
                        _resource_path(cfn, line),
                        f"{finding.message} (why403 {finding.rule})",
                        location=(line - 1, column - 1, end - 1, column - 1),
                    )
                )
            return matches

    return _Why403Rule


def _rule_class(rule: Rule, severity: str, base: type[Any]) -> type[Any]:
    rule_id = cfnlint_id(rule.id, severity)
    return type(
        f"Why403{rule_id}",
        (base,),
        {
            "id": rule_id,
            "shortdesc": f"why403 {rule.id}: {rule.summary}"[:120],
            "description": f"{rule.summary} ({severity}; 'why403 rules {rule.id}' prints the documentation)",
            "source_url": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html",
            "tags": ["why403", rule.kind],
            "why403_rule": rule.id,
            "why403_severity": severity,
            "__module__": __name__,
        },
    )


def _register() -> None:
    """One cfn-lint rule per why403 rule and severity it can report at (its default or lower)."""
    base = _base()
    for rule in all_rules():
        if rule.id == PARSE_ERROR_RULE:
            continue
        for severity in SEVERITIES[SEVERITIES.index(rule.severity) :]:
            cls = _rule_class(rule, severity, base)
            globals()[cls.__name__] = cls


_register()
