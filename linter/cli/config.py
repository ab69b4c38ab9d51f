"""The configuration file: ``[tool.why403]`` in pyproject.toml, or ``.why403.yaml``.

Found by walking up from the checked paths to their repository root (the first directory holding
``.why403.yaml``, ``.why403.yml`` or a ``pyproject.toml`` with a ``[tool.why403]`` table wins;
:func:`config_for_paths`), or named with ``--config``. It is validated completely on load: an
unknown key or a value of the wrong type is a :class:`ConfigError` naming the file and the key,
never a traceback or a silently ignored setting. Paths in it (var files, parameter files) are
relative to the file's directory. This module finds and reads the file; what each key may hold is
:mod:`why403.cli.config_schema`.

YAML (and TOML) parsers are imported only when such a file is read, so that a repository
configured otherwise (or not at all) does not pay for them on every pre-commit run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from why403.model.settings import Settings
from why403.report.base import FailLevel
from why403.report.suppress import SuppressionPolicy

if TYPE_CHECKING:
    from why403.sources.gitrepo import Revision

YAML_NAMES = (".why403.yaml", ".why403.yml")


class ConfigError(Exception):
    """A configuration problem, already phrased for the user (file and key included)."""


@dataclass(frozen=True)
class Config:
    """Everything the configuration file can say; the CLI lets flags override it."""

    path: str | None = None
    fail_level: FailLevel | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    jobs: int | None = None
    cache_dir: str | None = None
    settings: Settings = field(default_factory=Settings)
    tf_vars: tuple[tuple[str, str], ...] = ()
    tf_var_files: tuple[str, ...] = ()
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_parameter_files: tuple[str, ...] = ()
    suppressions: SuppressionPolicy = field(default_factory=SuppressionPolicy)
    baseline_file: str | None = None  # the accepted findings (docs/baseline.md), resolved against the file


# A configuration file is a few kilobytes; anything much larger is not one.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigFiles:
    """Where configuration files are read from: the disk. A configuration found by walking up may
    be in the tree under check, so it must be a regular file in the directory it was found in (a
    symbolic link to ``/proc/self/environ`` would have its content quoted in a YAML error); a file
    named with ``--config`` is the user's choice. :class:`RevisionFiles`
    reads them from a git revision instead."""

    def is_file(self, path: Path) -> bool:
        return path.is_file()

    def read_text(self, path: Path, found: bool, limit: int = MAX_CONFIG_BYTES) -> str:
        from why403.sources import confine

        if found:
            with confine.confined([path.parent.resolve()]):
                return confine.read_text(path, limit)
        return confine.read_private(path, limit).decode("utf-8")


class RevisionFiles(ConfigFiles):
    """Configuration files as they are at a git revision (``--config-from``, ``--baseline``), for
    the folders inside the repository; above it, as they are on disk (no pull request writes there)."""

    def __init__(self, at: Revision) -> None:
        self.repo = at.repo
        self.commit = at.commit
        self.ref = at.ref

    def _relative(self, path: Path) -> str | None:
        folder = path.parent.resolve()
        if folder != self.repo.top and self.repo.top not in folder.parents:
            return None
        return (folder / path.name).relative_to(self.repo.top).as_posix()

    def _blob(self, path: Path, limit: int = MAX_CONFIG_BYTES) -> bytes | None:
        from why403.sources import gitref

        relative = self._relative(path)
        assert relative is not None
        return gitref.blob_at(self.repo, self.commit, relative, limit)

    def is_file(self, path: Path) -> bool:
        if self._relative(path) is None:
            return super().is_file(path)
        return self._blob(path) is not None

    def read_text(self, path: Path, found: bool, limit: int = MAX_CONFIG_BYTES) -> str:
        if self._relative(path) is None:
            return super().read_text(path, found, limit)
        data = self._blob(path, limit)
        if data is None:
            raise FileNotFoundError(2, f"not in {self.ref}", str(path))
        return data.decode("utf-8")


def config_for_paths(paths: tuple[str, ...] | list[str], cwd: str | os.PathLike[str],
                     files: ConfigFiles | None = None) -> Path | None:
    """The configuration that governs a check of ``paths``: the nearest one at or above the
    directory holding them all, up to their repository root (the git work tree holding them; with
    none, up to the file system's root). Found from the target, not from where the command runs:
    ``why403 check infra/`` from a parent folder reads ``infra``'s configuration, and no file above
    the repository (a parent folder of the checkout) configures its check. ``why403 check``,
    ``explain`` and ``config`` all look it up here."""
    start = checked_directory(paths, cwd)
    return find_config(start, files, stop=repository_of(start))


def checked_directory(paths: tuple[str, ...] | list[str], cwd: str | os.PathLike[str]) -> Path:
    """The deepest directory holding every checked path (resolved)."""
    here = Path(cwd)
    folders = []
    for raw in paths or (".",):
        target = Path(os.path.abspath(here / raw))
        folders.append(str(target if target.is_dir() else target.parent))
    return Path(os.path.commonpath(folders)).resolve()


def repository_of(directory: Path) -> Path | None:
    """The git work tree holding ``directory`` (the nearest folder at or above it with a ``.git``
    entry), or None. SARIF locations are relative to it, and the configuration is looked up to it."""
    return next((f for f in (directory, *directory.parents) if os.path.lexists(f / ".git")), None)


def find_config(start: str | os.PathLike[str], files: ConfigFiles | None = None,
                stop: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest configuration file at or above ``start`` (and not above ``stop``), or None."""
    files = files or ConfigFiles()
    directory = Path(start).resolve()
    bound = Path(stop).resolve() if stop is not None else None
    for folder in (directory, *directory.parents):
        if bound is not None and folder != bound and bound not in folder.parents:
            break  # above the repository
        for name in YAML_NAMES:
            if files.is_file(folder / name):
                return folder / name
        pyproject = folder / "pyproject.toml"
        if files.is_file(pyproject) and _has_tool_table(pyproject, files):
            return pyproject
    return None


def load_config(path: str | os.PathLike[str], files: ConfigFiles | None = None, found: bool = False) -> Config:
    """Read and validate one configuration file (``found``: by walking up, not named by the user)."""
    file = Path(path)
    shown = str(path)
    try:
        text = (files or ConfigFiles()).read_text(file, found)
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"{shown}: cannot read the configuration file: {why}") from None
    return config_from_text(text, shown, file)


def config_from_text(text: str, shown: str, file: Path) -> Config:
    """Validate the text of the configuration file ``file`` (paths in it are relative to its directory)."""
    if file.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{shown}: not valid TOML: {exc}") from None
        table = data.get("tool", {}).get("why403")
        if table is None:
            raise ConfigError(f"{shown}: has no [tool.why403] table")
        prefix = "tool.why403."
    else:
        table = _load_yaml(text, shown)
        prefix = ""
    from why403.cli.config_schema import parse_table  # it imports Config from here

    return parse_table(table, shown, prefix, file.resolve().parent)


def _has_tool_table(pyproject: Path, files: ConfigFiles) -> bool:
    try:
        text = files.read_text(pyproject, True)
    except (OSError, UnicodeDecodeError):
        return False
    if "why403" not in text:  # cheap test before parsing every pyproject on the way up
        return False
    import tomllib

    try:
        return "why403" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return True  # let load_config say what is wrong with it


def _load_yaml(text: str, shown: str) -> Any:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None
    return {} if data is None else data
