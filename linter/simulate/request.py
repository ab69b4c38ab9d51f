"""An S3 request and the condition keys AWS would attach to it (access-model.md 1.5, 3.3, 4.4)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field

from why403.model import symbols
from why403.model.actor import Actor
from why403.model.values import Unknown
from why403.policy.context import ABSENT, ContextValue, OneOf, RequestContext
from why403.simulate.state import (
    AccessPointState,
    BlockPublicAccess,
    BucketState,
    KmsKey,
    Network,
    ObjectState,
    Organizations,
)

_NETWORK_KEYS = ("aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp", "aws:SourceIp")
TLS_VERSIONS = ("1.2", "1.3")
_CRYPTO_ACTIONS = frozenset({"kms:decrypt", "kms:encrypt", "kms:generatedatakey", "kms:reencryptfrom",
                             "kms:reencryptto", "kms:generatedatakeywithoutplaintext"})


@dataclass(frozen=True)
class S3Request:
    """One S3 permission check: ``actor`` asks ``action`` on a bucket or one of its objects.

    ``operation`` names the API call when it matters beyond the IAM action (``UploadPart`` also
    needs ``kms:Decrypt``; ``CreateMultipartUpload`` only ``kms:GenerateDataKey``).
    ``headers`` are the request headers that policies can see (``x-amz-server-side-encryption``,
    ``x-amz-server-side-encryption-aws-kms-key-id``, ``x-amz-acl``, ``x-amz-request-payer``).
    ``open_world``: keys the builder did not set are unknown rather than absent.
    """

    actor: Actor
    action: str
    bucket: BucketState
    key: str | None = None
    operation: str | None = None
    object: ObjectState | None = None
    network: Network = field(default_factory=Network)
    access_point: AccessPointState | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    open_world: bool = False
    new_policy: builtins.object | None = None  # the document of a PutBucketPolicy request
    keys: Mapping[str, KmsKey] = field(default_factory=dict)  # KMS keys by ARN, for header key ids
    # Condition keys of headers the caller may or may not send (the plausible requests): they
    # override ``headers`` in the policies' view only; S3's own behaviour (which key encrypts,
    # Object Ownership) follows ``headers``, and every choice here leads to the same behaviour.
    choices: Mapping[str, OneOf] = field(default_factory=dict)
    # An AWS service's request (simulate.services): what its own KMS call carries beyond S3's
    # forward-access context (aws:SourceArn, its encryption context), and why it cannot use
    # SSE-KMS at all when it cannot.
    kms_context: Mapping[str, ContextValue] = field(default_factory=dict)
    kms_refused: str | None = None

    @property
    def is_bucket_operation(self) -> bool:
        return self.key is None

    @property
    def resource(self) -> str:
        if self.access_point is not None:
            ap = self.access_point.arn
            return ap if self.key is None else f"{ap}/object/{self.key}"
        return self.bucket.arn if self.key is None else f"{self.bucket.arn}/{self.key}"

    @property
    def bucket_resource(self) -> str:
        return self.bucket.arn if self.key is None else f"{self.bucket.arn}/{self.key}"

    @property
    def creates_object(self) -> bool:
        return self.action.lower() == "s3:putobject" and self.key is not None

    @property
    def bpa(self) -> BlockPublicAccess:
        """The Block Public Access in force: the bucket's, made stricter by the access point's when
        the request goes through one."""
        return self.bucket.bpa.combined(self.access_point.bpa if self.access_point else None)

    @property
    def signed(self) -> bool:
        return self.actor.kind != "anonymous"


def write_headers(bucket: BucketState) -> dict[str, str]:
    """The SSE headers a client writing to the bucket sends: those of its default encryption."""
    if not bucket.policy_known:
        return {}
    if bucket.default_encryption in ("SSE-KMS", "DSSE-KMS"):
        headers = {"x-amz-server-side-encryption": "aws:kms" if bucket.default_encryption == "SSE-KMS"
                   else "aws:kms:dsse"}
        if bucket.default_key is not None:
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = bucket.default_key.arn
        elif bucket.default_key_ref is not None:
            headers["x-amz-server-side-encryption-aws-kms-key-id"] = bucket.default_key_ref
        return headers
    if bucket.default_encryption == "SSE-S3":
        return {"x-amz-server-side-encryption": "AES256"}
    return {}


RELYING_ON_DEFAULTS = ("the caller may send the header or rely on the bucket's defaults "
                      "(default encryption, Object Ownership); the sources do not show its code")


def write_choices(bucket: BucketState) -> dict[str, OneOf]:
    """The headers of a plausible PutObject (issue 15.2): a client may name the bucket's default
    encryption in ``x-amz-server-side-encryption`` (and its key), or send nothing and rely on it,
    since S3 applies default encryption *after* the bucket policy is evaluated; it may send
    ``x-amz-acl: bucket-owner-full-control`` or no ACL at all. A policy that denies one of these
    requests but not the others denies some plausible requests (a note), not every one (an error)."""
    if not bucket.policy_known:
        return {}
    out: dict[str, OneOf] = {}
    for header, value in write_headers(bucket).items():
        out[f"s3:{header}"] = OneOf((ABSENT, value), RELYING_ON_DEFAULTS, "encryption headers")
    out["s3:x-amz-acl"] = OneOf((ABSENT, "bucket-owner-full-control"), RELYING_ON_DEFAULTS, "acl header")
    return out


def client_request(actor: Actor, action: str, bucket: BucketState, key: str | None, network: Network,
                   context: tuple[tuple[str, ContextValue], ...] = (),
                   access_point: AccessPointState | None = None, *, plausible: bool = True) -> S3Request:
    """The request an SDK client sends for this access: ``x-amz-request-payer`` to a Requester Pays
    bucket; on a write, each plausible set of headers (:func:`write_choices`), or with
    ``plausible`` False the one a caller trying every variant would send (the SSE headers of the
    default encryption; exposure asks that); what the sources do not set is unknown (open world)."""
    writes = action.lower() == "s3:putobject" and key is not None
    headers = write_headers(bucket) if writes and not plausible else {}
    if bucket.requester_pays:
        headers["x-amz-request-payer"] = "requester"  # clients of a Requester Pays bucket send it
    return S3Request(actor=actor, action=action, bucket=bucket, key=key, network=network, headers=headers,
                     context=dict(context), open_world=True, access_point=access_point,
                     choices=write_choices(bucket) if writes and plausible else {})


def principal_keys(actor: Actor, orgs: Organizations, open_world: bool) -> dict[str, ContextValue]:
    """Keys that describe the caller; the same in the S3 request and in S3's call to KMS."""
    out: dict[str, ContextValue] = {}
    kind = actor.kind
    out["aws:PrincipalArn"] = actor.principal_arn if actor.principal_arn else ABSENT
    if kind == "service":
        out["aws:PrincipalAccount"] = ABSENT
        out["aws:PrincipalIsAWSService"] = "true"
        out["aws:PrincipalServiceName"] = actor.service or ABSENT
        out["aws:PrincipalOrgID"] = ABSENT
        out["aws:PrincipalOrgPaths"] = ABSENT
        out["aws:userid"] = ABSENT
        out["aws:username"] = ABSENT
        out["aws:PrincipalType"] = ABSENT
        return out
    if kind == "anonymous":
        out["aws:PrincipalAccount"] = "anonymous"
        out["aws:PrincipalIsAWSService"] = ABSENT
        out["aws:PrincipalOrgID"] = ABSENT
        out["aws:PrincipalOrgPaths"] = ABSENT
        out["aws:userid"] = "anonymous"
        out["aws:username"] = ABSENT
        out["aws:PrincipalType"] = "Anonymous"
        return out
    out["aws:PrincipalAccount"] = actor.account if actor.account else ABSENT
    out["aws:PrincipalIsAWSService"] = "false"
    out["aws:PrincipalServiceName"] = ABSENT
    org = orgs.of(actor.account)
    org_id = actor.org_id or (org.org_id if org is not None else None)
    if org_id:
        out["aws:PrincipalOrgID"] = org_id
        paths = actor.org_paths or (org.org_paths if org is not None else ())
        out["aws:PrincipalOrgPaths"] = paths if paths else Unknown("the organization paths of the caller's account")
    elif actor.org_known:
        out["aws:PrincipalOrgID"] = ABSENT
        out["aws:PrincipalOrgPaths"] = ABSENT
    else:
        why = f"whether account {actor.account} is in an organization is not in the sources (config: organization)"
        out["aws:PrincipalOrgID"] = Unknown(why)
        out["aws:PrincipalOrgPaths"] = Unknown(why)
    userid = actor.userid
    out["aws:userid"] = userid if userid is not None else Unknown("the caller's unique id")
    out["aws:username"] = actor.username if (kind == "iam_user" and actor.username) else ABSENT
    out["aws:PrincipalType"] = {"iam_user": "User", "role_session": "AssumedRole",
                                "federated_user": "FederatedUser", "root": "Account"}[kind]
    if not actor.has_temporary_credentials:
        out["aws:TokenIssueTime"] = ABSENT
    elif not open_world:
        out["aws:TokenIssueTime"] = "2026-01-01T00:00:00Z"
    may_set = actor.may_set
    if "source-identity" in may_set:
        out["aws:SourceIdentity"] = Unknown("the source identity is set when a session starts (the role's trust "
                                            "policy allows sts:SetSourceIdentity)")
    else:
        out["aws:SourceIdentity"] = ABSENT
    if actor.tags is not None and "tags" not in may_set:
        for k, v in actor.tags.items():
            out[f"aws:PrincipalTag/{k}"] = v
    return out


