"""What one frontend returns for one input (its facts, diagnostics and what it could not read), and
what the user told the run about values the sources leave open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from why403.model.facts.base import Fact
from why403.model.location import Location, Problem

__all__ = ["Diagnostic", "SourceOptions", "SourceResult"]


@dataclass(frozen=True)
class Diagnostic:
    """An error (input that could not be read) or a note (a value left unknown and how to supply it)."""

    severity: str  # "error" | "note" | "warning"
    message: str
    location: Location
    code: str = "source"


@dataclass(frozen=True)
class SourceResult:
    """Everything one frontend read from one input (a Terraform root module, a template)."""

    facts: tuple[Fact, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    files: tuple[str, ...] = ()
    resources: int = 0
    # Policies that failed to parse or validate keep their problems on the Policy itself;
    # problems outside policies (a bad template) are diagnostics.
    problems: tuple[Problem, ...] = field(default=())
    # Parts of the input the frontend could not read that may configure AWS resources: a custom
    # resource, a Rain module, a registry module that is not downloaded. A bucket of such an input
    # with no policy in the facts may still get one from them, so its policy is unknown, not absent.
    unread: tuple[str, ...] = ()
    # Terraform module calls whose module is not here (a registry module never fetched), by call
    # site: said in one note per root, counted one by one in the summary.
    modules_not_read: tuple[Location, ...] = ()
    # Files looked at and found not to be an input of this kind (YAML or JSON that is not a
    # template: an AppSpec, a workflow, a Kubernetes manifest): counted, never an error.
    skipped: tuple[str, ...] = ()
    # Resource types of the input that its language does not define (a template's ``Custom::`` or
    # third-party types, a misspelt type): one entry per resource, counted in the summary.
    unknown_types: tuple[str, ...] = ()
    # The deployment unit the input belongs to (a Terraform root module's directory, a template or
    # the template of the CDK stack it is nested in, a plan file), as the pipeline names it, and the
    # token scope its values were made in (symbols.scope_for of the input's path).
    unit: str = ""
    scope: str = ""
    # Handles of things this input makes that another may use, and of such things it uses (an
    # ``export:NAME`` of a template and the ``Fn::ImportValue`` of it, a Terraform ``state:...`` and
    # the ``terraform_remote_state`` that reads it): explicit evidence that two units work together.
    provides: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceOptions:
    """What the user told the run about values the sources leave open."""

    account_id: str | None = None
    region: str | None = None
    tf_vars: tuple[tuple[str, str], ...] = ()
    tf_var_files: tuple[str, ...] = ()
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_parameter_files: tuple[str, ...] = ()

    @property
    def home_account(self) -> str:
        from why403.model.symbols import HOME_ACCOUNT

        return self.account_id or HOME_ACCOUNT

    @property
    def home_region(self) -> str:
        from why403.model.symbols import HOME_REGION

        return self.region or HOME_REGION
