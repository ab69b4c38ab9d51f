"""A value the sources leave open, and how to supply it.

**What it finds.** A variable without a default, a CloudFormation parameter without a value, a data
source or remote module the linter does not read, when a policy or a setting depends on it. The
parts of policies built from it are *unknown*: why403 never guesses them, and a denial that hinges
on them is not reported as an error.

**Why it matters.** An unknown value can hide a real 403. Supplying it makes the check complete.

One note per value left open, however many expressions, instances or module calls use it: the
other places are its related locations.

**How to fix.** Pass the value: `--var NAME=VALUE` or `--var-file FILE.tfvars` for Terraform,
`--parameter KEY=VALUE` or `--parameter-file FILE` for CloudFormation, set them in the config, or
lint the plan JSON (`terraform show -json plan.out > plan.json`), where Terraform has resolved them.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model.finding import Finding
from why403.model.location import Location
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    groups: dict[tuple[str, str], list[tuple[str, Location | None]]] = {}
    for diag in analysis.world.diagnostics:
        if diag.severity == "error":
            continue  # read errors are W403-E001
        where, what = _split(diag.message)
        uses = groups.setdefault((diag.code, what), [])
        if (where, diag.location) not in uses:
            uses.append((where, diag.location))
    for (code, what), uses in groups.items():
        places = sorted(dict.fromkeys(loc for _, loc in uses if loc is not None))
        location = places[0] if places else None
        yield RULE.finding(
            severity="note", message=_message(what, [w for w, _ in uses]), location=location,
            related=tuple(places[1:]), identity=(code, what),
        )


def _split(message: str) -> tuple[str, str]:
    """``aws_vpc_endpoint.interface["ec2"].service_name: var.region is not declared`` is about the
    input (``var.region is not declared``) at one of its uses (the address before the colon): one
    note per input and place, however many instances or module calls use it."""
    head, sep, rest = message.partition(": ")
    if sep and head and not any(c.isspace() for c in head.replace('" "', "")) and "." in head:
        return head, rest
    return "", message


def _message(what: str, users: list[str]) -> str:
    named = list(dict.fromkeys(u for u in users if u))
    if len(users) == 1:
        return f"{named[0]}: {what}" if named else what
    first = f"; first at {named[0]}" if named else ""
    return f"{what} ({len(users)} uses{first})"


RULE = Rule(id="W403-E003", kind="source", severity="note", check=check,
            summary="A value the sources leave open (and how to supply it)")
