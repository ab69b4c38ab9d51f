"""Terraform's hash functions: exact on a known string, unknown on one holding a token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.sources.terraform.convert import unknown_for_token
from why403.sources.terraform.functions.base import Family

if TYPE_CHECKING:
    from why403.sources.terraform.evaluate import Evaluator

CRYPTO = Family("crypto")

_DIGESTS: dict[str, Callable[[bytes], Any]] = {
    "md5": hashlib.md5,
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}


def _digest(name: str, algorithm: Callable[[bytes], Any]) -> None:
    @CRYPTO.string(name)
    def run(ev: Evaluator, s: str, line: int) -> Any:
        if symbols.has_token(s):
            return unknown_for_token(s)
        return algorithm(s.encode("utf-8")).hexdigest()


for _name, _algorithm in _DIGESTS.items():
    _digest(_name, _algorithm)
