"""What a change adds: the same grid of requests simulated before (at ``--baseline REF``) and now.

The grid is every principal known in either world, plus an anonymous caller, a principal of any
other account, a principal of the home account with no policies of its own and the service
principals in use; every bucket and key; the action classes read, write, list, delete,
permissions-management, key-use and key-management; every network path. Only the part of the grid
a change can affect is simulated: principals and resources whose configuration differs, everything
when an organization policy changed. An access allowed now and denied (or absent) before is a
``new-access`` finding, marked as the remedy of an intent that was denied before, a new intent of
the change, or beyond any intent, which is the overreaching remediation this mode exists to catch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from why403.model import symbols
from why403.model.actor import role_session
from why403.model.arn import account_root, iam_role, tri_resource_match
from why403.model.finding import Access, Finding
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind, Statement
from why403.policy.parse import parse_policy
from why403.policy.render import dumps, policy_to_json, statement_to_json
from why403.simulate.decision import Decision
from why403.simulate.engine import authorize
from why403.simulate.kms import kms_calls
from why403.simulate.state import BucketState, KmsKey
from why403.world.accesses import AccessResult
from why403.world.analysis import Analysis
from why403.world.model import NetworkPath, PrincipalInfo, World, internet_path
from why403.world.outsiders import service_principal

SAMPLE_KEY = "why403-example"
S3_CLASSES = (
    ("read", "s3:GetObject", True),
    ("write", "s3:PutObject", True),
    ("delete", "s3:DeleteObject", True),
    ("list", "s3:ListBucket", False),
    ("permissions-management", "s3:PutBucketPolicy", False),
)
KEY_CLASSES = (("key-use", "kms:Decrypt"), ("key-management", "kms:PutKeyPolicy"))


def _policy_text(p: Policy | None) -> str:
    if p is None:
        return ""
    if p.unknown is not None:
        return f"unknown:{p.unknown}"
    return json.dumps(policy_to_json(p, raw=True), sort_keys=True)


def _key_fp(k: KmsKey | None) -> str:
    if k is None:
        return ""
    grants = sorted((g.grantee, tuple(sorted(g.operations))) for g in k.grants)
    return json.dumps([k.arn, _policy_text(k.policy), grants, str(k.enabled)], default=str)


def _bucket_fp(b: BucketState) -> str:
    return json.dumps([b.name, b.account, b.region, _policy_text(b.policy), [str(g) for g in b.acl], b.ownership,
                       str(b.bpa), b.requester_pays, b.default_encryption, _key_fp(b.default_key),
                       b.default_key_ref, b.bucket_key], default=str)


def _path_fp(p: NetworkPath) -> str:
    n = p.network
    return json.dumps([n.path, n.vpce_id, n.vpc_id, n.known, _policy_text(n.endpoint_policy)], default=str)


def _principal_fp(p: PrincipalInfo) -> str:
    a = p.actor
    ident = sorted(_policy_text(x) for x in a.identity_policies) if a.identity_policies is not None else None
    return json.dumps([p.arn, a.kind, ident, _policy_text(a.permissions_boundary), sorted(_path_fp(x) for x in p.paths),
                       sorted((a.tags or {}).items())], default=str)


def _org_fp(w: World) -> str:
    out = []
    for account, org in sorted(w.env.orgs.accounts.items()):
        levels = [[_policy_text(p) for p in lvl.policies] for lvl in (*org.scp_levels, *org.rcp_levels)]
        out.append([account, org.org_id, org.management, levels])
    return json.dumps(out, default=str)


def _path_label(p: NetworkPath) -> str:
    if p.endpoint_ref:
        return p.endpoint_ref
    return "internet" if p.network.known else "unknown"


def _specials(now: World, ref: World, analysis: Analysis) -> list[PrincipalInfo]:
    out = [analysis.anonymous, analysis.stranger]
    for account in sorted((now.accounts | ref.accounts) - {""}):
        role = iam_role(account, symbols.distinct(f"a role of {account} with no policies"))
        actor = role_session(role, unique_id=symbols.distinct(f"{role}.unique_id"), identity_policies=(), tags={},
                             org_known=False, ref=f"any principal of {symbols.render(account)}")
        net = (internet_path(known=False, reason="anywhere"),)
        out.append(PrincipalInfo(actor.ref or role, role, account, actor, None, "external", net, in_sources=False))
    services = {s.service for w in (now, ref) for s in w.services if not s.as_role}
    for w in (now, ref):
        for b in w.buckets.values():
            for stmt in b.state.policy.statements if b.state.policy is not None else ():
                for e in stmt.principals or ():
                    if e.type == "Service" and not symbols.has_uncertain_token(e.value):
                        services.add(e.value)
    out += [service_principal(s) for s in sorted(services)]
    return out


class Baseline:
    def __init__(self, now: Analysis, ref: Analysis) -> None:
        self.now, self.ref = now, ref
        self.findings: list[Finding] = []
        # Whether an intent (principal, action, resource) was denied at REF: asked for every new
        # access, so indexed once rather than scanned per finding.
        self._denied_before: dict[tuple[str, str, str], bool] = {}
        for x in ref.results:
            k = (x.intent.principal.arn, x.action, x.intent.resource)
            self._denied_before[k] = self._denied_before.get(k, False) or x.decision.denied

    def denied_before(self, r: AccessResult) -> bool:
        return self._denied_before.get((r.intent.principal.arn, r.action, r.intent.resource), False)

    def changed(self) -> tuple[set[str], set[str], set[str], bool]:
        now, ref = self.now.world, self.ref.world
        buckets = {n for n in set(now.buckets) | set(ref.buckets)
                   if n not in now.buckets or n not in ref.buckets
                   or _bucket_fp(now.buckets[n].state) != _bucket_fp(ref.buckets[n].state)}
        now_keys = {k.arn: k for k in now.unique_keys()}
        ref_keys = {k.arn: k for k in ref.unique_keys()}
        keys = {a for a in set(now_keys) | set(ref_keys) if _key_fp(now_keys.get(a)) != _key_fp(ref_keys.get(a))}
        principals = {a for a in set(now.principals) | set(ref.principals)
                      if a not in now.principals or a not in ref.principals
                      or _principal_fp(now.principals[a]) != _principal_fp(ref.principals[a])}
        return buckets, keys, principals, _org_fp(now) != _org_fp(ref)

    def run(self) -> list[Finding]:
        now_w, ref_w = self.now.world, self.ref.world
        changed_buckets, changed_keys, changed_principals, org_changed = self.changed()
        if not (changed_buckets or changed_keys or changed_principals or org_changed):
            return []
        for name in set(now_w.buckets) | set(ref_w.buckets):
            for w in (now_w, ref_w):
                info = w.buckets.get(name)
                key = info.state.default_key if info is not None else None
                if key is not None and key.arn in changed_keys:
                    changed_buckets.add(name)
        specials = _specials(now_w, ref_w, self.now)
        arns = sorted(set(now_w.principals) | set(ref_w.principals))
        all_buckets = sorted(set(now_w.buckets) | set(ref_w.buckets))
        all_keys = sorted({k.arn for w in (now_w, ref_w) for k in w.unique_keys() if not k.aws_managed})
        for arn in arns:
            full = org_changed or arn in changed_principals
            self.grid_for(arn, now_w.principals.get(arn), ref_w.principals.get(arn),
                          all_buckets if full else sorted(changed_buckets), all_keys if full else sorted(changed_keys))
        for special in specials:
            self.grid_for(special.arn, special, special, all_buckets if org_changed else sorted(changed_buckets),
                          all_keys if org_changed else sorted(changed_keys))
        return self.findings

    def grid_for(self, label: str, now_p: PrincipalInfo | None, ref_p: PrincipalInfo | None, buckets: list[str],
                 keys: list[str]) -> None:
        paths: dict[str, tuple[NetworkPath | None, NetworkPath | None]] = {}
        for side, p in ((0, now_p), (1, ref_p)):
            for path in p.paths if p is not None else ():
                pair = list(paths.get(_path_label(path), (None, None)))
                pair[side] = path
                paths[_path_label(path)] = (pair[0], pair[1])
        for path_label, (now_path, ref_path) in sorted(paths.items()):
            for bucket in buckets:
                for cls, action, is_object in S3_CLASSES:
                    key = SAMPLE_KEY if is_object else None
                    now_d = self.s3(self.now, now_p, now_path, bucket, action, key)
                    ref_d = self.s3(self.ref, ref_p, ref_path, bucket, action, key)
                    self.compare(label, now_p or ref_p, cls, action, bucket, key, path_label, now_d, ref_d, False)
        for key_arn in keys:
            for cls, action in KEY_CLASSES:
                now_d = self.kms(self.now, now_p, key_arn, action)
                ref_d = self.kms(self.ref, ref_p, key_arn, action)
                self.compare(label, now_p or ref_p, cls, action, key_arn, None, "-", now_d, ref_d, True)

    @staticmethod
    def s3(side: Analysis, p: PrincipalInfo | None, path: NetworkPath | None, bucket: str, action: str,
           key: str | None) -> Decision | None:
        info = side.world.buckets.get(bucket)
        if p is None or path is None or info is None:
            return None
        return side.sim.decide(p.actor, action, info.state, key, path)[1]

    @staticmethod
    def kms(side: Analysis, p: PrincipalInfo | None, key_arn: str, action: str) -> Decision | None:
        key = side.world.keys.get(key_arn)
        if p is None or key is None:
            return None
        via = f"s3.{key.region}.amazonaws.com" if action == "kms:Decrypt" else None
        return side.kms_direct(p.actor, action, key, via)

    def compare(self, label: str, p: PrincipalInfo | None, cls: str, action: str, resource: str, key: str | None,
                path: str, now_d: Decision | None, ref_d: Decision | None, is_key: bool) -> None:
        if p is None:
            return
        allowed_now = now_d is not None and now_d.allowed
        allowed_before = ref_d is not None and ref_d.allowed
        denied_before = ref_d is None or ref_d.denied
        denied_now = now_d is None or now_d.denied
        resource_arn = resource if is_key else self.now.world.bucket_arn(resource, key or None)
        if allowed_now and denied_before:
            self.findings.append(self.new_access(p, cls, action, resource, resource_arn, path, now_d, ref_d, is_key))
        elif allowed_before and denied_now and now_d is not None:
            self.findings.append(Finding(
                rule="W403-N403", kind="new-access", severity="note",
                message=(f"lost access: {p.label} could {action} {symbols.render(resource_arn)} before the change "
                         f"({cls}), and now {now_d.summary()}"),
                location=_decision_location(now_d), layer=now_d.layer,
                access=Access(principal=_shown(p), principal_ref=p.ref, action=action,
                              resource=symbols.render(resource_arn), via=None if path in ("-", "internet", "unknown")
                              else path),
                identity=("lost", p.ref, action, symbols.render(resource_arn), path)))

    def intent_for(self, p: PrincipalInfo, action: str, resource_arn: str) -> tuple[bool, bool]:
        """(an intent of the change covers this access, that intent was denied before the change)."""
        for r in self.now.results_by_principal.get(p.arn, []):
            if r.action.lower() != action.lower():
                continue
            if tri_resource_match(r.intent.resource, resource_arn) is not True:
                continue
            return True, self.denied_before(r)
        return False, False

    def new_access(self, p: PrincipalInfo, cls: str, action: str, resource: str, resource_arn: str, path: str,
                   now_d: Decision | None, ref_d: Decision | None, is_key: bool) -> Finding:
        assert now_d is not None
        covered, remedy = (False, False)
        if p.in_sources or p.kind == "service":
            covered, remedy = self.intent_for(p, action, resource_arn)
        if not covered and is_key and action == "kms:Decrypt":
            # A key use that serves an intended read or write of a bucket encrypted with this key.
            covered, remedy = self.key_use_intent(p, resource)
        owner = self._owner(resource, is_key)
        outsider = p.kind == "external" and (p.actor.kind == "anonymous" or p.account != owner)
        if covered:
            severity = "note"
            why = ("the remedy of an intended access that was denied before the change" if remedy
                   else "an access the change intends")
            rule = "W403-N402"
        else:
            severity = "error" if outsider or p.actor.kind == "anonymous" else "warning"
            why = "beyond any access the sources intend: the change reaches further than needed"
            rule = "W403-N401"
        hit = now_d.related[0] if now_d.related else None
        location = hit.statement.location if hit is not None and hit.statement.location is not None else None
        draft = self.narrower_draft(hit, now_d) if rule == "W403-N401" and hit is not None else None
        before = "did not exist" if ref_d is None else ref_d.summary()
        return Finding(
            rule=rule, kind="new-access", severity=severity,  # type: ignore[arg-type]
            message=(f"new access: {p.label} can now {action} {symbols.render(resource_arn)} ({cls}; before the "
                     f"change: {before}); {why}"),
            location=location, layer=hit.policy.kind.layer if hit is not None else None,
            access=Access(principal=_shown(p), principal_ref=p.ref, action=action,
                          resource=symbols.render(resource_arn),
                          via=None if path in ("-", "internet", "unknown", "anywhere") else path),
            trace=tuple(s.render() for s in now_d.trace), suggestion=draft,
            identity=("new", p.ref, action, symbols.render(resource_arn), path))

    def key_use_intent(self, p: PrincipalInfo, key_arn: str) -> tuple[bool, bool]:
        for r in self.now.results_by_principal.get(p.arn, []):
            bucket_key = r.request.bucket.default_key
            if bucket_key is not None and bucket_key.arn == key_arn:
                return True, self.denied_before(r)
        return False, False

    def _owner(self, resource: str, is_key: bool) -> str:
        w = self.now.world
        if is_key:
            k = w.keys.get(resource)
            return k.account if k is not None else ""
        b = w.buckets.get(resource)
        return b.state.account if b is not None else ""

    def narrower_draft(self, hit: object, now_d: Decision) -> str | None:
        """The statement that grants the overreach, cut down to the intents it remedied, if that is proven
        (re-simulated) to keep the remedies and drop the overreach."""
        from why403.policy.match import Hit

        assert isinstance(hit, Hit)
        stmt, policy = hit.statement, hit.policy
        if not policy.kind.is_resource_policy:
            return None
        remedies = [r for r in self.now.results
                    if r.decision.allowed and r.decision.granted_by(stmt) and self.denied_before(r)]
        if not remedies:
            return None
        principals = sorted({p for p in (_policy_principal(r.intent.principal) for r in remedies) if p is not None})
        if not principals:
            return None
        if policy.kind is PolicyKind.KEY:
            env = self.now.world.env
            actions = sorted({call.action for r in remedies for call in kms_calls(r.request, env)})
        else:
            actions = sorted({r.action for r in remedies})
        if not actions:
            return None
        doc = statement_to_json(stmt, raw=True)
        doc["Principal"] = {"AWS": principals[0] if len(principals) == 1 else principals}
        doc["Action"] = actions[0] if len(actions) == 1 else actions
        narrow = parse_policy({"Version": "2012-10-17", "Statement": [doc]}, policy.kind, validate=False).statements
        if not narrow:
            return None
        if not self._verify(policy, stmt, narrow[0], remedies):
            return None
        shown = json.loads(dumps(doc))
        return ("Narrower draft (review before applying; re-simulation shows it keeps the accesses this change "
                f"fixed and drops the rest): replace {stmt.name} of {policy.origin} with:\n{dumps(shown)}")

    def _verify(self, policy: Policy, old: Statement, new: Statement, remedies: Sequence[AccessResult]) -> bool:
        statements = tuple(new if s is old else s for s in policy.statements)
        new_policy = replace(policy, statements=statements)
        env = self.now.world.env
        for r in remedies:
            req = r.request
            bucket = req.bucket
            if bucket.policy is policy:
                req = replace(req, bucket=replace(bucket, policy=new_policy))
            elif bucket.default_key is not None and bucket.default_key.policy is policy:
                key = replace(bucket.default_key, policy=new_policy)
                req = replace(req, bucket=replace(bucket, default_key=key))
                env = replace(env, keys={k: (key if v.arn == key.arn else v) for k, v in env.keys.items()})
            else:
                return False
            if authorize(req, env).denied:
                return False
        stranger = self.now.stranger
        for k in self.now.world.unique_keys():
            if k.policy is policy:
                key = replace(k, policy=new_policy)
                if self.now.kms_direct(stranger.actor, "kms:Decrypt", key, f"s3.{key.region}.amazonaws.com").allowed:
                    return False
        for b in self.now.world.buckets.values():
            if b.state.policy is policy:
                state = replace(b.state, policy=new_policy)
                for who in (self.now.anonymous, stranger):
                    if self.now.sim.decide(who.actor, "s3:GetObject", state, SAMPLE_KEY, who.paths[0])[1].allowed:
                        return False
        return True


def _shown(p: PrincipalInfo) -> str:
    """Hypothetical principals (any other account, anonymous) by their description, others by ARN."""
    if p.kind == "external" and p.ref != p.arn:
        return p.ref
    return symbols.render(p.actor.display)


def _policy_principal(p: PrincipalInfo) -> str | None:
    a = p.actor
    if p.ref.startswith("account:"):
        return account_root(p.account)
    if a.kind == "role_session":
        return a.role_arn
    if a.kind in ("iam_user", "root"):
        return a.arn
    return None


def _decision_location(d: Decision) -> Location | None:
    if d.statement is not None:
        return d.statement.location
    return None


def compare(now: Analysis, ref: Analysis) -> list[Finding]:
    """New (and lost) accesses of the change from ``ref`` to ``now``."""
    return sorted(Baseline(now, ref).run(), key=Finding.sort_key)

