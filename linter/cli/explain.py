"""``why403 explain``: one access, walked through every policy layer in AWS's order.

It prints the request (as AWS would see it), each layer with its answer and the statement
(file:line) that gave it, the verdict, and for a denial a concrete request AWS would refuse and,
when one is proven by re-simulation, a draft fix.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from why403.world.pick import Pick

EXIT_ALLOWED, EXIT_DENIED, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3

EPILOG = """\
exit status:
  0  AWS would allow the request
  1  AWS would deny it (the layer and statement are printed)
  2  usage error, or the sources could not be read
  3  the answer depends on values the sources do not determine (they are listed)

examples:
  why403 explain infra/ --principal aws_iam_role.reader --action s3:GetObject \\
      --resource 'aws_s3_bucket.data/reports/q1.csv'
  why403 explain --finding 3fa9c1d2        # a finding of the last 'why403 check' (its fingerprint)
  why403 explain template.yaml --principal ReaderRole --action s3:PutObject \\
      --resource arn:aws:s3:::data-bkt/in/x.csv --via S3Endpoint --context aws:SecureTransport=false
"""

LAYER_ORDER = (
    "request-validation",
    "rcp",
    "scp",
    "vpc-endpoint-policy",
    "permissions-boundary",
    "session-policy",
    "identity-policy",
    "access-point-policy",
    "bucket-policy",
    "bucket-acl",
    "block-public-access",
    "object-ownership",
    "kms-key-policy",
    "kms-grant",
    "kms-key-state",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="Terraform modules, plan JSON, templates (with --finding: those of the last check)")
    parser.add_argument("--finding", metavar="FINGERPRINT",
                        help="explain the access of a finding of the last 'why403 check': its fingerprint (JSON "
                             "'fingerprint', SARIF partialFingerprints), or its first 6 or more characters")
    parser.add_argument("--principal",
                        help="source address (aws_iam_role.reader, ReaderRole) or ARN of the caller; "
                             "'anonymous' for an unsigned request, or a service principal (logging.s3.amazonaws.com)")
    parser.add_argument("--action", help="the IAM action, e.g. s3:GetObject (checked against the IAM action "
                                         "catalogue)")
    parser.add_argument("--resource",
                        help="an S3 ARN, or a bucket's source address optionally followed by /key")
    parser.add_argument("--unit", metavar="PATH",
                        help="the deployment unit to explain in when several declare the principal or bucket: a "
                             "root module's folder, a template or plan (default: the unit that declares --principal, "
                             "else --resource's bucket; see docs/units.md)")
    parser.add_argument("--via", help="the VPC endpoint (source address or id) the request travels through, "
                                      "or 'internet'; default: the principal's own paths")
    parser.add_argument("--context", action="append", default=[], metavar="KEY=VALUE",
                        help="set a request condition key (repeatable), e.g. aws:SecureTransport=false")
    parser.add_argument("--account-id", help="the account the sources deploy into (12 digits)")
    parser.add_argument("--region", help="the region the sources deploy into")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a Terraform variable")
    parser.add_argument("--var-file", action="append", default=[], metavar="FILE", help="a Terraform .tfvars file")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="a CloudFormation parameter")
    parser.add_argument("--parameter-file", action="append", default=[], metavar="FILE",
                        help="a CloudFormation parameter file")
    parser.add_argument("--config", help="configuration file (default: the nearest .why403.yaml or pyproject.toml)")
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    # check's options that explain does not take: its request is built the same way (request_for)
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="with --finding: the cache directory the check used (its --cache-dir)")
    parser.set_defaults(exclude=None, jobs=None, no_cache=False, baseline=None)


def _pairs(flag: str, items: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        if "=" not in item:
            raise ValueError(f"{flag} {item!r}: expected KEY=VALUE")
        k, v = item.split("=", 1)
        out.append((k.strip(), v))
    return tuple(out)


def validated_action(action: str) -> str:
    """``action`` as AWS spells it, or a ValueError that names what is wrong and the closest valid
    actions: a name without its service prefix, an unknown service, an API operation written in
    place of the permission S3 checks (``s3:ListObjectsV2`` -> ``s3:ListBucket``), a misspelling."""
    from why403.policy import catalogue

    action = action.strip()
    near = catalogue.closest_actions(action)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    if ":" not in action:
        raise ValueError(f"--action {action}: an IAM action starts with its service prefix "
                         f"(s3:GetObject, kms:Decrypt){hint}")
    if catalogue.action_exists(action) is False:
        service = action.split(":", 1)[0]
        permissions = catalogue.API_TO_PERMISSION.get(action.lower())
        if permissions:
            why = f"an S3 API operation, not an IAM action: S3 authorizes it with {' and '.join(permissions)}"
        elif not catalogue.service_known(service):
            why = f"no AWS service has the prefix {service!r}"
        else:
            why = f"{service} has no such action"
        raise ValueError(f"--action {action}: {why}{hint}")
    return catalogue.display(action)


def _from_finding(args: argparse.Namespace) -> bool:
    """Fill the access and the paths in from a finding of the last check (flags given win); whether
    the deployment unit is the finding's (no ``--unit`` given)."""
    from why403.cli.lastrun import recall

    found = recall(args.finding, args.cache_dir)
    args.principal = args.principal or found.principal
    args.action = args.action or found.action
    args.resource = args.resource or found.resource
    args.via = args.via or found.via
    args.paths = args.paths or [p for p in found.paths]
    unit_of_finding = not args.unit and found.unit is not None
    args.unit = args.unit or found.unit
    from why403.cli.check import say

    say(f"why403 explain: {found.rule} {found.fingerprint[:12]}: {found.message}")
    return unit_of_finding


