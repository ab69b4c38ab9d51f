"""``why403 diagnose``: a production 403 explained offline, from read-only dumps of the account.

``--collect`` prints the read-only AWS CLI commands that gather what one request's decision needs;
without it, the dumps are read into the same world the linter builds and the request is evaluated as
AWS did. why403 itself never holds a credential and never calls AWS.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from why403.cli.arguments import Ordered, UsageError, pair_outputs, parse_pairs
from why403.cli.check import say
from why403.report import FORMATS

if TYPE_CHECKING:
    from why403.model.denial import DeniedMessage
    from why403.report.diagnosis import DiagnosisReport
    from why403.sources.awsdump import Hints
    from why403.sources.awsdump.cloudtrail import TrailEvent
    from why403.sources.awsdump.collect import Target
    from why403.world.diagnosis import Diagnosis
    from why403.world.drift import Drift
    from why403.world.model import World

EXIT_ALLOWED, EXIT_DENIED, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3

DESCRIPTION = """\
Explain a production 403 offline: read dumps of the live account (the AWS CLI's JSON output, as
--collect prints the commands) and evaluate the request that was denied, layer by layer, as AWS did.
No credentials, no network: the dumps are all it reads."""

EPILOG = """\
the request:
  --principal/--action/--resource, or --event (a CloudTrail event, a trail log file, or lookup-events /
  filter-log-events output), or --message (AWS's AccessDenied text). Flags override the event.
  Without any of them, the one AccessDenied event in the dumps' CloudTrail files is used.

exit status:
  0  AWS would allow the request
  1  AWS denies it (the layer, the statement and the KMS step are printed)
  2  usage error, or the dumps could not be read
  3  the answer depends on what the dumps do not say (each missing dump is named with its command)

examples:
  why403 diagnose --collect dumps/ --principal arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a \\
      --action s3:GetObject --resource arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv > collect.sh
  why403 diagnose dumps/ --event dumps/logs.filter-log-events.json
  why403 diagnose dumps/ --principal arn:aws:sts::111122223333:assumed-role/app-reader/i-0f3a \\
      --action s3:GetObject --resource arn:aws:s3:::acme-reports-prod/2025/q1/revenue.csv --iac infra/
  (docs/diagnose.md walks through a case end to end)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = DESCRIPTION
    parser.epilog = EPILOG
    parser.add_argument("dumps", nargs="?", metavar="DUMPDIR",
                        help="the folder of dumps (with --collect: where the commands write them)")
    parser.add_argument("--collect", action="store_true",
                        help="print the read-only AWS CLI commands that collect what this request needs, and exit")
    req = parser.add_argument_group("the request that was denied")
    req.add_argument("--principal", help="who made it: a session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), "
                                         "a user ARN, 'anonymous', or a service principal")
    req.add_argument("--action", help="the IAM action, e.g. s3:GetObject")
    req.add_argument("--resource", help="the S3 ARN, e.g. arn:aws:s3:::bucket/key")
    req.add_argument("--event", metavar="FILE", help="a CloudTrail event file (one event, a trail's log file, or "
                                                     "lookup-events / filter-log-events output)")
    req.add_argument("--event-id", metavar="ID", help="which AccessDenied event, when the events hold several")
    req.add_argument("--message", metavar="TEXT", help="AWS's AccessDenied message, to cross-check (and to read "
                                                       "the request from, when no flag or event gives it)")
    req.add_argument("--vpce", metavar="ID", help="the VPC endpoint the request went through (vpce-...)")
    req.add_argument("--source-ip", metavar="IP", help="the caller's public address (requests from the internet)")
    req.add_argument("--header", action="append", default=[], metavar="NAME=VALUE",
                     help="a request header policies can see (x-amz-server-side-encryption, x-amz-acl ...); "
                          "repeatable. Default: none, as SDKs send none unless asked")
    req.add_argument("--context", action="append", default=[], metavar="KEY=VALUE",
                     help="set a request condition key (repeatable)")
    req.add_argument("--bucket-account", metavar="ID", help="the account that owns the bucket, when no dump says")
    req.add_argument("--region", metavar="REGION", help="the bucket's Region, when no dump says")
    parser.add_argument("--iac", action="append", default=[], metavar="PATH",
                        help="Terraform or CloudFormation that creates these resources: report drift per layer")
    out = parser.add_argument_group("reports")
    out.add_argument("-f", "--format", dest="format", action=Ordered, choices=sorted(FORMATS),
                     help="report format (repeatable): text (default), json, sarif, junit, github, gitlab")
    out.add_argument("-o", "--output", dest="output", action=Ordered, metavar="FILE",
                     help="write the preceding --format to FILE")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        say(f"why403 diagnose: error: {exc}")  # it may quote a dump: escaped like the reports
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("WHY403_DEBUG"):
            raise
        say(f"why403 diagnose: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in why403; run again with WHY403_DEBUG=1 to see where it happened.")
        return EXIT_USAGE


@dataclass
class _Asked:
    """The request as the flags, the event and the message describe it."""

    principal: str | None = None
    action: str | None = None
    resource: str | None = None
    operation: str | None = None
    vpce: str | None = None
    source_ip: str | None = None
    tls: bool | None = True
    region: str | None = None
    bucket_account: str | None = None
    access_key: str | None = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    source: str = "flags"


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    outputs = pair_outputs(getattr(args, "report_args", None) or [])
    if args.collect:
        return _collect(args)
    if not args.dumps:
        raise UsageError("give the folder of dumps (DUMPDIR), or --collect to print the commands that make one")
    root = Path(args.dumps)
    if not root.is_dir():
        raise UsageError(f"{args.dumps}: not a folder of dumps")
    asked = _asked(args, root)
    from why403.sources.awsdump.message import parse_message

    message: DeniedMessage | None = parse_message(asked.message) if asked.message else None
    if message is not None:
        asked.principal = asked.principal or message.principal
        asked.action = asked.action or message.action
        if asked.resource is None and message.resource and message.resource.startswith("arn:aws:s3:"):
            asked.resource = message.resource
    missing = [f for f in ("principal", "action", "resource") if not getattr(asked, f)]
    if missing:
        raise UsageError(f"the request is not complete: give --{', --'.join(missing)} (or --event, or --message)")
    assert asked.principal and asked.action and asked.resource
    if asked.action.lower().startswith("kms:"):
        raise UsageError(f"--action {asked.action}: diagnose S3's request (s3:GetObject ...); the KMS call S3 makes "
                         "for it is part of the evaluation")
    report = _diagnose(args, root, asked, message, started)
    from why403.report.diagnosis import render

    for spec in outputs:
        text = render(spec.fmt, report)
        if spec.path in (None, "-"):
            sys.stdout.write(text)
        else:
            assert spec.path is not None
            try:
                Path(spec.path).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"--output {spec.path}: cannot write: {exc.strerror or exc}") from None
    verdict = report.verdict
    return EXIT_DENIED if verdict == "denied" else EXIT_ALLOWED if verdict == "allowed" else EXIT_UNKNOWN


