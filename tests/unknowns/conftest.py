"""Run ``why403 check`` as a user would on trees whose values the sources leave open (issue 14)."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from why403.cli.main import main

Check = Callable[..., tuple[int, dict[str, Any]]]
FIXTURES = Path(__file__).parent / "fixtures"


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture
def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Check:
    """Write the files, run ``why403 check . --format json`` from the tree: exit status and report."""

    def run(files: dict[str, str] | str, *args: str) -> tuple[int, dict[str, Any]]:
        """``files``: the tree to write, or the name of a directory of ``fixtures/`` to copy."""
        if isinstance(files, str):
            shutil.copytree(FIXTURES / files, tmp_path, dirs_exist_ok=True)
        else:
            write_tree(tmp_path, files)
        monkeypatch.chdir(tmp_path)
        code = main(["check", ".", *args, "--format", "json", "--no-config", "--no-cache"])
        return code, json.loads(capsys.readouterr().out)

    return run


def of_rule(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]