def _unit_header(chosen: Pick) -> str:
    """Which deployment unit the access is explained in, why, and the units its world includes."""
    if chosen.world is None:
        return f"Deployment unit\n  none: {chosen.reason}; explained in one world of everything read\n\n"
    from why403.report.base import relative as shown  # as findings name the unit

    unit = chosen.world.unit
    lines = ["Deployment unit", f"  {shown(unit.id)} ({chosen.reason})"]
    members = {m.id for m in chosen.world.members[1:]}
    lines += [f"  with {shown(link.unit)}: {link.evidence}" for link in unit.links if link.unit in members]
    indirect = [shown(m.id) for m in chosen.world.members[1:] if m.id not in {link.unit for link in unit.links}]
    if indirect:
        lines.append(f"  with {', '.join(indirect)}: linked through those")
    return "\n".join(lines) + "\n\n"


def run(args: argparse.Namespace) -> int:
    from why403.cli.arguments import UsageError
    from why403.cli.check import say
    from why403.cli.config import ConfigError
    from why403.cli.lastrun import LastRunError

    try:
        return _run(args)
    except (ValueError, UsageError, ConfigError, LastRunError) as exc:
        say(f"why403 explain: error: {exc}")
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from why403.cli.check import say
    from why403.cli.plan import config_for, request_for
    from why403.model.symbols import home_may_be_literal
    from why403.pipeline import analyze
    from why403.report.escape import terminal_text
    from why403.world.explain import ExplainError, explain_access, render_explanation
    from why403.world.pick import pick

    unit_of_finding = _from_finding(args) if args.finding else False
    missing = [flag for flag in ("principal", "action", "resource") if not getattr(args, flag)]
    if missing or not args.paths:
        what = ", ".join(f"--{flag}" for flag in missing) + (" and " if missing and not args.paths else "") + \
            ("a PATH" if not args.paths else "")
        raise ValueError(f"{what} required (or --finding FINGERPRINT, to explain a finding of the last check)")
    args.action = validated_action(args.action)
    for path in args.paths:
        if not os.path.exists(path):
            raise ValueError(f"{path}: no such file or directory")
    request = request_for(args, config_for(args, os.getcwd(), tuple(args.paths)), tuple(args.paths), (), ())
    analyzed = analyze(request)
    for err in analyzed.errors:
        where = f"{err.file}:{err.line}" if err.line else err.file
        say(f"why403 explain: {where}: {err.message}")
    context = _pairs("--context", args.context)
    chosen = pick(analyzed.worlds, args.principal, args.resource, args.unit)
    if unit_of_finding:
        chosen = replace(chosen, reason=f"the unit of finding {args.finding}")
    analysis = analyzed.simulate(chosen.world) if chosen.world is not None else analyzed.analysis
    try:
        with home_may_be_literal(analysis.world.home_uncertain):
            explanations = explain_access(analysis, args.principal, args.action, args.resource, args.via, context)
    except ExplainError as exc:
        raise ValueError(str(exc)) from exc
    out = sys.stdout
    if sum(1 for unit in analyzed.units if unit.id) > 1:
        out.write(terminal_text(_unit_header(chosen)))
    codes = []
    for exp in explanations:
        out.write(terminal_text(render_explanation(exp)))
        out.write("\n")
        codes.append(EXIT_DENIED if exp.decision.denied else EXIT_ALLOWED if exp.decision.allowed else EXIT_UNKNOWN)
    if EXIT_DENIED in codes:
        return EXIT_DENIED
    if EXIT_UNKNOWN in codes:
        return EXIT_UNKNOWN
    return EXIT_ALLOWED
