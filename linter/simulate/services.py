"""The requests AWS services send to S3 and KMS when they deliver into or read from a bucket.

CloudTrail, AWS Config, log delivery, S3 server access logging, GuardDuty, Macie... each calls S3
with its own headers (``x-amz-acl: bucket-owner-full-control``, SSE-KMS headers naming the key it
is configured with) and condition keys (``aws:SourceArn``, ``aws:SourceAccount``), and KMS either
as its service principal or with the caller's credentials. Their documented bucket policies
condition on exactly these, so a request without them is one AWS never sends (issue 15.1).

Everything a service does is one entry of ``data/services.json`` with the AWS documentation page it
comes from; this module reads the table and builds the request. What the documentation does not
settle is unknown, never guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.glob import glob_matches
from why403.model.values import Unknown
from why403.policy.context import ContextValue
from why403.simulate.decision import Decision
from why403.simulate.request import S3Request
from why403.simulate.state import AccessPointState, BucketState, Network

SseMode = Literal["none", "configured", "always"]
KmsMode = Literal["service", "caller", "unsupported"]

SERVICE_NETWORK = Network("aws_service", source_ip=None)


@dataclass(frozen=True)
class ServiceProfile:
    """How one AWS service calls S3 and KMS (see the header of ``data/services.json``)."""

    id: str
    name: str
    doc: str
    principal: str | None = None
    regional: bool = False
    aws_principals: tuple[str, ...] = ()
    accounts: Mapping[str, str] = field(default_factory=dict)
    bucket_actions: tuple[str, ...] = ()
    object_actions: tuple[str, ...] = ()
    headers: Mapping[str, str | None] = field(default_factory=dict)
    sse: SseMode = "none"
    context: tuple[str, ...] = ()
    source_arn: str | None = None
    kms: KmsMode = "service"
    encryption_context: Mapping[str, str] = field(default_factory=dict)
    caller: Mapping[str, ContextValue] | None = None
    kms_doc: str | None = None
    note: str = ""
    adds_grant: bool = False

    def serves(self, service_principal: str) -> bool:
        """Whether the service principal (as a policy names it) is this service's."""
        name = service_principal.lower()
        if self.principal is None:
            return False
        if name == self.principal:
            return True
        if not self.regional:
            return False
        base = self.principal.removesuffix(".amazonaws.com")
        return re.fullmatch(re.escape(base) + r"\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com", name) is not None

    def owns(self, arn: str) -> bool:
        """Whether an AWS principal ARN is one of the service's own (an OAI, a Region's ELB account)."""
        if any(glob_matches(p, arn) for p in self.aws_principals):
            return True
        return any(arn in (f"arn:aws:iam::{a}:root", a) for a in self.accounts.values())


def _context_value(value: Any) -> ContextValue:
    if value is None:
        return Unknown("the documentation does not give this value")
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return str(value)


def _profile(entry: dict[str, Any]) -> ServiceProfile:
    caller = entry.get("caller")
    return ServiceProfile(
        id=entry["id"], name=entry["name"], doc=entry["doc"], principal=entry.get("principal"),
        regional=bool(entry.get("regional", False)), aws_principals=tuple(entry.get("aws_principals", ())),
        accounts={str(k): str(v) for k, v in (entry.get("accounts") or {}).items()},
        bucket_actions=tuple(entry.get("bucket_actions", ())), object_actions=tuple(entry.get("object_actions", ())),
        headers=dict(entry.get("headers") or {}), sse=entry.get("sse", "none"), context=tuple(entry.get("context", ())),
        source_arn=entry.get("source_arn"), kms=entry.get("kms", "service"),
        encryption_context=dict(entry.get("encryption_context") or {}),
        caller={k: _context_value(v) for k, v in caller.items()} if caller is not None else None,
        kms_doc=entry.get("kms_doc"), note=" ".join(str(entry.get("note", "")).split()),
        adds_grant=bool(entry.get("adds_grant", False)))


@cache
def profiles() -> tuple[ServiceProfile, ...]:
    text = resources.files("why403").joinpath("data/services.json").read_text(encoding="utf-8")
    return tuple(_profile(e) for e in json.loads(text)["services"])


def profile(profile_id: str) -> ServiceProfile:
    for p in profiles():
        if p.id == profile_id:
            return p
    raise KeyError(profile_id)


def profile_for_service(service_principal: str) -> ServiceProfile | None:
    """The profile of the service a ``{"Service": ...}`` principal names."""
    return next((p for p in profiles() if p.serves(service_principal)), None)


def profile_for_aws_principal(arn: str) -> ServiceProfile | None:
    """The profile of a service whose own AWS principal an ``{"AWS": ...}`` principal names."""
    return next((p for p in profiles() if p.owns(arn)), None)


@dataclass(frozen=True)
class Delivery:
    """What the sources say about one service acting on a bucket.

    ``source_arn``/``source_account``/``key`` are None when the sources do not say (the bucket
    policy grants the service, but the resource that makes it act is defined elsewhere): the keys
    they would set are then unknown, with ``why``. ``configured`` False: the resource is in the
    sources, so a key it does not name is no key."""

    profile: ServiceProfile
    source_arn: str | None = None
    source_account: str | None = None
    key: str | None = None
    configured: bool = False
    why: str = "which resource makes the service act is not in the sources"

    @property
    def identity(self) -> tuple[str | bool | None, ...]:
        """What distinguishes two deliveries' requests (for caching decisions)."""
        return (self.profile.id, self.source_arn, self.source_account, self.key, self.configured, self.why)

    def value(self, known: str | None, what: str) -> ContextValue:
        if known is not None:
            return known
        return Unknown(f"{what} of the {self.profile.name} request: {self.why}")


