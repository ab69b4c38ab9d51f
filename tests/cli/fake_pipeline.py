"""A stand-in for the check pipeline, so that the command line is tested on its own: it records
the request the CLI built and answers with the findings a test chose."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from why403 import pipeline
from why403.model.facts import SuppressionFact
from why403.model.finding import Finding, InputError, RunResult, Stats
from why403.model.location import Location
from why403.rules import rule_selected


@dataclass
class FakePipeline:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    suppressions: list[SuppressionFact] = field(default_factory=list)
    files: list[str] | None = None
    requests: list[pipeline.CheckRequest] = field(default_factory=list)

    def __call__(self, request: pipeline.CheckRequest) -> pipeline.CheckOutcome:
        self.requests.append(request)
        files = self.files if self.files is not None else ["main.tf"]
        # Like the real pipeline, it reports only the rules the request selects.
        findings = tuple(f for f in self.findings if rule_selected(f.rule, request.select, request.ignore))
        return pipeline.CheckOutcome(
            RunResult(
                findings=findings,
                errors=tuple(self.errors),
                stats=Stats(files=len(files), resources=3, accesses_simulated=5, seconds=0.01),
                files=tuple(files),
            ),
            tuple(self.suppressions),
        )

    @property
    def request(self) -> pipeline.CheckRequest:
        return self.requests[-1]

    def add(self, rule: str, severity: str = "error", line: int = 5, file: str = "main.tf") -> Finding:
        found = Finding(
            rule=rule,
            kind="denied" if rule.startswith("W403-D") else "broad-allow",
            severity=severity,  # type: ignore[arg-type]
            message=f"{rule} at {file}:{line}",
            location=Location(file, line),
            identity=(rule, file, str(line)),
        )
        self.findings.append(found)
        return found




def frontend_ready(kind: str) -> bool:
    """Whether the real pipeline and the named frontend have landed (end-to-end tests need both)."""
    import importlib

    from why403 import pipeline

    if not hasattr(pipeline, "run_check"):
        return False
    try:
        module = importlib.import_module(f"why403.sources.{kind}")
    except ImportError:
        return False
    return hasattr(module, "load_module" if kind == "terraform" else "load_templates")
