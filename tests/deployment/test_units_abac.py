"""ABAC and ``${aws:username}`` across deployment units (issue 14): the roles and the user are
created in one root (``iam/``, with their tags), the bucket and its tag-based policy in another
(``data/``). The identity policies name the bucket literally, which links ``iam`` to ``data``: each
access is simulated in ``iam``'s world with the bucket policy of ``data`` and the tags of ``iam``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from why403.cli.main import main

from .helpers import check_json

FIXTURE = Path(__file__).parent / "fixtures" / "abac_lake"


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "lake")
    monkeypatch.chdir(tmp_path / "lake")
    return tmp_path / "lake"


def _denials(report: dict[str, object]) -> set[tuple[str, str, str, str, str]]:
    return {(f["rule"], f["access"]["principal_ref"], f["access"]["action"], f["unit"], f["location"]["file"])
            for f in report["findings"] if f["kind"] == "denied"}  # type: ignore[attr-defined, index]


def test_principal_tags_and_usernames_decide_across_units(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(capsys, ".")
    assert code == 1
    assert report["stats"]["units"] == 2
    assert _denials(report) == {
        # team=sales is not analytics; alice has no team tag, and StringNotEquals on an absent key matches
        ("W403-D101", "aws_iam_role.seller", "s3:GetObject", "iam", "data/main.tf"),
        ("W403-D101", "aws_iam_user.alice", "s3:GetObject", "iam", "data/main.tf"),
        # a role session has no aws:username: its home grant matches nothing (alice's works)
        ("W403-D102", "aws_iam_role.analyst", "s3:PutObject", "iam", "iam/main.tf"),
        ("W403-D102", "aws_iam_role.seller", "s3:PutObject", "iam", "iam/main.tf"),
    }
    assert all(f["severity"] == "error" for f in report["findings"])


def test_without_the_bucket_s_unit_its_policy_is_not_guessed(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Checking iam/ alone, acme-lake is a bucket the sources do not create: its policy is unknown,
    # and no access to it is claimed denied.
    code, report = check_json(capsys, "iam")
    assert code == 0 and _denials(report) == set()
    assert report["stats"]["units"] == 1


def test_explain_uses_the_tags_of_the_principal_s_unit(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", ".", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::acme-lake/curated/q1.parquet",
            "--no-config", "--principal"]
    assert main([*args, "aws_iam_role.seller"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Deployment unit\n  iam (it declares aws_iam_role.seller)\n"
                          "  with data: it names the bucket acme-lake, which data creates\n")
    assert "CuratedIsForAnalytics" in out
    assert main([*args, "aws_iam_role.analyst"]) == 0
    assert "Verdict: ALLOWED" in capsys.readouterr().out
