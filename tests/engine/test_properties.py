"""Property tests of the engine and of the matchers underneath it (hypothesis).

* Adding a Deny statement to any policy never turns a denied request into an allowed one.
* Adding an Allow statement to a policy that already applies never removes access, with the one
  exception AWS documents: a *public* Allow in a bucket policy under RestrictPublicBuckets makes
  the bucket public and so refuses cross-account and anonymous callers (access-model 5.3, V58).
* ``glob.compile_glob`` / ``tri_glob`` / ``arn.tri_arn_like`` agree with independent regex oracles:
  the plain glob, and the Resource-element rules of access-model 6.5 (a wildcard stays inside
  its ARN segment except a segment-final ``*``; anything goes after the fifth colon).
* Three-valued answers are consistent: token-free inputs never give ``None``, a definite answer
  about a value holding an unknown token agrees with every concrete value it could stand for, and
  the engine never answers ``unknown`` for a world that the sources fully determine.

Examples are capped (``max_examples`` 200 or fewer) so the suite stays fast; set the
environment variable ``WHY403_EXAMPLES`` (e.g. 5000) to hunt harder.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.actor import Actor
from why403.model.arn import tri_arn_like
from why403.model.glob import GlobMode, compile_glob, tri_glob
from why403.model.policy import Condition, Policy, PolicyKind
from why403.model.tri import tri_and, tri_or
from why403.policy.conditions import eval_condition, eval_conditions
from why403.policy.context import ABSENT, ContextValue, OneOf, RequestContext
from why403.policy.parse import parse_policy
from why403.simulate import public
from why403.simulate.decision import Decision
from why403.simulate.state import BlockPublicAccess, KmsKey, Network, ObjectState

from .world0 import (
    ALICE_ARN,
    APP_ROLE,
    BKT,
    DEFAULT_KEY_STATEMENT,
    EXT_ROLE,
    HTTP,
    INTERNET,
    KEY_A,
    OBJ,
    Q1,
    REGION,
    VPCE,
    W0,
    A,
    B,
    Stmt,
    World,
    alice,
    app,
    ext,
    gateway,
    member_org,
    root,
    service,
)

# ==================================================================================================
# Reference matchers (access-model 6.5, written independently of why403.model.glob)
# ==================================================================================================


def oracle_glob(pat: str, s: str, ignore_case: bool = False) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pat)
    return re.fullmatch(rx, s, flags=re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def oracle_resource_glob(pat: str, arn: str) -> bool:
    if pat == "*":
        return True
    rx, colons = [], 0
    for i, c in enumerate(pat):
        in_head = colons < 5
        if c == ":":
            colons += 1
            rx.append(":")
        elif c == "*":
            ends_segment = i + 1 == len(pat) or pat[i + 1] == ":"
            rx.append(".*" if (not in_head or ends_segment) else "[^:]*")
        elif c == "?":
            rx.append("[^:]" if in_head else ".")
        else:
            rx.append(re.escape(c))
    return re.fullmatch("".join(rx), arn, flags=re.DOTALL) is not None


def oracle_arn_like(pat: str, arn: str) -> bool:
    p, a = pat.split(":", 5), arn.split(":", 5)
    return len(p) == 6 and len(a) == 6 and all(oracle_glob(x, y) for x, y in zip(p, a, strict=True))


# Small alphabets make collisions (and therefore matches) frequent.
PATTERN_CHARS = st.sampled_from(list("ab:/*?"))
TEXT_CHARS = st.sampled_from(list("abAB:/"))
patterns = st.text(PATTERN_CHARS, max_size=12)
texts = st.text(TEXT_CHARS, max_size=12)
SEGMENT = st.text(st.sampled_from(list("ab/-")), max_size=4)
SEGMENT_PATTERN = st.text(st.sampled_from(list("ab/-*?")), max_size=4)


@st.composite
def arns(draw: st.DrawFn, pattern: bool = False) -> str:
    """Six colon-separated parts (the resource part may hold more colons)."""
    segment = SEGMENT_PATTERN if pattern else SEGMENT
    tail_chars = "ab/:*?" if pattern else "ab/:"
    first = "arn" if draw(st.booleans()) else draw(segment)
    head = [draw(segment) for _ in range(4)]
    tail = draw(st.text(st.sampled_from(list(tail_chars)), max_size=6))
    return ":".join([first, *head, tail])


# WHY403_EXAMPLES=5000 pytest tests/engine/test_properties.py  hunts harder than the default run.
_SCALE = int(os.environ.get("WHY403_EXAMPLES", "0"))
FAST = settings(max_examples=_SCALE or 200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestWildcards:
    @FAST
    @given(patterns, texts)
    @example("a*b", "a:b")
    @example("?", "")
    @example("a?", "ab")
    def test_plain_glob_matches_the_oracle(self, pat: str, s: str) -> None:
        assert (compile_glob(pat, "glob").matches(s)) == oracle_glob(pat, s)
        assert tri_glob(pat, s, "glob") is oracle_glob(pat, s)

    @FAST
    @given(patterns, texts)
    def test_action_glob_is_case_insensitive(self, pat: str, s: str) -> None:
        assert tri_glob(pat, s, "glob", ignore_case=True) is oracle_glob(pat, s, ignore_case=True)

    @FAST
    @given(st.one_of(patterns, arns(pattern=True)), st.one_of(texts, arns()))
    @example("arn:aws:s3:*", "arn:aws:s3:::data-bkt/x")
    @example("arn:a*:s3:::b", "arn:a:x:s3:::b")
    @example("arn:aws:s3:::data-bkt/file?.txt", "arn:aws:s3:::data-bkt/file10.txt")
    @example("a?b", "a:b")
    def test_resource_glob_matches_the_oracle(self, pat: str, arn: str) -> None:
        assert (compile_glob(pat, "resource").matches(arn)) == oracle_resource_glob(pat, arn)
        assert tri_glob(pat, arn, "resource") is oracle_resource_glob(pat, arn)

    @FAST
    @given(arns(pattern=True), arns())
    def test_arn_like_matches_the_oracle(self, pat: str, arn: str) -> None:
        assert tri_arn_like(pat, arn) is oracle_arn_like(pat, arn)

    def test_documented_examples(self) -> None:
        """access-model 6.5: the resource part treats '/' like any other character."""
        pat = "arn:aws:s3:::bucket/*/test/*"
        for arn, expected in [("bucket/1/2/test/3/x.jpg", True), ("bucket//test/x", True),
                              ("bucket/1/test/", True), ("bucket/1-test/x", False), ("bucket/test/x", False)]:
            assert tri_glob(pat, f"arn:aws:s3:::{arn}", "resource") is expected, arn
        assert tri_glob("arn:aws:s3:::data-bkt", OBJ.replace("*", "k"), "resource") is False
        assert tri_glob(OBJ, BKT, "resource") is False
        assert tri_glob("arn:aws:s3:::data-bkt*", "arn:aws:s3:::data-bkt-other", "resource") is True
        # StringLike crosses colons, ArnLike does not (the documented pair).
        p = "arn:aws:someservice:*:111122223333:finance/*"
        a = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
        assert tri_arn_like(p, a) is False
        assert tri_glob(p, a) is True


# ==================================================================================================
# Three-valued consistency
# ==================================================================================================

SUBSTITUTE = st.text(st.sampled_from(list("ab:/")), max_size=5)


class TestThreeValued:
    @FAST
    @given(patterns, texts, st.sampled_from(["glob", "resource"]))
    def test_token_free_input_is_never_unknown(self, pat: str, s: str, mode: GlobMode) -> None:
        assert tri_glob(pat, s, mode) is not None
        assert symbols.tri_equals(pat, s) is not None
        assert symbols.tri_equals(pat, s, ignore_case=True) is not None
        assert tri_arn_like(pat, s) is not None

    @FAST
    @given(patterns, texts, texts, SUBSTITUTE, st.sampled_from(["glob", "resource"]))
    def test_definite_answer_about_an_unknown_value_holds_for_every_value(
        self, pat: str, before: str, after: str, sub: str, mode: GlobMode
    ) -> None:
        """A value with an unknown part: if the answer is definite, every concrete value agrees."""
        value = before + symbols.unknown("v") + after
        got = tri_glob(pat, value, mode)
        if got is not None:
            assert tri_glob(pat, before + sub + after, mode) is got
        eq = symbols.tri_equals(pat, value)
        if eq is not None:
            assert symbols.tri_equals(pat, before + sub + after) is eq

    @FAST
    @given(st.text(st.sampled_from(list("ab:/")), max_size=6), st.text(st.sampled_from(list("ab:/")), max_size=6),
           texts, st.text(st.sampled_from(list("ab:/")), max_size=5), st.sampled_from(["glob", "resource"]))
    def test_definite_answer_about_an_unknown_pattern_holds_for_every_pattern(
        self, before: str, after: str, value: str, sub: str, mode: GlobMode
    ) -> None:
        """A pattern with an unknown literal part (``${var.bucket}``) against a known value."""
        pat = before + symbols.unknown("p") + after
        got = tri_glob(pat, value, mode)
        if got is not None:
            assert tri_glob(before + sub + after, value, mode) is got

    @FAST
    @given(st.lists(st.sampled_from([True, False, None]), max_size=4))
    def test_kleene_logic(self, values: list[bool | None]) -> None:
        """tri_and / tri_or give a definite answer exactly when every completion agrees."""
        holes = [i for i, v in enumerate(values) if v is None]
        completions = []
        for bits in range(2 ** len(holes)):
            filled = list(values)
            for j, i in enumerate(holes):
                filled[i] = bool(bits >> j & 1)
            completions.append(filled)
        for fn, concrete in ((tri_and, all), (tri_or, any)):
            outs = {concrete(c) for c in completions}
            expected = outs.pop() if len(outs) == 1 else None
            assert fn(*values) is expected

    OPERATORS = st.sampled_from([
        "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase",
        "ArnLike", "ArnNotLike", "Bool", "NumericLessThan", "IpAddress", "NotIpAddress", "Null",
        "DateGreaterThan",
    ])
    VALUES = st.sampled_from(["a", "a*", "true", "false", "10", "10.0.0.0/8", "arn:aws:s3:::a*",
                              "${aws:username}", "2026-01-01T00:00:00Z", "${aws:PrincipalTag/team, 'x'}"])
    REQUEST_VALUES = st.one_of(
        st.just(ABSENT),
        st.sampled_from(["a", "ab", "true", "5", "10.1.2.3", "arn:aws:s3:::ab", "2027-01-01T00:00:00Z", ""]),
        st.lists(st.sampled_from(["a", "b", "team"]), max_size=3).map(tuple),
    )

    @FAST
    @given(OPERATORS, st.sampled_from([None, "ForAnyValue", "ForAllValues"]), st.booleans(),
           st.lists(VALUES, min_size=1, max_size=3), REQUEST_VALUES, st.sampled_from([ABSENT, "alice"]))
    def test_conditions_on_a_closed_context_are_definite(
        self, base: str, set_op: str | None, if_exists: bool, values: list[str], req: ContextValue,
        username: ContextValue,
    ) -> None:
        if base == "Null":
            set_op, if_exists, values = None, False, [values[0] if values[0] in ("true", "false") else "true"]
        cond = Condition(base, base, set_op, if_exists, "s3:k", tuple(values))  # type: ignore[arg-type]
        ctx = RequestContext.of({"s3:k": req, "aws:username": username})
        assert eval_condition(cond, ctx, substitute=True) is not None

    @FAST
    @given(st.sampled_from(["StringNotEquals", "StringNotLike", "ArnNotEquals", "NotIpAddress", "NumericNotEquals"]),
           st.lists(VALUES, min_size=1, max_size=3), REQUEST_VALUES)
    def test_negated_operators_are_the_nor_of_their_positive_form(
        self, base: str, values: list[str], req: ContextValue
    ) -> None:
        """access-model 6.6: negated operators are NOR over the values, and true on an absent key."""
        assume(not isinstance(req, tuple))
        positive = base.replace("Not", "", 1) if base != "NotIpAddress" else "IpAddress"
        ctx = RequestContext.of({"s3:k": req})
        neg = eval_condition(Condition(base, base, None, False, "s3:k", tuple(values)), ctx, True)
        pos = eval_condition(Condition(positive, positive, None, False, "s3:k", tuple(values)), ctx, True)
        if req is ABSENT:
            assert (neg, pos) == (True, False)
        else:
            assert neg is (not pos)


    @FAST
    @given(st.lists(st.tuples(OPERATORS, st.sampled_from(["s3:a", "s3:b", "s3:c"]), st.lists(VALUES, min_size=1,
                                                                                             max_size=2)),
                    min_size=1, max_size=3),
           st.lists(REQUEST_VALUES, min_size=2, max_size=2), st.lists(REQUEST_VALUES, min_size=2, max_size=2),
           REQUEST_VALUES)
    def test_a_block_over_plausible_requests_is_the_agreement_of_those_requests(
        self, parts: list[tuple[str, str, list[str]]], a: list[ContextValue], b: list[ContextValue],
        c: ContextValue,
    ) -> None:
        """Issue 15.2: keys of one group (s3:a, s3:b) take the same choice; the block is definite
        exactly when every plausible request gives the same answer."""
        conds = tuple(Condition(op, op, None, False, key, tuple(v if op != "Null" else ["true"]))  # type: ignore[arg-type]
                      for op, key, v in parts)
        plausible = RequestContext.of({"s3:a": OneOf(tuple(a), "test", "g"), "s3:b": OneOf(tuple(b), "test", "g"),
                                       "s3:c": c})
        concrete = {eval_conditions(conds, RequestContext.of({"s3:a": a[i], "s3:b": b[i], "s3:c": c}), True)
                    for i in range(2)}
        expected = concrete.pop() if len(concrete) == 1 else None
        assert eval_conditions(conds, plausible, True) == expected


# ==================================================================================================
# Monotonicity of the engine: Deny never grants, Allow never removes
# ==================================================================================================

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetBucketPolicy",
           "s3:PutObjectAcl"]
ACTION_PATTERNS = ["s3:*", "s3:Get*", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "*",
                   "kms:*", "kms:Decrypt", "kms:GenerateDataKey", "s3:*Object", "s3:GetBucketPolicy"]
RESOURCES = [OBJ, BKT, "*", "arn:aws:s3:::data-bkt/reports/*", "arn:aws:s3:::data-bkt*", KEY_A,
             "arn:aws:s3:::data-bkt/drop/*", "arn:aws:s3:::other-bkt/*"]
PRINCIPALS: list[Any] = ["*", {"AWS": "*"}, {"AWS": A}, {"AWS": B}, {"AWS": ALICE_ARN}, {"AWS": APP_ROLE},
                         {"AWS": EXT_ROLE}, {"AWS": f"arn:aws:sts::{A}:assumed-role/App/s1"},
                         {"Service": "logging.s3.amazonaws.com"}, {"AWS": [A, B]}]
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"Bool": {"aws:SecureTransport": "false"}},
    {"StringNotEquals": {"aws:SourceVpce": VPCE}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1"}},
    {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
    {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
    {"ArnEquals": {"aws:PrincipalArn": APP_ROLE}},
    {"StringEquals": {"s3:DataAccessPointAccount": A}},
    {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
    {"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data-bkt/reports/*"}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, principal: bool = False) -> Stmt:
    s: Stmt = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if principal:
        if s["Effect"] == "Deny" and draw(st.integers(0, 5)) == 0:
            s["NotPrincipal"] = {"AWS": draw(st.lists(st.sampled_from([A, B, APP_ROLE, EXT_ROLE, ALICE_ARN]),
                                                     min_size=1, max_size=3))}
        else:
            s["Principal"] = draw(st.sampled_from(PRINCIPALS))
    key = "NotAction" if draw(st.integers(0, 6)) == 0 else "Action"
    s[key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    rkey = "NotResource" if draw(st.integers(0, 6)) == 0 else "Resource"
    s[rkey] = draw(st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2))
    # Half the statements are unconditional, so that they often apply.
    cond = draw(st.sampled_from(CONDITIONS)) if draw(st.booleans()) else None
    if cond is not None:
        s["Condition"] = cond
    return s


BROAD_ALLOW: Stmt = {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}


ACTOR_PRINCIPALS: dict[str, list[Any]] = {
    "alice": [{"AWS": ALICE_ARN}, {"AWS": A}],
    "app": [{"AWS": APP_ROLE}, {"AWS": f"arn:aws:sts::{A}:assumed-role/App/s1"}, {"AWS": A}],
    "ext": [{"AWS": EXT_ROLE}, {"AWS": B}],
    "root": [{"AWS": A}],
    "anonymous": ["*"],
    "service": [{"Service": "logging.s3.amazonaws.com"}],
}


@st.composite
def added(draw: st.DrawFn, effect: str, principal: bool, sc: dict[str, Any]) -> Stmt:
    """The statement a property adds: a random one, or (two times in three) one aimed at the
    scenario's request: its action, its resource, its caller."""
    s = draw(statements(effect=effect, principal=principal))
    if draw(st.integers(0, 2)) == 0:
        return s
    s.pop("NotAction", None)
    s.pop("NotResource", None)
    resource = BKT if sc["key"] is None else f"{BKT}/{sc['key']}"
    s["Action"] = draw(st.sampled_from([sc["action"], "s3:*", "*"]))
    s["Resource"] = draw(st.sampled_from([resource, "*"]))
    if principal and "Principal" in s:
        s["Principal"] = draw(st.sampled_from([*ACTOR_PRINCIPALS[sc["who"]], "*"]))
    return s


