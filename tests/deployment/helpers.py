"""Running ``why403 check`` on a tree written by a test, as a user would (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from why403.cli.main import main


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def check_json(capsys: pytest.CaptureFixture[str], *args: str, config: bool = False) -> tuple[int, dict[str, Any]]:
    """``why403 check ARGS --format json`` in the working directory: exit status and report
    (``config``: with the configuration found from the paths, else ``--no-config``)."""
    code = main(["check", *args, "--format", "json", "--no-cache", *(() if config else ("--no-config",))])
    return code, json.loads(capsys.readouterr().out)


def check_text(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--color", "never", "--no-config", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