def _asked(args: argparse.Namespace, root: Path | None) -> _Asked:
    asked = _Asked()
    event = _event(args, root)
    if event is not None:
        asked = _from_event(event)
    for name in ("principal", "action", "resource", "vpce", "source_ip", "region", "bucket_account", "message"):
        value = getattr(args, name, None)
        if value:
            setattr(asked, name, value)
    if args.bucket_account and not (len(args.bucket_account) == 12 and args.bucket_account.isdigit()):
        raise UsageError(f"--bucket-account: expected 12 digits, got {args.bucket_account!r}")
    asked.headers.update({k.lower(): v for k, v in parse_pairs("--header", args.header)})
    return asked


def _event(args: argparse.Namespace, root: Path | None) -> TrailEvent | None:
    from why403.sources.awsdump.cloudtrail import read_event_dumps, read_event_file
    from why403.sources.awsdump.context import Reader
    from why403.sources.awsdump.files import DumpError, DumpFile, DumpName, scan_folder

    if args.event:
        path = Path(args.event)
        if not path.is_file():
            raise UsageError(f"--event {args.event}: no such file")
        try:
            events = read_event_file(DumpFile(DumpName("event", "file"), path, has_json=True))
        except DumpError as exc:
            where = f"{args.event}:{exc.line}" if exc.line else args.event
            raise UsageError(f"--event {where}: {exc}") from None
        source = args.event
    elif root is not None and not (args.principal or args.message):
        events = read_event_dumps(Reader(scan_folder(root)))
        source = f"the CloudTrail dumps of {root}"
        if not any(e.denied for e in events):
            return None
    else:
        return None
    denied = [e for e in events if e.denied and (not args.event_id or e.event_id == args.event_id)]
    s3 = [e for e in denied if e.source == "s3.amazonaws.com"]
    if len(s3) == 1 and all(e is s3[0] or _made_by_s3(e) for e in denied):
        denied = s3  # the KMS refusals S3 met on the caller's behalf are part of the S3 request's evaluation
    if not denied:
        which = f" with eventID {args.event_id}" if args.event_id else ""
        raise UsageError(f"no AccessDenied event{which} in {source}")
    if len(denied) > 1:
        listing = "\n  ".join(e.summary() for e in denied[:10])
        raise UsageError(f"{len(denied)} AccessDenied events in {source}; choose one with --event-id:\n  {listing}")
    return denied[0]


