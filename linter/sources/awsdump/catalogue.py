"""Every AWS CLI command a diagnosis reads: its dump name, its arguments, the IAM permission it needs,
the layers it informs, and the error codes that mean "nothing is configured" rather than "unreadable".

``--collect`` prints these commands; the diagnosis names them for every dump it misses. One table
keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.sources.awsdump.files import DumpName, resource_part


@dataclass(frozen=True)
class Command:
    """One kind of dump. ``args`` is a template over ``{resource}`` and the request's values."""

    service: str
    command: str
    args: str
    permission: str
    layers: tuple[str, ...]
    what: str
    # Error codes (from the .err file) that mean the setting is absent, which is itself an answer.
    absent: tuple[str, ...] = ()


COMMANDS: dict[tuple[str, str], Command] = {}


def _add(*commands: Command) -> None:
    for c in commands:
        COMMANDS[(c.service, c.command)] = c


_add(
    Command("sts", "get-caller-identity", "", "(none)", (), "the account whose credentials made these dumps"),
    Command("iam", "get-account-authorization-details", "", "iam:GetAccountAuthorizationDetails",
            ("identity-policy", "permissions-boundary"),
            "the roles, users, groups and managed policies of the account"),
    Command("s3api", "list-buckets", "", "s3:ListAllMyBuckets", (), "which account owns the bucket"),
    Command("s3api", "get-bucket-location", "--bucket {bucket}", "s3:GetBucketLocation", (),
            "the bucket's Region"),
    Command("s3api", "get-bucket-policy", "--bucket {bucket}", "s3:GetBucketPolicy", ("bucket-policy",),
            "the bucket policy", absent=("NoSuchBucketPolicy",)),
    Command("s3api", "get-public-access-block", "--bucket {bucket}", "s3:GetBucketPublicAccessBlock",
            ("block-public-access",), "the bucket's Block Public Access settings",
            absent=("NoSuchPublicAccessBlockConfiguration",)),
    Command("s3api", "get-bucket-ownership-controls", "--bucket {bucket}", "s3:GetBucketOwnershipControls",
            ("object-ownership", "bucket-acl"), "the bucket's Object Ownership setting",
            absent=("OwnershipControlsNotFoundError",)),
    Command("s3api", "get-bucket-acl", "--bucket {bucket}", "s3:GetBucketAcl", ("bucket-acl",), "the bucket ACL"),
    Command("s3api", "get-bucket-encryption", "--bucket {bucket}", "s3:GetEncryptionConfiguration",
            ("kms-key-policy",), "the bucket's default encryption",
            absent=("ServerSideEncryptionConfigurationNotFoundError",)),
    Command("s3api", "head-object", "--bucket {bucket} --key {key}", "s3:GetObject",
            ("kms-key-policy", "request-validation"), "the object's encryption and KMS key",
            absent=("404", "NotFound", "NoSuchKey")),
    Command("s3api", "get-object-acl", "--bucket {bucket} --key {key}", "s3:GetObjectAcl", ("bucket-acl",),
            "the object's owner and ACL (only matters when ACLs are enabled on the bucket)"),
    Command("s3control", "get-public-access-block", "--account-id {resource}", "s3:GetAccountPublicAccessBlock",
            ("block-public-access",), "the account's Block Public Access settings",
            absent=("NoSuchPublicAccessBlockConfiguration",)),
    Command("kms", "describe-key", "--key-id {key_id}", "kms:DescribeKey", ("kms-key-state",),
            "the key's account, Region, state and manager"),
    Command("kms", "get-key-policy", "--key-id {key_id} --policy-name default", "kms:GetKeyPolicy",
            ("kms-key-policy",), "the key policy"),
    Command("kms", "list-grants", "--key-id {key_id}", "kms:ListGrants", ("kms-grant",), "the key's grants"),
    Command("ec2", "describe-vpc-endpoints", "", "ec2:DescribeVpcEndpoints", ("vpc-endpoint-policy",),
            "the VPC endpoints and their policies"),
    Command("ec2", "describe-route-tables", "", "ec2:DescribeRouteTables", (),
            "which subnets route S3 traffic through a gateway endpoint"),
    Command("organizations", "describe-organization", "", "organizations:DescribeOrganization", ("scp", "rcp"),
            "whether the account is in an organization, its id and management account",
            absent=("AWSOrganizationsNotInUseException",)),
    Command("organizations", "list-policies", "--filter {resource}", "organizations:ListPolicies", ("scp", "rcp"),
            "the organization's SCPs or RCPs", absent=("PolicyTypeNotEnabledException",)),
    Command("organizations", "describe-policy", "--policy-id {resource}", "organizations:DescribePolicy",
            ("scp", "rcp"), "one SCP's or RCP's document"),
    Command("organizations", "list-targets-for-policy", "--policy-id {resource}",
            "organizations:ListTargetsForPolicy", ("scp", "rcp"), "where one SCP or RCP is attached"),
    Command("organizations", "list-parents", "--child-id {resource}", "organizations:ListParents", ("scp", "rcp"),
            "the OU (or root) above an account or OU"),
    Command("cloudtrail", "lookup-events", "--lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole",
            "cloudtrail:LookupEvents", ("session-policy",),
            "management events: AssumeRole (with its session policy), KMS and bucket policy changes"),
    Command("logs", "filter-log-events", "--log-group-name {log_group} --filter-pattern "
            "'{{ ($.eventSource = \"s3.amazonaws.com\") && ($.errorCode = \"AccessDenied\") }}'",
            "logs:FilterLogEvents", (), "S3 data events (GetObject, PutObject) from a trail delivered to "
            "CloudWatch Logs"),
)

READ_ONLY_NOTE = (
    "Every command only reads (get, list, describe, head, lookup, filter). The AWS managed policy "
    "ReadOnlyAccess allows all of them; SecurityAudit allows the configuration reads but not "
    "s3api head-object, which needs s3:GetObject on the object (it reads the object's metadata, not its "
    "content). Organizations commands answer only in the management account or a delegated administrator."
)


def command_for(name: DumpName) -> Command | None:
    return COMMANDS.get(name.kind)


def shell_quote(value: str) -> str:
    """A value as one POSIX shell word."""
    if value and all(c.isalnum() or c in "@%+=:,./_-" for c in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def command_line(name: DumpName, **values: str) -> str:
    """The AWS CLI command that writes this dump, its output and error redirected into the folder."""
    cmd = COMMANDS[name.kind]
    fields = {k: shell_quote(v) for k, v in values.items()}
    if name.resource is not None:
        fields.setdefault("resource", shell_quote(name.resource))
    args = cmd.args.format(**fields) if cmd.args else ""
    line = f"aws {cmd.service} {cmd.command}" + (f" {args}" if args else "") + " --output json"
    return f"{line} > {shell_quote(name.file)} 2> {shell_quote(name.stem + '.err')}"


def dump_name(service: str, command: str, resource: str | None = None) -> DumpName:
    return DumpName(service, command, resource_part(resource) if resource else None)
