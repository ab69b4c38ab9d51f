"""CDK cloud assemblies (``cdk.out``): which templates are stacks, and which are nested in them.

``cdk synth`` writes a cloud assembly: ``manifest.json`` lists its artifacts, among them each
stack (``aws:cloudformation:stack``) with its template file, the environment it deploys to
(``aws://ACCOUNT/REGION``, or ``unknown-account``/``unknown-region`` for an environment-agnostic
stack) and the artifacts it depends on; nested stacks are templates of their own
(``*.nested.template.json``) that the parent's ``AWS::CloudFormation::Stack`` resource names in its
``aws:asset:path`` metadata. A stage is a nested assembly in a folder of its own, with its own
manifest. The templates are read like any other; this module only says how they group into
deployment units: one per stack, its nested stacks included.

Only the assembly's own JSON is read here (never an asset: Lambda bundles, Docker contexts).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from why403.sources import confine

_ENVIRONMENT = re.compile(r"^aws://(\d{12}|unknown-account)/([a-z0-9-]+|unknown-region)$")
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class CdkStack:
    """One stack of an assembly: its template, the nested templates deployed with it, where it
    deploys (when the app says: ``Stack(env=...)``) and the stacks it depends on."""

    template: Path
    artifact: str
    name: str
    account: str | None = None
    region: str | None = None
    nested: tuple[Path, ...] = ()
    depends_on: tuple[str, ...] = ()  # handles (see :func:`handle`) of the stacks it depends on

    @property
    def handle(self) -> str:
        return handle(self.template.parent, self.artifact)


def handle(assembly: Path, artifact: str) -> str:
    """How a stack is named between units (``cdk-stack:<assembly>/<artifact>``)."""
    return f"cdk-stack:{os.path.normpath(assembly)}/{artifact}"


def is_assembly(folder: Path) -> bool:
    """Whether ``folder`` holds a cloud assembly (a ``manifest.json`` with artifacts)."""
    manifest = _manifest(folder / "manifest.json")
    return manifest is not None


def stacks(templates: Iterable[Path]) -> dict[Path, CdkStack]:
    """The stack each template belongs to, for the templates that are in a cloud assembly: a
    stack's own template maps to it, and so does each of its nested templates."""
    out: dict[Path, CdkStack] = {}
    folders = sorted({t.parent for t in templates})
    for folder in folders:
        manifest = _manifest(folder / "manifest.json")
        if manifest is None:
            continue
        for stack in _stacks(folder, manifest):
            out[stack.template] = stack
            for nested in stack.nested:
                out.setdefault(nested, stack)
    return out


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(confine.read_text(path, _MAX_MANIFEST_BYTES))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("artifacts"), dict) or "version" not in data:
        return None
    return data


def _stacks(folder: Path, manifest: dict[str, Any]) -> list[CdkStack]:
    out = []
    artifacts: dict[str, Any] = manifest["artifacts"]
    for artifact, entry in artifacts.items():
        if not isinstance(entry, dict) or entry.get("type") != "aws:cloudformation:stack":
            continue
        props: dict[str, Any] = entry["properties"] if isinstance(entry.get("properties"), dict) else {}
        template_file = props.get("templateFile")
        if not isinstance(template_file, str) or not _inside(folder, template_file):
            continue
        template = Path(os.path.normpath(folder / template_file))
        account, region = _environment(entry.get("environment"))
        name = props.get("stackName") if isinstance(props.get("stackName"), str) else None
        depends: list[Any] = entry["dependencies"] if isinstance(entry.get("dependencies"), list) else []
        stack_deps = tuple(handle(folder, d) for d in depends if isinstance(d, str)
                           and isinstance(artifacts.get(d), dict)
                           and artifacts[d].get("type") == "aws:cloudformation:stack")
        out.append(CdkStack(template, artifact, name or str(entry.get("displayName") or artifact), account, region,
                            tuple(_nested(template)), stack_deps))
    return out


def _environment(value: Any) -> tuple[str | None, str | None]:
    m = _ENVIRONMENT.match(value) if isinstance(value, str) else None
    if m is None:
        return None, None
    account, region = m.groups()
    return (None if account == "unknown-account" else account), (None if region == "unknown-region" else region)


def _nested(template: Path, depth: int = 0, seen: set[Path] | None = None) -> list[Path]:
    """The nested templates of a stack, recursively (each ``AWS::CloudFormation::Stack`` whose
    ``aws:asset:path`` metadata names a template file beside it)."""
    seen = seen if seen is not None else {template}
    if depth > 8:
        return []
    try:
        data = json.loads(confine.read_text(template, _MAX_MANIFEST_BYTES))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return []
    resources = data.get("Resources") if isinstance(data, dict) else None
    out: list[Path] = []
    for resource in resources.values() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        metadata = resource.get("Metadata")
        path = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if not isinstance(path, str) or not path.endswith(".template.json") or not _inside(template.parent, path):
            continue
        nested = Path(os.path.normpath(template.parent / path))
        if nested in seen:
            continue
        seen.add(nested)
        out.append(nested)
        out.extend(_nested(nested, depth + 1, seen))
    return out


def _inside(folder: Path, name: str) -> bool:
    """A file name of the assembly that stays in its folder (no ``..``, not absolute)."""
    return not os.path.isabs(name) and ".." not in Path(name).parts
