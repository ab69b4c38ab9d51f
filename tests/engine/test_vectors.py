"""Every numbered test vector of access-model.md section 7, as a table.

Each case builds W0 (``world0.W0``) plus the vector's changes, asks the engine, and checks the
outcome (allowed / explicit-deny / implicit-deny / rejected), the deciding layer in the output
contract's names, ``kms_action`` when the KMS call decided, and the HTTP status where the vector
states one. For allows that the vector attributes to a layer (a bucket-policy grant, a key-policy
grant) the trace must show that layer allowing.

Layer names used by the access model map to the contract as follows: "resource-based policy" ->
``bucket-policy`` (``bucket-acl`` when the object belongs to another account whose ACL grants
nothing); "KMS: key policy" -> ``kms-key-policy`` with ``kms_action``; "KMS: identity-based" ->
``identity-policy`` with ``kms_action``; prechecks -> ``rejected``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from why403.model.acl import AclGrant
from why403.model.policy import PolicyKind
from why403.policy.context import RequestContext
from why403.policy.match import Target, find_any
from why403.simulate.decision import Decision
from why403.simulate.kms import aws_managed_s3_key
from why403.simulate.state import (
    AccessPointState,
    BlockPublicAccess,
    BucketState,
)

from .world0 import (
    ALICE_ARN,
    ANONYMOUS,
    APP_ROLE,
    BKT,
    BPA_OFF,
    DEFAULT_KEY_STATEMENT,
    EXT_ROLE,
    HTTP,
    INTERNET,
    KEY_A,
    KEY_B,
    MGMT,
    OBJ,
    Q1,
    REGION,
    VPCE,
    W0,
    A,
    B,
    C,
    Stmt,
    alice,
    allow,
    app,
    bucket_policy,
    deny,
    endpoint_policy,
    ext,
    federated,
    gateway,
    kms_key,
    management_org,
    member_org,
    policy,
    rcp,
    role,
    root,
    scp,
    service,
    user,
)

ALLOWED = "allowed"
EXPLICIT = "explicit-deny"
IMPLICIT = "implicit-deny"
REJECTED = "rejected"


@dataclass(frozen=True)
class Vector:
    id: str
    run: Callable[[], Decision]
    outcome: str
    layer: str | None = None
    kms_action: str | None = None
    http: int | None = None
    granted_by: str | None = None  # for allows: a layer the trace must show allowing


VECTORS: list[Vector] = []


def vector(
    id: str,
    outcome: str,
    layer: str | None = None,
    *,
    kms: str | None = None,
    http: int | None = None,
    granted_by: str | None = None,
) -> Callable[[Callable[[], Decision]], Callable[[], Decision]]:
    def register(fn: Callable[[], Decision]) -> Callable[[], Decision]:
        VECTORS.append(Vector(id, fn, outcome, layer, kms, http, granted_by))
        return fn

    return register


def P(principal: str | list[str]) -> dict[str, str | list[str]]:
    return {"AWS": principal}


def stmt(effect: str, principal: object, action: str | list[str], resource: str | list[str],
         **extra: object) -> Stmt:
    """A resource-policy statement."""
    key = "NotPrincipal" if extra.pop("not_principal", False) else "Principal"
    return {"Effect": effect, key: principal, "Action": action, "Resource": resource, **extra}


GET, PUT, LIST = "s3:GetObject", "s3:PutObject", "s3:ListBucket"
PUBLIC_READ = stmt("Allow", "*", GET, OBJ)

# ==================================================================================================
# 7.2 Same-account identity and resource policies
# ==================================================================================================


@vector("V01", ALLOWED, granted_by="identity-policy")
def _v01() -> Decision:
    return W0.decide(alice(allow(GET, OBJ)), GET, Q1)


@vector("V02", IMPLICIT, "identity-policy", http=403)
def _v02() -> Decision:
    return W0.decide(alice(), GET, Q1)


V03_BP = stmt("Allow", P(ALICE_ARN), GET, OBJ)


@vector("V03", ALLOWED, granted_by="bucket-policy")
def _v03() -> Decision:
    return W0.with_bucket_policy(V03_BP).decide(alice(), GET, Q1)


@vector("V04", EXPLICIT, "bucket-policy", http=403)
def _v04() -> Decision:
    w = W0.with_bucket_policy(stmt("Deny", "*", GET, "arn:aws:s3:::data-bkt/reports/*"))
    return w.decide(alice(allow("s3:*", [BKT, OBJ])), GET, Q1)


@vector("V05", EXPLICIT, "identity-policy")
def _v05() -> Decision:
    return W0.with_bucket_policy(V03_BP).decide(alice(deny(GET, OBJ)), GET, Q1)


V06_BP = stmt("Allow", P(APP_ROLE), GET, OBJ)
LIST_ONLY = [allow(LIST, "*")]


@vector("V06", ALLOWED, granted_by="bucket-policy")
def _v06() -> Decision:
    return W0.with_bucket_policy(V06_BP).decide(app(), GET, Q1)


@vector("V07", IMPLICIT, "permissions-boundary")
def _v07() -> Decision:
    return W0.with_bucket_policy(V06_BP).decide(app(boundary=LIST_ONLY), GET, Q1)


def _v08(session: str) -> Decision:
    w = W0.with_bucket_policy(stmt("Allow", P(f"arn:aws:sts::{A}:assumed-role/App/s1"), GET, OBJ))
    return w.decide(app(session=session, boundary=LIST_ONLY), GET, Q1)


vector("V08a", ALLOWED, granted_by="bucket-policy")(lambda: _v08("s1"))
vector("V08b", IMPLICIT, "identity-policy")(lambda: _v08("s2"))


@vector("V09", IMPLICIT, "session-policy")
def _v09() -> Decision:
    actor = app(allow(GET, OBJ), session_policy=[allow(LIST, BKT)])
    return W0.decide(actor, GET, Q1)


@vector("V10", IMPLICIT, "permissions-boundary")
def _v10() -> Decision:
    return W0.decide(alice(allow("s3:*", [BKT, OBJ]), boundary=LIST_ONLY), GET, Q1)


@vector("V11", ALLOWED, granted_by="bucket-policy")
def _v11() -> Decision:
    w = W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(
        stmt("Allow", "*", GET, OBJ, Condition={"ArnEquals": {"aws:PrincipalArn": APP_ROLE}}))
    return w.decide(app(boundary=LIST_ONLY), GET, Q1)


# ==================================================================================================
# 7.3 Cross-account
# ==================================================================================================


@vector("V12", IMPLICIT, "identity-policy")
def _v12() -> Decision:
    return W0.with_bucket_policy(stmt("Allow", P(EXT_ROLE), GET, OBJ)).decide(ext(), GET, Q1)


V13_BP = stmt("Allow", P(B), GET, OBJ)
V13 = W0.with_bucket_policy(V13_BP)


@vector("V13", ALLOWED, granted_by="bucket-policy")
def _v13() -> Decision:
    return V13.decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V14", IMPLICIT, "bucket-policy")
def _v14() -> Decision:
    return W0.decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V15", IMPLICIT, "permissions-boundary")
def _v15() -> Decision:
    return V13.decide(ext(allow(GET, OBJ), boundary=LIST_ONLY), GET, Q1)


# ==================================================================================================
# 7.4 Organizations: SCPs and RCPs
# ==================================================================================================


@vector("V16", IMPLICIT, "scp")
def _v16() -> Decision:
    org_b = member_org("o-b1", ou=(scp({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),),
                       ou_full_access=False)
    return V13.with_org(B, org_b).decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V17", EXPLICIT, "scp")
def _v17() -> Decision:
    w = W0.with_org(A, member_org(ou=(scp(deny(PUT, "*")),))).with_bucket_policy(
        stmt("Allow", P(ALICE_ARN), PUT, OBJ))
    return w.decide(alice(allow("s3:*", "*")), PUT, "tmp/x")


V18 = V13.with_org(A, member_org(account=(scp(deny("s3:*", "*")),)))


@vector("V18", ALLOWED)
def _v18() -> Decision:
    return V18.decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V18-own-users", EXPLICIT, "scp")
def _v18_own() -> Decision:
    return V18.decide(alice(allow(GET, OBJ)), GET, Q1)


@vector("V19", ALLOWED)
def _v19() -> Decision:
    mgmt_bkt = BucketState("mgmt-bkt", MGMT, REGION)
    w = W0.with_org(MGMT, management_org(root=(scp(deny("s3:*", "*")),)))
    ops = user("ops", allow("s3:*", "*"), account=MGMT)
    return w.decide(ops, GET, "x.csv", bucket=mgmt_bkt)


V20_RCP = rcp({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1"},
                             "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
V20 = V13.with_org(A, member_org(rcp_ou=(V20_RCP,)))


@vector("V20", EXPLICIT, "rcp")
def _v20() -> Decision:
    return V20.decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V20-alice", ALLOWED)
def _v20_alice() -> Decision:
    return V20.decide(alice(allow(GET, OBJ)), GET, Q1)


@vector("V21", EXPLICIT, "rcp")
def _v21() -> Decision:
    w = W0.with_org(A, member_org(rcp_ou=(V20_RCP,))).with_bucket(bpa=BPA_OFF).with_bucket_policy(
        stmt("Allow", "*", GET, OBJ))
    return w.decide(ANONYMOUS, GET, Q1)


@vector("V22", EXPLICIT, "rcp")
def _v22() -> Decision:
    tls = rcp({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
               "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})
    return W0.with_org(A, member_org(rcp_ou=(tls,))).decide(alice(allow(GET, OBJ)), GET, Q1, network=HTTP)


# ==================================================================================================
# 7.5 Policy-language gotchas
# ==================================================================================================

EXT_SESSION = f"arn:aws:sts::{B}:assumed-role/Ext/e1"


def _not_principal_bp(*extra_exempt: str) -> list[Stmt]:
    return [
        stmt("Deny", P([EXT_ROLE, f"arn:aws:iam::{B}:root", *extra_exempt]), "s3:*", [BKT, OBJ],
             not_principal=True),
        stmt("Allow", P(EXT_ROLE), GET, OBJ),
    ]


V23 = W0.with_bucket_policy(*_not_principal_bp())
V24 = W0.with_bucket_policy(*_not_principal_bp(EXT_SESSION))


@vector("V23", EXPLICIT, "bucket-policy")
def _v23() -> Decision:
    return V23.decide(ext(allow(GET, OBJ)), GET, Q1)


@vector("V23-alice", EXPLICIT, "bucket-policy")
def _v23_alice() -> Decision:
    return V23.decide(alice(allow(GET, OBJ)), GET, Q1)


vector("V24a", ALLOWED)(lambda: V24.decide(ext(allow(GET, OBJ)), GET, Q1))
vector("V24b", EXPLICIT, "bucket-policy")(lambda: V24.decide(ext(allow(GET, OBJ), session="e2"), GET, Q1))


@vector("V25", EXPLICIT, "bucket-policy")
def _v25() -> Decision:
    return V24.decide(ext(allow(GET, OBJ), boundary=[allow("s3:*", "*")]), GET, Q1)


V26 = W0.with_bucket_policy(
    stmt("Deny", "*", "s3:*", [BKT, OBJ],
         Condition={"ArnNotEquals": {"aws:PrincipalArn": [EXT_ROLE, f"arn:aws:iam::{A}:role/Admin"]}}),
    stmt("Allow", P(EXT_ROLE), GET, OBJ),
)


def _v26_ext(session: str) -> Decision:
    return V26.decide(ext(allow(GET, OBJ), session=session, boundary=[allow("s3:*", "*")]), GET, Q1)


vector("V26a-e1", ALLOWED)(lambda: _v26_ext("e1"))
vector("V26a-e2", ALLOWED)(lambda: _v26_ext("e2"))
vector("V26b", EXPLICIT, "bucket-policy")(lambda: V26.decide(alice(allow(GET, OBJ)), GET, Q1))
vector("V26c", EXPLICIT, "bucket-policy")(lambda: V26.decide(ANONYMOUS, GET, Q1))


@vector("V27", IMPLICIT, "identity-policy")
def _v27() -> Decision:
    return W0.decide(alice(allow("s3:GetObjects", OBJ)), GET, Q1)


@vector("V28", ALLOWED)
def _v28() -> Decision:
    return W0.decide(alice(allow("S3:getobject", OBJ)), GET, Q1)


@vector("V29", IMPLICIT, "identity-policy")
def _v29() -> Decision:
    return W0.decide(alice(allow(GET, BKT)), GET, Q1)


@vector("V30", IMPLICIT, "identity-policy")
def _v30() -> Decision:
    return W0.decide(alice(allow(LIST, OBJ)), LIST, operation="ListObjectsV2")


@vector("V30-bucket-arn", ALLOWED)
def _v30_bkt() -> Decision:
    return W0.decide(alice(allow(LIST, BKT)), LIST, operation="ListObjectsV2")


@vector("V31", IMPLICIT, "identity-policy")
def _v31() -> Decision:
    return W0.decide(alice(allow(GET, "arn:aws:s3:::data-bkt/Reports/*")), GET, Q1)


def _v32(operator: str) -> Decision:
    a = alice(allow(LIST, BKT, Condition={operator: {"s3:prefix": "home/alice/*"}}))
    return W0.decide(a, LIST, operation="ListObjectsV2", context={"s3:prefix": "home/alice/"})


vector("V32", IMPLICIT, "identity-policy")(lambda: _v32("StringEquals"))
vector("V32-StringLike", ALLOWED)(lambda: _v32("StringLike"))


def _tags(set_op: str, keys: tuple[str, ...] | None) -> Decision:
    a = alice(allow(PUT, OBJ, Condition={f"{set_op}:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}}))
    context = {} if keys is None else {"s3:RequestObjectTagKeys": keys}
    return W0.decide(a, PUT, "tmp/tagged", context=context)


vector("V33a", ALLOWED)(lambda: _tags("ForAllValues", None))
vector("V33b", IMPLICIT, "identity-policy")(lambda: _tags("ForAllValues", ("team", "secret")))
vector("V34a", IMPLICIT, "identity-policy")(lambda: _tags("ForAnyValue", None))
vector("V34b", ALLOWED)(lambda: _tags("ForAnyValue", ("team",)))


# Issue 15.8: a key that resolves to an empty data set (an empty string) is the empty set for the set
# operators [IAM-MULTI]: ForAllValues vacuously true, ForAnyValue false.
def _tags_empty_string(set_op: str) -> Decision:
    a = alice(allow(PUT, OBJ, Condition={f"{set_op}:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}}))
    return W0.decide(a, PUT, "tmp/tagged", context={"s3:RequestObjectTagKeys": ""})


vector("V33c-empty-string", ALLOWED)(lambda: _tags_empty_string("ForAllValues"))
vector("V34c-empty-string", IMPLICIT, "identity-policy")(lambda: _tags_empty_string("ForAnyValue"))


# Issue 15.8: a plain operator on a multivalued key behaves the same for an empty list as for an
# absent key [IAM-CONDOPS]: a positive operator never matches, a negated one always does.
def _plain_on_multivalued(effect: str, operator: str, keys: tuple[str, ...] | None) -> Decision:
    condition = {operator: {"s3:RequestObjectTagKeys": ["team"]}}
    statements = [allow(PUT, OBJ)] if effect == "Deny" else []
    statements.append({"Effect": effect, "Action": PUT, "Resource": OBJ, "Condition": condition})
    context = {} if keys is None else {"s3:RequestObjectTagKeys": keys}
    return W0.decide(alice(*statements), PUT, "tmp/tagged", context=context)


vector("V33d-plain-absent", IMPLICIT, "identity-policy")(lambda: _plain_on_multivalued("Allow", "StringEquals", None))
vector("V33d-plain-empty", IMPLICIT, "identity-policy")(lambda: _plain_on_multivalued("Allow", "StringEquals", ()))
vector("V33e-negated-absent", EXPLICIT, "identity-policy")(
    lambda: _plain_on_multivalued("Deny", "StringNotEquals", None))
vector("V33e-negated-empty", EXPLICIT, "identity-policy")(
    lambda: _plain_on_multivalued("Deny", "StringNotEquals", ()))
vector("V33e-negated-other", EXPLICIT, "identity-policy")(
    lambda: _plain_on_multivalued("Deny", "StringNotEquals", ("secret",)))
vector("V33e-negated-listed", ALLOWED)(lambda: _plain_on_multivalued("Deny", "StringNotEquals", ("team",)))

V35 = W0.with_bucket_policy(stmt("Deny", "*", "s3:*", [BKT, OBJ],
                                 Condition={"Bool": {"aws:SecureTransport": "false"}}))
vector("V35a", EXPLICIT, "bucket-policy")(lambda: V35.decide(alice(allow(GET, OBJ)), GET, Q1, network=HTTP))
vector("V35b", ALLOWED)(lambda: V35.decide(alice(allow(GET, OBJ)), GET, Q1))

V36 = W0.with_bucket_policy(stmt("Deny", "*", "s3:*", [BKT, OBJ],
                                 Condition={"StringNotEquals": {"aws:SourceVpce": VPCE}}))
vector("V36a", EXPLICIT, "bucket-policy")(lambda: V36.decide(alice(allow("s3:*", "*")), GET, Q1))
vector("V36b", ALLOWED)(lambda: V36.decide(alice(allow("s3:*", "*")), GET, Q1, network=gateway()))
vector("V36c", EXPLICIT, "bucket-policy")(
    lambda: V36.decide(service("logging.s3.amazonaws.com"), PUT, "logs/2026-01-01.log"))

V37 = W0.with_bucket_policy(stmt("Deny", "*", "s3:*", [BKT, OBJ],
                                 Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
vector("V37a", EXPLICIT, "bucket-policy")(
    lambda: V37.decide(alice(allow(GET, OBJ)), GET, Q1, network=gateway()))
vector("V37b", ALLOWED)(
    lambda: V37.decide(alice(allow(GET, OBJ)), GET, Q1, network=replace(INTERNET, source_ip="203.0.113.9")))


@vector("V38", IMPLICIT, "identity-policy")
def _v38() -> Decision:
    a = alice(allow(GET, OBJ, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    return W0.decide(a, GET, Q1, network=gateway())


HOME = allow(GET, "arn:aws:s3:::data-bkt/home/${aws:username}/*")
vector("V39a", IMPLICIT, "identity-policy")(lambda: W0.decide(app(HOME), GET, "home/App/x"))
vector("V39b", ALLOWED)(lambda: W0.decide(alice(HOME), GET, "home/alice/x"))
vector("V40", IMPLICIT, "identity-policy")(lambda: W0.decide(alice(HOME, version=None), GET, "home/alice/x"))


def _v41a(team: str) -> Decision:
    a = alice(allow(GET, OBJ, Condition={"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"],
                                                          "aws:PrincipalAccount": A}}), tags={"team": team})
    return W0.decide(a, GET, Q1)


vector("V41a-blue", ALLOWED)(lambda: _v41a("blue"))
vector("V41a-green", IMPLICIT, "identity-policy")(lambda: _v41a("green"))

OTHER_ROLE = f"arn:aws:iam::{C}:role/Other"
V41B = W0.with_bucket_policy(
    V13_BP,
    stmt("Deny", "*", GET, OBJ, Condition={"StringNotEquals": {"aws:PrincipalAccount": [A, B]}}),
    stmt("Allow", P(OTHER_ROLE), GET, OBJ),
)
vector("V41b-ext", ALLOWED)(lambda: V41B.decide(ext(allow(GET, OBJ)), GET, Q1))
vector("V41b-other-account", EXPLICIT, "bucket-policy")(
    lambda: V41B.decide(role(OTHER_ROLE, "o1", allow(GET, OBJ)), GET, Q1))

V42 = W0.with_bucket(default_encryption="SSE-KMS", default_key=W0.keys[KEY_A]).with_bucket_policy(
    stmt("Deny", "*", PUT, OBJ,
         Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}))
V42_ALICE = alice(allow(PUT, OBJ), allow("kms:GenerateDataKey", KEY_A))
vector("V42a", EXPLICIT, "bucket-policy")(lambda: V42.decide(V42_ALICE, PUT, "tmp/x"))
vector("V42b", ALLOWED)(lambda: V42.decide(
    V42_ALICE, PUT, "tmp/x",
    headers={"x-amz-server-side-encryption": "aws:kms",
             "x-amz-server-side-encryption-aws-kms-key-id": KEY_A}))

# ==================================================================================================
# 7.6 KMS / SSE-KMS
# ==================================================================================================

SSE_KMS_A = {"encryption": "SSE-KMS", "kms_key": W0.keys[KEY_A]}
V43 = W0.with_bucket(ownership="ObjectWriter").with_object(
    Q1, owner_account=A, acl=(AclGrant("account", "FULL_CONTROL", A),), **SSE_KMS_A)
vector("V43", IMPLICIT, "identity-policy", kms="kms:Decrypt", http=403)(
    lambda: V43.decide(alice(allow("s3:*", [BKT, OBJ])), GET, Q1))
vector("V43-with-decrypt", ALLOWED)(
    lambda: V43.decide(alice(allow("s3:*", [BKT, OBJ]), allow("kms:Decrypt", KEY_A)), GET, Q1))


@vector("V44", ALLOWED, granted_by="kms-key-policy")
def _v44() -> Decision:
    key = kms_key(KEY_A, DEFAULT_KEY_STATEMENT, stmt("Allow", P(APP_ROLE), "kms:Decrypt", "*"))
    w = W0.with_key(key).with_object(Q1, encryption="SSE-KMS", kms_key=key)
    return w.decide(app(allow(GET, OBJ)), GET, Q1)


def _v45(key_statements: list[Stmt], ext_decrypt: bool) -> Decision:
    key = kms_key(KEY_A, *key_statements)
    w = W0.with_key(key).with_object(Q1, encryption="SSE-KMS", kms_key=key).with_bucket_policy(
        stmt("Allow", P(EXT_ROLE), GET, OBJ))
    statements = [allow(GET, OBJ)] + ([allow("kms:Decrypt", KEY_A)] if ext_decrypt else [])
    return w.decide(ext(*statements), GET, Q1)


B_ROOT_DECRYPT = stmt("Allow", P(f"arn:aws:iam::{B}:root"), "kms:Decrypt", "*")
vector("V45a", IMPLICIT, "kms-key-policy", kms="kms:Decrypt")(lambda: _v45([DEFAULT_KEY_STATEMENT], True))
vector("V45b", ALLOWED)(lambda: _v45([DEFAULT_KEY_STATEMENT, B_ROOT_DECRYPT], True))
vector("V45c", IMPLICIT, "identity-policy", kms="kms:Decrypt")(
    lambda: _v45([DEFAULT_KEY_STATEMENT, B_ROOT_DECRYPT], False))

AWS_S3_KEY = aws_managed_s3_key(A, REGION)
V46 = W0.with_object(Q1, encryption="SSE-KMS", kms_key=AWS_S3_KEY).with_bucket_policy(
    stmt("Allow", P(EXT_ROLE), GET, OBJ))
vector("V46a", IMPLICIT, "kms-key-policy", kms="kms:Decrypt")(
    lambda: V46.decide(ext(allow(["s3:*", "kms:*"], "*")), GET, Q1))
vector("V46b", ALLOWED, granted_by="kms-key-policy")(lambda: V46.decide(alice(allow(GET, OBJ)), GET, Q1))

V47 = W0.with_bucket(default_encryption="SSE-KMS", default_key=W0.keys[KEY_A])
V47_APP = app(allow(PUT, OBJ), allow("kms:GenerateDataKey", KEY_A))
vector("V47a", ALLOWED)(lambda: V47.decide(V47_APP, PUT, "big/file.bin", operation="PutObject"))
vector("V47b", ALLOWED)(lambda: V47.decide(V47_APP, PUT, "big/file.bin", operation="CreateMultipartUpload"))
vector("V47c", IMPLICIT, "identity-policy", kms="kms:Decrypt")(
    lambda: V47.decide(V47_APP, PUT, "big/file.bin", operation="UploadPart"))

V48_ADMIN = stmt("Allow", P(f"arn:aws:iam::{A}:root"),
                 ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*"], "*")
V48_KEY = kms_key(KEY_A, V48_ADMIN, stmt(
    "Allow", P(APP_ROLE), "kms:Decrypt", "*",
    Condition={"StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::data-bkt/reports/*"}}))
V48 = W0.with_key(V48_KEY).with_object(Q1, encryption="SSE-KMS", kms_key=V48_KEY).with_object(
    "reports/q2.csv", encryption="SSE-KMS", kms_key=V48_KEY, bucket_key=True)
vector("V48a", ALLOWED)(lambda: V48.decide(app(allow(GET, OBJ)), GET, Q1))
vector("V48b", IMPLICIT, "kms-key-policy", kms="kms:Decrypt")(
    lambda: V48.decide(app(allow(GET, OBJ)), GET, "reports/q2.csv"))


def _v49(exempt_services: bool) -> Decision:
    condition: dict[str, object] = {"StringNotEquals": {"aws:SourceVpce": VPCE}}
    if exempt_services:
        condition["Bool"] = {"aws:ViaAWSService": "false"}
    key = kms_key(KEY_A, DEFAULT_KEY_STATEMENT, stmt("Deny", "*", "kms:*", "*", Condition=condition))
    w = W0.with_key(key).with_object(Q1, encryption="SSE-KMS", kms_key=key)
    return w.decide(app(allow(GET, OBJ), allow("kms:Decrypt", KEY_A)), GET, Q1, network=gateway())


vector("V49a", EXPLICIT, "kms-key-policy", kms="kms:Decrypt")(lambda: _v49(False))
vector("V49b", ALLOWED)(lambda: _v49(True))

V50_KEY = kms_key(KEY_A, V48_ADMIN, stmt(
    "Allow", P(APP_ROLE), "kms:Decrypt", "*",
    Condition={"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}))
V50 = W0.with_key(V50_KEY).with_object(Q1, encryption="SSE-KMS", kms_key=V50_KEY)
# (a) needs an S3 permission for the GetObject itself; the vector is about the KMS side.
vector("V50a", ALLOWED, granted_by="kms-key-policy")(lambda: V50.decide(app(allow(GET, OBJ)), GET, Q1))
vector("V50b", IMPLICIT, "kms-key-policy", kms="kms:Decrypt")(
    lambda: V50.kms_direct(app(allow(GET, OBJ)), "kms:Decrypt", KEY_A))


def _v51(generate_on_b: bool) -> Decision:
    key_b = kms_key(KEY_B)
    dst = BucketState("dst-bkt", A, REGION, default_encryption="SSE-KMS", default_key=key_b)
    w = W0.with_key(key_b).with_object(Q1, encryption="SSE-KMS", kms_key=W0.keys[KEY_A])
    statements = [allow(GET, OBJ), allow(PUT, "arn:aws:s3:::dst-bkt/*"), allow("kms:Decrypt", KEY_A)]
    if generate_on_b:
        statements.append(allow("kms:GenerateDataKey", KEY_B))
    return w.copy_object(app(*statements), Q1, dst, Q1)


vector("V51", IMPLICIT, "identity-policy", kms="kms:GenerateDataKey")(lambda: _v51(False))
vector("V51-with-generate", ALLOWED)(lambda: _v51(True))


@vector("V52", REJECTED, "request-validation", http=403)
def _v52() -> Decision:
    w = W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(PUBLIC_READ).with_object(Q1, **SSE_KMS_A)
    return w.decide(ANONYMOUS, GET, Q1)


# ==================================================================================================
# 7.7 VPC endpoints
# ==================================================================================================

V53 = W0.with_bucket_policy(V03_BP)
V53_EP = endpoint_policy(stmt("Allow", "*", PUT, OBJ))
vector("V53a", IMPLICIT, "vpc-endpoint-policy")(
    lambda: V53.decide(alice(allow(GET, OBJ)), GET, Q1, network=gateway(V53_EP)))
vector("V53b", ALLOWED)(lambda: V53.decide(alice(allow(GET, OBJ)), GET, Q1))

V54_EP = endpoint_policy(stmt("Allow", P(A), "s3:*", "*"))
vector("V54a", IMPLICIT, "vpc-endpoint-policy")(
    lambda: W0.decide(app(allow("s3:*", "*")), GET, Q1, network=gateway(V54_EP)))
vector("V54b", ALLOWED)(lambda: W0.decide(root(A), GET, Q1, network=gateway(V54_EP)))
vector("V54c", ALLOWED)(lambda: W0.decide(
    app(allow("s3:*", "*")), GET, Q1,
    network=gateway(endpoint_policy(stmt("Allow", "*", "s3:*", "*",
                                         Condition={"StringEquals": {"aws:PrincipalAccount": A}})))))


@vector("V55", EXPLICIT, "vpc-endpoint-policy")
def _v55() -> Decision:
    ep = endpoint_policy(stmt("Allow", "*", "*", "*"),
                         stmt("Deny", "*", "s3:*", "*",
                              Condition={"StringNotEquals": {"s3:ResourceAccount": A}}))
    ext_bkt = BucketState("ext-bkt", B, REGION, policy=bucket_policy(
        stmt("Allow", P(ALICE_ARN), GET, "arn:aws:s3:::ext-bkt/*")))
    return W0.decide(alice(allow(GET, "*")), GET, "shared/a.csv", bucket=ext_bkt, network=gateway(ep))


# ==================================================================================================
# 7.8 Root user, Block Public Access, Object Ownership, ACLs, other S3 features
# ==================================================================================================

V56 = W0.with_bucket_policy(stmt("Deny", "*", "s3:*", [BKT, OBJ]))
vector("V56a", ALLOWED)(lambda: V56.decide(root(A), "s3:DeleteBucketPolicy"))
vector("V56b", EXPLICIT, "bucket-policy")(lambda: V56.decide(root(A), GET, Q1))
vector("V56c", EXPLICIT, "bucket-policy")(
    lambda: V56.decide(alice(allow("s3:*", "*")), "s3:DeleteBucketPolicy"))

RESTRICT_ONLY = BlockPublicAccess(restrict_public_buckets=True)
vector("V57", EXPLICIT, "block-public-access", http=403)(
    lambda: W0.with_bucket(bpa=RESTRICT_ONLY).with_bucket_policy(PUBLIC_READ).decide(ANONYMOUS, GET, Q1))
vector("V57-bpa-off", ALLOWED)(
    lambda: W0.with_bucket(bpa=BPA_OFF).with_bucket_policy(PUBLIC_READ).decide(ANONYMOUS, GET, Q1))

V58_PUBLIC = stmt("Allow", "*", GET, "arn:aws:s3:::data-bkt/public/*")
V58 = W0.with_bucket(bpa=RESTRICT_ONLY).with_bucket_policy(V58_PUBLIC, V13_BP)
vector("V58a", EXPLICIT, "block-public-access", http=403)(lambda: V58.decide(ext(allow(GET, OBJ)), GET, Q1))
vector("V58b", ALLOWED)(lambda: V58.decide(alice(allow(GET, OBJ)), GET, Q1))
vector("V58c", ALLOWED)(
    lambda: W0.with_bucket(bpa=RESTRICT_ONLY).with_bucket_policy(V13_BP).decide(
        ext(allow(GET, OBJ)), GET, Q1))


def _v59(ignore_public_acls: bool) -> Decision:
    w = W0.with_bucket(ownership="ObjectWriter", bpa=BlockPublicAccess(ignore_public_acls=ignore_public_acls))
    w = w.with_object("public/logo.png", owner_account=A,
                      acl=(AclGrant("account", "FULL_CONTROL", A), AclGrant("AllUsers", "READ")))
    return w.decide(ANONYMOUS, GET, "public/logo.png")


vector("V59", IMPLICIT, "bucket-policy")(lambda: _v59(True))
vector("V59-not-ignored", ALLOWED)(lambda: _v59(False))

V60 = W0.with_bucket(ownership="ObjectWriter", bpa=BlockPublicAccess(block_public_acls=True))
V60_ALICE = alice(allow([PUT, "s3:PutObjectAcl"], OBJ))
vector("V60a", REJECTED, "block-public-access", http=403)(
    lambda: V60.decide(V60_ALICE, PUT, "tmp/x", headers={"x-amz-acl": "public-read"}))
vector("V60b", ALLOWED)(lambda: V60.decide(V60_ALICE, PUT, "tmp/x"))


def _v61(condition: dict[str, object] | None) -> Decision:
    extra = {"Condition": condition} if condition else {}
    new = bucket_policy(stmt("Allow", "*", GET, OBJ, **extra))
    return W0.decide(alice(allow("s3:PutBucketPolicy", BKT)), "s3:PutBucketPolicy", new_policy=new)


vector("V61a", REJECTED, "block-public-access", http=403)(lambda: _v61(None))
vector("V61b", ALLOWED)(lambda: _v61({"StringEquals": {"aws:SourceVpce": VPCE}}))

DROP = "drop/x.csv"
V62 = W0.with_bucket(ownership="ObjectWriter").with_object(
    DROP, owner_account=B, acl=(AclGrant("account", "FULL_CONTROL", B),)).with_bucket_policy(V06_BP)
V62_APP = app(allow([GET, "s3:DeleteObject"], OBJ))
vector("V62a", IMPLICIT, "bucket-acl")(lambda: V62.decide(V62_APP, GET, DROP))
vector("V62b", ALLOWED)(lambda: V62.decide(V62_APP, "s3:DeleteObject", DROP))
vector("V63", ALLOWED)(lambda: V62.with_bucket(ownership="BucketOwnerEnforced").decide(V62_APP, GET, DROP))

V64_ALICE = alice(allow([PUT, "s3:PutObjectAcl"], OBJ))
vector("V64a", REJECTED, "object-ownership", http=400)(
    lambda: W0.with_bucket(bpa=BPA_OFF).decide(V64_ALICE, PUT, "tmp/x", headers={"x-amz-acl": "public-read"}))
vector("V64b", ALLOWED)(lambda: W0.with_bucket(bpa=BPA_OFF).decide(
    V64_ALICE, PUT, "tmp/x", headers={"x-amz-acl": "bucket-owner-full-control"}))

V65 = W0.with_bucket(ownership="ObjectWriter").with_object(
    DROP, owner_account=B, acl=(AclGrant("account", "FULL_CONTROL", B),))
vector("V65a", ALLOWED)(lambda: V65.decide(ext(allow(GET, OBJ)), GET, DROP))
vector("V65b", EXPLICIT, "bucket-policy")(lambda: V65.with_bucket_policy(
    stmt("Deny", P(EXT_ROLE), GET, "arn:aws:s3:::data-bkt/drop/*")).decide(ext(allow(GET, OBJ)), GET, DROP))

V66 = W0.with_bucket(requester_pays=True).with_bucket_policy(stmt("Allow", P(EXT_ROLE), GET, OBJ))
vector("V66a", REJECTED, "request-validation", http=403)(lambda: V66.decide(ext(allow(GET, OBJ)), GET, Q1))
vector("V66b", ALLOWED)(
    lambda: V66.decide(ext(allow(GET, OBJ)), GET, Q1, headers={"x-amz-request-payer": "requester"}))
vector("V66c", REJECTED, "request-validation", http=403)(lambda: W0.with_bucket(
    requester_pays=True, bpa=BPA_OFF).with_bucket_policy(PUBLIC_READ).decide(ANONYMOUS, GET, Q1))


@vector("V67", REJECTED, "request-validation")
def _v67() -> Decision:
    ap1 = AccessPointState("ap1", A, REGION, vpc_origin="vpc-111bbb22")
    a = alice(allow(GET, [OBJ, f"arn:aws:s3:{REGION}:{A}:accesspoint/ap1/object/*"]))
    return W0.decide(a, GET, Q1, access_point=ap1)


EXTAP_OBJECTS = f"arn:aws:s3:{REGION}:{B}:accesspoint/extap/object/*"
EXTAP = AccessPointState("extap", B, REGION, policy=policy(
    PolicyKind.ACCESS_POINT, stmt("Allow", P(EXT_ROLE), GET, EXTAP_OBJECTS)))
V68_EXT = ext(allow(GET, [EXTAP_OBJECTS, OBJ]))
vector("V68a", IMPLICIT, "bucket-policy")(lambda: W0.decide(V68_EXT, GET, Q1, access_point=EXTAP))
vector("V68b", ALLOWED)(lambda: W0.with_bucket_policy(
    stmt("Allow", P("*"), [GET, LIST], [BKT, OBJ],
         Condition={"StringEquals": {"s3:DataAccessPointAccount": B}})).decide(
        V68_EXT, GET, Q1, access_point=EXTAP))


def _v69(statements: list[Stmt]) -> Decision:
    return W0.with_object("missing.csv", exists=False).decide(alice(*statements), GET, "missing.csv")


vector("V69", IMPLICIT, "identity-policy", http=403)(lambda: _v69([allow(GET, OBJ)]))
vector("V69-with-listbucket", ALLOWED, http=404)(
    lambda: _v69([allow(GET, OBJ), allow(LIST, BKT)]))

V70_ALICE = alice({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": OBJ})
vector("V70a", ALLOWED)(lambda: W0.decide(V70_ALICE, "s3:DeleteObject", Q1))
vector("V70b", IMPLICIT, "identity-policy")(lambda: W0.decide(V70_ALICE, LIST, operation="ListObjectsV2"))


def _v70c() -> Decision:
    """ListAllMyBuckets is not a request on a bucket, which S3Request always names; its identity
    policy is matched at the statement level against the resource ``*`` it is authorized on."""
    policies = V70_ALICE.identity_policies or ()
    target = Target(V70_ALICE, "s3:ListAllMyBuckets", "*", RequestContext.of({}))
    hit, _ = find_any(policies, target, "Allow")
    assert find_any(policies, replace(target, action="s3:DeleteObject"), "Allow")[0] is False
    return Decision("allowed") if hit else Decision("implicit-deny", "identity-policy")


vector("V70c", IMPLICIT, "identity-policy")(_v70c)

V71_ALICE = alice(allow("s3:*", [BKT, OBJ]),
                  {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::data-bkt/public/*"})
vector("V71a", ALLOWED)(lambda: W0.decide(V71_ALICE, GET, "public/a.png"))
vector("V71b", EXPLICIT, "identity-policy")(lambda: W0.decide(V71_ALICE, GET, Q1))
vector("V71c", EXPLICIT, "identity-policy")(lambda: W0.decide(V71_ALICE, LIST, operation="ListObjectsV2"))

BOB = federated("bob", A, [allow(LIST, BKT)])
vector("V72a", IMPLICIT, "session-policy")(
    lambda: W0.with_bucket_policy(stmt("Allow", P(f"arn:aws:iam::{A}:user/bob"), GET, OBJ)).decide(
        BOB, GET, Q1))
vector("V72b", ALLOWED, granted_by="bucket-policy")(lambda: W0.with_bucket_policy(
    stmt("Allow", P(f"arn:aws:sts::{A}:federated-user/bob"), GET, OBJ)).decide(BOB, GET, Q1))

NO_TOKEN = allow(GET, OBJ, Condition={"Null": {"aws:TokenIssueTime": "true"}})
vector("V73a", IMPLICIT, "identity-policy")(lambda: W0.decide(app(NO_TOKEN), GET, Q1))
vector("V73b", ALLOWED)(lambda: W0.decide(alice(NO_TOKEN), GET, Q1))

V74_ALICE = alice(allow("s3:*", "arn:aws:s3:::data-bkt*"))
vector("V74a", ALLOWED)(lambda: W0.decide(V74_ALICE, LIST, operation="ListObjectsV2"))
vector("V74b", ALLOWED)(lambda: W0.decide(V74_ALICE, GET, Q1))
vector("V74c", ALLOWED)(
    lambda: W0.decide(V74_ALICE, GET, Q1, bucket=BucketState("data-bkt-archive", A, REGION)))

FILE_Q = alice(allow(GET, "arn:aws:s3:::data-bkt/file?.txt"))
vector("V75a", ALLOWED)(lambda: W0.decide(FILE_Q, GET, "file1.txt"))
vector("V75b", IMPLICIT, "identity-policy")(lambda: W0.decide(FILE_Q, GET, "file10.txt"))
vector("V75c", ALLOWED)(lambda: W0.decide(alice(allow(GET, "arn:aws:s3:*")), GET, Q1))


# ==================================================================================================


def _explain(d: Decision) -> str:
    steps = "\n  ".join(s.render() for s in d.trace)
    return f"{d.summary()} kms={d.kms_action} http={d.http_status}\n  {steps}"


@pytest.mark.parametrize("v", VECTORS, ids=[v.id for v in VECTORS])
def test_vector(v: Vector) -> None:
    d = v.run()
    assert (d.outcome, d.layer) == (v.outcome, v.layer), _explain(d)
    assert d.kms_action == v.kms_action, _explain(d)
    if v.http is not None:
        assert d.http_status == v.http, _explain(d)
    if v.granted_by is not None:
        assert any(s.layer == v.granted_by and s.outcome == "allow" for s in d.trace), _explain(d)


def test_every_numbered_vector_is_covered() -> None:
    numbers = {int(v.id[1:3]) for v in VECTORS}
    assert numbers == set(range(1, 76))


def test_ids_are_unique() -> None:
    ids = [v.id for v in VECTORS]
    assert len(ids) == len(set(ids))
