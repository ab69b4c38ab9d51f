"""The live-account frontend: a folder of AWS CLI JSON dumps -> the same model facts the Terraform and
CloudFormation frontends produce, with locations in the dump files (issue 18, ``why403 diagnose``).

It knows the AWS CLI's output formats and nothing about evaluation. What a dump does not say (it was
not collected, the command failed, AWS refused to answer) becomes an unknown in the facts, named after
the dump and the command that would collect it; AWS's own "nothing configured" answers, kept in the
``.err`` file beside each dump, are facts like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from why403.model.facts import AccountFact, BucketEncryptionFact, Diagnostic, ObjectFact, SourceResult
from why403.model.location import Location
from why403.sources.awsdump.catalogue import command_for
from why403.sources.awsdump.cloudtrail import TrailEvent, read_event_dumps, sessions
from why403.sources.awsdump.context import Reader, Status, is_account
from why403.sources.awsdump.files import DumpFolder, DumpName, scan_folder
from why403.sources.awsdump.iam import read_authorization_details
from why403.sources.awsdump.kms import key_id_of, key_ids, read_key
from why403.sources.awsdump.network import read_endpoints, read_route_tables
from why403.sources.awsdump.orgs import OrgState, read_organizations
from why403.sources.awsdump.s3 import (
    Owners,
    bucket_names,
    read_account_public_access_block,
    read_bucket,
    read_bucket_list,
)

__all__ = ["Dumps", "Hints", "load_dumps"]


@dataclass(frozen=True)
class Hints:
    """What the request (flags, or the CloudTrail event) says that the dumps may not: who owns a bucket,
    its Region, the object of the request, and the access key that made it."""

    bucket_accounts: tuple[tuple[str, str], ...] = ()
    bucket_regions: tuple[tuple[str, str], ...] = ()
    object_keys: tuple[tuple[str, str], ...] = ()
    access_key: str | None = None
    # The request's principal: only its IAM entities are read from the authorization dumps.
    principal: str | None = None


@dataclass
class Dumps:
    """Everything read from one dump folder."""

    root: Path
    result: SourceResult
    folder: DumpFolder
    status: dict[DumpName, Status] = field(default_factory=dict)
    callers: dict[str | None, str] = field(default_factory=dict)  # dump suffix (None: none) -> account
    iam_accounts: set[str] = field(default_factory=set)  # accounts whose IAM dump was read
    orgs: OrgState = field(default_factory=OrgState)
    events: list[TrailEvent] = field(default_factory=list)
    owners: Owners = field(default_factory=Owners)

    @property
    def home_account(self) -> str | None:
        """The account of dumps whose name carries none: the only caller identity, or the unsuffixed one."""
        if None in self.callers:
            return self.callers[None]
        accounts = set(self.callers.values())
        return next(iter(accounts)) if len(accounts) == 1 else None

    def state(self, name: DumpName) -> Status | None:
        return self.status.get(name)


def load_dumps(root: Path, hints: Hints | None = None) -> Dumps:
    hints = hints or Hints()
    folder = scan_folder(root)
    reader = Reader(folder)
    reader.diagnostics.extend(folder.diagnostics)
    dumps = Dumps(root, SourceResult(), folder)
    _unknown_names(reader)
    _callers(reader, dumps)
    home = dumps.home_account

    def account_of(resource: str | None) -> str | None:
        if is_account(resource):
            return resource
        return dumps.callers.get(resource) or (home if resource is None else None)

    for dump in folder.of_kind("s3api", "list-buckets"):
        read_bucket_list(reader, dump, account_of(dump.name.resource), dumps.owners)
    for dump in folder.of_kind("iam", "get-account-authorization-details"):
        found = read_authorization_details(reader, dump, hints.principal)
        account = found or account_of(dump.name.resource)
        if account and reader.state(dump.name) == Status("read"):
            dumps.iam_accounts.add(account)
    for dump in folder.of_kind("s3control", "get-public-access-block"):
        account = account_of(dump.name.resource)
        if account is not None:
            read_account_public_access_block(reader, dump, account)
    accounts, regions, keys = dict(hints.bucket_accounts), dict(hints.bucket_regions), dict(hints.object_keys)
    for bucket in bucket_names(reader):
        read_bucket(reader, bucket, dumps.owners, accounts.get(bucket), regions.get(bucket), keys.get(bucket))
    arns = {key_id_of(f.kms_key): f.kms_key for f in reader.facts if isinstance(f, ObjectFact) and f.kms_key
            and f.kms_key.startswith("arn:")}
    arns.update({key_id_of(f.key): f.key for f in reader.facts if isinstance(f, BucketEncryptionFact) and f.key
                 and f.key.startswith("arn:") and ":key/" in f.key})
    for key_id in key_ids(reader):
        read_key(reader, key_id, arns.get(key_id))
    for dump in folder.of_kind("ec2", "describe-vpc-endpoints"):
        read_endpoints(reader, dump, account_of(dump.name.resource))
    for dump in folder.of_kind("ec2", "describe-route-tables"):
        read_route_tables(reader, dump)
    dumps.orgs = read_organizations(reader)
    dumps.events = read_event_dumps(reader)
    sessions(reader, dumps.events, hints.access_key)
    dumps.status = reader.status
    dumps.result = SourceResult(facts=tuple(reader.facts), diagnostics=tuple(reader.diagnostics),
                                files=tuple(dict.fromkeys(reader.files_read)),
                                resources=len(reader.facts))
    return dumps


def _callers(reader: Reader, dumps: Dumps) -> None:
    for dump in reader.folder.of_kind("sts", "get-caller-identity"):
        located = reader.load(dump)
        if located is None:
            continue
        account = located.value.get("Account")
        if not is_account(account):
            reader.error(dump, "no 12-digit Account in the caller identity", located.line(located.value))
            continue
        assert isinstance(account, str)
        dumps.callers[dump.name.resource] = account
        reader.facts.append(AccountFact(ref=f"account {account}", location=dump.location(), account=account,
                                        region=""))


def _unknown_names(reader: Reader) -> None:
    for name, dump in reader.folder.files.items():
        if command_for(name) is None:
            reader.diagnostics.append(Diagnostic(
                "note", f"{name.service} {name.command} is not a command why403 reads; dumps are named "
                "<service>.<command>[.<resource>].json (docs/diagnose.md)", Location(dump.file), code="dump"))