def _tag_reason(actor: Actor) -> str | None:
    """Why the caller's ``aws:PrincipalTag/*`` keys not set in the context are unknown; None when
    they are absent (the sources list every tag of the caller: an IAM user's or role's own and
    default tags, a session nobody can tag)."""
    if actor.kind in ("anonymous", "service", "root"):
        return None
    if actor.tags is None:
        return "the caller's tags are not in the sources"
    if "tags" in actor.may_set:
        if actor.kind == "federated_user":
            return "a federated user's session tags are set when it signs in"
        if actor.session_inputs is None:
            return "the session's tags are not in the sources"
        return ("session tags, which add to and override the role's tags, are set when a session starts "
                "(the role's trust policy allows sts:TagSession)")
    if actor.tags_open:
        return "the sources do not list every tag of the caller"
    return None


def principal_context(actor: Actor, values: dict[str, ContextValue], open_world: bool) -> RequestContext:
    """The keys lower-cased, with the caller's tags: ``aws:PrincipalTag/*`` keys it does not carry
    are absent when the sources list all its tags, unknown otherwise (access-model 6.7: a policy
    variable of an absent key matches nothing)."""
    reason = _tag_reason(actor)
    unknown = {"aws:principaltag/": reason} if reason is not None else {}
    absent = ("aws:principaltag/",) if reason is None else ()
    return RequestContext({k.lower(): v for k, v in values.items()}, open_world,
                          unknown_prefixes=unknown, absent_prefixes=absent)


