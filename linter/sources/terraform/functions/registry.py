"""Every function why403 evaluates, by name, gathered from the families.

A family module registers its functions in its :class:`~.base.Family`; this module is the one
place that lists the families, so adding a function is one registration in its family and
adding a family is one line here. A name registered by two families is a programming error and
fails on import.
"""

from __future__ import annotations

from why403.sources.terraform.functions.aws import AWS
from why403.sources.terraform.functions.base import Family, Fn
from why403.sources.terraform.functions.collections import COLLECTIONS
from why403.sources.terraform.functions.conversion import CONVERSION
from why403.sources.terraform.functions.crypto import CRYPTO
from why403.sources.terraform.functions.encoding import ENCODING
from why403.sources.terraform.functions.filesystem import FILE_FUNCTIONS, FILESYSTEM
from why403.sources.terraform.functions.format import FORMAT
from why403.sources.terraform.functions.maps import MAPS
from why403.sources.terraform.functions.numeric import NUMERIC
from why403.sources.terraform.functions.strings import STRINGS

FAMILIES: tuple[Family, ...] = (
    STRINGS, FORMAT, COLLECTIONS, MAPS, NUMERIC, CONVERSION, ENCODING, CRYPTO, FILESYSTEM, AWS,
)

SPECIAL_FORMS = frozenset({"try", "can"})
"""Functions that see their arguments unevaluated (the table handles them)."""


def _merge(families: tuple[Family, ...]) -> dict[str, Fn]:
    merged: dict[str, Fn] = {}
    reserved = SPECIAL_FORMS | FILE_FUNCTIONS.keys()
    for family in families:
        for name, fn in family.functions.items():
            if name in merged or name in reserved:
                raise ValueError(f"{name}() is registered twice (again by the {family.name} family)")
            merged[name] = fn
    return merged


FUNCTIONS: dict[str, Fn] = _merge(FAMILIES)
"""Functions of evaluated arguments, by name."""
