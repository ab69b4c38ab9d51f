"""The principal that makes a request (access-model.md 1.1).

An IAM role never calls AWS itself: a *session* of it does, so a role in the sources becomes an
``Actor`` of kind ``role_session`` whose ``arn`` is a session ARN and whose ``role_arn`` is the
role. That difference decides how resource policies match (role ARN vs session ARN) and is why
``aws:PrincipalArn`` is the role ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from why403.model.arn import assumed_role, is_service_linked_role, partition_of_arn, role_parts

if TYPE_CHECKING:
    from why403.model.policy import Policy

ActorKind = Literal["iam_user", "role_session", "federated_user", "root", "anonymous", "service"]

SESSION_NAME = "why403-session"


@dataclass(frozen=True)
class Actor:
    """A requester.

    ``identity_policies`` is None when the principal's account is not in the sources, so its
    policies are unknown; ``()`` means it has none. ``tags`` is None when unknown.
    ``org_id``: the organization of ``account`` if known; ``org_known`` False when nobody said
    whether the account is in an organization at all.

    ``tags_open``: the sources do not list every tag (a tag not in ``tags`` may exist).
    ``session_inputs``: what a caller may set when it starts a session of this role, from the
    role's trust policy: ``"tags"`` (``sts:TagSession``: session tags add to and override the role's
    tags) and ``"source-identity"`` (``sts:SetSourceIdentity``); None when not known (a role outside
    the sources), and an empty set for a session whose inputs were recorded.
    """

    kind: ActorKind
    account: str | None = None
    arn: str | None = None
    role_arn: str | None = None
    federating_user_arn: str | None = None
    service: str | None = None
    unique_id: str | None = None
    session_name: str | None = None
    username: str | None = None
    tags: Mapping[str, str] | None = field(default_factory=dict)
    identity_policies: tuple[Policy, ...] | None = ()
    permissions_boundary: Policy | None = None
    session_policies: tuple[Policy, ...] | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    org_known: bool = True
    is_service_linked_role: bool = False
    ref: str | None = None
    name: str | None = None
    temporary_credentials: bool | None = None
    tags_open: bool = False
    session_inputs: frozenset[str] | None = None

    @property
    def partition(self) -> str:
        """The partition the principal lives in, from its ARN (``aws`` when it has none)."""
        return partition_of_arn(self.role_arn or self.arn)

    @property
    def principal_arn(self) -> str | None:
        """The value of ``aws:PrincipalArn``: the role ARN for role sessions."""
        if self.kind == "role_session":
            return self.role_arn
        if self.kind in ("anonymous", "service"):
            return None
        return self.arn

    @property
    def userid(self) -> str | None:
        """The value of ``aws:userid``."""
        if self.kind == "iam_user":
            return self.unique_id
        if self.kind == "role_session":
            if self.unique_id is None:
                return None
            return f"{self.unique_id}:{self.session_name or SESSION_NAME}"
        if self.kind == "federated_user":
            return f"{self.account}:{self.username or ''}"
        if self.kind == "root":
            return self.account
        if self.kind == "anonymous":
            return "anonymous"
        return None

    @property
    def may_set(self) -> frozenset[str]:
        """What the caller of this session may have set when starting it (see ``session_inputs``):
        everything, when the sources do not say."""
        if self.kind == "federated_user":
            return frozenset({"tags"})  # GetFederationToken takes session tags
        if self.kind != "role_session":
            return frozenset()
        return self.session_inputs if self.session_inputs is not None else frozenset({"tags", "source-identity"})

    @property
    def is_session(self) -> bool:
        return self.kind in ("role_session", "federated_user")

    @property
    def has_temporary_credentials(self) -> bool:
        if self.temporary_credentials is not None:
            return self.temporary_credentials
        return self.kind in ("role_session", "federated_user")

    @property
    def display(self) -> str:
        """How findings name the principal: the role/user ARN rather than a made-up session."""
        if self.kind == "role_session" and self.role_arn:
            return self.role_arn
        if self.kind == "service" and self.service:
            return self.service
        if self.kind == "anonymous":
            return "*"
        return self.arn or self.ref or "?"


def role_session(role_arn: str, *, session_name: str = SESSION_NAME, **kwargs: object) -> Actor:
    """A session of an IAM role, with the session ARN AWS would give it.

    A role under the path ``/aws-service-role/`` is service-linked: AWS creates it for a service,
    and neither SCPs nor RCPs restrict it (access-model 2.3)."""
    account, name = role_parts(role_arn)
    arn = assumed_role(account, name, session_name, partition_of_arn(role_arn)) if account is not None else None
    kwargs.setdefault("is_service_linked_role", is_service_linked_role(role_arn))
    return Actor(kind="role_session", account=account, arn=arn, role_arn=role_arn, session_name=session_name,
                 **kwargs)  # type: ignore[arg-type]

