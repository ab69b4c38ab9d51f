"""What the user tells a run about the world beyond the sources (config file and flags).

The config loader fills this; the world builder and the rules read it. Principals and resources
in intents and paths may be source addresses (``aws_iam_role.reader``, ``ReaderRole``) or ARNs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Organization:
    id: str
    accounts: tuple[str, ...] = ()  # member account ids
    management_account: str | None = None


@dataclass(frozen=True)
class UnitDeclaration:
    """A ``units`` entry of the configuration: deployment units (by path) and where they deploy.

    ``paths`` are absolute globs (``*`` also matches ``/``): a unit matches when its path (a root
    module's folder, a template, a plan) is one, matches one, or is below one. Units given the same
    ``account`` are deployed together; ``parents`` are the OUs and root above that account, so that
    an organization policy attached to one of them applies to these units."""

    paths: tuple[str, ...]
    account: str | None = None
    parents: tuple[str, ...] = ()
    name: str | None = None


@dataclass(frozen=True)
class Intent:
    """A declared access: ``must-allow`` (expect True) or ``must-deny`` (expect False)."""

    principal: str
    action: str
    resource: str
    expect_allowed: bool
    via: str | None = None


@dataclass(frozen=True)
class Settings:
    account_id: str | None = None
    region: str | None = None
    accounts: tuple[tuple[str, str], ...] = ()  # name -> id
    organization: Organization | None = None
    intents: tuple[Intent, ...] = ()
    paths: tuple[tuple[str, str], ...] = ()  # principal -> endpoint (ref, id, or "internet")
    admins: tuple[str, ...] = ()  # principal ARNs or refs that administer the account
    deployers: tuple[str, ...] = ()  # principal ARNs or refs that apply the sources
    # Severity of "endpoint has no policy" (AWS's default full access): note unless raised.
    default_endpoint_policy_severity: str = "note"
    explicit_full_access_endpoint_severity: str = "warning"
    baseline: str | None = None
    units: tuple[UnitDeclaration, ...] = ()  # where the deployment units deploy (config ``units``)
    extra: dict[str, object] = field(default_factory=dict, compare=False)
