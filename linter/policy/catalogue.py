"""The IAM action catalogue, read from the copy cfn-lint ships (``cfnlint/data/AdditionalSpecs/Policies.json``).

We do not vendor the catalogue: cfn-lint keeps it current, and users who install why403 get
the cfn-lint release their pip resolves. The file is located without importing cfn-lint (which
is slow to import), and each service's entry is decoded on first use: decoding the whole file
(2 MB, some 450 services) cost every pre-commit hook more than its policies needed (s3, kms,
iam...). See :class:`_Catalogue`.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from why403.model.glob import compile_glob
from why403.policy.action_names import DISPLAY_NAMES


class _Catalogue:
    """The top-level object of the catalogue, decoded one service at a time.

    The file is pretty-printed JSON (one member per line, nested members indented further). The
    first member's indentation is therefore the top level's, and a line with exactly that
    indentation followed by a string and a colon starts a top-level member: no string can span
    lines in JSON, and nested members are indented more. Each member's value is decoded with
    :meth:`json.JSONDecoder.raw_decode` from where it starts, so what a service holds is exactly
    what ``json.loads`` of the whole file would give. A file laid out otherwise (minified) is
    decoded whole, as before.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: dict[str, int] = {}
        self._decoded: dict[str, Any] = {}
        first = re.match(r"\s*\{\n([ \t]+)\"", text)
        if first is None:
            self._decoded = self._whole()
            return
        # A literal "\n<indent>\"" prefix lets the search skip ahead (a "^" with MULTILINE is tried at every offset).
        member = re.compile(r"\n" + re.escape(first.group(1)) + r"(\"(?:[^\"\\\n]|\\.)*\")\s*:\s*")
        for m in member.finditer(text):
            self._starts[json.loads(m.group(1))] = m.end()

    def _whole(self) -> dict[str, Any]:
        try:
            loaded = json.loads(self._text)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def get(self, service: str) -> Any:
        if service not in self._decoded and service in self._starts:
            try:
                self._decoded[service] = json.JSONDecoder().raw_decode(self._text, self._starts[service])[0]
            except ValueError:
                self._decoded[service] = None
        return self._decoded.get(service)

    def names(self) -> list[str]:
        return list(self._starts or self._decoded)


