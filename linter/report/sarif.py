"""SARIF 2.1.0, for GitHub code scanning and every other SARIF viewer.

Choices that matter to code scanning:
- every registered rule is in ``tool.driver.rules`` with its documentation as help, so an alert
  explains itself;
- locations are relative to the repository root (``%SRCROOT%`` in ``originalUriBaseIds``), which
  is how code scanning resolves them, whatever folder of the repository the check ran in;
- ``partialFingerprints`` come from :attr:`Finding.fingerprint` (rule plus the stable names of
  what the finding is about, no line numbers), so moving code does not re-open alerts;
- the location is the statement in the source file, and ``relatedLocations`` point at the other
  statements that took part in the decision, in whatever file they are;
- suppressed findings stay in the log with ``suppressions`` (code scanning shows them dismissed),
  and files that could not be read are ``W403-E001`` results plus tool notifications.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from typing import Any

from why403 import __version__
from why403.model.finding import Finding, Step
from why403.model.location import Location
from why403.report.base import Report
from why403.report.escape import json_document, json_value
from why403.rules import Rule, all_rules

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "why403/v1"
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def render(report: Report) -> str:
    return json_document(json.dumps(json_value(to_sarif(report)), indent=2)) + "\n"


def to_sarif(report: Report) -> dict[str, Any]:
    findings = report.with_parse_errors
    rules = _rules(findings)
    index = {rule.id: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "why403",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(rule, report) for rule in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": report.root_dir.as_uri().rstrip("/") + "/"}},
        "results": [_result(f, index[f.rule], report) for f in findings],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": f"{report.rel(e.file)} could not be read: {e.message}"},
                        "locations": [_location(Location(e.file, e.line or 0), report)],
                        "associatedRule": {"id": "W403-E001"},
                    }
                    for e in report.errors
                ],
            }
        ],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rules(findings: tuple[Finding, ...]) -> list[Rule]:
    """Every registered rule, plus a bare descriptor for any id a finding uses that is not."""
    rules = list(all_rules())
    known = {rule.id for rule in rules}
    for finding in findings:
        if finding.rule not in known:
            known.add(finding.rule)
            rules.append(Rule(finding.rule, finding.kind, finding.severity, finding.rule, lambda world: ()))
    return rules


# GitHub code scanning ranks alerts by ``security-severity`` (0-10: 9+ critical, 7+ high, 4+
# medium, above 0 low). An exposure ranks above an outage; a finding that rests on an unknown is low.
_SECURITY_SEVERITY = {
    "broad-allow": {"error": "8.0", "warning": "5.5", "note": "2.0"},
    "new-access": {"error": "8.0", "warning": "5.5", "note": "2.0"},
    "lockout": {"error": "7.0", "warning": "5.0", "note": "2.0"},
    "denied": {"error": "4.0", "warning": "3.0", "note": "1.0"},
    "source": {"error": "2.0", "warning": "1.5", "note": "1.0"},
}
# CWE-732 (incorrect permission assignment for critical resource), CWE-284 (improper access control).
_CWE = {"broad-allow": "external/cwe/cwe-732", "new-access": "external/cwe/cwe-732", "lockout": "external/cwe/cwe-284",
        "denied": "external/cwe/cwe-284"}


def _descriptor(rule: Rule, report: Report) -> dict[str, Any]:
    doc = rule.doc or rule.summary
    tags = ["aws", "iac", rule.kind]
    if rule.kind != "source":
        tags = ["security", *tags, _CWE[rule.kind]]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _camel(rule.summary),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _first_paragraph(doc)},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {
            "tags": tags,
            "kind": rule.kind,
            "precision": rule.precision,
            "problem.severity": _PROBLEM_SEVERITY[rule.severity],
            "security-severity": _SECURITY_SEVERITY[rule.kind][rule.severity],
        },
    }
    if report.docs_url:
        descriptor["helpUri"] = f"{report.docs_url.rstrip('/')}/{urllib.parse.quote(rule.id)}.md"
    return descriptor


def _result(finding: Finding, rule_index: int, report: Report) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity,  # why403's severities are SARIF's levels
        "message": {"text": finding.message},
        "partialFingerprints": {FINGERPRINT_KEY: report.fingerprint(finding)},
    }
    if finding.location is not None:
        result["locations"] = [_location(finding.location, report)]
    related = _related(finding, report)
    if related:
        result["relatedLocations"] = related
    if finding.chain:
        result["codeFlows"] = [_code_flow(finding, report)]
    if finding.suppressed is not None:
        suppression: dict[str, Any] = {
            "kind": "inSource",
            "status": "accepted",
            "justification": finding.suppressed.reason,
        }
        if finding.suppressed.location is not None:
            suppression["location"] = _location(finding.suppressed.location, report)
        if finding.suppressed.until:
            suppression["properties"] = {"until": finding.suppressed.until}
        result["suppressions"] = [suppression]
    properties: dict[str, Any] = {"kind": finding.kind}
    for key in ("layer", "denial", "suggestion"):
        if getattr(finding, key) is not None:
            properties[key] = getattr(finding, key)
    if finding.access is not None:
        properties["access"] = {k: v for k, v in vars(finding.access).items() if v is not None}
    if finding.trace:
        properties["trace"] = list(finding.trace)
    if finding.unit:
        properties["unit"] = report.from_root(finding.unit) or finding.unit
    result["properties"] = properties
    return result


def _step_text(step: Step) -> str:
    return f"{step.layer}: {step.outcome}" + (f" ({step.what})" if step.what else "")


def _related(finding: Finding, report: Report) -> list[dict[str, Any]]:
    """Every statement of the decision chain (with what its layer answered), then the other places
    that took part, each once."""
    out: list[dict[str, Any]] = []
    seen: set[Location] = set()
    texts = [(s.location, _step_text(s)) for s in finding.chain]
    texts += [(loc, "also part of this decision") for loc in finding.related]
    for loc, text in texts:
        if loc is None or loc in seen:
            continue
        seen.add(loc)
        out.append({**_location(loc, report), "id": len(out), "message": {"text": text}})
    return out


def _code_flow(finding: Finding, report: Report) -> dict[str, Any]:
    """The layer-by-layer evaluation, in AWS's order, as one thread flow: each step at its statement
    when it has one (a layer that answered without a statement, e.g. \"not in the sources\", has
    only its message)."""
    steps = []
    for order, step in enumerate(finding.chain, start=1):
        where: dict[str, Any] = {"message": {"text": _step_text(step)}}
        if step.location is not None:
            where.update(_location(step.location, report))
        steps.append({"location": where, "executionOrder": order, "kinds": [step.layer],
                      "importance": "essential" if step.location is not None else "unimportant"})
    return {"message": {"text": "how AWS evaluates the request, layer by layer"},
            "threadFlows": [{"locations": steps}]}


def _uri(path: str) -> str:
    """A relative URI of a path: its bytes percent-encoded (a file name that is not UTF-8 keeps its
    bytes, which a surrogate-escaped ``str`` holds)."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return urllib.parse.quote(raw)


def _artifact(file: str, report: Report) -> dict[str, Any]:
    """A file relative to %SRCROOT%, or by its absolute URI when it is outside it."""
    relative = report.from_root(file)
    if relative is not None:
        return {"uri": _uri(relative), "uriBaseId": "%SRCROOT%"}
    return {"uri": "file://" + _uri(os.path.abspath(os.path.join(report.cwd, file)).replace(os.sep, "/"))}


def _location(loc: Location, report: Report) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.file, report)}
    if loc.line and loc.line > 0:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.end_line and loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
        if loc.column and loc.column > 0:
            region["startColumn"] = loc.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _first_paragraph(doc: str) -> str:
    return doc.strip().split("\n\n", 1)[0].replace("\n", " ")


def _camel(summary: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in summary).split()[:8]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"
