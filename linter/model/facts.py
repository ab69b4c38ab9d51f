"""What a frontend reports about the sources: one fact per thing AWS would create or configure.

Frontends know syntax and nothing about AWS evaluation; the world builder knows how facts link
(by ARN, name and id) and nothing about syntax. Terraform spreads a bucket's configuration over
several resources while CloudFormation nests it, so both emit the same small facts (a bucket,
its policy, its encryption, its public access block ...) and one linker joins them.

Conventions every frontend follows:
- ``ref`` is the source address: ``aws_iam_role.reader``, ``module.app.aws_iam_role.r``,
  ``aws_s3_bucket.b["logs"]``, or a CloudFormation logical id (``ReaderRole``).
- Strings may hold tokens (:mod:`why403.model.symbols`): the home account and region, opaque ids
  AWS generates, values the sources leave open. The same source value always gives the same
  token, so ``aws_s3_bucket.x.arn`` written in two files compares equal.
- ``account`` and ``region`` are where the thing is created (the provider's account for
  Terraform, the home account for CloudFormation).
- Policies are already parsed (:func:`why403.policy.parse.parse_policy`) with statement locations.
- A boolean setting the sources leave open is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from why403.model.acl import AclGrant
from why403.model.location import Location, Problem
from why403.model.policy import Policy


@dataclass(frozen=True)
class Fact:
    ref: str
    location: Location


# -- accounts and deployment ------------------------------------------------------------------


@dataclass(frozen=True)
class DeployerFact(Fact):
    """The principal that applies the sources (a Terraform provider's ``assume_role``)."""

    arn: str
    account: str


@dataclass(frozen=True)
class AccountFact(Fact):
    """An account the sources deploy into, with how the sources name it (a provider alias)."""

    account: str
    region: str
    name: str = ""


# -- S3 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BucketFact(Fact):
    name: str
    account: str
    region: str


@dataclass(frozen=True)
class BucketPolicyFact(Fact):
    bucket: str  # bucket name (or a token standing for it)
    policy: Policy
    # The account that writes the policy: a bucket's owner alone may set its policy, so a bucket the
    # sources do not create is in this account (None: not said).
    account: str | None = None


@dataclass(frozen=True)
class BucketEncryptionFact(Fact):
    bucket: str
    algorithm: str  # "AES256", "aws:kms", "aws:kms:dsse", or a token
    key: str | None = None  # key id, key ARN, alias name or alias ARN, as written
    bucket_key: bool | None = False


@dataclass(frozen=True)
class PublicAccessBlockFact(Fact):
    """Bucket-level when ``bucket`` is set; account-level (``aws_s3_account_public_access_block``) otherwise."""

    bucket: str | None
    account: str
    block_public_acls: bool | None = False
    ignore_public_acls: bool | None = False
    block_public_policy: bool | None = False
    restrict_public_buckets: bool | None = False


@dataclass(frozen=True)
class OwnershipFact(Fact):
    bucket: str
    ownership: str  # BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter (or a token)


@dataclass(frozen=True)
class BucketAclFact(Fact):
    bucket: str
    canned: str | None = None  # private, public-read, log-delivery-write ...
    grants: tuple[AclGrant, ...] = ()


@dataclass(frozen=True)
class BucketLoggingFact(Fact):
    """Server access logging from ``bucket`` into ``target_bucket`` (delivered by logging.s3.amazonaws.com)."""

    bucket: str
    target_bucket: str
    target_prefix: str = ""


@dataclass(frozen=True)
class ServiceDeliveryFact(Fact):
    """A resource that makes an AWS service act on a bucket: a trail, a flow log, a GuardDuty
    publishing destination, a Config delivery channel, a CloudFront origin access control...

    ``service`` is the id of the service's entry in ``data/services.json``; ``source_arn`` and
    ``source_account`` the ARN and account of the resource (the service's ``aws:SourceArn`` and
    ``aws:SourceAccount``); ``key`` the KMS key it names for the objects, if any; ``role`` the role
    whose credentials the service uses, for a service that acts as a role (Firehose)."""

    service: str
    bucket: str
    prefix: str
    source_arn: str
    source_account: str
    key: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class ServiceRoleFact(Fact):
    """The role a service acts as in an account (an AWS Config configuration recorder's role):
    ``service`` is its entry in ``data/services.json``."""

    service: str
    role: str
    account: str


@dataclass(frozen=True)
class RequesterPaysFact(Fact):
    bucket: str
    enabled: bool | None


@dataclass(frozen=True)
class ObjectFact(Fact):
    """One object as ``head-object`` describes it: how it is encrypted and, when known, which account
    owns it. Only read from live dumps (``why403 diagnose``); sources never describe objects.

    ``algorithm`` is the ``ServerSideEncryption`` header (``AES256``, ``aws:kms``, ``aws:kms:dsse``),
    None for an unencrypted object. ``owner_account`` None: not determined (ACLs enabled and the
    object written by someone whose account the dumps do not say).
    """

    bucket: str
    key: str
    algorithm: str | None
    kms_key: str | None = None  # the key ARN S3 reports (SSEKMSKeyId)
    bucket_key: bool = False
    owner_account: str | None = None
    exists: bool = True  # head-object answered 404: GetObject then answers 404 or 403 (ListBucket)
    acl: tuple[AclGrant, ...] = ()  # get-object-acl, when ACLs are enabled on the bucket


@dataclass(frozen=True)
class AccessPointFact(Fact):
    name: str
    bucket: str
    account: str
    region: str
    policy: Policy | None = None
    vpc_id: str | None = None  # network origin VPC
    block_public_acls: bool | None = True
    ignore_public_acls: bool | None = True
    block_public_policy: bool | None = True
    restrict_public_buckets: bool | None = True


@dataclass(frozen=True)
class AccessPointPolicyFact(Fact):
    access_point: str  # access point ARN or name
    policy: Policy


# -- KMS --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFact(Fact):
    """A customer managed key. ``policy`` None means the sources set none, so AWS applies the
    default key policy (the account root statement)."""

    key_id: str
    arn: str
    account: str
    region: str
    policy: Policy | None = None
    enabled: bool | None = True
    bypass_lockout_check: bool = False
    aws_managed: bool = False  # KeyManager AWS (aws/s3 ...): its policy cannot be changed


@dataclass(frozen=True)
class KeyPolicyFact(Fact):
    """``aws_kms_key_policy``: replaces the key's policy."""

    key: str  # key id or ARN
    policy: Policy
    bypass_lockout_check: bool = False
    # Where the policy is written: PutKeyPolicy works only in the key's own account, so a key the
    # sources do not create is in this account and region (None: not said).
    account: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class AliasFact(Fact):
    name: str  # "alias/app"
    target_key: str  # key id or ARN
    account: str
    region: str


@dataclass(frozen=True)
class GrantFact(Fact):
    key: str  # key id or ARN
    grantee: str  # principal ARN
    operations: tuple[str, ...]  # "Decrypt", "GenerateDataKey" ...
    context_equals: tuple[tuple[str, str], ...] | None = None
    context_subset: tuple[tuple[str, str], ...] | None = None


# -- network and compute ----------------------------------------------------------------------


@dataclass(frozen=True)
class EndpointFact(Fact):
    endpoint_id: str
    service_name: str  # com.amazonaws.us-east-1.s3
    endpoint_type: str  # Gateway | Interface (Gateway when unset, as AWS defaults)
    vpc_id: str
    account: str
    region: str
    policy: Policy | None = None  # None = AWS's default full-access policy
    route_table_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndpointPolicyFact(Fact):
    """``aws_vpc_endpoint_policy``: replaces the endpoint's policy."""

    endpoint_id: str
    policy: Policy


@dataclass(frozen=True)
class EndpointRouteTableFact(Fact):
    endpoint_id: str
    route_table_id: str


@dataclass(frozen=True)
class SubnetFact(Fact):
    subnet_id: str
    vpc_id: str


@dataclass(frozen=True)
class RouteTableAssociationFact(Fact):
    subnet_id: str
    route_table_id: str


@dataclass(frozen=True)
class InstanceProfileFact(Fact):
    name: str
    arn: str
    roles: tuple[str, ...]  # role names


@dataclass(frozen=True)
class TaskDefinitionFact(Fact):
    arn: str  # token for the task definition (what services reference)
    task_role: str | None  # role ARN or name
    network_mode: str | None = None


@dataclass(frozen=True)
class ComputeFact(Fact):
    """Something that runs with a role: ``lambda``, ``ec2`` (instance or launch template), ``ecs``.

    Exactly one of ``role`` (ARN or name), ``instance_profile`` (name or ARN) or
    ``task_definition`` (what an ECS service references) says which role it uses.
    """

    kind: str
    subnet_ids: tuple[str, ...] = ()
    role: str | None = None
    instance_profile: str | None = None
    task_definition: str | None = None
    in_vpc: bool | None = None


# -- IAM --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleFact(Fact):
    name: str
    arn: str
    account: str
    unique_id: str
    trust_policy: Policy | None = None
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    # True when a variable decides the list of managed policies (so more may be attached).
    managed_policies_unknown: bool = False
    # True when the sources do not determine every tag (a tags value left open, CloudFormation's
    # stack-level tags): a tag not in ``tags`` may exist.
    tags_open: bool = False


@dataclass(frozen=True)
class SessionFact(Fact):
    """A role session as STS created it (a CloudTrail ``AssumeRole`` event): the session policies
    passed then cap the role's permissions for that session only, and its session tags replace the
    role's tags of the same key. Only read from live dumps (``why403 diagnose``).

    ``inline_policy`` is the ``policy`` parameter, ``policy_arns`` the managed session policies
    (resolved by the world); neither set means no session policy was passed. ``unknown`` says why
    the session policies are not known (CloudTrail withheld them); the others are then empty.
    """

    arn: str  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
    role_arn: str
    session_name: str
    inline_policy: Policy | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    unknown: str | None = None


@dataclass(frozen=True)
class UserFact(Fact):
    name: str
    arn: str
    account: str
    unique_id: str
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    boundary_arn: str | None = None
    groups: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    tags_open: bool = False  # as for RoleFact


@dataclass(frozen=True)
class GroupFact(Fact):
    name: str
    arn: str
    account: str
    inline_policies: tuple[Policy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManagedPolicyFact(Fact):
    """A customer managed policy; CloudFormation may attach it here (Roles/Users/Groups)."""

    name: str
    arn: str
    account: str
    policy: Policy
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class InlinePolicyFact(Fact):
    """An inline policy defined apart from its principal (``aws_iam_role_policy``, ``AWS::IAM::Policy``)."""

    policy: Policy
    roles: tuple[str, ...] = ()  # role names (or ARNs)
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttachmentFact(Fact):
    """A managed policy attached to principals (``aws_iam_role_policy_attachment`` and friends)."""

    policy_arn: str
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupMembershipFact(Fact):
    group: str
    users: tuple[str, ...]


# -- Organizations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgPolicyFact(Fact):
    policy_id: str
    policy_type: str  # SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY
    policy: Policy
    targets: tuple[str, ...] = ()  # account ids, OU ids, root ids


@dataclass(frozen=True)
class OrgMembershipFact(Fact):
    """Where an account sits in its organization (``organizations list-parents``, repeated up to the
    root): ``parents`` from the root down to the account's own OU. With it, the policies attached to
    the root, each OU and the account are separate levels, each of which must allow (access-model
    2.2), rather than one level of whatever the sources attach."""

    account: str
    org_id: str
    parents: tuple[str, ...]  # r-xxxx, ou-xxxx-yyyyyyyy, ... (root first)
    management_account: str | None = None


@dataclass(frozen=True)
class OrgAttachmentFact(Fact):
    policy_id: str
    target: str


# -- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Diagnostic:
    """An error (input that could not be read) or a note (a value left unknown and how to supply it)."""

    severity: str  # "error" | "note" | "warning"
    message: str
    location: Location
    code: str = "source"


@dataclass(frozen=True)
class SourceResult:
    """Everything one frontend read from one input (a Terraform root module, a template)."""

    facts: tuple[Fact, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    files: tuple[str, ...] = ()
    resources: int = 0
    # Policies that failed to parse or validate keep their problems on the Policy itself;
    # problems outside policies (a bad template) are diagnostics.
    problems: tuple[Problem, ...] = field(default=())
    # Parts of the input the frontend could not read that may configure AWS resources: a custom
    # resource, a Rain module, a registry module that is not downloaded. A bucket of such an input
    # with no policy in the facts may still get one from them, so its policy is unknown, not absent.
    unread: tuple[str, ...] = ()
    # Files looked at and found not to be an input of this kind (YAML or JSON that is not a
    # template: an AppSpec, a workflow, a Kubernetes manifest): counted, never an error.
    skipped: tuple[str, ...] = ()
    # Resource types of the input that its language does not define (a template's ``Custom::`` or
    # third-party types, a misspelt type): one entry per resource, counted in the summary.
    unknown_types: tuple[str, ...] = ()
    # The deployment unit the input belongs to (a Terraform root module's directory, a template or
    # the template of the CDK stack it is nested in, a plan file), as the pipeline names it, and the
    # token scope its values were made in (symbols.scope_for of the input's path).
    unit: str = ""
    scope: str = ""
    # Handles of things this input makes that another may use, and of such things it uses (an
    # ``export:NAME`` of a template and the ``Fn::ImportValue`` of it, a Terraform ``state:...`` and
    # the ``terraform_remote_state`` that reads it): explicit evidence that two units work together.
    provides: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceOptions:
    """What the user told the run about values the sources leave open."""

    account_id: str | None = None
    region: str | None = None
    tf_vars: tuple[tuple[str, str], ...] = ()
    tf_var_files: tuple[str, ...] = ()
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_parameter_files: tuple[str, ...] = ()

    @property
    def home_account(self) -> str:
        from why403.model.symbols import HOME_ACCOUNT

        return self.account_id or HOME_ACCOUNT

    @property
    def home_region(self) -> str:
        from why403.model.symbols import HOME_REGION

        return self.region or HOME_REGION


@dataclass(frozen=True)
class SuppressionFact(Fact):
    """A suppression written in the sources: ``# why403:ignore[RULE] reason until=YYYY-MM-DD`` in
    Terraform, ``Metadata: {why403: {ignore: [{rule, reason, until}]}}`` in CloudFormation.

    ``location`` spans what it covers (``line``..``end_line``): the resource block or statement
    the comment sits on or above, or the whole CloudFormation resource. An empty ``reason`` is
    kept so that the run can say a reason is required.
    """

    rules: tuple[str, ...]
    reason: str
    until: str | None = None
    comment_location: Location | None = None
