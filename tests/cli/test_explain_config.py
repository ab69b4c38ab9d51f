"""``why403 explain`` reads the sources as ``check`` does: same configuration, same checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_pipeline import frontend_ready

from why403.cli.main import main

KMS_403 = Path(__file__).resolve().parents[2] / "examples" / "kms-403" / "main.tf"

pytestmark = pytest.mark.skipif(not frontend_ready("terraform"), reason="needs the pipeline and the Terraform frontend")


def _explain(*extra: str) -> int:
    return main(["explain", ".", "--principal", "aws_iam_role.exporter", "--action", "s3:PutObject",
                 "--resource", "arn:aws:s3:::example-exports-bucket/x", *extra])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(KMS_403.read_text())
    (root / "vendor").mkdir()
    (root / "vendor" / "broken.tf").write_text('resource "aws_s3_bucket" {\n')
    monkeypatch.chdir(root)
    return root


def test_explain_follows_the_configuration_check_follows(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".why403.yaml").write_text("exclude: [vendor]\ncache-dir: .cache/why403\njobs: 1\n")
    assert _explain() == 1
    captured = capsys.readouterr()
    assert "Verdict: DENIED (403)" in captured.out
    assert "broken.tf" not in captured.err  # the configuration excludes vendor/
    # A cache inside the tree under check is refused (a pull request could plant entries there).
    assert not (repo / ".cache" / "why403" / "parse").exists()


def test_explain_checks_var_files_as_check_does(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _explain("--no-config", "--var-file", "missing.tfvars") == 2
    assert "no such file: missing.tfvars" in capsys.readouterr().err
