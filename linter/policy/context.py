"""The request context a policy is evaluated against (access-model.md 1.5).

A key is *present* with a value (a string, or a tuple for multivalued keys), *absent* (AWS does
not set it for this request), *unknown* (the sources do not say: for instance the
organization of an account nobody configured), or *one of* a few values that every plausible
request of the caller covers (the SSE header a client may or may not send). The distinction
between absent and unknown is what lets the engine be definite about ``StringNotEquals
aws:SourceVpce`` on a console request and silent about ``aws:PrincipalOrgID`` of an account it knows nothing about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from why403.model.values import Unknown


class _Absent:
    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()

Choice = str | tuple[str, ...] | _Absent


@dataclass(frozen=True)
class OneOf:
    """A key a real request carries one of several values for (``ABSENT`` among them when it may
    not carry the key at all), the sources not saying which: the plausible requests of a caller.

    A condition that holds for every choice holds; one that holds for none does not; otherwise
    whether it applies depends on which request the caller sends, and that is ``reason``."""

    choices: tuple[Choice, ...]
    reason: str
    # Keys of one group vary together, choice by choice (the SSE header and its key id are sent
    # together or not at all); keys of different groups vary independently.
    group: str = ""


ContextValue = str | tuple[str, ...] | Unknown | _Absent | OneOf


@dataclass(frozen=True)
class RequestContext:
    """Condition keys of one request. Keys are stored lower-cased (key names are case-insensitive).

    ``open_world``: when True a key that was not set is *unknown*; when False it is *absent*.
    The engine's test vectors describe a closed world; requests derived from sources do not.
    """

    values: Mapping[str, ContextValue] = field(default_factory=dict)
    open_world: bool = False
    unknown_reason: str = "the sources do not say what this request would carry"
    # Key prefixes (lower-case, e.g. "aws:principaltag/") whose unset keys are unknown, with why.
    unknown_prefixes: Mapping[str, str] = field(default_factory=dict)
    # Key prefixes whose unset keys are absent even in an open world (the tags of a caller whose
    # every tag the sources list).
    absent_prefixes: tuple[str, ...] = ()

    @staticmethod
    def of(items: Mapping[str, ContextValue] | Iterable[tuple[str, ContextValue]] = (), *,
           open_world: bool = False) -> RequestContext:
        pairs = items.items() if isinstance(items, Mapping) else items
        return RequestContext({k.lower(): v for k, v in pairs}, open_world)

    def fixing(self, values: Mapping[str, ContextValue]) -> RequestContext:
        """The same context with some keys (lower-case) set to one value each."""
        return RequestContext({**self.values, **values}, self.open_world, self.unknown_reason,
                              self.unknown_prefixes, self.absent_prefixes)

    def get(self, key: str) -> ContextValue:
        k = key.lower()
        if k in self.values:
            return self.values[k]
        for prefix, reason in self.unknown_prefixes.items():
            if k.startswith(prefix):
                return Unknown(f"{key}: {reason}")
        if any(k.startswith(prefix) for prefix in self.absent_prefixes):
            return ABSENT
        if self.open_world:
            return Unknown(f"{key}: {self.unknown_reason}")
        return ABSENT
