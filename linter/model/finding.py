"""A finding: what a rule reports, in the shape of the JSON output contract (output-contract.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

from why403.model import symbols
from why403.model.location import Location

Kind = Literal["denied", "broad-allow", "new-access", "lockout", "source"]
Severity = Literal["error", "warning", "note"]
SEVERITY_ORDER = {"note": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Access:
    """The access a finding is about (``access`` in the JSON contract)."""

    principal: str
    action: str
    resource: str
    principal_ref: str | None = None
    via: str | None = None
    kms_action: str | None = None
    # Every action the finding stands for when it groups several (``action`` is the first); empty
    # when it stands for ``action`` alone. Reports print ``actions`` (the contract's field).
    actions: tuple[str, ...] = ()

    @property
    def all_actions(self) -> tuple[str, ...]:
        return self.actions or (self.action,)


@dataclass(frozen=True)
class Step:
    """One link of a finding's decision chain: a policy layer, what it answered, and the statement
    (or setting) that made it answer so, with where it is. Reports show the chain beneath the
    message (text), as ``related`` (JSON) and as SARIF's related locations and code flow."""

    layer: str
    outcome: str  # "allow", "explicit deny", "no allow", "unknown", "refuses", "grants"...
    what: str = ""  # the statement or setting: "DenyReaders of aws_s3_bucket_policy.data"
    location: Location | None = None


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not counted: an inline comment or CloudFormation Metadata with a reason."""

    reason: str
    location: Location | None = None
    until: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: Kind
    severity: Severity
    message: str
    location: Location | None = None
    layer: str | None = None
    denial: Literal["explicit", "implicit"] | None = None
    access: Access | None = None
    trace: tuple[str, ...] = ()
    suggestion: str | None = None
    related: tuple[Location, ...] = ()
    # The statements that decided, layer by layer, in AWS's order of evaluation (see :class:`Step`).
    chain: tuple[Step, ...] = ()
    # What identifies the finding independently of line numbers (SARIF partialFingerprints,
    # baselines): rule plus the stable names of what it is about.
    identity: tuple[str, ...] = ()
    suppressed: Suppression | None = field(default=None, compare=False)
    # The deployment unit the finding belongs to (a Terraform root module's folder, a template, a
    # plan), as read; None for findings about no unit (a file that could not be read). Not part
    # of the fingerprint: a finding in a module shared by several units is one finding.
    unit: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable when lines move (no line numbers), distinct across files (two templates may both
        have a ``DataKey``). A file name that is not UTF-8 holds surrogates, hashed as they are."""
        parts = (self.rule, self.location.file if self.location else "", *(self.identity or (self.message,)))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]

    @property
    def related_locations(self) -> tuple[Location, ...]:
        """Every other place that took part: the chain's statements, then ``related``, each once and
        never the finding's own location."""
        out: list[Location] = []
        for loc in (*(s.location for s in self.chain), *self.related):
            if loc is not None and loc != self.location and loc not in out:
                out.append(loc)
        return tuple(out)

    def for_people(self) -> Finding:
        """The finding with every text a report shows rendered (``<var.bucket_name>``, ``<this unit's
        account>``): whatever a rule quoted raw, no token reaches an output. ``identity`` keeps its
        tokens, so fingerprints do not depend on how a value is shown."""
        access = self.access
        if access is not None:
            access = replace(access, principal=symbols.render(access.principal),
                             resource=symbols.render(access.resource),
                             principal_ref=_render_opt(access.principal_ref), via=_render_opt(access.via))
        return replace(self, message=symbols.render(self.message), access=access,
                       trace=tuple(symbols.render(t) for t in self.trace),
                       chain=tuple(replace(s, what=symbols.render(s.what)) for s in self.chain),
                       suggestion=_render_opt(self.suggestion))

    def sort_key(self) -> tuple[str, int, str, str]:
        loc = self.location
        return (loc.file if loc else "", loc.line if loc else 0, self.rule, self.message)


def _render_opt(text: str | None) -> str | None:
    return symbols.render(text) if text is not None else None


@dataclass(frozen=True)
class InputError:
    """A file that could not be read (``errors`` in the JSON contract)."""

    file: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Stats:
    files: int = 0
    resources: int = 0
    accesses_simulated: int = 0
    seconds: float = 0.0
    suppressed: int = 0
    # YAML/JSON files looked at that are not templates (an AppSpec, a workflow, package.json).
    skipped_files: int = 0
    # Resources of CloudFormation types that the resource specification does not list.
    unknown_resource_types: int = 0
    # Terraform module calls whose module is not here (a registry or git module ``terraform init``
    # has not fetched into .terraform/modules, a source that is not a literal), by call site.
    module_calls_not_read: int = 0
    units: int = 0  # deployment units simulated (root modules, templates, CDK stacks, plans)


@dataclass(frozen=True)
class RunResult:
    findings: tuple[Finding, ...] = ()
    errors: tuple[InputError, ...] = ()
    stats: Stats = field(default_factory=Stats)
    # Inputs read, so that reports can make locations relative and linters can show files scanned.
    files: tuple[str, ...] = ()
