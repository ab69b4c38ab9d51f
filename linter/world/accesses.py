"""Simulate every intended access through the engine, on every network path of its principal.

The work grows with the number of intents (times actions and paths), never with principals x
resources; identical requests are simulated once.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model.actor import Actor
from why403.model.glob import tri_glob
from why403.policy.context import ContextValue
from why403.simulate.decision import Decision
from why403.simulate.engine import authorize
from why403.simulate.request import S3Request, client_request
from why403.simulate.services import Delivery, service_request, settled
from why403.simulate.state import BucketState, external_bucket
from why403.world.intents import AccessIntent
from why403.world.model import EndpointInfo, NetworkPath, World, endpoint_path


@dataclass(frozen=True)
class AccessResult:
    intent: AccessIntent
    action: str
    path: NetworkPath
    request: S3Request
    decision: Decision


class Simulator:
    """Builds and evaluates requests, caching identical ones."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Keyed by the identity of the actor and the bucket state (callers pass drafts and variants
        # of a bucket under its own name); each entry holds both, so an id is never reused while
        # its entry lives.
        self.cache: dict[tuple[object, ...], tuple[Actor, BucketState, Decision]] = {}
        self._external: dict[str, BucketState] = {}
        self.simulated = 0
        self._s3_endpoints = tuple(sorted((ep for ep in world.endpoints.values() if ep.is_s3), key=lambda e: e.ref))
        self._endpoint_order = {id(ep): n for n, ep in enumerate(self._s3_endpoints)}
        self._endpoints_by_id: dict[str, list[EndpointInfo]] = {}
        self._endpoints_by_vpc: dict[str, list[EndpointInfo]] = {}
        for ep in self._s3_endpoints:
            self._endpoints_by_id.setdefault(ep.endpoint_id, []).append(ep)
            self._endpoints_by_vpc.setdefault(ep.vpc_id, []).append(ep)
        self._expected: dict[tuple[str, int, str], tuple[object, tuple[NetworkPath, ...]]] = {}

    def bucket(self, name: str) -> BucketState:
        info = self.world.buckets.get(name)
        if info is not None:
            return info.state
        if name not in self._external:  # one state per name, so that its decisions are cached
            self._external[name] = external_bucket(name)
        return self._external[name]

    def request(self, actor: Actor, action: str, bucket: BucketState, key: str | None, path: NetworkPath,
                context: tuple[tuple[str, ContextValue], ...] = (), access_point: str | None = None,
                delivery: Delivery | None = None) -> S3Request:
        ap_info = self.world.access_points.get(access_point) if access_point else None
        ap = ap_info.state if ap_info is not None else None
        if delivery is not None:
            return service_request(actor, action, bucket, key, delivery, path.network, ap)
        return client_request(actor, action, bucket, key, path.network, context, ap)

    def decide(self, actor: Actor, action: str, bucket: BucketState, key: str | None, path: NetworkPath,
               context: tuple[tuple[str, ContextValue], ...] = (), access_point: str | None = None,
               delivery: Delivery | None = None) -> tuple[S3Request, Decision]:
        req = self.request(actor, action, bucket, key, path, context, access_point, delivery)
        cache_key = (id(actor), id(bucket), action.lower(), key, path.network, context, access_point,
                     delivery.identity if delivery is not None else None)
        hit = self.cache.get(cache_key)
        if hit is not None and hit[0] is actor and hit[1] is bucket:
            return req, hit[2]
        found = authorize(req, self.world.env)
        if delivery is not None:
            found = settled(delivery, found)
        self.cache[cache_key] = (actor, bucket, found)
        self.simulated += 1
        return req, found

    def expected_paths(self, bucket: BucketState, action: str) -> tuple[NetworkPath, ...]:
        """The endpoints a bucket policy admits requests through (issue 5: a policy that admits a
        principal only through ``aws:SourceVpce``/``aws:SourceVpc`` tells the path it expects).

        Memoised per bucket, policy and action: every intent on a bucket asks the same question,
        and answering it afresh made large runs quadratic in the number of endpoints."""
        policy = bucket.policy
        if policy is None or policy.unknown is not None or not self._s3_endpoints:
            return ()
        key = (bucket.name, id(policy), action.lower())
        hit = self._expected.get(key)
        if hit is not None and hit[0] is policy:
            return hit[1]
        paths = self._expected_paths(bucket, action)
        self._expected[key] = (policy, paths)  # holding the policy keeps its id from being reused
        return paths

    def _expected_paths(self, bucket: BucketState, action: str) -> tuple[NetworkPath, ...]:
        policy = bucket.policy
        assert policy is not None
        vpces: set[str] = set()
        vpcs: set[str] = set()
        for stmt in policy.statements:
            if stmt.effect != "Deny" or stmt.maybe:
                continue
            if stmt.actions is not None and not any(tri_glob(a, action, ignore_case=True) is not False
                                                    for a in stmt.actions):
                continue
            for cond in stmt.conditions:
                if not cond.negated or cond.base not in ("StringNotEquals", "StringNotLike"):
                    continue
                if cond.key_lower == "aws:sourcevpce":
                    vpces.update(cond.values)
                elif cond.key_lower == "aws:sourcevpc":
                    vpcs.update(cond.values)
        if not vpces and not vpcs:
            return ()
        chosen = {id(ep): ep for value in vpces for ep in self._endpoints_by_id.get(value, ())}
        chosen.update({id(ep): ep for value in vpcs for ep in self._endpoints_by_vpc.get(value, ())})
        return tuple(endpoint_path(ep, f"the policy of bucket {bucket.name} only admits requests through it")
                     for ep in sorted(chosen.values(), key=lambda e: self._endpoint_order[id(e)]))

    def paths_for(self, intent: AccessIntent, bucket: BucketState, action: str) -> tuple[NetworkPath, ...]:
        paths = intent.paths or intent.principal.paths
        if all(not p.network.known for p in paths):
            expected = self.expected_paths(bucket, action)
            if expected:
                return expected
        return paths

    def run(self, intents: list[AccessIntent]) -> list[AccessResult]:
        results: list[AccessResult] = []
        for intent in intents:
            bucket = self.bucket(intent.bucket)
            for action in intent.actions:
                for path in self.paths_for(intent, bucket, action):
                    req, decision = self.decide(intent.principal.actor, action, bucket, intent.key, path,
                                                intent.context, intent.access_point, intent.delivery)
                    results.append(AccessResult(intent, action, path, req, decision))
        return results
