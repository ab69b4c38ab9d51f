"""From the files pre-commit passes to the deployment units the hook checks.

The hook checks each changed file's deployment unit (docs/units.md), reading the unit's other
files, and nothing else:

- a changed ``.tf`` (or ``.tfvars``) file belongs to the module in its directory, and a module is
  checked as part of every root module that expands it, with that root's inputs, exactly as the
  full check reads it: a changed file of ``modules/bucket`` checks ``envs/prod`` and ``envs/dev``
  when both call it, and ``modules/bucket`` itself only when nothing in the repository calls it
  (or it configures a provider: then it is a root too);
- a changed CloudFormation template is its own unit, or the CDK stack it belongs to (a nested
  stack's template is checked with its parent and the parent's other nested templates).

The callers of a module are found by searching the repository's Terraform files for local
``source`` strings (:func:`~why403.sources.terraform.callers.mentioned_callers`, no parsing; files
unchanged since the last search are not read again), and only the directories that name a changed
module are parsed (through the parse cache) to confirm the
call and to tell a root from a child. The check reads a directory argument recursively, so a root
is passed as one of its files, which the check reads as that directory alone.

The hook's ``files`` pattern also lets through YAML and JSON that are not templates (workflows,
compose files, package.json): those are skipped here, by a cheap look at their text, instead of
being reported as unreadable templates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from why403.sources.discover import TEMPLATE_SUFFIXES, TERRAFORM_SUFFIXES, terraform_module_files

if TYPE_CHECKING:
    from why403.sources.terraform.layout import DirectoryLayout


def targets(files: Iterable[str], *, cache_dir: str | None = None, use_cache: bool = True,
            exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What to check for these changed files: a file of each root module that expands a changed
    module, then the templates of each changed template's unit. Paths are relative to the working
    directory, like the ones pre-commit passes; the repository holding it is searched for callers."""
    modules: dict[Path, None] = {}
    changed: list[Path] = []
    templates: dict[str, None] = {}
    for file in files:
        path = os.path.normpath(file)
        if ".terraform" in path.split(os.sep) or not os.path.isfile(path):
            continue  # provider caches and downloaded modules; deleted files
        name = path.lower()
        if name.endswith(TERRAFORM_SUFFIXES):
            modules.setdefault(Path(os.path.dirname(os.path.abspath(path))), None)
            changed.append(Path(path))
        elif name.endswith(TEMPLATE_SUFFIXES) and _is_template(path):
            templates.update(dict.fromkeys(_template_unit(path)))
    roots = _roots(list(modules), changed, cache_dir, use_cache, exclude) if modules else []
    return (*(m for m in map(_module_file, roots) if m), *sorted(templates))


def _module_file(directory: Path) -> str | None:
    """One Terraform file of ``directory`` (relative to the working directory, as pre-commit names
    files): the check reads its directory and nothing below it."""
    files = terraform_module_files(directory)
    return os.path.relpath(files[0]) if files else None  # only .tfvars changed in a folder without .tf: skip


def _is_template(path: str) -> bool:
    """The check's own test (the CloudFormation frontend's sniff), so that the hook passes on
    exactly the files the check would lint."""
    from why403.sources.cloudformation.sniff import is_template

    return is_template(Path(path))


def _template_unit(path: str) -> list[str]:
    """The templates checked for a changed one: itself, or its CDK stack's template and nested
    templates (a nested template is only meaningful with the parameters its parent passes)."""
    from why403.sources.cloudformation import cdk

    template = Path(path)
    if not (template.parent / "manifest.json").is_file():
        return [path]
    stack = cdk.stacks(sorted(template.parent.glob("*.json"))).get(template)
    if stack is None:
        return [path]
    return [str(stack.template), *map(str, stack.nested)]


def _roots(changed: list[Path], files: list[Path], cache_dir: str | None, use_cache: bool,
           exclude: tuple[str, ...]) -> list[Path]:
    """The root modules of the repository that expand a changed module directory (absolute paths),
    reads confined to the repository (the tree is untrusted). A caller the check excludes is not
    one: the check would drop it, and the changed module would be checked by no one.

    The changed ``files`` are parsed into the cache by a child process meanwhile
    (:func:`~why403.sources.parsing.warm_in_background`): their parse and this process's search
    for callers and import of the engine, which the check needs next, overlap."""
    from why403.cli.config import repository_of
    from why403.sources import confine
    from why403.sources.discover import excluded
    from why403.sources.parsing import session_for, warm_in_background
    from why403.sources.terraform.callers import mentioned_callers
    from why403.sources.terraform.layout import read_layout

    top = repository_of(Path.cwd()) or Path.cwd()
    with confine.confined(confine.roots_for([str(top)])):
        session = session_for(cache_dir, use_cache, 1)
        parsed = warm_in_background(session, files)
        try:
            callers = mentioned_callers(top, session.cache.directory if session.cache is not None else None)
            _import_engine()
        finally:
            parsed()  # waits for the child, whatever happened here
        known: dict[Path, DirectoryLayout] = {}

        def layout_of(directory: Path) -> DirectoryLayout:
            if directory not in known:
                known[directory] = read_layout(directory, session.terraform)
            return known[directory]

        roots = expanding_roots(changed, callers, layout_of,
                                lambda d: bool(exclude) and excluded(Path(os.path.relpath(d)), exclude))
        session.finish()
    return roots


def _import_engine() -> None:
    """Import what the check runs next (the Terraform frontend's evaluation, the world, the engine,
    every rule, the text report) now, while the changed files are parsed in the background: the
    imports are the same either way, only their time overlaps with the parse."""
    import why403.pipeline
    import why403.report.text
    import why403.runcache
    import why403.sources.terraform.load
    import why403.sources.terraform.modules
    import why403.world.accesses
    import why403.world.analysis
    import why403.world.build
    import why403.world.units  # noqa: F401
    from why403.rules import all_rules

    all_rules()


def expanding_roots(changed: Iterable[Path], callers: Mapping[Path, list[Path]],
                    layout_of: Callable[[Path], DirectoryLayout],
                    left_out: Callable[[Path], bool] = lambda _: False) -> list[Path]:
    """The root modules whose units hold a ``changed`` directory: the directories that call it,
    directly or through other modules, and that no one calls or that configure a provider (the
    rule of :func:`~why403.sources.terraform.layout.root_modules`), the changed ones included."""
    roots: dict[Path, None] = {}
    seen: set[Path] = set()
    stack = list(changed)
    while stack:
        directory = stack.pop()
        if directory in seen:
            continue
        seen.add(directory)
        calling = [c for c in callers.get(directory, ()) if not left_out(c) and directory in layout_of(c).calls]
        if not calling or layout_of(directory).configures_provider:
            roots[directory] = None
        stack.extend(calling)
    return sorted(roots)