def parsed(kind: PolicyKind, stmts: list[Stmt]) -> Policy:
    # Validation problems (an object action on a bucket ARN...) do not stop evaluation.
    return parse_policy({"Version": "2012-10-17", "Statement": stmts}, kind, validate=False)


ACTORS = ["alice", "alice", "app", "app", "ext", "ext", "root", "anonymous", "service"]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """W0 with random policies at every layer, biased so that a fair share of requests is allowed."""
    who = draw(st.sampled_from(ACTORS))
    action = draw(st.sampled_from(ACTIONS))
    bucket_level = action in ("s3:ListBucket", "s3:GetBucketPolicy")
    broad = [BROAD_ALLOW] if draw(st.booleans()) else []
    grant_b = [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:*", "Resource": [BKT, OBJ]}] \
        if draw(st.booleans()) else []
    return {
        "who": who,
        "action": action,
        "key": None if bucket_level else draw(st.sampled_from([Q1, Q1, "drop/x.csv", "public/a.png"])),
        "identity": broad + draw(st.lists(statements(), max_size=2)),
        "boundary": draw(st.sampled_from([None, None, [BROAD_ALLOW]]) | st.lists(statements(effect="Allow"),
                                                                                  min_size=1, max_size=2)),
        "session": draw(st.sampled_from([None, None, [BROAD_ALLOW]]) | st.lists(statements(effect="Allow"),
                                                                                 min_size=1, max_size=2)),
        "bucket_policy": draw(st.none() | st.lists(statements(principal=True), max_size=2).map(
            lambda extra: grant_b + extra)),
        "key_policy": draw(st.lists(statements(principal=True), max_size=2)),
        "scp": draw(st.lists(statements(), max_size=2)),
        "endpoint": draw(st.sampled_from(["none", "none", "default", "policy"])),
        "endpoint_policy": draw(st.lists(statements(principal=True), min_size=1, max_size=2)),
        "tls": draw(st.sampled_from([True, True, False])),
        "ownership": draw(st.sampled_from(["BucketOwnerEnforced", "ObjectWriter"])),
        "bpa": draw(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans())),
        "sse_kms": draw(st.booleans()),
        "default_kms": draw(st.booleans()),
        "b_in_org": draw(st.booleans()),
    }


