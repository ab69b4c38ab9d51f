"""The parts of a Report every format shares."""

from __future__ import annotations

from why403.model.finding import SEVERITY_ORDER, Finding, InputError
from why403.model.location import Location
from why403.report.base import FAIL_LEVELS, SEVERITIES, Report, summary_line


def test_severities_are_the_models_most_severe_first() -> None:
    assert SEVERITIES == ("error", "warning", "note")
    assert set(SEVERITIES) == set(SEVERITY_ORDER)
    assert FAIL_LEVELS[:-1] == SEVERITIES and FAIL_LEVELS[-1] == "never"


def test_active_findings_are_computed_once_per_report() -> None:
    found = Finding("W403-D101", "denied", "error", "denied", Location("main.tf", 3))
    report = Report(findings=(found,), errors=(InputError("bad.tf", 1, "cannot parse"),))
    assert report.active is report.active
    assert report.with_parse_errors is report.with_parse_errors
    assert [f.rule for f in report.active] == ["W403-E001", "W403-D101"]
    assert summary_line(report).startswith("2 errors, 0 warnings, 0 notes")


def test_the_suppression_policy_loads_without_the_fact_model() -> None:
    """cli.config reads the suppression policy on every start (``--help``, ``rules``, a usage
    error); the facts the suppressions apply to are only needed once a run has read sources."""
    import subprocess
    import sys

    probe = "import sys, why403.report.suppress; print('why403.model.facts' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
