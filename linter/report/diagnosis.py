"""``why403 diagnose`` in every report format.

The denial is one finding in the ``why403/v1`` contract (``kind: denied`` with ``layer``, ``denial``,
``access`` and ``trace``, and the rule ``check`` would report for that layer), so tools built on
``check`` read it unchanged; an answer that depends on what the dumps do not say is a ``W403-U001``
note; an allowed request has no finding. The JSON and SARIF outputs add a ``diagnosis`` object (the
verdict, the deciding statement, what was not collected with the command for each, AWS's message
checked, drift from the code); the text output is ``explain``'s walk through the layers followed by
those sections. Dumps are written by anyone who could change the account, so every format escapes
what it shows from them as ``check``'s reports do (:mod:`why403.report.escape`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from why403.model import symbols
from why403.model.finding import Access, Finding, InputError, Stats
from why403.report.base import Report
from why403.report.escape import json_document, json_value, terminal_text
from why403.world.crosscheck import CrossCheck
from why403.world.diagnosis import Diagnosis
from why403.world.drift import Drift
from why403.world.explain import render_explanation

_RULES = {"bucket-policy": "W403-D101", "bucket-acl": "W403-D101", "identity-policy": "W403-D102",
          "vpc-endpoint-policy": "W403-D104", "scp": "W403-D105", "rcp": "W403-D106",
          "permissions-boundary": "W403-D107", "session-policy": "W403-D107", "access-point-policy": "W403-D109",
          "block-public-access": "W403-D110", "object-ownership": "W403-D111", "request-validation": "W403-D111",
          "kms-key-state": "W403-D111"}
UNKNOWN_RULE = "W403-U001"


@dataclass(frozen=True)
class DiagnosisReport:
    diagnosis: Diagnosis
    folder: str
    files: tuple[str, ...] = ()
    errors: tuple[InputError, ...] = ()
    check: CrossCheck | None = None
    message: str | None = None
    drift: tuple[Drift, ...] = ()
    iac: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    cwd: str = "."
    findings: tuple[Finding, ...] = field(default=())

    @property
    def verdict(self) -> str:
        d = self.diagnosis.decision
        return "denied" if d.denied else "allowed" if d.allowed else "unknown"


def rule_for(layer: str | None, kms_action: str | None) -> str:
    """The ``check`` rule of the layer that denied (W403-D103 for S3's call to KMS)."""
    if kms_action is not None and layer != "kms-key-state":
        return "W403-D103"
    return _RULES.get(layer or "", "W403-D101")


def finding_of(diagnosis: Diagnosis) -> Finding | None:
    from why403.rules._denials import _deny_text, _location, _related

    d, exp = diagnosis.decision, diagnosis.explanation
    result = diagnosis.result
    principal = symbols.render(exp.principal.actor.arn or exp.principal.actor.display)
    access = Access(principal=principal, principal_ref=exp.principal.ref, action=exp.action,
                    resource=symbols.render(exp.resource), via=exp.path.endpoint_ref, kms_action=d.kms_action)
    trace = tuple(step.render() for step in d.trace)
    if d.denied and result is not None:
        location = _location(result)
        denial = "explicit" if d.outcome in ("explicit-deny", "rejected") else "implicit"
        via = f" through {exp.path.endpoint_ref}" if exp.path.endpoint_ref else ""
        return Finding(rule=rule_for(d.layer, d.kms_action), kind="denied", severity="error",
                       message=f"{principal} is denied {exp.action} on {access.resource}{via}: {_deny_text(result)}",
                       location=location, layer=d.layer, denial=denial,  # type: ignore[arg-type]
                       access=access, trace=trace, suggestion=exp.suggestion, related=_related(result, location),
                       identity=(principal, exp.action, access.resource, d.layer or "", d.kms_action or ""))
    if d.outcome == "unknown":
        why = "; ".join(symbols.render(u) for u in d.unknowns[:3]) or "values the dumps do not hold"
        first = next((s.location for s in d.trace if s.outcome == "unknown" and s.location is not None), None)
        return Finding(rule=UNKNOWN_RULE, kind="denied", severity="note",
                       message=f"{principal} may be denied {exp.action} on {access.resource}: the answer depends on "
                               f"what the dumps do not say ({why})",
                       location=first, access=access, trace=trace,
                       identity=(principal, exp.action, access.resource, "unknown"))
    return None


def _statement(diagnosis: Diagnosis, report: Report) -> dict[str, Any] | None:
    d = diagnosis.decision
    stmt, policy = d.statement, d.policy
    if stmt is None or policy is None:
        return None
    loc = stmt.location
    return {"policy": policy.origin, "policy_arn": policy.arn, "sid": stmt.sid, "index": stmt.index,
            "file": report.rel(loc.file) if loc else None, "line": loc.line if loc else None}


def diagnosis_dict(r: DiagnosisReport, report: Report) -> dict[str, Any]:
    diag = r.diagnosis
    d, exp = diag.decision, diag.explanation
    net = exp.path.network
    return {
        "verdict": r.verdict,
        "http_status": d.http_status if d.http_status else (403 if d.denied else None),
        "request": {"principal": exp.principal.actor.arn or exp.principal.arn, "action": exp.action,
                    "resource": symbols.render(exp.resource), "via": exp.path.endpoint_ref,
                    "source_ip": net.source_ip if not net.through_endpoint else None},
        "layer": d.layer,
        "denial": None if not d.denied else ("explicit" if d.outcome in ("explicit-deny", "rejected") else "implicit"),
        "kms_action": d.kms_action,
        "statement": _statement(diag, report),
        "detail": symbols.render(d.detail) if d.detail else None,
        "unknowns": [symbols.render(u) for u in d.unknowns],
        "variants": diag.variants,
        "disagreement": diag.disagreement or None,
        "not_collected": [{"file": g.file, "state": g.state, "command": g.command, "layers": list(g.layers),
                           "account": g.account} for g in diag.gaps],
        "message_check": None if r.check is None else {"message": r.message, "agrees": r.check.agrees,
                                                       "text": r.check.text},
        "drift": [{"layer": x.layer, "message": x.message,
                   "live": _loc(x.live, report), "code": _loc(x.code, report)} for x in r.drift],
        "iac": list(r.iac),
        "dumps": {"folder": report.rel(r.folder), "files_read": len(r.files)},
        "notes": list(r.notes),
    }


def _loc(loc: Any, report: Report) -> dict[str, Any] | None:
    return None if loc is None else {"file": report.rel(loc.file), "line": loc.line}


def as_report(r: DiagnosisReport, fail_level: str = "warning") -> Report:
    return Report(findings=r.findings, errors=r.errors, files=r.files, cwd=r.cwd,
                  stats=Stats(files=len(r.files), resources=0, accesses_simulated=r.diagnosis.variants,
                              seconds=r.seconds),
                  fail_level=fail_level)  # type: ignore[arg-type]


def render(fmt: str, r: DiagnosisReport) -> str:
    report = as_report(r)
    if fmt == "json":
        from why403.report.json_report import to_dict

        doc = {**to_dict(report), "diagnosis": diagnosis_dict(r, report)}
        return json_document(json.dumps(json_value(doc), indent=2)) + "\n"
    if fmt == "sarif":
        from why403.report.sarif import to_sarif

        doc = to_sarif(report)
        doc["runs"][0]["properties"] = {"diagnosis": diagnosis_dict(r, report)}
        return json_document(json.dumps(json_value(doc), indent=2)) + "\n"
    if fmt == "text":
        return terminal_text(render_text(r, report).rstrip("\n")) + "\n"
    from why403.report import render as render_any

    return render_any(fmt, report)


def render_text(r: DiagnosisReport, report: Report) -> str:
    diag = r.diagnosis
    out = [render_explanation(diag.explanation).rstrip("\n")]
    if diag.disagreement:
        out += ["", "What the dumps leave open decides it: " + diag.disagreement]
    if diag.gaps:
        lead = {"denied": "Not in the dumps (a denial is definite; these could only add another layer that denies):",
                "allowed": "Not in the dumps (the answer is the same whatever they hold):"}.get(
                    r.verdict, "Not in the dumps (each could change this answer):")
        out += ["", lead]
        for gap in diag.gaps:
            out.append(f"  - {', '.join(gap.layers) or 'context'}: {gap.describe()}, in {gap.account}")
            out.append(f"      {gap.command}")
    if r.check is not None:
        verdict = {True: "agrees", False: "DISAGREES", None: "names no policy type"}[r.check.agrees]
        out += ["", f"AWS's message ({verdict})"] + [f"  {line}" for line in r.check.text.splitlines()]
    if r.iac:
        out += ["", f"Drift from the code ({', '.join(r.iac)})"]
        if not r.drift:
            out.append("  none for the resources of this request: the live layers match the code")
        decided = diag.decision.statement.location if diag.decision.statement is not None else None
        for x in r.drift:
            mark = " <- the statement that denied this request" if decided is not None and x.live == decided \
                and x.layer == diag.decision.layer else ""
            out.append(f"  - {x.layer}: {x.message}{mark}")
            if x.live is not None:
                out.append(f"      live  {report.rel(x.live.file)}:{x.live.line}")
            if x.code is not None:
                out.append(f"      code  {report.rel(x.code.file)}:{x.code.line}")
    for note in r.notes:
        out += ["", note]
    if r.errors:
        out += ["", "Dumps that could not be read (the others were used):"]
        out += [f"  {report.rel(e.file)}{':' + str(e.line) if e.line else ''}: {e.message}" for e in r.errors]
    out += ["", f"{len(r.files)} dump files read from {report.rel(r.folder)}, {r.seconds:.2f} s"]
    return "\n".join(out) + "\n"
