"""The JSON report: the machine contract ``why403/v1`` (../shared/docs/output-contract.md).

Fields are only ever added within ``why403/v1``. ``findings`` holds what counts (suppressed
findings are left out, and counted in ``stats.suppressed``); files that could not be read are in
``errors``, never in ``findings``. Locations are relative to the working directory, and so is each
finding's ``unit``: the deployment unit it belongs to (a Terraform root module's folder, a
template, a plan; docs/units.md).
"""

from __future__ import annotations

import json
from typing import Any

from why403 import __version__
from why403.model.finding import Finding
from why403.model.location import Location
from why403.report.base import Report
from why403.report.escape import json_document, json_value

SCHEMA = "why403/v1"


def render(report: Report) -> str:
    return json_document(json.dumps(json_value(to_dict(report)), indent=2)) + "\n"


def to_dict(report: Report) -> dict[str, Any]:
    stats = report.stats
    return {
        "schema": SCHEMA,
        "tool": {"name": "why403", "version": __version__},
        "findings": [finding_dict(f, report) for f in report.findings if f.suppressed is None],
        "errors": [{"file": report.rel(e.file), "line": e.line, "message": e.message} for e in report.errors],
        "stats": {
            "files": stats.files or len(report.files),
            "resources": stats.resources,
            "accesses_simulated": stats.accesses_simulated,
            "seconds": round(stats.seconds, 3),
            "suppressed": len(report.suppressed),
            "skipped_files": stats.skipped_files,
            "unknown_resource_types": stats.unknown_resource_types,
            "module_calls_not_read": stats.module_calls_not_read,
            "units": stats.units,
        },
        **({} if report.baseline is None else {"baseline": _baseline(report)}),
    }


def _baseline(report: Report) -> dict[str, Any]:
    """``--baseline-file``: how many findings it left out, and its stale entries (for files this
    run read, found no more)."""
    assert report.baseline is not None
    return {
        "file": report.baseline.path,
        "matched": report.baseline.matched,
        "stale": [{"fingerprint": e.fingerprint, "rule": e.rule, "file": e.file, "message": e.message}
                  for e in report.baseline.stale],
    }


def finding_dict(finding: Finding, report: Report) -> dict[str, Any]:
    access = finding.access
    return {
        "rule": finding.rule,
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "location": _location(finding.location, report),
        "layer": finding.layer,
        "denial": finding.denial,
        "access": None
        if access is None
        else {
            "principal": access.principal,
            "principal_ref": access.principal_ref,
            "action": access.action,
            "resource": access.resource,
            "via": access.via,
            "kms_action": access.kms_action,
            "actions": list(access.all_actions),
        },
        "trace": list(finding.trace),
        "suggestion": finding.suggestion,
        "unit": report.rel(finding.unit) if finding.unit else None,
        "related": related(finding, report),
        "fingerprint": report.fingerprint(finding),
    }


def related(finding: Finding, report: Report) -> list[dict[str, Any]]:
    """Every statement of the decision chain with its file and line (with the layer and what it
    answered), then the other places that took part."""
    out: list[dict[str, Any]] = []
    seen: set[Location] = set()
    for step in finding.chain:
        if step.location is None or step.location in seen:
            continue
        seen.add(step.location)
        out.append({**_location_fields(step.location, report), "layer": step.layer, "outcome": step.outcome,
                    "statement": step.what or None})
    for loc in finding.related:
        if loc not in seen:
            seen.add(loc)
            out.append({**_location_fields(loc, report), "layer": None, "outcome": None, "statement": None})
    return out


def _location(loc: Location | None, report: Report) -> dict[str, Any] | None:
    return None if loc is None else _location_fields(loc, report)


def _location_fields(loc: Location, report: Report) -> dict[str, Any]:
    return {"file": report.rel(loc.file), "line": loc.line, "end_line": loc.end_line}
