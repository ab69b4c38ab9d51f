"""The parse of each kind of file (``tf``, ``tf.json``, ``cfn``): the function that runs here or in a
worker process, the result type, the only classes a cached result may name, and the salt of its
cache key. :mod:`why403.sources.parsing` decides where each file is parsed; this module says what
parsing one is.
"""

from __future__ import annotations

import functools
import pickle
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from why403.sources import fingerprint, parsecache

TF = "tf"
TF_JSON = "tf.json"
CFN = "cfn"

# Placeholder name under which results are computed (and cached); never a real path.
_LABEL = "\x00why403-cached\x00"
_LIBRARIES = {TF: ("python-hcl2", "lark"), TF_JSON: ("python-hcl2", "lark"), CFN: ("cfn-lint", "PyYAML")}


def terraform_kind(path: Path | str) -> str:
    """The parse a Terraform file gets: JSON syntax when its name ends in ``.json``, as the reader decides."""
    return TF_JSON if str(path).endswith(".json") else TF


def parse(kind: str, data: bytes) -> Any:
    """Parse ``data`` as ``kind`` under the placeholder name. Never raises for bad input (the
    frontends' parsers turn every problem into an error value)."""
    if kind == CFN:
        from why403.sources.cloudformation.decode import parse_template

        return parse_template(data, _LABEL)
    from why403.sources.terraform.reader import parse_bytes

    return parse_bytes(data, _LABEL, kind == TF_JSON)


def relabel(kind: str, result: Any, label: str) -> Any:
    """A result computed under the placeholder name, as if the file ``label`` had been parsed."""
    if kind != CFN:
        return replace(result, name=label)
    error = result.error
    if error is not None and error.location.file == _LABEL:
        error = replace(error, location=replace(error.location, file=label))
    return replace(result, file=label, error=error)


def result_type(kind: str) -> type:
    if kind == CFN:
        from why403.sources.cloudformation.decode import ParsedTemplate

        return ParsedTemplate
    from why403.sources.terraform.syntax import ParsedFile

    return ParsedFile


_ALLOWED: dict[str, dict[str, frozenset[str]]] = {}


def allowed_classes(kind: str) -> dict[str, frozenset[str]]:
    """The only classes a cached payload of ``kind`` may name: the plain data of its result."""
    if kind not in _ALLOWED:
        if kind == CFN:
            from why403.model.facts import Diagnostic
            from why403.model.location import Location

            _ALLOWED[kind] = {
                "why403.sources.cloudformation.decode": frozenset({"ParsedTemplate"}),
                "why403.sources.cloudformation.tree": frozenset({"Map", "Seq"}),
                Diagnostic.__module__: frozenset({Diagnostic.__name__}),
                Location.__module__: frozenset({Location.__name__}),
            }
        else:
            from why403.sources.terraform import syntax

            names = frozenset(n for n, v in vars(syntax).items()
                              if isinstance(v, type) and v.__module__ == syntax.__name__)
            _ALLOWED[kind] = {syntax.__name__: names, "fractions": frozenset({"Fraction"})}
    return _ALLOWED[kind]


# What unpickling a damaged or foreign payload can raise (besides UnpicklingError).
BAD_PAYLOAD = (pickle.UnpicklingError, RecursionError, MemoryError, EOFError, ValueError, TypeError, AttributeError,
                IndexError, KeyError, ImportError, UnicodeDecodeError)


def work(kind: str, data: bytes) -> bytes | None:
    """A worker's task: the pickled result, or None when it cannot be pickled (nested too deeply),
    in which case the parent parses the file itself."""
    try:
        return parsecache.dumps(parse(kind, data))
    except (RecursionError, pickle.PicklingError, MemoryError):
        return None


def init_worker(recursion_limit: int) -> None:
    # The parent may allow deeper recursion than a fresh interpreter; results must not differ.
    sys.setrecursionlimit(recursion_limit)


_SALTS: dict[str, bytes] = {}


@functools.cache
def _frontend_code() -> str:
    """The fingerprint of the code that makes parse results (the same for every kind)."""
    here = Path(__file__).resolve().parent
    return fingerprint.installed_fingerprint("why403", "why403") or fingerprint.code_fingerprint(
        str(here), str(here.parent / "model"), recursive=True)


def salt(kind: str) -> bytes:
    """The cache-key salt of a ``kind`` parse: only worth making when there is a cache (it reads
    the parsing libraries' installed metadata and hashes the frontends' code)."""
    if kind not in _SALTS:
        versions = [f"{name}={fingerprint.distribution_version(name)}" for name in _LIBRARIES[kind]]
        _SALTS[kind] = parsecache.salt(kind, f"code={_frontend_code()}", *versions)
    return _SALTS[kind]
