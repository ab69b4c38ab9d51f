"""The request context a policy is evaluated against (access-model.md 1.5).

A key is *present* with a value (a string, or a tuple for multivalued keys), *absent* (AWS does
not set it for this request), or *unknown* (the sources do not say: for instance the
organization of an account nobody configured). The distinction between absent and unknown is
what lets the engine be definite about ``StringNotEquals aws:SourceVpce`` on a console request
and silent about ``aws:PrincipalOrgID`` of an account it knows nothing about.
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

ContextValue = str | tuple[str, ...] | Unknown | _Absent


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

    @staticmethod
    def of(items: Mapping[str, ContextValue] | Iterable[tuple[str, ContextValue]] = (), *,
           open_world: bool = False) -> RequestContext:
        pairs = items.items() if isinstance(items, Mapping) else items
        return RequestContext({k.lower(): v for k, v in pairs}, open_world)

    def get(self, key: str) -> ContextValue:
        k = key.lower()
        if k in self.values:
            return self.values[k]
        for prefix, reason in self.unknown_prefixes.items():
            if k.startswith(prefix):
                return Unknown(f"{key}: {reason}")
        if self.open_world:
            return Unknown(f"{key}: {self.unknown_reason}")
        return ABSENT
