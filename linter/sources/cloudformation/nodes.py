"""What a template node is (an intrinsic function, ``AWS::NoValue``, an ``Fn::If``) and the
text of a resolved scalar: the vocabulary the resolver, its functions and the resource readers share.
"""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.sources.cloudformation.tree import scalar_text


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOVALUE"


NOVALUE: Any = _NoValue()

def is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = str(next(iter(node)))
    return key == "Ref" or key.startswith("Fn::")


def is_novalue(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and node.get("Ref") == "AWS::NoValue"


def is_if(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and "Fn::If" in node


def text(value: Any, label: str) -> str:
    """A resolved scalar as a string; anything that is not one becomes an unknown token."""
    scalar = scalar_text(value)
    return scalar if scalar is not None else symbols.unknown(label)


def same(a: Any, b: Any) -> bool:
    """The same resolved value, of the same type (``1`` is not ``True``)."""
    return type(a) is type(b) and a == b