def _actor(sc: dict[str, Any], identity: list[Stmt], boundary: list[Stmt] | None,
           session: list[Stmt] | None) -> Actor:
    who = sc["who"]
    if who == "root":
        return root(A)
    if who == "anonymous":
        return Actor(kind="anonymous")
    if who == "service":
        return service("logging.s3.amazonaws.com")
    base = {"alice": alice, "app": app, "ext": ext}[who]()
    return replace(
        base,
        identity_policies=(parsed(PolicyKind.IDENTITY, identity),) if identity else (),
        permissions_boundary=parsed(PolicyKind.BOUNDARY, boundary) if boundary is not None else None,
        session_policies=(parsed(PolicyKind.SESSION, session),) if session is not None and who != "alice" else None,
    )


def decide(sc: dict[str, Any], add: tuple[str, Stmt] | None = None) -> Decision:
    """Build the scenario's world (W0 plus its changes), optionally with one statement added to a layer."""
    layers: dict[str, list[Stmt] | None] = {
        name: (list(sc[name]) if sc[name] is not None else None)
        for name in ("identity", "boundary", "session", "bucket_policy", "key_policy", "scp", "endpoint_policy")
    }
    if add is not None:
        target, extra = add
        existing = layers[target]
        assert existing is not None or target in ("identity", "bucket_policy")
        layers[target] = [*(existing or []), extra]
    actor = _actor(sc, layers["identity"] or [], layers["boundary"], layers["session"])
    key = KmsKey(KEY_A, A, REGION, parsed(PolicyKind.KEY, [DEFAULT_KEY_STATEMENT, *(layers["key_policy"] or [])]))
    w: World = W0.with_key(key).with_bucket(
        ownership=sc["ownership"],
        bpa=BlockPublicAccess(*sc["bpa"]),
        policy=parsed(PolicyKind.BUCKET, layers["bucket_policy"]) if layers["bucket_policy"] is not None else None,
        default_encryption="SSE-KMS" if sc["default_kms"] else "SSE-S3",
        default_key=key if sc["default_kms"] else None,
    ).with_org(A, member_org(account=(parsed(PolicyKind.SCP, layers["scp"] or []),)))
    if sc["b_in_org"]:
        w = w.with_org(B, member_org("o-b1"))
    encryption: dict[str, Any] = {"encryption": "SSE-KMS", "kms_key": key} if sc["sse_kms"] else {}
    w = w.with_object(Q1, **encryption).with_object(
        "drop/x.csv", owner_account=B, acl=(AclGrant("account", "FULL_CONTROL", B),), **encryption
    ).with_object("public/a.png", acl=(AclGrant("AllUsers", "READ"),))
    network: Network = INTERNET if sc["tls"] else HTTP
    if sc["endpoint"] == "default":
        network = gateway()
    elif sc["endpoint"] == "policy":
        network = gateway(parsed(PolicyKind.ENDPOINT, layers["endpoint_policy"] or []))
    return w.decide(actor, sc["action"], sc["key"], network=network)


