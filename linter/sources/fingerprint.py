"""What identifies the code that made a cached result: why403's own files, and the versions of
the libraries that parse.

A cache entry must never be served to a different why403 or a different parser. These are the
ingredients of the parse cache's salt and of the run cache's key. They are computed on every
pre-commit hook, so each is as cheap as it can be while exact: an installed wheel is identified by
its ``RECORD`` (the hashes of every file it installed), a library's version by its ``.dist-info``
folder's name, and only a development install hashes its files one by one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys


def code_fingerprint(*packages: str, suffixes: tuple[str, ...] = (".py",), recursive: bool = False) -> str:
    """sha256 of the files of these directories whose names end in ``suffixes`` (and of their
    subdirectories', ``__pycache__`` aside, when ``recursive``), with their relative paths.

    Development installs change code without changing the version; a frontend whose code changed
    must not be served results of its former self (nor the run cache outcomes of a former
    why403). An installed wheel's files never change, so this is stable there. Files that cannot
    be read make the fingerprint unique to this process (no cache hits rather than stale ones).
    Callers compute theirs once per process (it reads every file). The walk is plain ``os.scandir``:
    it runs on every pre-commit hook, where pathlib's globbing cost more than the hashing.
    """
    digest = hashlib.sha256()
    for package in packages:
        found: list[tuple[str, str]] = []  # (relative name, path)
        stack = [("", package)]
        try:
            while stack:
                prefix, folder = stack.pop()
                with os.scandir(folder) as listing:
                    for entry in listing:
                        if entry.is_dir():
                            if recursive and entry.name != "__pycache__":
                                stack.append((prefix + entry.name + "/", entry.path))
                        elif entry.name.endswith(suffixes) and entry.is_file():
                            found.append((prefix + entry.name, entry.path))
        except OSError:
            digest.update(os.urandom(16))
            continue
        for name, path in sorted(found):
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = os.urandom(16)
            digest.update(name.encode() + b"\x00" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def distribution_version(name: str) -> str:
    """The installed version of a distribution (without importing it), or ``"?"``.

    Read from the name of its ``.dist-info`` folder (``python_hcl2-8.1.4.dist-info``: the wheel
    format fixes that name, PEP 427) on ``sys.path``: ``importlib.metadata`` finds the same folder
    but imports the email package to parse it, a cost every pre-commit hook paid. A name not found
    that way is asked of ``importlib.metadata``.
    """
    found = _dist_info(name)
    if found is not None:
        return found[1]
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def installed_fingerprint(name: str, package: str) -> str | None:
    """sha256 of the ``RECORD`` of distribution ``name`` when it is installed from a wheel, else
    None. ``RECORD`` lists the sha256 of every file the wheel installed (PEP 376), so it stands for
    their content at the cost of one read; an editable install's ``RECORD`` lists only its path
    hook (no ``package/__init__.py``): its code must be fingerprinted file by file."""
    found = _dist_info(name)
    if found is None:
        return None
    try:
        with open(os.path.join(found[0], "RECORD"), "rb") as handle:
            record = handle.read()
    except OSError:
        return None
    if f"{package}/__init__.py,".encode() not in record:
        return None
    return hashlib.sha256(record).hexdigest()


@functools.cache
def _dist_info(name: str) -> tuple[str, str] | None:
    """(path, version) of the first ``.dist-info`` folder of distribution ``name`` on ``sys.path``,
    the one ``importlib.metadata`` would read; looked up once per process (it lists every folder of
    the path). The working directory (``python -m`` puts it first) is not looked at: it is the tree
    under check."""
    wanted = re.sub(r"[-_.]+", "_", name).lower() + "-"
    for entry in sys.path:
        if not entry or not os.path.isabs(entry) or entry == os.getcwd():
            continue
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and folder.lower().startswith(wanted):
                version = folder[len(wanted):-len(".dist-info")]
                if version and "-" not in version:
                    return os.path.join(entry, folder), version
    return None
