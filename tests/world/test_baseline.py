"""--baseline on a real git history: a KMS 403, an overreaching "fix", then the narrow fix."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from why403.model.facts import SourceOptions
from why403.model.settings import Settings
from why403.pipeline import CheckRequest, run_check

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportsKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: KeyAdmin
            Effect: Allow
            Principal: {AWS: arn:aws:iam::111111111111:role/key-admin}
            Action: kms:*
            Resource: "*"
%s
  Reports:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: reports-bkt-example
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt ReportsKey.Arn}
  ReaderRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reports-reader
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::reports-bkt-example/*}
              - {Effect: Allow, Action: kms:Decrypt, Resource: !GetAtt ReportsKey.Arn}
"""
BROKEN = ""
WILDCARD_FIX = """          - Sid: StopThe403s
            Effect: Allow
            Principal: {AWS: "*"}
            Action: kms:*
            Resource: "*"
"""
NARROW_FIX = """          - Sid: ReaderDecryptsThroughS3
            Effect: Allow
            Principal: {AWS: arn:aws:iam::111111111111:role/reports-reader}
            Action: kms:Decrypt
            Resource: "*"
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = tmp_path / "infra"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "dev")
    commits = []
    for text, message in ((BROKEN, "reports reader (KMS 403)"), (WILDCARD_FIX, "stop the 403s"),
                          (NARROW_FIX, "narrow fix")):
        (repo / "reports.yaml").write_text(TEMPLATE % text)
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", message)
        commits.append(_git(repo, "rev-parse", "HEAD"))
    return repo, commits


def _check(repo: Path, baseline: str | None) -> list:  # type: ignore[type-arg]
    settings = Settings(account_id="111111111111", baseline=baseline)
    request = CheckRequest(paths=(str(repo),), source_options=SourceOptions(account_id="111111111111"),
                           settings=settings)
    return list(run_check(request).result.findings)


def test_the_kms_403_is_found_at_the_first_commit(history: tuple[Path, list[str]]) -> None:
    repo, commits = history
    _git(repo, "checkout", "-q", commits[0])
    findings = _check(repo, None)
    assert [(f.rule, f.layer, f.access.kms_action) for f in findings if f.rule == "W403-D103"] == \
        [("W403-D103", "kms-key-policy", "kms:Decrypt")]


def test_the_wildcard_fix_is_an_overreaching_remediation(history: tuple[Path, list[str]]) -> None:
    repo, commits = history
    _git(repo, "checkout", "-q", commits[1])
    findings = _check(repo, commits[0])
    over = [f for f in findings if f.rule == "W403-N401"]
    assert any(f.severity == "error" and f.access is not None and "any other AWS account" in f.access.principal
               for f in over), [f.message for f in findings]
    remedy = [f for f in findings if f.rule == "W403-N402" and f.access and "reports-reader" in f.access.principal]
    assert remedy and "remedy" in remedy[0].message
    drafts = [f.suggestion for f in over if f.suggestion]
    assert drafts and "reports-reader" in drafts[0] and "kms:Decrypt" in drafts[0]
    # Findings that already existed at the baseline are not repeated; the change's own are.
    assert not [f for f in findings if f.rule == "W403-D103"]
    assert [f for f in findings if f.rule == "W403-B302"]


def test_the_narrow_fix_passes(history: tuple[Path, list[str]]) -> None:
    repo, commits = history
    findings = _check(repo, commits[0])
    assert [f for f in findings if f.severity in ("error", "warning")] == []
    assert any(f.rule == "W403-N402" and "remedy" in f.message for f in findings)


def test_no_change_reports_nothing(history: tuple[Path, list[str]]) -> None:
    repo, _ = history
    assert _check(repo, "HEAD") == []