def _encryption_headers(delivery: Delivery) -> tuple[dict[str, str], dict[str, ContextValue]]:
    """The SSE headers the service sends (concrete), and those whose value is unknown (policy view)."""
    sse = delivery.profile.sse
    key = delivery.key
    if sse == "none" or (sse == "configured" and delivery.configured and key is None):
        return {}, {}
    if key is not None:
        return {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": key}, {}
    unknown_key = symbols.unknown(f"the KMS key {delivery.profile.name} is configured with")
    if sse == "always":
        return {"x-amz-server-side-encryption": "aws:kms",
                "x-amz-server-side-encryption-aws-kms-key-id": unknown_key}, {}
    # "configured", the resource not in the sources: whether it names a key is unknown.
    why = delivery.value(None, "the encryption headers")
    return {}, {"s3:x-amz-server-side-encryption": why, "s3:x-amz-server-side-encryption-aws-kms-key-id": why}


def _source_keys(delivery: Delivery) -> dict[str, ContextValue]:
    out: dict[str, ContextValue] = {}
    for key in delivery.profile.context:
        if key.lower() == "aws:sourcearn":
            out["aws:SourceArn"] = delivery.value(delivery.source_arn, "aws:SourceArn")
        elif key.lower() == "aws:sourceaccount":
            out["aws:SourceAccount"] = delivery.value(delivery.source_account, "aws:SourceAccount")
    if out:
        # Set with aws:SourceAccount when the source account is in an organization; we do not know
        # the source account's organization from a delivery.
        why = Unknown(f"the organization of the account whose resource makes {delivery.profile.name} act")
        out["aws:SourceOrgID"] = why
        out["aws:SourceOrgPaths"] = why
    return out


def _kms_keys(delivery: Delivery, source: dict[str, ContextValue]) -> dict[str, ContextValue]:
    """What the service's KMS call carries beyond S3's forward-access context."""
    out = dict(source)
    context = delivery.profile.encryption_context
    if context:
        for name, value in context.items():
            arn = delivery.value(delivery.source_arn, "the encryption context")
            out[f"kms:EncryptionContext:{name}"] = arn if value == "source" else value
        out["kms:EncryptionContextKeys"] = Unknown(f"whether S3 adds aws:s3:arn to the encryption context "
                                                   f"{delivery.profile.name} sets")
        out["kms:EncryptionContext:aws:s3:arn"] = Unknown(f"whether S3 adds aws:s3:arn to the encryption context "
                                                          f"{delivery.profile.name} sets")
    return out


def service_request(actor: Actor, action: str, bucket: BucketState, key: str | None, delivery: Delivery,
                    network: Network = SERVICE_NETWORK, access_point: AccessPointState | None = None) -> S3Request:
    """The request ``delivery``'s service sends for ``action``: as its service principal (or, for a
    service acting with a role's credentials, as ``actor`` with the keys that say so)."""
    prof = delivery.profile
    headers: dict[str, str] = {}
    context: dict[str, ContextValue] = {}
    writes = action.lower() == "s3:putobject" and key is not None
    if writes:
        for name, value in prof.headers.items():
            if value is None:
                context[f"s3:{name}"] = Unknown(f"whether {prof.name} sends {name}, and which value, is not "
                                                "documented")
            else:
                headers[name] = value
        sse_headers, sse_unknown = _encryption_headers(delivery)
        headers.update(sse_headers)
        context.update(sse_unknown)
    source = _source_keys(delivery)
    context.update(source)
    if prof.caller is not None:
        context.update(prof.caller)
        if prof.caller.get("aws:ViaAWSService") is None:
            context["aws:SourceIp"] = Unknown(f"the address {prof.name} calls S3 from")
    if bucket.requester_pays:
        headers["x-amz-request-payer"] = "requester"
    refused = None
    if prof.kms == "unsupported":
        refused = f"{prof.name} cannot deliver to or read from SSE-KMS objects: {prof.note or prof.doc}"
    return S3Request(actor=actor, action=action, bucket=bucket, key=key, network=network, headers=headers,
                     context=context, open_world=True, access_point=access_point,
                     kms_context=_kms_keys(delivery, source) if prof.kms == "service" else {},
                     kms_refused=refused)


def settled(delivery: Delivery, decision: Decision) -> Decision:
    """The decision for a service's request, with what AWS does around it: a service that adds its
    own grant to the bucket policy when its delivery is set up is not surely refused for want of one
    (whether the principal setting it up may change the policy is not in the sources)."""
    if delivery.profile.adds_grant and decision.outcome == "implicit-deny" and decision.layer == "bucket-policy" \
            and decision.kms_action is None:
        why = (f"bucket-policy: AWS adds the {delivery.profile.name} statement to the bucket policy when the "
               "delivery is set up by a principal allowed to change the policy")
        return replace(decision, outcome="unknown", layer=None, hit=None, unknowns=(*decision.unknowns, why),
                       http_status=0)
    return decision


def service_actor(service_principal: str) -> Actor:
    return Actor(kind="service", service=service_principal, ref=service_principal)


__all__ = [
    "Delivery",
    "ServiceProfile",
    "profile",
    "profile_for_aws_principal",
    "profile_for_service",
    "profiles",
    "service_actor",
    "service_request",
    "settled",
]