def _made_by_s3(event: TrailEvent) -> bool:
    """A KMS call S3 made with the caller's identity (a forward access session)."""
    return event.source == "kms.amazonaws.com" and "s3.amazonaws.com" in (
        event.text("userIdentity", "invokedBy"), event.text("sourceIPAddress"))


def _from_event(event: TrailEvent) -> _Asked:
    from why403.policy import catalogue

    asked = _Asked(source=f"{event.location.file}:{event.location.line}")
    ident = event.get("userIdentity") or {}
    kind = ident.get("type") if isinstance(ident, dict) else None
    account = event.text("userIdentity", "accountId")
    if kind == "AWSService":
        asked.principal = event.text("userIdentity", "invokedBy")
    elif account in ("anonymous", "ANONYMOUS_PRINCIPAL") or kind == "Anonymous":
        asked.principal = "anonymous"
    else:
        asked.principal = event.text("userIdentity", "arn")
    asked.access_key = event.access_key
    asked.region = event.text("awsRegion")
    params = event.get("requestParameters") if isinstance(event.get("requestParameters"), dict) else {}
    assert isinstance(params, dict)
    if event.source == "kms.amazonaws.com":
        context = params.get("encryptionContext")
        target = context.get("aws:s3:arn") if isinstance(context, dict) else None
        if isinstance(target, str):
            asked.resource = target
            asked.action = "s3:PutObject" if event.name.startswith("GenerateDataKey") else "s3:GetObject"
    else:
        bucket, key = params.get("bucketName"), params.get("key")
        if isinstance(bucket, str):
            asked.resource = f"arn:aws:s3:::{bucket}" + (f"/{key}" if isinstance(key, str) else "")
        permission = f"s3:{event.name}"
        if catalogue.action_exists(permission) is not True:
            mapped = catalogue.API_TO_PERMISSION.get(permission.lower())
            permission = mapped[0] if mapped else permission
            asked.operation = event.name
        asked.action = permission
        asked.headers = {k.lower(): str(v) for k, v in params.items() if k.lower().startswith("x-amz-")}
    for resource in event.get("resources") or ():
        if isinstance(resource, dict) and resource.get("type") == "AWS::S3::Bucket" and \
                isinstance(resource.get("accountId"), str):
            asked.bucket_account = resource["accountId"]
    asked.vpce = event.text("vpcEndpointId")
    source_ip = event.text("sourceIPAddress")
    if asked.vpce is None and source_ip and not source_ip.endswith(".amazonaws.com"):
        asked.source_ip = source_ip
    tls = event.get("tlsDetails") is not None or event.get("additionalEventData", "CipherSuite") is not None
    asked.tls = True if tls or event.source == "kms.amazonaws.com" else None
    text = event.text("errorMessage")
    if text and text.strip().lower() != "access denied":
        asked.message = text
    return asked


def _hints(asked: _Asked) -> Hints:
    from why403.model.arn import split_s3_arn
    from why403.sources.awsdump import Hints

    parsed = split_s3_arn(asked.resource or "")
    if parsed is None:
        raise UsageError(f"--resource {asked.resource}: expected an S3 ARN (arn:aws:s3:::bucket[/key])")
    bucket, key = parsed
    return Hints(bucket_accounts=((bucket, asked.bucket_account),) if asked.bucket_account else (),
                 bucket_regions=((bucket, asked.region),) if asked.region else (),
                 object_keys=((bucket, key),) if key else (), access_key=asked.access_key,
                 principal=asked.principal if (asked.principal or "").startswith("arn:") else None)


