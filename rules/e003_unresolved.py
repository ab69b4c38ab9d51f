"""A value the sources leave open, and how to supply it.

**What it finds.** A variable without a default, a CloudFormation parameter without a value, a data
source or remote module the linter does not read, when a policy or a setting depends on it. The
parts of policies built from it are *unknown*: why403 never guesses them, and a denial that hinges
on them is not reported as an error.

**Why it matters.** An unknown value can hide a real 403. Supplying it makes the check complete.

**How to fix.** Pass the value: `--var NAME=VALUE` or `--var-file FILE.tfvars` for Terraform,
`--parameter KEY=VALUE` or `--parameter-file FILE` for CloudFormation, set them in the config, or
lint the plan JSON (`terraform show -json plan.out > plan.json`), where Terraform has resolved them.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    seen: set[tuple[str, str]] = set()
    for diag in analysis.world.diagnostics:
        if diag.severity == "error":
            continue  # read errors are W403-E001
        key = (diag.code, diag.message)
        if key in seen:
            continue
        seen.add(key)
        yield RULE.finding(
            severity="note", message=diag.message, location=diag.location,
            identity=(diag.code, diag.message),
        )


RULE = Rule(id="W403-E003", kind="source", severity="note", check=check,
            summary="A value the sources leave open (and how to supply it)")
