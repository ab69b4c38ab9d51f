"""What one request needs from the live account: the dumps to collect, by whom, and with which command.

:func:`plan` lists them for a request, resolving what earlier dumps already say (the object's KMS key
from ``head-object``, the SCPs from ``list-policies``); :func:`script` prints the same plan as a POSIX
shell script for ``why403 diagnose --collect``, where shell variables stand for what is only known once
the earlier commands have run.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.sources.awsdump.catalogue import READ_ONLY_NOTE, command_line, dump_name, shell_quote
from why403.sources.awsdump.context import arn_account, is_account
from why403.sources.awsdump.files import DumpName

OBJECT_READS = frozenset({"s3:getobject", "s3:getobjectversion", "s3:getobjectacl", "s3:getobjecttagging",
                          "s3:getobjectattributes", "s3:restoreobject"})
WRITES = frozenset({"s3:putobject"})


@dataclass(frozen=True)
class Target:
    """The request a plan is for, and what is known about it so far."""

    principal: str
    action: str
    bucket: str
    key: str | None = None
    vpce: str | None = None
    bucket_account: str | None = None
    kms_key: str | None = None  # key ARN or id of the object (or the bucket's default, for writes)
    ownership: str | None = None
    session: bool = False  # the principal is a role session whose AssumeRole event is not in the dumps
    in_org: bool | None = None
    policy_ids: tuple[tuple[str, str], ...] = ()  # (policy id, filter) from list-policies dumps
    placed: tuple[str, ...] = ()  # accounts whose place in the organization is in the dumps

    @property
    def principal_account(self) -> str | None:
        return arn_account(self.principal)

    @property
    def reads_object(self) -> bool:
        return self.key is not None and self.action.lower() in OBJECT_READS

    @property
    def writes(self) -> bool:
        return self.action.lower() in WRITES


@dataclass(frozen=True)
class Step:
    """One dump: its name, who must collect it, the command, and the layers it informs."""

    name: DumpName
    account: str
    command: str
    layers: tuple[str, ...]


def _key_id(key: str) -> str:
    return key.rsplit("/", 1)[-1] if key.startswith("arn:") else key


def plan(target: Target) -> list[Step]:
    """The dumps ``target`` needs, each with the concrete command that collects it."""
    steps: list[Step] = []
    p_account = target.principal_account or "the caller's account"
    b_account = target.bucket_account or "the bucket owner's account"

    def add(account: str, service: str, command: str, resource: str | None = None, layers: tuple[str, ...] = (),
            **values: str) -> None:
        from why403.sources.awsdump.catalogue import COMMANDS

        name = dump_name(service, command, resource)
        steps.append(Step(name, account, command_line(name, **values), layers or COMMANDS[(service, command)].layers))

    if target.principal.startswith("arn:"):
        add(p_account, "iam", "get-account-authorization-details",
            target.principal_account if target.principal_account and target.bucket_account and
            target.principal_account != target.bucket_account else None)
        if target.session:
            add(p_account, "cloudtrail", "lookup-events")
    b = target.bucket
    if target.bucket_account is None:
        add(b_account, "s3api", "list-buckets")
    for command in ("get-bucket-location", "get-bucket-policy", "get-public-access-block",
                    "get-bucket-ownership-controls", "get-bucket-acl"):
        add(b_account, "s3api", command, b, bucket=b)
    if target.writes or (target.key is None and target.action.lower() in OBJECT_READS):
        add(b_account, "s3api", "get-bucket-encryption", b, bucket=b)
    if target.reads_object and target.key is not None:
        add(b_account, "s3api", "head-object", b, bucket=b, key=target.key)
        if target.ownership not in (None, "BucketOwnerEnforced"):
            add(b_account, "s3api", "get-object-acl", b, ("bucket-acl",), bucket=b, key=target.key)
    if target.bucket_account:
        add(b_account, "s3control", "get-public-access-block", target.bucket_account)
    if target.kms_key:
        key_id = _key_id(target.kms_key)
        k_account = arn_account(target.kms_key) or b_account
        for command in ("describe-key", "get-key-policy", "list-grants"):
            add(k_account, "kms", command, key_id, key_id=target.kms_key)
    if target.vpce:
        add(p_account, "ec2", "describe-vpc-endpoints")
    add("the management account", "organizations", "describe-organization")
    if target.in_org:
        for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
            add("the management account", "organizations", "list-policies", kind)
        for pid, _ in target.policy_ids:
            add("the management account", "organizations", "describe-policy", pid)
            add("the management account", "organizations", "list-targets-for-policy", pid)
        for account in dict.fromkeys(a for a in (target.principal_account, target.bucket_account) if is_account(a)):
            if account not in target.placed:
                add("the management account", "organizations", "list-parents", account)
    return steps


def script(target: Target, folder: str) -> str:
    """``--collect``: the plan as a shell script, run once per account with that account's credentials."""
    b, key = target.bucket, target.key
    p_account = target.principal_account
    lines = [
        "#!/bin/sh",
        "# why403 diagnose --collect: the read-only AWS CLI commands this request's diagnosis needs.",
        f"#   principal  {target.principal}",
        f"#   action     {target.action}",
        f"#   resource   arn:aws:s3:::{b}" + (f"/{key}" if key else ""),
    ]
    if target.vpce:
        lines.append(f"#   via        {target.vpce}")
    lines += ["#", *(f"# {row}" for row in _wrap(READ_ONLY_NOTE)), "#",
              "# Each command writes the AWS CLI's JSON output unchanged to <service>.<command>[.<resource>].json",
              "# and its error, if any, to the .err file beside it (that is how 'no bucket policy' is told from",
              "# 'not allowed to read it'). Run each part with credentials of the account it names; then:",
              f"#   why403 diagnose {shell_quote(folder)} --principal {shell_quote(target.principal)} "
              f"--action {target.action} --resource {shell_quote('arn:aws:s3:::' + b + ('/' + key if key else ''))}"
              + (f" --vpce {target.vpce}" if target.vpce else ""),
              "set -u", f"mkdir -p {shell_quote(folder)} && cd {shell_quote(folder)} || exit 1",
              "export AWS_PAGER=\"\"", ""]
    account = p_account or "the caller's account"
    lines.append(f"# -- the caller's account ({account}): who it is and what IAM grants it")
    lines.append(command_line(dump_name("sts", "get-caller-identity", p_account if _two(target) else None)))
    lines.append(command_line(dump_name("iam", "get-account-authorization-details",
                                        p_account if _two(target) else None)))
    if target.principal.startswith("arn:aws:sts:"):
        lines.append("# the AssumeRole event that created the session holds its session policy (90 days of history;")
        lines.append("# STS logs it in the Region of the endpoint the caller used: us-east-1 for the global one)")
        lines.append(command_line(dump_name("cloudtrail", "lookup-events")))
    if target.vpce:
        lines.append(f"aws ec2 describe-vpc-endpoints --vpc-endpoint-ids {shell_quote(target.vpce)} --output json "
                     "> ec2.describe-vpc-endpoints.json 2> ec2.describe-vpc-endpoints.err")
        lines.append(f"aws ec2 describe-route-tables --filters Name=route.gateway-id,Values={shell_quote(target.vpce)} "
                     "--output json > ec2.describe-route-tables.json 2> ec2.describe-route-tables.err")
    lines.append("")
    owner = target.bucket_account or "the bucket owner's account"
    lines.append(f"# -- the bucket's account ({owner}): the bucket, the object and its KMS key")
    suffix = target.bucket_account if _two(target) else None
    if _two(target):
        lines.append(command_line(dump_name("sts", "get-caller-identity", suffix)))
    lines.append(command_line(dump_name("s3api", "list-buckets", suffix)))
    for command in ("get-bucket-location", "get-bucket-policy", "get-public-access-block",
                    "get-bucket-ownership-controls", "get-bucket-acl", "get-bucket-encryption"):
        lines.append(command_line(dump_name("s3api", command, b), bucket=b))
    lines.append("ACCOUNT=$(aws sts get-caller-identity --query Account --output text)")
    lines.append(_dynamic("s3control", "get-public-access-block", '--account-id "$ACCOUNT"', "$ACCOUNT"))
    if key is not None and target.action.lower() in OBJECT_READS:
        lines.append(command_line(dump_name("s3api", "head-object", b), bucket=b, key=key))
        lines.append("# only when ACLs are enabled on the bucket (Object Ownership is not BucketOwnerEnforced):")
        lines.append("# " + command_line(dump_name("s3api", "get-object-acl", b), bucket=b, key=key))
        lines.append(f"KEY=$(aws s3api head-object --bucket {shell_quote(b)} --key {shell_quote(key)} "
                     "--query SSEKMSKeyId --output text 2>/dev/null)")
    else:
        lines.append(f"KEY=$(aws s3api get-bucket-encryption --bucket {shell_quote(b)} --query "
                     "'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID' "
                     "--output text 2>/dev/null)")
    lines += [
        "# the KMS key (run with credentials of the key's account when it is another one)",
        "case \"$KEY\" in \"\"|None) ;; *)",
        "  ID=${KEY##*/}",
        "  " + _dynamic("kms", "describe-key", '--key-id "$KEY"', "$ID"),
        "  " + _dynamic("kms", "get-key-policy", '--key-id "$KEY" --policy-name default', "$ID"),
        "  " + _dynamic("kms", "list-grants", '--key-id "$KEY"', "$ID"),
        ";; esac",
        "",
        "# -- AWS Organizations (the management account or a delegated administrator): SCPs and RCPs",
        command_line(dump_name("organizations", "describe-organization")),
        "for FILTER in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do",
        "  " + _dynamic("organizations", "list-policies", '--filter "$FILTER"', "$FILTER"),
        "  for P in $(aws organizations list-policies --filter $FILTER --query 'Policies[].Id' --output text "
        "2>/dev/null); do",
        "    " + _dynamic("organizations", "describe-policy", '--policy-id "$P"', "$P"),
        "    " + _dynamic("organizations", "list-targets-for-policy", '--policy-id "$P"', "$P"),
        "  done",
        "done",
        "# where each account sits: its OU, the OU's parent ... up to the root",
    ]
    accounts = [a for a in (p_account, target.bucket_account) if a]
    lines.append(f"for CHILD in {' '.join(dict.fromkeys(accounts)) or 'ACCOUNT_ID'}; do")
    lines += [
        "  while :; do",
        "    " + _dynamic("organizations", "list-parents", '--child-id "$CHILD"', "$CHILD") + " || break",
        "    CHILD=$(aws organizations list-parents --child-id \"$CHILD\" --query 'Parents[0].Id' --output text)",
        "    case \"$CHILD\" in r-*|None|\"\") break;; esac",
        "  done",
        "done",
        "",
        "# -- the denied request itself. S3 object calls are CloudTrail data events, which lookup-events never",
        "# returns: read them from a trail delivered to CloudWatch Logs (set LOG_GROUP), or pass a trail's",
        "# S3 log file (gunzipped) to why403 diagnose --event.",
        "LOG_GROUP=${LOG_GROUP:-}",
        "[ -n \"$LOG_GROUP\" ] && " + command_line(dump_name("logs", "filter-log-events"), log_group="$LOG_GROUP")
        .replace("'$LOG_GROUP'", "\"$LOG_GROUP\""),
        "",
    ]
    return "\n".join(lines)


def _dynamic(service: str, command: str, args: str, resource: str) -> str:
    """A command whose resource is a shell variable (known only once an earlier command has run)."""
    stem = f"{service}.{command}.{resource}"
    return f'aws {service} {command} {args} --output json > "{stem}.json" 2> "{stem}.err"'


def _two(target: Target) -> bool:
    """Whether the caller and the bucket are in different accounts (account-wide dumps then carry theirs)."""
    p = target.principal_account
    return bool(p and target.bucket_account and p != target.bucket_account)


def _wrap(text: str, width: int = 96) -> list[str]:
    out: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        out.append(line)
    return out
