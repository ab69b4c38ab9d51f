"""Shared helpers for the CloudFormation frontend tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from why403.model.facts import Fact, SourceOptions, SourceResult
from why403.sources.cloudformation import load_templates

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"

F = TypeVar("F", bound=Fact)


def load_text(tmp_path: Path, text: str, name: str = "template.yaml", **options: Any) -> SourceResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (result,) = load_templates([path], SourceOptions(**options))
    return result


def load_paths(*paths: Path, **options: Any) -> list[SourceResult]:
    return load_templates(list(paths), SourceOptions(**options))


def facts(result: SourceResult, cls: type[F]) -> list[F]:
    return [f for f in result.facts if type(f) is cls]


def one(result: SourceResult, cls: type[F], ref: str | None = None) -> F:
    found = [f for f in facts(result, cls) if ref is None or f.ref == ref]
    assert len(found) == 1, f"expected one {cls.__name__} {ref or ''}, got {found}"
    return found[0]


def opaque(result: SourceResult, label: str) -> str:
    """The opaque token the frontend makes for ``label`` in this result's template."""
    from why403.model import symbols

    with symbols.token_scope(result.files[0]):
        return symbols.opaque(label)


def unknown(result: SourceResult, label: str) -> str:
    from why403.model import symbols

    with symbols.token_scope(result.files[0]):
        return symbols.unknown(label)
