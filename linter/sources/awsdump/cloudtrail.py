"""CloudTrail events, whichever way they were collected: one event as the console shows it, a trail's
log file (``{"Records": [...]}``), ``cloudtrail lookup-events`` output (each event a JSON string in
``CloudTrailEvent``) or ``logs filter-log-events`` output (each event a JSON string in ``message``).

Two kinds matter: the AccessDenied event being diagnosed (an S3 data event, or the KMS call S3 made
for it), and the ``AssumeRole`` events that created role sessions, which carry the session policies.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from why403.model.facts import SessionFact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.policy.render import policy_to_json
from why403.sources.awsdump.context import Reader
from why403.sources.awsdump.files import DumpError, DumpFile, Located

DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"})
ASSUME_EVENTS = frozenset({"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
_HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


@dataclass(frozen=True)
class TrailEvent:
    """One CloudTrail event and where it is in the file it came from."""

    record: dict[str, Any]
    location: Location

    def get(self, *path: str) -> Any:
        node: Any = self.record
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def text(self, *path: str) -> str | None:
        value = self.get(*path)
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str:
        return self.text("eventName") or ""

    @property
    def source(self) -> str:
        return self.text("eventSource") or ""

    @property
    def event_id(self) -> str:
        return self.text("eventID") or ""

    @property
    def time(self) -> str:
        return self.text("eventTime") or ""

    @property
    def error_code(self) -> str | None:
        return self.text("errorCode")

    @property
    def denied(self) -> bool:
        return self.error_code in DENIED_CODES

    @property
    def access_key(self) -> str | None:
        return self.text("userIdentity", "accessKeyId")

    def summary(self) -> str:
        who = self.text("userIdentity", "arn") or self.text("userIdentity", "type") or "?"
        return f"{self.time} {self.source.split('.')[0]}:{self.name} by {who} ({self.event_id})"


def events_in(value: Any, file: str, located: Located | None) -> Iterator[TrailEvent]:
    """Every event a CloudTrail container holds, each with the line it starts on."""
    def line(node: Any) -> int:
        return located.line(node) if located is not None else 1

    if not isinstance(value, dict):
        return
    if "eventName" in value or "eventSource" in value:
        yield TrailEvent(value, Location(file, line(value)))
        return
    for key, inner in (("Records", None), ("Events", "CloudTrailEvent"), ("events", "message")):
        items = value.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            if inner is None:
                yield TrailEvent(item, Location(file, line(item)))
                continue
            raw = item.get(inner)
            where = Location(file, located.key_line(item, inner) if located is not None else 1)
            if isinstance(raw, str):
                try:
                    record = json.loads(raw)
                except (json.JSONDecodeError, RecursionError):
                    continue
                if isinstance(record, dict):
                    yield TrailEvent(record, where)


def read_event_dumps(reader: Reader) -> list[TrailEvent]:
    """Every event in the folder's ``cloudtrail.lookup-events*`` and ``logs.filter-log-events*`` dumps."""
    out: list[TrailEvent] = []
    for service, command in (("cloudtrail", "lookup-events"), ("logs", "filter-log-events")):
        for dump in reader.folder.of_kind(service, command):
            located = reader.load(dump)
            if located is not None:
                out.extend(events_in(located.value, dump.file, located))
    return out


def read_event_file(dump: DumpFile) -> list[TrailEvent]:
    """The events of a file given with ``--event`` (raises :class:`DumpError` when it is not JSON)."""
    located = dump.read()
    if located is None:
        raise DumpError("the file is empty")
    events = list(events_in(located.value, dump.file, located))
    if not events:
        raise DumpError("no CloudTrail event in it (expected an event, {\"Records\": [...]}, or the output of "
                        "cloudtrail lookup-events or logs filter-log-events)", 1)
    return events


def sessions(reader: Reader, events: list[TrailEvent], access_key: str | None) -> None:
    """One :class:`SessionFact` per session ARN that AssumeRole events created.

    A session name can be reused (an instance's id, a CI job's name): when several events created
    sessions of the same ARN, the one that issued the denied request's access key decides; without
    that, they must agree on the session policies, or those are unknown.
    """
    by_arn: dict[str, list[SessionFact]] = {}
    keyed: dict[str, SessionFact] = {}
    for event in events:
        if event.name not in ASSUME_EVENTS or event.error_code is not None:
            continue
        fact = _session(event)
        if fact is None:
            continue
        by_arn.setdefault(fact.arn, []).append(fact)
        key = event.text("responseElements", "credentials", "accessKeyId")
        if key:
            keyed[key] = fact
    chosen = keyed.get(access_key) if access_key else None
    for arn, facts in by_arn.items():
        if chosen is not None and chosen.arn == arn:
            reader.facts.append(chosen)
            continue
        first = facts[-1]
        if all(_same_policies(first, f) for f in facts):
            reader.facts.append(first)
            continue
        reader.facts.append(SessionFact(ref=arn, location=first.location, arn=arn, role_arn=first.role_arn,
                                        session_name=first.session_name, unknown=(
                                            f"{len(facts)} AssumeRole events created sessions named {arn} with "
                                            "different session policies, and none issued the denied request's "
                                            "access key")))


def _same_policies(a: SessionFact, b: SessionFact) -> bool:
    def doc(f: SessionFact) -> object:
        return None if f.inline_policy is None else policy_to_json(f.inline_policy, raw=True)

    return a.unknown == b.unknown and a.policy_arns == b.policy_arns and doc(a) == doc(b) and a.tags == b.tags


def _session(event: TrailEvent) -> SessionFact | None:
    arn = event.text("responseElements", "assumedRoleUser", "arn")
    params = event.get("requestParameters")
    if not arn or not isinstance(params, dict):
        return None
    role_arn = params.get("roleArn") if isinstance(params.get("roleArn"), str) else None
    if role_arn is None:
        return None
    session_name = str(params.get("roleSessionName") or arn.rsplit("/", 1)[-1])
    raw_policy = params.get("policy")
    arns = tuple(str(p["arn"]) for p in params.get("policyArns") or () if isinstance(p, dict)
                 and isinstance(p.get("arn"), str))
    tags = tuple((str(t.get("key")), str(t.get("value"))) for t in params.get("tags") or ()
                 if isinstance(t, dict) and "key" in t)
    unknown: str | None = None
    inline: Policy | None = None
    if raw_policy == _HIDDEN or _HIDDEN in arns:
        unknown = f"CloudTrail withheld the session policy of {arn} ({_HIDDEN})"
        arns = ()
    elif isinstance(raw_policy, str):
        inline = parse_policy(raw_policy, PolicyKind.SESSION, origin=f"session policy of {session_name}",
                              location=event.location, statement_locations=[])
    elif raw_policy is not None:
        unknown = "the AssumeRole event's policy parameter is not a JSON document"
    packed = event.get("responseElements", "packedPolicySize")
    if unknown is None and inline is None and not arns and not tags and isinstance(packed, int) and packed > 0:
        unknown = (f"the AssumeRole event of {arn} reports packed session policies and tags "
                   f"({packed}%) but CloudTrail did not log them")
    return SessionFact(ref=arn, location=event.location, arn=arn, role_arn=role_arn, session_name=session_name,
                       inline_policy=inline, policy_arns=arns, tags=tags, unknown=unknown)