def caller_context(actor: Actor, orgs: Organizations) -> RequestContext:
    """What any request of this caller carries about the caller (for resolving the policy variables
    of a grant before a request exists); every other key unknown."""
    return principal_context(actor, principal_keys(actor, orgs, True), True)


def _context(req: S3Request, values: dict[str, ContextValue]) -> RequestContext:
    return principal_context(req.actor, values, req.open_world)


def network_keys(net: Network, actor: Actor) -> dict[str, ContextValue]:
    """The network condition keys of a request that travels ``net`` (access-model 1.5, 4.4)."""
    values: dict[str, ContextValue] = {}
    if not net.known:
        why = "where this principal's requests come from is not in the sources (config: paths)"
        for key in _NETWORK_KEYS:
            values[key] = Unknown(why)
    elif net.through_endpoint:
        values["aws:SourceVpce"] = net.vpce_id or Unknown("the endpoint id")
        values["aws:SourceVpc"] = net.vpc_id or Unknown("the VPC id of the endpoint")
        values["aws:VpcSourceIp"] = net.vpc_source_ip or Unknown("the private address of the caller")
        values["aws:SourceIp"] = ABSENT
    elif net.path == "aws_service" or actor.kind == "service":
        for key in _NETWORK_KEYS:
            values[key] = ABSENT
    else:
        for key in _NETWORK_KEYS[:3]:
            values[key] = ABSENT
        values["aws:SourceIp"] = net.source_ip if net.source_ip else Unknown("the caller's public address")
    return values