def _layers_for(sc: dict[str, Any]) -> list[str]:
    """Layers a statement can be added to without creating a new *restricting* policy."""
    out = ["identity", "bucket_policy", "key_policy", "scp"]
    if sc["boundary"] is not None:
        out.append("boundary")
    if sc["session"] is not None and sc["who"] != "alice":
        out.append("session")
    if sc["endpoint"] == "policy":
        out.append("endpoint_policy")
    return out


MONOTONE = settings(max_examples=_SCALE or 150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@MONOTONE
@given(scenarios(), st.data())
def test_adding_a_deny_never_grants(sc: dict[str, Any], data: st.DataObject) -> None:
    before = decide(sc)
    target = data.draw(st.sampled_from(_layers_for(sc)), label="layer")
    principal = target in ("bucket_policy", "key_policy", "endpoint_policy")
    extra = data.draw(added("Deny", principal, sc), label="deny")
    after = decide(sc, (target, extra))
    assert before.outcome != "unknown" and after.outcome != "unknown"
    if not before.allowed:
        assert not after.allowed, (before.summary(), after.summary())
    if after.allowed:
        assert after.http_status == before.http_status


@MONOTONE
@given(scenarios(), st.data())
def test_adding_an_allow_never_removes_access(sc: dict[str, Any], data: st.DataObject) -> None:
    before = decide(sc)
    target = data.draw(st.sampled_from(_layers_for(sc)), label="layer")
    principal = target in ("bucket_policy", "key_policy", "endpoint_policy")
    extra = data.draw(added("Allow", principal, sc), label="allow")
    after = decide(sc, (target, extra))
    assert before.outcome != "unknown" and after.outcome != "unknown"
    if before.allowed and not after.allowed:
        # The documented exception: the new statement made the bucket policy public and
        # RestrictPublicBuckets now refuses callers outside the bucket owner's account.
        assert target == "bucket_policy" and sc["bpa"][3], (before.summary(), after.summary())
        assert public.statement_is_public(parsed(PolicyKind.BUCKET, [extra]).statements[0], PolicyKind.BUCKET)
        assert (after.outcome, after.layer) == ("explicit-deny", "block-public-access")


def test_the_public_allow_exception_exists() -> None:
    """The carve-out above is real, not a hole in the property (V58)."""
    sc: dict[str, Any] = {
        "who": "ext", "action": "s3:GetObject", "key": Q1,
        "identity": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJ}],
        "boundary": None, "session": None,
        "bucket_policy": [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "s3:GetObject", "Resource": OBJ}],
        "key_policy": [], "scp": [], "endpoint": "none", "endpoint_policy": [], "tls": True,
        "ownership": "BucketOwnerEnforced", "bpa": (False, False, False, True), "sse_kms": False,
        "default_kms": False, "b_in_org": False,
    }
    assert decide(sc).allowed
    public_allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
    after = decide(sc, ("bucket_policy", public_allow))
    assert (after.outcome, after.layer) == ("explicit-deny", "block-public-access")


def test_missing_object_is_monotone_in_listbucket() -> None:
    """V69's 403/404 switch follows the ListBucket decision, so a Deny on ListBucket cannot grant."""
    w = W0.with_object("missing.csv", exists=False)
    base = [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [OBJ, BKT]}]
    a = alice(*base)
    assert w.decide(a, "s3:GetObject", "missing.csv").http_status == 404
    denied = alice(*base, {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": BKT})
    d = w.decide(denied, "s3:GetObject", "missing.csv")
    assert (d.outcome, d.layer, d.http_status) == ("explicit-deny", "identity-policy", 403)
    assert ObjectState("k", A).exists
