"""What every dump reader shares: reading one dump with its errors located, the status of each
dump (read, absent by AWS's own answer, failed, malformed), and policies parsed with their lines."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Literal

from why403.model.facts import Diagnostic, Fact
from why403.model.location import Location
from why403.model.policy import Policy, PolicyKind
from why403.policy.parse import parse_policy
from why403.sources.awsdump.catalogue import command_for
from why403.sources.awsdump.files import DumpError, DumpFile, DumpFolder, DumpName, Located

State = Literal["read", "absent", "failed", "empty", "malformed"]


@dataclass(frozen=True)
class Status:
    """What became of one dump. ``absent``: AWS answered that nothing is configured (no bucket
    policy); ``failed``: the command failed (``detail`` holds its error); ``empty``: it printed
    nothing and kept no error; ``malformed``: the file is not the CLI's JSON output."""

    state: State
    detail: str = ""


def is_account(value: str | None) -> bool:
    return value is not None and len(value) == 12 and value.isdigit()


def arn_account(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and is_account(parts[4]) else None


def arn_region(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[3] else None


@dataclass
class Reader:
    folder: DumpFolder
    facts: list[Fact] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    status: dict[DumpName, Status] = field(default_factory=dict)
    files_read: list[str] = field(default_factory=list)

    def error(self, dump: DumpFile, message: str, line: int = 0) -> None:
        self.diagnostics.append(Diagnostic("error", message, Location(dump.file, line), code="dump"))

    def note(self, dump: DumpFile, message: str, line: int = 0) -> None:
        self.diagnostics.append(Diagnostic("note", message, Location(dump.file, line), code="dump"))

    def load(self, dump: DumpFile) -> Located | None:
        """The dump's JSON, or None (with its status recorded) when there is none to use."""
        if dump.name in self.status and self.status[dump.name].state != "read":
            return None
        try:
            located = dump.read()
        except DumpError as exc:
            self.status[dump.name] = Status("malformed", str(exc))
            self.error(dump, str(exc), exc.line)
            return None
        if dump.has_json:
            self.files_read.append(dump.file)
        if located is not None:
            if not isinstance(located.value, dict):
                self.status[dump.name] = Status("malformed", "not a JSON object")
                self.error(dump, "expected the AWS CLI's JSON output (an object), found "
                           f"{type(located.value).__name__}", 1)
                return None
            self.status[dump.name] = Status("read")
            return located
        err = dump.cli_error()
        command = command_for(dump.name)
        if err is not None and command is not None and err.code in command.absent:
            self.status[dump.name] = Status("absent", err.code)
        elif err is not None:
            self.status[dump.name] = Status("failed", f"{err.code}: {err.message}" if err.code else err.message)
        else:
            self.status[dump.name] = Status("empty", "the command printed nothing and its error was not kept")
        return None

    def state(self, name: DumpName) -> Status | None:
        return self.status.get(name)

    def field(self, dump: DumpFile, located: Located, node: Any, key: str, kind: type | tuple[type, ...],
              what: str) -> Any:
        """``node[key]`` when it has the type the AWS CLI writes; otherwise a located error and None."""
        if not isinstance(node, dict):
            return None
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, kind):
            self.error(dump, f"{what}: {key} should be {_type_names(kind)}, found {type(value).__name__}",
                       located.line(node))
            return None
        return value

    def listed(self, dump: DumpFile, key: str, what: str) -> list[tuple[Located, dict[str, Any]]]:
        """The objects of the list ``key`` a list or describe command prints (``Grants``,
        ``VpcEndpoints`` ...), each with the document that locates it; none when the dump cannot be
        used (its status and errors recorded by :meth:`load`)."""
        located = self.load(dump)
        if located is None:
            return []
        items = self.field(dump, located, located.value, key, list, what) or ()
        return [(located, item) for item in items if isinstance(item, dict)]

    def policy(self, raw: Any, kind: PolicyKind, origin: str, dump: DumpFile, located: Located, parent: Any,
               key: str) -> Policy:
        """A policy document as the CLI writes it: an object (IAM), JSON text (S3, KMS, EC2,
        Organizations) or URL-encoded JSON text (IAM through other tools).

        Not validated against AWS's grammar and action catalogue: AWS accepted every live document
        already, and a diagnosis reads one request, not the account's style."""
        if isinstance(raw, dict):
            statements = raw.get("Statement")
            items = statements if isinstance(statements, list) else [statements]
            return parse_policy(raw, kind, origin=origin, location=Location(dump.file, located.line(raw)),
                                statement_locations=[Location(dump.file, located.line(s)) for s in items],
                                validate=False)
        line = located.key_line(parent, key)
        where = Location(dump.file, line)
        if not isinstance(raw, str):
            return Policy(kind=kind, origin=origin, location=where,
                          unknown=f"{key} is {type(raw).__name__}, not a policy document")
        text = raw.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = urllib.parse.unquote(text)
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            # Let the policy parser say what is wrong with it; its lines count from the string's line.
            return parse_policy(text, kind, origin=origin, location=where, statement_locations=[], validate=False)
        statements = doc.get("Statement") if isinstance(doc, dict) else None
        count = len(statements) if isinstance(statements, list) else 1
        # The document is one JSON string on one line of the dump: every statement is on that line.
        return parse_policy(doc, kind, origin=origin, location=where, statement_locations=[where] * count,
                            validate=False)


def _type_names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a number"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)