def build_context(req: S3Request, orgs: Organizations) -> RequestContext:
    """The request context of the S3 request itself."""
    actor, net = req.actor, req.network
    values: dict[str, ContextValue] = principal_keys(actor, orgs, req.open_world)
    values["aws:SecureTransport"] = "true" if net.tls else "false"
    # AWS endpoints accept TLS 1.2 and later only [AWS-TLS12]: a Deny for older versions never matches.
    tls_version: ContextValue = OneOf(TLS_VERSIONS, "AWS endpoints accept TLS 1.2 and 1.3", "tls version") \
        if net.tls else ABSENT
    values["s3:TlsVersion"] = tls_version
    values["aws:TlsVersion"] = tls_version
    values["aws:ViaAWSService"] = "false"
    values["aws:CalledVia"] = ABSENT
    values["aws:CalledViaFirst"] = ABSENT
    values["aws:CalledViaLast"] = ABSENT
    values["aws:RequestedRegion"] = req.bucket.region
    values["aws:ResourceAccount"] = req.bucket.account
    values["s3:ResourceAccount"] = req.bucket.account
    bucket_org = orgs.of(req.bucket.account)
    if bucket_org is not None and bucket_org.org_id:
        values["aws:ResourceOrgID"] = bucket_org.org_id
    values.update(network_keys(net, actor))
    # Headers that become S3 condition keys.
    for header in ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-acl",
                   "x-amz-copy-source", "x-amz-server-side-encryption-context"):
        values[f"s3:{header}"] = req.headers.get(header, ABSENT)
    values.update(req.choices)
    if req.access_point is not None:
        values["s3:DataAccessPointArn"] = req.access_point.arn
        values["s3:DataAccessPointAccount"] = req.access_point.account
        values["s3:AccessPointNetworkOrigin"] = "VPC" if req.access_point.vpc_origin else "Internet"
    else:
        values["s3:DataAccessPointArn"] = ABSENT
        values["s3:DataAccessPointAccount"] = ABSENT
        values["s3:AccessPointNetworkOrigin"] = ABSENT
    values.update(req.context)
    return _context(req, values)


def kms_context(req: S3Request, key: KmsKey, orgs: Organizations, bucket_key: bool) -> RequestContext:
    """The context of S3's forward-access-session call to KMS on the caller's behalf (3.3).

    It carries the caller's principal keys, ``kms:ViaService`` and the encryption context, and
    none of the VPC endpoint keys of the original request.
    """
    actor, net = req.actor, req.network
    values: dict[str, ContextValue] = principal_keys(actor, orgs, req.open_world)
    values["kms:CallerAccount"] = actor.account if actor.account else ABSENT
    values["kms:ViaService"] = f"s3.{req.bucket.region}.amazonaws.com"
    ec_value = req.bucket.arn if bucket_key else req.bucket_resource
    values["kms:EncryptionContext:aws:s3:arn"] = ec_value
    values["kms:EncryptionContextKeys"] = ("aws:s3:arn",)
    values["aws:ViaAWSService"] = "true"
    values["aws:CalledVia"] = ABSENT
    values["aws:SecureTransport"] = "true"
    values["aws:RequestedRegion"] = key.region
    values["aws:ResourceAccount"] = key.account
    for k in ("aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"):
        values[k] = ABSENT
    if not net.known:
        values["aws:SourceIp"] = Unknown("where this principal's requests come from is not in the sources")
    elif net.through_endpoint:
        values["aws:SourceIp"] = ABSENT
    else:
        values["aws:SourceIp"] = net.source_ip if net.source_ip else ABSENT
    values["kms:GrantIsForAWSResource"] = ABSENT
    values.update(req.kms_context)
    return _context(req, values)


def kms_direct_context(actor: Actor, orgs: Organizations, action: str, via_service: str | None,
                       network: Network | None = None) -> RequestContext:
    """The context of a KMS call the principal makes itself (``via_service`` None), or through a
    service on its behalf: not through S3's forward access session, over TLS, with no encryption
    context unless the operation carries one (then it is the caller's choice: unknown); with the
    network keys of ``network`` when the caller's path is given (the console, from outside any VPC)."""
    values = principal_keys(actor, orgs, True)
    if network is not None and via_service is None:
        values.update(network_keys(network, actor))
    values["kms:CallerAccount"] = actor.account or symbols.unknown("caller account")
    values["kms:ViaService"] = via_service if via_service else ABSENT
    values["aws:ViaAWSService"] = "true" if via_service else "false"
    values["aws:SecureTransport"] = "true"
    if action.lower() not in _CRYPTO_ACTIONS:
        values["kms:EncryptionContextKeys"] = ABSENT
    return principal_context(actor, values, True)