@cache
def _data() -> _Catalogue:
    path = catalogue_path()
    if path is None:
        return _Catalogue("{}")
    try:
        return _Catalogue(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Catalogue("{}")


def cfnlint_data_files(relative: str) -> list[Path]:
    """The files ``data/<relative>`` that the installed cfn-lint package ships, located without
    importing cfn-lint (slow to import): never a copy it may have downloaded into a user's cache,
    so the same answer on every machine with the same cfn-lint, and no network."""
    spec = importlib.util.find_spec("cfnlint")
    bases = (spec.submodule_search_locations or []) if spec is not None else []
    return [path for base in bases if (path := Path(base) / "data" / relative).is_file()]


def catalogue_path() -> Path | None:
    found = cfnlint_data_files("AdditionalSpecs/Policies.json")
    return found[0] if found else None


def available() -> bool:
    """False when cfn-lint's data is missing: validation then stays silent rather than guessing."""
    return bool(_data().names())


@cache
def service_actions(service: str) -> dict[str, tuple[str, ...]]:
    """Lower-case action name -> resource types, for one service prefix ({} if unknown)."""
    entry = _data().get(service.lower())
    if not isinstance(entry, dict):
        return {}
    actions = entry.get("Actions", {})
    out: dict[str, tuple[str, ...]] = {}
    for name, info in actions.items():
        resources = info.get("Resources", []) if isinstance(info, dict) else []
        out[name.lower()] = tuple(r.lower() for r in resources)
    return out


@cache
def action_names(service: str) -> tuple[str, ...]:
    """The actions of one service prefix as AWS spells them (``GetObject``), () if unknown."""
    entry = _data().get(service.lower())
    if not isinstance(entry, dict) or not isinstance(entry.get("Actions"), dict):
        return ()
    return tuple(sorted(entry["Actions"]))


def services() -> tuple[str, ...]:
    """Every service prefix the catalogue knows."""
    catalogue = _data()
    return tuple(sorted(k for k in catalogue.names() if isinstance(v := catalogue.get(k), dict) and "Actions" in v))


def closest_actions(action: str, n: int = 3) -> tuple[str, ...]:
    """The valid actions someone writing ``action`` most likely meant: the permission S3 checks for
    an API operation (``s3:ListObjectsV2`` -> ``s3:ListBucket``), the same name in S3 or KMS when
    the service prefix is missing (``GetObject`` -> ``s3:GetObject``), else the nearest spellings in
    its service (``s3:GetObjet`` -> ``s3:GetObject``)."""
    import difflib

    if ":" not in action:
        found = [display(f"{service}:{name}") for service in ("s3", "kms") for name in action_names(service)
                 if name.lower() == action.lower()]
        if found:
            return tuple(found)
        pool = {name.lower(): f"{service}:{name}" for service in ("kms", "s3") for name in action_names(service)}
        near = difflib.get_close_matches(action.lower(), list(pool), n=n, cutoff=0.75)
        return tuple(display(pool[x]) for x in near)
    permissions = API_TO_PERMISSION.get(action.lower())
    if permissions:
        return permissions
    service, name = action.split(":", 1)
    names = action_names(service)
    if not names:
        near_services = difflib.get_close_matches(service.lower(), services(), n=5, cutoff=0.5)
        having = [x for x in near_services if name.lower() in (a.lower() for a in action_names(x))]
        if not near_services:
            return ()
        service = (having or near_services)[0]
        names = action_names(service)
    by_lower = {x.lower(): x for x in names}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    return tuple(display(f"{service}:{by_lower[x]}") for x in near)


def service_known(service: str) -> bool:
    return bool(service_actions(service))


def action_exists(action: str) -> bool | None:
    """Whether ``service:Name`` names a real action; None when the catalogue cannot say."""
    if not available() or ":" not in action:
        return None
    service, name = action.split(":", 1)
    actions = service_actions(service)
    if not actions:
        return False
    return name.lower() in actions


def resource_types(action: str) -> tuple[str, ...]:
    """Resource types an action applies to (``object``, ``bucket``, ``key``...); () if unknown."""
    if ":" not in action:
        return ()
    service, name = action.split(":", 1)
    return service_actions(service).get(name.lower(), ())


@cache
def any_action_matches(service: str, pattern: str) -> bool:
    """Whether the wildcard action name ``pattern`` (the part after ``service:``) matches some action
    of ``service``, ignoring case as IAM does."""
    glob = compile_glob(pattern.lower())
    return any(glob.matches(name) for name in service_actions(service))


def display(action: str) -> str:
    """The conventional spelling (``s3:GetObject``) of an action given in any case."""
    return DISPLAY_NAMES.get(action.lower(), action)


# S3 API operations that people write as IAM actions, and the permission S3 really checks.
API_TO_PERMISSION: dict[str, tuple[str, ...]] = {
    "s3:listobjects": ("s3:ListBucket",),
    "s3:listobjectsv2": ("s3:ListBucket",),
    "s3:headobject": ("s3:GetObject",),
    "s3:headbucket": ("s3:ListBucket",),
    "s3:listbuckets": ("s3:ListAllMyBuckets",),
    "s3:createmultipartupload": ("s3:PutObject",),
    "s3:uploadpart": ("s3:PutObject",),
    "s3:uploadpartcopy": ("s3:GetObject", "s3:PutObject"),
    "s3:completemultipartupload": ("s3:PutObject",),
    "s3:copyobject": ("s3:GetObject", "s3:PutObject"),
    "s3:deleteobjects": ("s3:DeleteObject",),
    "s3:listobjectversions": ("s3:ListBucketVersions",),
    "s3:listmultipartuploads": ("s3:ListBucketMultipartUploads",),
    "s3:getbucketencryption": ("s3:GetEncryptionConfiguration",),
    "s3:putbucketencryption": ("s3:PutEncryptionConfiguration",),
    "s3:getbucketlifecycleconfiguration": ("s3:GetLifecycleConfiguration",),
    "s3:putbucketlifecycleconfiguration": ("s3:PutLifecycleConfiguration",),
    "s3:getobjecttagging": ("s3:GetObjectTagging",),
    "kms:generatedatakeys": ("kms:GenerateDataKey",),
}
