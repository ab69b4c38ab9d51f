"""Fn::ImportValue between templates costs only the templates that export something."""

from __future__ import annotations

from pathlib import Path

import pytest

from why403.model.facts import SourceOptions
from why403.sources.cloudformation import build, collect_exports, parse_template
from why403.sources.cloudformation.decode import ParsedTemplate

SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
"""
EXPORTING = SAM + """\
Outputs:
  FnRole:
    Value: !GetAtt FnRole.Arn
    Export: {Name: fn-role}
"""


def _parsed(text: str, name: str) -> ParsedTemplate:
    return parse_template(text.encode(), name)


def test_templates_without_exports_are_neither_expanded_nor_resolved(monkeypatch: pytest.MonkeyPatch) -> None:
    work: list[str] = []
    real_expand, real_resolver = build.sam.expand, build.Resolver
    monkeypatch.setattr(build.sam, "expand", lambda t: work.append("expand") or real_expand(t))
    monkeypatch.setattr(build, "Resolver", lambda *a, **k: work.append("resolver") or real_resolver(*a, **k))
    quiet = [_parsed(SAM, "a.yaml"), _parsed(SAM + "Outputs:\n  Name:\n    Value: !Ref Fn\n", "b.yaml")]
    assert collect_exports(quiet, SourceOptions(), {}) == {}
    assert work == []
    exported = collect_exports([*quiet, _parsed(EXPORTING, "c.yaml")], SourceOptions(), {})
    assert list(exported) == ["fn-role"]  # the role SAM creates: exports still see the expansion
    assert work and set(work) == {"expand", "resolver"}


def test_exports_resolve_the_roles_sam_creates(tmp_path: Path) -> None:
    from tests.cloudformation.helpers import load_paths

    (tmp_path / "a.yaml").write_text(EXPORTING)
    (tmp_path / "b.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
        "      Roles: [!Select [1, !Split ['/', !ImportValue fn-role]]]\n"
        "      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}\n")
    results = load_paths(tmp_path / "a.yaml", tmp_path / "b.yaml")
    assert not [d for r in results for d in r.diagnostics if d.code == "cfn-import"]
