"""Benchmark of the evaluation engine: 10,000 requests against 50 policies of 20 statements each.

Usage::

    .venv/bin/python bench/engine.py [--requests N] [--seed S] [--profile] [--repeat R]

The 50 policies are parsed once, before the clock starts (parsing compiles nothing that the
engine recompiles per request: wildcard patterns are compiled and cached on first use and each
policy caches the statements that concern an action). They are spread over every layer the
engine consults:

* 20 identity policies (2 for each of 10 principals: users and role sessions in two accounts),
* 20 bucket policies (20 buckets, half with SSE-KMS by default),
* 4 KMS key policies, 3 SCPs (root, OU, account of the organization), 1 RCP, 2 VPC endpoint
  policies.

Every policy has 20 statements mixing exact and wildcard actions and resources, NotAction and
NotResource, principals of every form and conditions (string, ARN, IP, Bool, Null, set
operators, policy variables). Each request is a random principal x bucket x operation x key x
network path, evaluated by :func:`why403.simulate.engine.authorize` end to end (prechecks,
explicit denies, Block Public Access, SCP/RCP/endpoint guardrails, grants, the KMS calls).

It prints the wall time of the 10,000 decisions (and the CPU time, which other load on the
machine disturbs less) and their outcome mix. ``--profile`` runs the
same loop under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import random
import sys
import time
from typing import Any

from why403.model.actor import Actor, role_session
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.simulate.engine import authorize
from why403.simulate.request import S3Request
from why403.simulate.state import (
    AccountOrg,
    BlockPublicAccess,
    BucketState,
    Environment,
    KmsKey,
    Network,
    ObjectState,
    Organizations,
    OrgLevel,
)

STATEMENTS_PER_POLICY = 20
ACCOUNTS = ("111111111111", "222222222222")
REGION = "us-east-1"
OPERATIONS = (
    ("s3:GetObject", "GetObject"), ("s3:GetObject", "HeadObject"), ("s3:PutObject", "PutObject"),
    ("s3:PutObject", "UploadPart"), ("s3:DeleteObject", "DeleteObject"), ("s3:ListBucket", "ListObjectsV2"),
    ("s3:GetBucketPolicy", "GetBucketPolicy"), ("s3:PutObjectTagging", "PutObjectTagging"),
)
KEYS = ("reports/q1.csv", "home/alice/notes.txt", "logs/2026/01/01/app.log", "public/logo.png", "tmp/x")
CONDITIONS: tuple[dict[str, Any] | None, ...] = (
    None, None, None,
    {"Bool": {"aws:SecureTransport": "false"}},
    {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-a1"}},
    {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Null": {"aws:TokenIssueTime": "false"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/app-*"}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "public/*"]}},
    {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": ["o-a1/r-ab12/ou-ab12-11111111/"]}},
    {"StringEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
    {"NumericLessThanEquals": {"s3:max-keys": "1000"}},
)

DENY_CONDITIONS: tuple[dict[str, Any], ...] = (
    {"Bool": {"aws:SecureTransport": "false"}},
    {"StringEquals": {"aws:SourceVpce": "vpce-0000dead"}},
    {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
    {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/blocked-*"}},
    {"StringEquals": {"s3:x-amz-acl": ["public-read", "public-read-write"]}},
    {"NumericGreaterThan": {"s3:max-keys": "5000"}},
    {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
     "StringNotEquals": {"aws:PrincipalAccount": "222222222222"}},
)


def _statement(rng: random.Random, kind: PolicyKind, index: int, buckets: list[str]) -> dict[str, Any]:
    bucket = rng.choice(buckets)
    action_pool = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "s3:List*", "s3:DeleteObject",
                   "s3:ListBucket", "s3:*Object", "s3:Put?bject", "kms:Decrypt", "kms:GenerateDataKey*"]
    resource_pool = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*",
                     f"arn:aws:s3:::{bucket}/home/${{aws:username}}/*", f"arn:aws:s3:::{bucket}/logs/*/app.log",
                     f"arn:aws:s3:::{bucket[:6]}*", "arn:aws:s3:::*/public/*", "*",
                     f"arn:aws:kms:{REGION}:{ACCOUNTS[0]}:key/*"]
    effect = "Deny" if rng.random() < 0.15 else "Allow"
    s: dict[str, Any] = {"Sid": f"S{index}", "Effect": effect}
    if kind in (PolicyKind.BUCKET, PolicyKind.KEY, PolicyKind.ENDPOINT, PolicyKind.RCP):
        principals: list[Any] = [
            "*", {"AWS": ACCOUNTS[1]}, {"AWS": f"arn:aws:iam::{ACCOUNTS[0]}:role/app-{rng.randrange(5)}"},
            {"AWS": [f"arn:aws:iam::{ACCOUNTS[1]}:role/ext-{rng.randrange(5)}", ACCOUNTS[0]]},
            {"AWS": f"arn:aws:iam::{ACCOUNTS[0]}:user/user-{rng.randrange(5)}"},
            {"Service": "logging.s3.amazonaws.com"},
        ]
        s["Principal"] = "*" if kind is PolicyKind.RCP else rng.choice(principals)
    if kind is PolicyKind.RCP:
        s["Effect"] = "Deny"
    action_key = "NotAction" if rng.random() < 0.08 and kind is not PolicyKind.RCP else "Action"
    s[action_key] = rng.sample(action_pool, rng.randint(1, 3))
    resource_key = "NotResource" if rng.random() < 0.05 else "Resource"
    s[resource_key] = rng.sample(resource_pool, rng.randint(1, 2))
    if s["Effect"] == "Deny":
        # Guardrail-like denies that hold for few requests: they are all evaluated, and the
        # requests still reach the grant logic and the KMS calls behind them.
        s["Condition"] = rng.choice(DENY_CONDITIONS)
    else:
        cond = rng.choice(CONDITIONS)
        if cond is not None:
            s["Condition"] = cond
    return s


def make_policy(rng: random.Random, kind: PolicyKind, name: str, buckets: list[str]) -> Policy:
    statements = [_statement(rng, kind, i, buckets) for i in range(STATEMENTS_PER_POLICY)]
    if kind is PolicyKind.SCP:
        statements[0] = {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}
    if kind is PolicyKind.RCP:
        statements[0] = {"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*",
                         "Resource": "*"}
    if kind is PolicyKind.ENDPOINT:
        statements[0] = {"Sid": "Default", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    doc = {"Version": "2012-10-17", "Statement": statements}
    policy = parse_policy(doc, kind, origin=name)
    assert len(policy.statements) == STATEMENTS_PER_POLICY, policy.problems
    return policy


class World:
    """The 50 policies, placed on principals, buckets, keys, the organization and two endpoints."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.bucket_names = [f"bench-bucket-{i:02d}" for i in range(20)]
        self.policies: list[Policy] = []

        def new(kind: PolicyKind, name: str) -> Policy:
            p = make_policy(rng, kind, name, self.bucket_names)
            self.policies.append(p)
            return p

        self.keys: list[KmsKey] = []
        for i in range(4):
            arn = f"arn:aws:kms:{REGION}:{ACCOUNTS[0]}:key/k-{i}"
            key_policy = new(PolicyKind.KEY, f"key-{i}")
            self.keys.append(KmsKey(arn, ACCOUNTS[0], REGION, key_policy))
        self.buckets: list[BucketState] = []
        for i, name in enumerate(self.bucket_names):
            owner = ACCOUNTS[i % 5 == 4]  # a fifth of the buckets belong to the other account
            kms = i % 2 == 0
            self.buckets.append(BucketState(
                name=name, account=owner, region=REGION, policy=new(PolicyKind.BUCKET, f"bucket-{i}"),
                ownership="BucketOwnerEnforced" if i % 3 else "ObjectWriter",
                bpa=BlockPublicAccess.all(i % 4 != 0),
                default_encryption="SSE-KMS" if kms else "SSE-S3",
                default_key=self.keys[i % 4] if kms else None,
            ))
        self.actors: list[Actor] = []
        for i in range(10):
            account = ACCOUNTS[i >= 8]
            policies = (new(PolicyKind.IDENTITY, f"identity-{i}a"), new(PolicyKind.IDENTITY, f"identity-{i}b"))
            if i < 5:
                self.actors.append(role_session(f"arn:aws:iam::{account}:role/app-{i}", identity_policies=policies,
                                                unique_id=f"AROAAPP{i:013d}", tags={"team": "red"}))
            elif i < 8:
                self.actors.append(Actor(kind="iam_user", account=account, arn=f"arn:aws:iam::{account}:user/user-{i}",
                                         username=f"user-{i}", unique_id=f"AIDAUSER{i:012d}",
                                         identity_policies=policies))
            else:
                self.actors.append(role_session(f"arn:aws:iam::{account}:role/ext-{i}", identity_policies=policies,
                                                unique_id=f"AROAEXT{i:013d}"))
        self.actors += [Actor(kind="anonymous"), Actor(kind="service", service="logging.s3.amazonaws.com")]
        scps = [new(PolicyKind.SCP, f"scp-{level}") for level in ("root", "ou", "account")]
        rcp = new(PolicyKind.RCP, "rcp-ou")
        self.endpoints = [new(PolicyKind.ENDPOINT, f"endpoint-{i}") for i in range(2)]
        assert len(self.policies) == 50, len(self.policies)
        full_rcp = parse_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}, PolicyKind.RCP)
        self.env = Environment(
            orgs=Organizations({ACCOUNTS[0]: AccountOrg(
                org_id="o-a1",
                scp_levels=tuple(OrgLevel(n, (p,)) for n, p in zip(("root", "ou", "account"), scps, strict=True)),
                rcp_levels=(OrgLevel("root", (full_rcp,)), OrgLevel("ou", (rcp,)), OrgLevel("account", (full_rcp,))),
                org_paths=("o-a1/r-ab12/ou-ab12-11111111/",),
            )}),
            keys={k.arn: k for k in self.keys},
        )

    def requests(self, n: int, seed: int) -> list[S3Request]:
        rng = random.Random(seed + 1)
        out = []
        networks = [
            Network(),
            Network(tls=False),
            Network(source_ip="203.0.113.9"),
            Network(path="gateway_endpoint", endpoint_policy=self.endpoints[0], vpce_id="vpce-1a2b3c4d",
                    vpc_id="vpc-111bbb22", source_ip=None, vpc_source_ip="10.0.1.5"),
            Network(path="interface_endpoint", endpoint_policy=self.endpoints[1], vpce_id="vpce-9f8e7d6c",
                    vpc_id="vpc-111bbb22", source_ip=None, vpc_source_ip="10.0.2.7"),
        ]
        for _ in range(n):
            bucket = rng.choice(self.buckets)
            action, operation = rng.choice(OPERATIONS)
            key = None if action in ("s3:ListBucket", "s3:GetBucketPolicy") else rng.choice(KEYS)
            obj = None
            if key is not None and action != "s3:PutObject":
                kms = bucket.default_encryption == "SSE-KMS"
                obj = ObjectState(key, bucket.account, encryption="SSE-KMS" if kms else "SSE-S3",
                                  kms_key=bucket.default_key, bucket_key=rng.random() < 0.2)
            headers = {"x-amz-server-side-encryption": "aws:kms"} if action == "s3:PutObject" and rng.random() < 0.3 \
                else {}
            context = {"s3:prefix": "home/user-5/", "s3:max-keys": "100"} if action == "s3:ListBucket" else {}
            out.append(S3Request(actor=rng.choice(self.actors), action=action, bucket=bucket, key=key,
                                 operation=operation, object=obj, network=rng.choice(networks), headers=headers,
                                 context=context))
        return out


def run(requests: list[S3Request], env: Environment) -> collections.Counter[str]:
    outcomes: collections.Counter[str] = collections.Counter()
    for req in requests:
        d = authorize(req, env)
        outcomes[d.outcome if d.layer is None else f"{d.outcome} ({d.layer})"] += 1
    return outcomes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=403)
    ap.add_argument("--repeat", type=int, default=1, help="run the same requests again (warm caches)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile summary of the loop")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    world = World(args.seed)
    requests = world.requests(args.requests, args.seed)
    setup = time.perf_counter() - t0
    statements = sum(len(p.statements) for p in world.policies)
    print(f"{len(world.policies)} policies, {statements} statements, parsed once in {setup:.2f} s; "
          f"{len(requests)} requests")

    outcomes: collections.Counter[str] = collections.Counter()
    for attempt in range(args.repeat):
        profiler = cProfile.Profile() if args.profile else None
        start, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        outcomes = run(requests, world.env)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        label = "cold" if attempt == 0 else "warm"
        print(f"{label}: {len(requests)} decisions in {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({wall / len(requests) * 1e6:.0f} µs each)")
        if profiler is not None:
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    for outcome, count in outcomes.most_common():
        print(f"  {count:6d}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
