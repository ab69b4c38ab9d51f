"""AWS Organizations resources: service and resource control policies and their attachments."""

from __future__ import annotations

from why403.model.facts import OrgAttachmentFact, OrgPolicyFact
from why403.model.policy import PolicyKind
from why403.sources.terraform.resources import read
from why403.sources.terraform.resources.base import Emitter, Handler, Reader, link

_ORG_KINDS = {"SERVICE_CONTROL_POLICY": PolicyKind.SCP, "RESOURCE_CONTROL_POLICY": PolicyKind.RCP}


def organizations_policy(r: Reader, out: Emitter) -> None:
    ptype = read.text(r, out, "type") or "SERVICE_CONTROL_POLICY"
    kind = _ORG_KINDS.get(ptype)
    if kind is None:
        return
    policy = read.policy(r, out, "content", kind)
    if policy is None:
        return
    out.fact(OrgPolicyFact(r.ref, r.location, read.computed(r, out, "id"), ptype, policy))


ORGANIZATIONS_HANDLERS: dict[str, Handler] = {
    "aws_organizations_policy": organizations_policy,
    "aws_organizations_policy_attachment": link("policy_id", "target_id", OrgAttachmentFact),
}
