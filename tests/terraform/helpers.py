"""Shared helpers for the Terraform frontend tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, TypeVar

from why403.model import symbols
from why403.model.facts import Diagnostic, Fact, SourceOptions, SourceResult
from why403.sources.terraform import load_module

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
A = symbols.HOME_ACCOUNT
R = symbols.HOME_REGION

F = TypeVar("F", bound=Fact)


def write(directory: Path, files: dict[str, str]) -> Path:
    """Write a module (file name -> text, dedented) and return its directory."""
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def load(directory: Path, files: dict[str, str] | None = None, **options: Any) -> SourceResult:
    if files:
        write(directory, files)
    return load_module(directory, SourceOptions(**options))


def facts(result: SourceResult, cls: type[F]) -> list[F]:
    return [f for f in result.facts if type(f) is cls]


def one(result: SourceResult, cls: type[F], ref: str | None = None) -> F:
    found = [f for f in facts(result, cls) if ref is None or f.ref == ref]
    assert len(found) == 1, (cls.__name__, ref, [f.ref for f in facts(result, cls)])
    return found[0]


def errors(result: SourceResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity == "error"]


def notes(result: SourceResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity == "note"]


def example_dir(prefix: str) -> Path:
    import pytest

    matches = sorted(EXAMPLES.glob(f"{prefix}-*"))
    if not matches:
        pytest.skip("shared/examples is not available")
    return matches[0]