def _diagnose(args: argparse.Namespace, root: Path, asked: _Asked, message: DeniedMessage | None,
              started: float) -> DiagnosisReport:
    from why403.model.finding import InputError
    from why403.report.diagnosis import DiagnosisReport, finding_of
    from why403.sources.awsdump import load_dumps
    from why403.sources.awsdump.coverage import coverage, target_for
    from why403.world.analysis import Analysis
    from why403.world.build import build_world
    from why403.world.crosscheck import cross_check
    from why403.world.diagnosis import DiagnoseError, Request, diagnose, prepare_world

    dumps = load_dumps(root, _hints(asked))
    errors = tuple(InputError(d.location.file, d.location.line or None, d.message)
                   for d in dumps.result.diagnostics if d.severity == "error")
    if not dumps.result.files and not errors:
        raise UsageError(f"{root}: no dumps in it (files are named <service>.<command>[.<resource>].json; "
                         "--collect prints the commands that write them)")
    request = Request(principal=asked.principal or "", action=asked.action or "", resource=asked.resource or "",
                      operation=asked.operation, vpce=asked.vpce, source_ip=asked.source_ip, tls=asked.tls,
                      headers=tuple(asked.headers.items()), context=parse_pairs("--context", args.context))
    try:
        bucket, key = request.bucket_and_key
    except DiagnoseError as exc:
        raise UsageError(str(exc)) from None
    target = target_for(dumps, request.principal, request.action, bucket, key, request.vpce,
                        asked.bucket_account)
    cov = coverage(dumps, target)
    world = build_world([dumps.result])
    prepare_world(world, cov)
    analysis = Analysis.of(world)
    try:
        diag = diagnose(analysis, request, cov)
    except DiagnoseError as exc:
        raise UsageError(str(exc)) from None
    notes: list[str] = []
    if asked.source != "flags":
        notes.append(f"The request was read from the CloudTrail event at {asked.source}.")
    if request.vpce is None and request.source_ip is None and asked.source == "flags":
        notes.append("No --vpce given: evaluated as a request from the internet (give --vpce if it went through "
                     "a VPC endpoint, --source-ip for conditions on the caller's address).")
    check = cross_check(message, diag) if message is not None else None
    drift, iac = _drift(args, world, diag, bucket, target)
    finding = finding_of(diag)
    return DiagnosisReport(diagnosis=diag, folder=str(root), files=dumps.result.files, errors=errors, check=check,
                           message=message.text if message else None, drift=tuple(drift), iac=iac,
                           notes=tuple(notes), seconds=round(time.perf_counter() - started, 3), cwd=os.getcwd(),
                           findings=(finding,) if finding is not None else ())


def _drift(args: argparse.Namespace, world: World, diag: Diagnosis, bucket: str,
           target: Target) -> tuple[list[Drift], tuple[str, ...]]:
    if not args.iac:
        return [], ()
    from why403.model.facts import SourceOptions
    from why403.pipeline import CheckRequest, analyze
    from why403.world.drift import drift
    for path in args.iac:
        if not os.path.exists(path):
            raise UsageError(f"--iac {path}: no such file or directory")
    state = world.buckets.get(bucket)
    account = state.state.account if state is not None else None
    region = state.state.region if state is not None else None
    options = SourceOptions(account_id=account if account and account.isdigit() else None,
                            region=region if region and "-" in region else None)
    code = analyze(CheckRequest(paths=tuple(args.iac), source_options=options, use_cache=False)).analysis.world
    actor = diag.explanation.principal.actor
    key = diag.explanation.request.object.kms_key if diag.explanation.request.object is not None else None
    key_arn = key.arn if key is not None else (diag.explanation.request.bucket.default_key.arn
                                               if diag.explanation.request.bucket.default_key else None)
    found = drift(world, code, bucket, actor.arn or diag.explanation.principal.arn, key_arn, target.vpce)
    return list(found), tuple(args.iac)


def _collect(args: argparse.Namespace) -> int:
    from why403.model.arn import split_s3_arn
    from why403.sources.awsdump.collect import Target, script

    asked = _asked(args, None)
    if asked.message:
        from why403.sources.awsdump.message import parse_message

        message = parse_message(asked.message)
        asked.principal = asked.principal or message.principal
        asked.action = asked.action or message.action
        asked.resource = asked.resource or message.resource
    missing = [f for f in ("principal", "action", "resource") if not getattr(asked, f)]
    if missing:
        raise UsageError(f"--collect needs the request: give --{', --'.join(missing)} (or --event, or --message)")
    parsed = split_s3_arn(asked.resource or "")
    if parsed is None:
        raise UsageError(f"--resource {asked.resource}: expected an S3 ARN (arn:aws:s3:::bucket/key)")
    bucket, key = parsed
    target = Target(principal=asked.principal or "", action=asked.action or "", bucket=bucket, key=key,
                    vpce=asked.vpce, bucket_account=asked.bucket_account)
    sys.stdout.write(script(replace(target), args.dumps or "why403-dumps"))
    return EXIT_ALLOWED
