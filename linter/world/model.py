"""The linked world: every bucket, key, principal and path the sources will create, joined up.

Built once per run by :mod:`why403.world.build` from the facts of every input, so that a role in
one stack, a bucket policy in a Terraform module and an SCP in a third file meet here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from why403.model.actor import Actor
from why403.model.arn import PARTITION, partition_of, s3_bucket, s3_object
from why403.model.facts import Diagnostic
from why403.model.location import Location
from why403.model.policy import Policy
from why403.model.settings import Settings
from why403.simulate.state import AccessPointState, BucketState, Environment, KmsKey, Network, ObjectState


@dataclass(frozen=True)
class NetworkPath:
    """One way a principal's requests reach S3, with the source of that knowledge."""

    network: Network
    endpoint_ref: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class PrincipalInfo:
    """A principal the sources create or name. ``actor`` is what makes requests (a role session)."""

    ref: str
    arn: str
    account: str
    actor: Actor
    location: Location | None = None
    kind: str = "role"  # role | user | root | service | external
    paths: tuple[NetworkPath, ...] = ()
    admin: bool = False
    in_sources: bool = True

    @property
    def label(self) -> str:
        return self.ref or self.arn


@dataclass(frozen=True)
class WrittenPolicy:
    """One of several policies the sources write for one bucket. ``open`` says why it may not be
    created at all (its ``count`` depends on a value the sources leave open), else None."""

    ref: str
    location: Location
    open: str | None = None


@dataclass(frozen=True)
class BucketInfo:
    state: BucketState
    ref: str
    location: Location | None
    policy_ref: str | None = None
    in_sources: bool = True
    # A non-private ACL set with no Object Ownership setting: only an old (pre-2023) bucket can hold
    # it; S3 refuses it on a new bucket, which defaults to BucketOwnerEnforced.
    acl_without_ownership: str | None = None
    # Several policies written for the one bucket (each apply replaces the others): their sources.
    competing_policies: tuple[WrittenPolicy, ...] = ()
    # The sources write no public access block for the bucket: its own settings are the ones S3
    # gives a new bucket (all four on since April 2023).
    bpa_by_default: bool = False


@dataclass(frozen=True)
class AccessPointInfo:
    state: AccessPointState
    bucket: str
    ref: str
    location: Location | None


@dataclass(frozen=True)
class EndpointInfo:
    ref: str
    endpoint_id: str
    vpc_id: str
    endpoint_type: str
    region: str
    account: str
    policy: Policy | None
    location: Location | None
    route_table_ids: tuple[str, ...] = ()
    is_s3: bool = True


@dataclass(frozen=True)
class ServiceUse:
    """An AWS service the sources make act on a bucket: ``profile`` is its entry in
    ``data/services.json``, ``service`` the principal that calls S3 (the role's ARN for a service
    that acts as a role), ``key`` the KMS key the resource configures."""

    service: str
    bucket: str
    prefix: str
    source_arn: str
    source_account: str
    ref: str
    location: Location | None
    profile: str = "s3-server-access-logging"
    key: str | None = None
    as_role: bool = False  # ``service`` is the ARN of the role the service acts as


@dataclass
class World:
    settings: Settings
    env: Environment
    buckets: dict[str, BucketInfo] = field(default_factory=dict)  # by name
    keys: dict[str, KmsKey] = field(default_factory=dict)  # by ARN, key id, alias name and alias ARN
    principals: dict[str, PrincipalInfo] = field(default_factory=dict)  # by ARN
    endpoints: dict[str, EndpointInfo] = field(default_factory=dict)  # by id
    access_points: dict[str, AccessPointInfo] = field(default_factory=dict)  # by ARN
    # Objects described by live dumps (head-object), by (bucket name, key); sources describe none.
    objects: dict[tuple[str, str], ObjectState] = field(default_factory=dict)
    services: list[ServiceUse] = field(default_factory=list)
    deployers: list[PrincipalInfo] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)  # accounts the sources deploy into
    managed_policies: dict[str, Policy] = field(default_factory=dict)  # customer managed, by ARN
    diagnostics: list[Diagnostic] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # source address -> ARN (or bucket name)
    # Every policy document the sources write, once each, with the source object that holds it.
    policies: list[tuple[Policy, str]] = field(default_factory=list)
    # Literal account ids the sources treat as their own while the home account is not configured
    # (a key of the home account administered by that account's root): the home account is then
    # compared as unknown against literals (see symbols.home_may_be_literal).
    home_literals: tuple[str, ...] = ()

    @property
    def home_uncertain(self) -> bool:
        return bool(self.home_literals)
    resources: int = 0

    def unique_keys(self) -> list[KmsKey]:
        seen: dict[str, KmsKey] = {}
        for key in self.keys.values():
            seen.setdefault(key.arn, key)
        return list(seen.values())

    def bucket_arn(self, name: str, key: str | None = None) -> str:
        """The ARN of a bucket (or of one of its objects), in the partition of the bucket's region
        when the sources define it."""
        info = self.buckets.get(name)
        partition = partition_of(info.state.region) if info is not None else PARTITION
        return s3_object(name, key, partition) if key is not None else s3_bucket(name, partition)

    def endpoint(self, id_or_ref: str) -> EndpointInfo | None:
        """A VPC endpoint by its id or its source address (as the config and --via name them)."""
        return self.endpoints.get(id_or_ref) or self.endpoints.get(self.refs.get(id_or_ref, ""))

    def principal(self, ref_or_arn: str) -> PrincipalInfo | None:
        if ref_or_arn in self.principals:
            return self.principals[ref_or_arn]
        arn = self.refs.get(ref_or_arn)
        if arn is not None:
            return self.principals.get(arn)
        for info in self.principals.values():
            if info.ref == ref_or_arn or info.ref.endswith("." + ref_or_arn):
                return info
        return None


def internet_path(reason: str, known: bool = True) -> NetworkPath:
    """Requests from the internet; ``known=False`` when that is only the default, not a fact."""
    return NetworkPath(Network("internet", source_ip=None, known=known), None, reason)


def endpoint_path(ep: EndpointInfo, reason: str) -> NetworkPath:
    """Requests that travel through an S3 endpoint carry its id and VPC and meet its policy."""
    kind = "gateway_endpoint" if ep.endpoint_type.lower() == "gateway" else "interface_endpoint"
    net = Network(kind, endpoint_policy=ep.policy, vpce_id=ep.endpoint_id, vpc_id=ep.vpc_id,  # type: ignore[arg-type]
                   source_ip=None, endpoint_ref=ep.ref, endpoint_region=ep.region)
    return NetworkPath(net, ep.ref, reason)
