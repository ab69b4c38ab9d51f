"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines ...).

One test suite per file read, one test case per finding. A finding at or above the fail level is
a ``failure``; one below it passes with its message as output, so the report and the exit status
agree; a suppressed finding is ``skipped`` with its reason; a file that could not be read is an
``error``. A file with no findings gets one passing test case, so the report shows what was
checked.

Source text is written with what XML 1.0 cannot hold shown as escapes, and with the characters a
CI runner would read as a workflow command written as character references
(:mod:`why403.report.escape`).
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from why403.model.finding import Finding
from why403.report.base import PARSE_ERROR_RULE, Report, at_or_above
from why403.report.escape import xml_document, xml_text


def render(report: Report) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for file in report.files:
        by_file.setdefault(xml_text(report.rel(file)), [])  # every file read gets a suite, findings or not
    for finding in report.with_parse_errors:
        by_file[xml_text(report.rel(finding.location.file)) if finding.location else "<run>"].append(finding)

    root = ET.Element("testsuites", name="why403")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file in sorted(by_file):
        suite = ET.SubElement(root, "testsuite", name=file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        findings = by_file[file]
        if not findings:
            ET.SubElement(suite, "testcase", name="why403", classname=file)
            counts["tests"] += 1
        for finding in findings:
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", name=_name(finding), classname=file)
            line = finding.location.line if finding.location else 0
            message = xml_text(finding.message)
            body = "\n".join((f"{file}:{line}: {message}", *map(xml_text, finding.trace)))
            if finding.suppressed is not None:
                ET.SubElement(case, "skipped", message=f"suppressed: {xml_text(finding.suppressed.reason)}")
                counts["skipped"] += 1
            elif finding.rule == PARSE_ERROR_RULE:
                ET.SubElement(case, "error", message=message, type=finding.rule).text = body
                counts["errors"] += 1
            elif at_or_above(finding.severity, report.fail_level):
                failure = ET.SubElement(case, "failure", message=message, type=finding.severity)
                failure.text = body
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = body
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{report.stats.seconds:.3f}")
    ET.indent(root)
    return xml_document('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _name(finding: Finding) -> str:
    line = finding.location.line if finding.location else 0
    return f"{finding.rule} {finding.severity} line {line}"
