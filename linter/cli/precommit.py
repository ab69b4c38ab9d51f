"""From the files pre-commit passes to what the hook lints.

A Terraform module is only meaningful whole (a policy in one file names a role in another), so a
changed ``.tf`` (or ``.tfvars``) file stands for the directory that holds it; a changed
CloudFormation template stands for itself. The check reads a directory argument recursively, so
a module is passed as one of its ``.tf`` files, which the check reads as that directory alone.

The hook's ``files`` pattern also lets through YAML and JSON that are not templates (workflows,
compose files, package.json): those are skipped here, by a cheap look at their text, instead of
being reported as unreadable templates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from why403.sources.discover import TEMPLATE_SUFFIXES, terraform_module_files

TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


def targets(files: Iterable[str]) -> tuple[str, ...]:
    """What to lint for these changed files (a file per module directory, then the templates)."""
    modules: dict[str, None] = {}
    templates: dict[str, None] = {}
    for file in files:
        path = os.path.normpath(file)
        if ".terraform" in path.split(os.sep) or not os.path.isfile(path):
            continue  # provider caches and downloaded modules; deleted files
        name = path.lower()
        if name.endswith(TERRAFORM_SUFFIXES):
            modules.setdefault(os.path.dirname(path), None)
        elif name.endswith(TEMPLATE_SUFFIXES) and _is_template(path):
            templates.setdefault(path, None)
    return (*(m for m in map(_module_file, sorted(modules)) if m), *sorted(templates))


def _module_file(directory: str) -> str | None:
    """One Terraform file of ``directory``: the check reads its directory and nothing below it."""
    files = terraform_module_files(Path(directory or "."))
    return str(files[0]) if files else None  # only .tfvars changed in a folder without .tf: skip


def _is_template(path: str) -> bool:
    """The check's own test (the CloudFormation frontend's sniff), so that the hook passes on
    exactly the files the check would lint."""
    from why403.sources.cloudformation.sniff import is_template

    return is_template(Path(path))
