"""Report formats. Each lives in its own module, imported only when asked for, so that a plain
``why403 check`` does not pay for SARIF (rule registry) or XML.
"""

from __future__ import annotations

import importlib

from why403.report.base import Report

FORMATS: dict[str, str] = {
    "text": "why403.report.text",
    "json": "why403.report.json_report",
    "sarif": "why403.report.sarif",
    "junit": "why403.report.junit",
    "github": "why403.report.github",
    "gitlab": "why403.report.gitlab",
}


def render(fmt: str, report: Report) -> str:
    """The report in format ``fmt`` (one of :data:`FORMATS`) as text."""
    module = importlib.import_module(FORMATS[fmt])
    text: str = module.render(report)
    return text
