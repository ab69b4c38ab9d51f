"""Which inputs a set of paths holds: Terraform root modules, plan JSON files, CloudFormation templates.

A Terraform module is only meaningful whole, so a ``.tf`` file stands for its directory. Local
child modules are read through the root that calls them, not as roots of their own (they would
be read with every input unknown); the caller drops a directory once a root has read its files.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache",
                       ".pytest_cache", ".ruff_cache", ".hypothesis", ".serverless", ".aws-sam"})
# Where CloudFormation templates may be (compared lower-case); the frontend's sniff says which are.
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# What the Terraform frontend reads by name: module files, and variable files beside them.
TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")
# Every file discovery or a frontend opens because of its name (plans are .json): the files whose
# content can change what a run finds without the run naming them (the run cache hashes these).
INFRA_SUFFIXES = (*TERRAFORM_SUFFIXES, *TEMPLATE_SUFFIXES)


@dataclass
class Inputs:
    terraform_dirs: list[Path] = field(default_factory=list)
    plans: list[Path] = field(default_factory=list)
    template_candidates: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    """Whether ``--exclude``/``exclude`` patterns leave ``path`` out (the pre-commit hook asks too)."""
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, f"*/{p}")
               for p in patterns)


def terraform_module_files(directory: Path) -> list[Path]:
    """The files Terraform reads as the module in ``directory``, as the Terraform frontend reads
    them: not, say, an editor's lock ``.#main.tf``. Discovery, the pre-commit hook and the pipeline
    ask this, so that none of them takes a directory for a module the frontend would not read so."""
    from why403.sources.terraform.config import module_files

    return module_files(directory)


def discover(paths: tuple[str, ...] | list[str], exclude: tuple[str, ...] = ()) -> Inputs:
    out = Inputs()
    tf_dirs: dict[Path, None] = {}
    plans: dict[Path, None] = {}
    templates: dict[Path, None] = {}
    module_files: dict[Path, frozenset[Path]] = {}

    def is_module_file(p: Path) -> bool:
        if not p.name.endswith((".tf", ".tf.json")):
            return False  # not worth listing the directory (nor importing the Terraform frontend)
        if p.parent not in module_files:
            module_files[p.parent] = frozenset(terraform_module_files(p.parent))
        return p in module_files[p.parent]

    def consider_file(p: Path) -> None:
        if excluded(p, exclude):
            return
        name = p.name
        if is_module_file(p):
            tf_dirs[p.parent] = None
        elif name.endswith(".json") and _looks_like_plan(p):
            plans[p] = None
        elif name.lower().endswith(TEMPLATE_SUFFIXES):
            templates[p] = None

    for raw in paths:
        p = Path(raw)
        if not p.exists():
            out.missing.append(raw)
            continue
        if p.is_file():
            consider_file(p)
            continue
        for file in walk_files(p, lambda d: d.name not in SKIP_DIRS and not excluded(d, exclude)
                               and not _cdk_asset(d)):
            consider_file(file)
    out.terraform_dirs = sorted(tf_dirs, key=lambda d: (len(d.parts), str(d)))
    out.plans = sorted(plans)
    out.template_candidates = sorted(templates)
    return out


def _cdk_asset(folder: Path) -> bool:
    """An asset folder of a CDK cloud assembly (``cdk.out/asset.<hash>``: a Lambda bundle, a Docker
    context): the app's code, not its infrastructure."""
    return folder.name.startswith("asset.") and (folder.parent / "manifest.json").is_file()


def walk_files(top: Path, descend: Callable[[Path], bool] = lambda d: True) -> Iterator[Path]:
    """Every file below ``top`` in sorted order, without following symbolic links to directories
    and without recursion (:func:`os.walk` recurses on Python 3.11, and a tree a thousand
    directories deep is legal input). ``descend`` says which subdirectories to enter."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue  # unreadable, vanished, or a path too long for the system
        subdirs = []
        for entry in entries:
            try:
                is_dir, is_link = entry.is_dir(), entry.is_symlink()
            except OSError:
                continue
            path = folder / entry.name
            if not is_dir:
                yield path
            elif not is_link and descend(path):  # a link to a directory is neither a file nor entered
                subdirs.append(path)
        stack.extend(reversed(subdirs))


def _looks_like_plan(path: Path) -> bool:
    from why403.sources import confine

    try:
        head = confine.read_head(path, 4096)
    except OSError:
        return False
    return b'"format_version"' in head and (b'"planned_values"' in head or b'"terraform_version"' in head)
