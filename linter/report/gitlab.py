"""GitLab Code Quality (a subset of the Code Climate format), shown in merge request widgets.

A JSON array of issues: ``description``, ``check_name`` (the rule), ``fingerprint`` (stable when
lines move, from :attr:`Finding.fingerprint`), ``severity`` and ``location.path/lines.begin``.
Suppressed findings are left out; files that could not be read are ``W403-E001`` issues.
"""

from __future__ import annotations

import json
from typing import Any

from why403.model.finding import Finding
from why403.report.base import Report
from why403.report.escape import json_document, json_value

_SEVERITY = {"error": "critical", "warning": "major", "note": "info"}


def render(report: Report) -> str:
    return json_document(json.dumps(json_value([_issue(f, report) for f in report.active]), indent=2)) + "\n"


def _issue(finding: Finding, report: Report) -> dict[str, Any]:
    loc = finding.location
    return {
        "type": "issue",
        "description": f"{finding.rule}: {finding.message}",
        "check_name": finding.rule,
        "categories": ["Security"],
        "fingerprint": finding.fingerprint,
        "severity": _SEVERITY[finding.severity],
        "location": {
            "path": report.rel(loc.file) if loc else ".",
            "lines": {"begin": (loc.line or 1) if loc else 1},
        },
    }
