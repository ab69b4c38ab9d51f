"""What the live dumps of one request do not say (``why403 diagnose``), as plain data.

Most gaps are already unknowns inside the facts (a bucket policy nobody could read is an unknown
policy). A few settings have no unknown form in the engine's state (Object Ownership, an ACL, the
object's encryption, a key's grants); the diagnosis evaluates the request under each value they can
take and only answers what all of them agree on. Every gap names the dump and the command.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gap:
    """One dump the request needs that is not usable: ``state`` says why (not collected, the command's
    error, malformed), ``command`` how to collect it, ``layers`` what it would have decided."""

    file: str
    state: str
    command: str
    layers: tuple[str, ...]
    account: str

    def describe(self) -> str:
        return f"{self.file} ({self.state})"


@dataclass(frozen=True)
class Coverage:
    gaps: tuple[Gap, ...] = ()
    ownership_unknown: str | None = None
    acl_unknown: str | None = None
    object_unknown: str | None = None
    grants_unknown: str | None = None
    session_unknown: str | None = None
    endpoint_unknown: str | None = None
    # Accounts whose SCPs (principal) or RCPs (bucket, key) are not known, with why.
    scp_unknown: tuple[tuple[str, str], ...] = ()
    rcp_unknown: tuple[tuple[str, str], ...] = ()
    # Whether the dumps say if the accounts are in an organization (and which): aws:PrincipalOrgID.
    organization_known: bool = False
    organization: str | None = None
