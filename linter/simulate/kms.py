"""The KMS calls S3 makes for SSE-KMS, and how KMS authorizes them (access-model.md section 3).

S3 calls KMS with the original caller's identity (a forward access session), after S3 itself has
authorized the request. KMS then requires its own key policy to allow the call, directly or by
delegating to the caller's account's IAM policies; grants allow on their own; explicit denies
anywhere still win; IAM alone is never enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from why403.model.actor import Actor
from why403.model.arn import account_root, kms_alias, names_account, partition_of
from why403.model.policy import PolicyKind
from why403.model.symbols import tri_equals
from why403.model.tri import Tri, tri_and, tri_or
from why403.policy.context import RequestContext
from why403.policy.match import ACCOUNT, DIRECT_KINDS, ROLE_ARN, SERVICE, UNKNOWN_PRINCIPAL, Hit, Target, allow_kinds
from why403.policy.parse import parse_policy
from why403.simulate.decision import Decision, Outcome
from why403.simulate.layers import (
    Layer,
    Recorder,
    boundary_allows,
    identity_allows,
    is_iam_principal,
    kinds_hit,
    kinds_match,
    rcp_levels,
    scp_levels,
    session_allows,
)
from why403.simulate.request import S3Request, kms_context
from why403.simulate.state import Environment, KmsGrant, KmsKey

KMS_ENCRYPTIONS = ("SSE-KMS", "DSSE-KMS")


@dataclass(frozen=True)
class KmsCall:
    """One call S3 makes to KMS for the request: the action, the key, and whether a Bucket Key is used."""

    action: str
    key: KmsKey | None
    key_ref: str | None = None
    bucket_key: bool = False


@cache
def aws_managed_s3_key(account: str, region: str) -> KmsKey:
    """The AWS managed key ``aws/s3`` of an account, with the key policy AWS gives it (3.2, OBS).

    Built once per (account, region): the key is immutable, and every SSE-KMS request that falls
    back to it would otherwise parse the same policy again (and start with a cold match cache).
    """
    doc = {
        "Version": "2012-10-17",
        "Id": "auto-s3-2",
        "Statement": [
            {
                "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                           "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account,
                                               "kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": account_root(account, partition_of(region))},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                "Resource": "*",
            },
        ],
    }
    policy = parse_policy(doc, PolicyKind.KEY, origin="aws/s3 (AWS managed key)", validate=False)
    return KmsKey(arn=kms_alias(region, account, "alias/aws/s3", partition_of(region)), account=account, region=region,
                  policy=policy, aws_managed=True, ref="aws/s3")


def _lookup(ref: str, req: S3Request, env: Environment) -> KmsKey | None:
    return req.keys.get(ref) or env.keys.get(ref)


def kms_calls(req: S3Request, env: Environment) -> list[KmsCall]:
    key: KmsKey | None
    ref: str | None
    action = req.action.lower()
    op = (req.operation or "").lower()
    bucket = req.bucket
    if action in ("s3:getobject", "s3:getobjectversion"):
        if op == "headobject":
            return []
        if req.object is not None:
            if req.object.encryption not in KMS_ENCRYPTIONS:
                return []
            return [KmsCall("kms:Decrypt", req.object.kms_key, bucket_key=req.object.bucket_key)]
        if bucket.default_encryption not in KMS_ENCRYPTIONS:
            return []
        key, ref = _default_key(req)
        return [KmsCall("kms:Decrypt", key, ref, bucket.bucket_key)]
    if action == "s3:putobject" and req.key is not None:
        sse = req.headers.get("x-amz-server-side-encryption")
        if sse is not None:
            if not sse.startswith("aws:kms"):
                return []
            key_id = req.headers.get("x-amz-server-side-encryption-aws-kms-key-id")
            if key_id:
                key, ref = _lookup(key_id, req, env), key_id
            else:
                key, ref = aws_managed_s3_key(bucket.account, bucket.region), None
        elif bucket.default_encryption in KMS_ENCRYPTIONS:
            key, ref = _default_key(req)
        else:
            return []
        if op in ("uploadpart", "uploadpartcopy"):
            return [KmsCall("kms:Decrypt", key, ref, bucket.bucket_key)]
        if op == "completemultipartupload":
            return []
        return [KmsCall("kms:GenerateDataKey", key, ref, bucket.bucket_key)]
    return []


def _default_key(req: S3Request) -> tuple[KmsKey | None, str | None]:
    bucket = req.bucket
    if bucket.default_key is not None:
        return bucket.default_key, None
    if bucket.default_key_ref is not None:
        return None, bucket.default_key_ref
    return aws_managed_s3_key(bucket.account, bucket.region), None


def _grant_matches(grant: KmsGrant, actor: Actor, action: str, ctx: RequestContext) -> Tri:
    op = action.split(":", 1)[1].lower()
    if op not in {o.lower().removeprefix("kms:") for o in grant.operations}:
        return False
    who: Tri = False
    if actor.kind == "role_session":
        who = tri_or(tri_equals(grant.grantee, actor.role_arn or ""), tri_equals(grant.grantee, actor.arn or ""))
    elif actor.kind in ("iam_user", "federated_user", "root"):
        who = tri_equals(grant.grantee, actor.arn or "")
    if actor.kind != "service" and actor.account:
        who = tri_or(who, names_account(grant.grantee, actor.account))
    if who is False:
        return False
    ec_value = ctx.get("kms:EncryptionContext:aws:s3:arn")
    ec = {"aws:s3:arn": ec_value} if isinstance(ec_value, str) else {}
    constraint: Tri = True
    if grant.context_equals is not None:
        constraint = dict(grant.context_equals) == ec
    if grant.context_subset is not None:
        constraint = tri_and(constraint, all(ec.get(k) == v for k, v in grant.context_subset.items()))
    result = tri_and(who, constraint)
    if result is True and grant.maybe:
        return None
    return result


class _KmsEvaluation(Recorder):
    def __init__(self, actor: Actor, call: KmsCall, key: KmsKey, ctx: RequestContext, env: Environment) -> None:
        super().__init__(call.action)
        self.env, self.key = env, key
        self.actor = actor
        self.ctx = ctx
        self.target = Target(self.actor, call.action, self.key.arn, self.ctx)

    def done(self, outcome: Outcome, layer: str | None = None, hit: Hit | None = None, detail: str = "") -> Decision:
        return self.decision(outcome, layer, hit, detail, 403 if outcome != "allowed" else 200)

    def deny(self, layer: str, explicit: bool, hit: Hit | None = None, detail: str = "") -> Decision:
        self.step(layer, "explicit deny" if explicit else "no allow", hit, detail)
        return self.done("explicit-deny" if explicit else "implicit-deny", layer, hit, detail)

    def run(self) -> Decision:
        actor, key = self.actor, self.key
        if key.enabled is False:
            self.step("kms-key-state", "rejected", detail="the key is disabled")
            return self.done("rejected", "kms-key-state", None, "the KMS key is disabled")
        iam = is_iam_principal(actor)
        layers: list[Layer] = [("kms-key-policy", (key.policy,), self.target)]
        if iam and actor.kind != "root":
            layers.append(("identity-policy", actor.identity_policies, self.target))
            if actor.permissions_boundary is not None:
                layers.append(("permissions-boundary", (actor.permissions_boundary,), self.target))
            if actor.session_policies:
                layers.append(("session-policy", actor.session_policies, self.target))
        scp = scp_levels(actor, self.env.orgs)
        rcp = rcp_levels(actor, key.account, self.env.orgs, aws_managed_key=key.aws_managed)
        layers += [("scp", level, self.target) for _, level in scp]
        layers += [("rcp", level, self.target) for _, level in rcp]
        denied = self.explicit_deny(layers)
        if denied is not None:
            return self.deny(denied[0], True, denied[1])
        for layer, levels in (("rcp", rcp), ("scp", scp)):
            missing = self.level_without_allow(layer, levels, self.target)
            if missing is not None:
                return self.deny(layer, False, detail=f"no {layer.upper()} at {missing} allows {self.target.action}")
        granted: Tri = tri_or(*(_grant_matches(g, actor, self.target.action, self.ctx) for g in key.grants))
        if granted is True:
            self.step("kms-grant", "allow", detail="a grant on the key allows it")
            return self.finish()
        return self.key_policy(granted)

    def finish(self) -> Decision:
        if self.unknowns:
            return self.done("unknown")
        return self.done("allowed")

    def key_policy(self, granted: Tri) -> Decision:
        actor, key = self.actor, self.key
        kinds = allow_kinds(key.policy, self.target)

        def kind(*names: str) -> Tri:
            return kinds_match(kinds, *names)

        def hit_of(*names: str) -> Hit | None:
            return kinds_hit(kinds, *names, definite_first=False)

        direct_names: tuple[str, ...] = (*DIRECT_KINDS, UNKNOWN_PRINCIPAL)
        if actor.kind == "service":
            direct_names = (*direct_names, SERVICE)
        direct = kind(*direct_names)
        role = kind(ROLE_ARN)
        delegate = kind(ACCOUNT)
        key_hit = hit_of(*direct_names, ROLE_ARN, ACCOUNT)
        if actor.kind == "service":
            ok = tri_or(direct, granted)
            if ok is False:
                detail = (f"the AWS managed key aws/s3 serves only principals of its own account, so "
                          f"{actor.service} cannot use it: encrypt with SSE-S3 or a customer managed key whose "
                          f"policy allows {actor.service}" if key.aws_managed else
                          f"the key policy does not allow {actor.service} to use the key")
                return self.deny("kms-key-policy", False, detail=detail)
            return self.settle(ok, key_hit, "kms-key-policy")
        if actor.kind == "root" or actor.identity_policies is None:
            ident: Tri = True if actor.kind == "root" else None
            ihit = None
        else:
            ident, ihit = identity_allows(actor, self.target)
        bnd, bhit = boundary_allows(actor, self.target)
        ses = session_allows(actor, self.target)
        same = tri_equals(actor.account or "", key.account)
        named = tri_or(direct, role, delegate)
        if same is True:
            allowed = tri_or(granted, direct, tri_and(role, bnd, ses), tri_and(delegate, ident, bnd, ses))
        elif same is False:
            allowed = tri_or(granted, tri_and(named, ident, bnd, ses))
        else:
            allowed = tri_or(granted, direct, tri_and(named, ident, bnd, ses))
        if allowed is False:
            if named is False:
                who = "the caller's account" if same is not True else "the caller"
                detail = (f"the key policy neither names {who} nor delegates to its IAM policies"
                          if not key.aws_managed else
                          "the AWS managed key aws/s3 can only be used by principals of its own account")
                return self.deny("kms-key-policy", False, None, detail)
            if ident is False and (same is False or role is not True):
                return self.deny("identity-policy", False, ihit,
                                 f"the key policy delegates to IAM, but no identity-based policy allows "
                                 f"{self.target.action} on this key")
            if bnd is False:
                return self.deny("permissions-boundary", False, bhit,
                                 f"the permissions boundary does not allow {self.target.action}")
            if ses is False:
                return self.deny("session-policy", False, None,
                                 f"the session policy does not allow {self.target.action}")
            return self.deny("kms-key-policy", False, key_hit, "no key policy statement applies")
        if key_hit is not None and kind(*direct_names, ROLE_ARN, ACCOUNT) is True:
            self.related.append(key_hit)
        if ihit is not None and ident is True:
            self.related.append(ihit)
        return self.settle(allowed, key_hit, "kms-key-policy")

    def settle(self, ok: Tri, hit: Hit | None, layer: str) -> Decision:
        if ok is None:
            self.unknown(layer, hit, "the key policy, a grant or an IAM policy may not allow it")
        else:
            self.step(layer, "allow", hit)
        return self.finish()


def authorize_kms(req: S3Request, call: KmsCall, env: Environment) -> Decision:
    """KMS's answer to the call S3 makes on the caller's behalf."""
    assert call.key is not None
    ctx = kms_context(req, call.key, env.orgs, call.bucket_key)
    return _KmsEvaluation(req.actor, call, call.key, ctx, env).run()


def authorize_kms_direct(actor: Actor, action: str, key: KmsKey, ctx: RequestContext,
                         env: Environment) -> Decision:
    """KMS's answer to a call the principal makes itself (no ``kms:ViaService``)."""
    return _KmsEvaluation(actor, KmsCall(action, key), key, ctx, env).run()
