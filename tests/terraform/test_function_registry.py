"""The registry of Terraform functions: every family's functions are reachable by name, once.

What each function computes is held to terraform by the differential tests; these tests hold the
wiring: a function dropped from its family, or registered by two, fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from why403.sources.terraform.functions.base import Family
from why403.sources.terraform.functions.filesystem import FILE_FUNCTIONS
from why403.sources.terraform.functions.registry import FAMILIES, FUNCTIONS, SPECIAL_FORMS, _merge

EVALUATED = {
    "abs", "alltrue", "anytrue", "base64decode", "base64encode", "basename", "ceil", "chomp", "chunklist",
    "coalesce", "coalescelist", "compact", "concat", "contains", "dirname", "distinct", "element", "endswith",
    "flatten", "floor", "format", "formatlist", "index", "join", "jsondecode", "jsonencode", "keys", "length",
    "lookup", "lower", "max", "md5", "merge", "min", "nonsensitive", "one", "range", "regex", "regexall",
    "replace", "reverse", "sensitive", "setintersection", "setsubtract", "setunion", "sha1", "sha256", "slice",
    "sort", "split", "startswith", "strcontains", "substr", "sum", "title", "tobool", "tolist", "tomap",
    "tonumber", "toset", "tostring", "transpose", "trim", "trimprefix", "trimspace", "trimsuffix", "upper",
    "values", "zipmap", "provider::aws::arn_build", "provider::aws::arn_parse",
}


def test_every_function_is_registered_by_exactly_one_family() -> None:
    assert set(FUNCTIONS) == EVALUATED
    assert sum(len(f.functions) for f in FAMILIES) == len(EVALUATED)
    assert set(FILE_FUNCTIONS) == {"file", "fileexists", "templatefile"}
    assert not SPECIAL_FORMS & (set(FUNCTIONS) | set(FILE_FUNCTIONS))


def _fn(ev: Any, args: list[Any], line: int) -> Any:
    return None


def test_a_name_registered_twice_is_refused() -> None:
    family = Family("test")
    family.add("twice", _fn)
    with pytest.raises(ValueError, match="registered twice"):
        family.add("twice", _fn)
    other = Family("other")
    other.add("twice", _fn)
    with pytest.raises(ValueError, match="again by the other family"):
        _merge((family, other))
    shadow = Family("shadow")
    shadow.add("try", _fn)
    with pytest.raises(ValueError, match="registered twice"):
        _merge((shadow,))
