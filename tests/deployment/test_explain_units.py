"""``why403 explain`` on a tree of several deployment units (issue 14): the access is explained in
the world ``check`` simulated it in, the unit that declares the principal (with its linked units),
and says which; when several units declare it, the user names one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from why403.cli.main import main

from .helpers import write_tree
from .test_units import APP, ORG, REPORTING, STORAGE, _environment

DELETE = ["--principal", "aws_iam_role.cleaner", "--action", "s3:DeleteObject",
          "--resource", "aws_s3_bucket.scratch/tmp/x.csv"]


def _explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args, "--no-config"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two roots declaring the same addresses in two accounts; an SCP denying object deletes is
    attached to the first one's account only."""
    write_tree(tmp_path, {"org/main.tf": ORG.replace("TARGET", "111122223333"),
                          "app/main.tf": APP.replace("PINNED", 'allowed_account_ids = ["111122223333"]'),
                          "other/main.tf": APP.replace("PINNED", 'allowed_account_ids = ["444455556666"]')
                          .replace("acme-app-scratch", "acme-other-scratch")})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_principal_several_units_declare_is_an_error_naming_them(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _explain(capsys, ".", *DELETE)
    assert code == 2 and out == ""
    assert "aws_iam_role.cleaner: 2 deployment units declare it (app, other)" in err
    assert "--unit PATH (e.g. --unit app)" in err


def test_the_unit_named_is_explained_with_the_units_linked_to_it(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _explain(capsys, ".", *DELETE, "--unit", "app")
    assert code == 1, out
    assert out.startswith("Deployment unit\n  app (--unit app)\n"
                          "  with org: org attaches organization policies to its account\n\nRequest\n")
    assert "Verdict: DENIED (403): explicit deny by the scp, statement NoObjectDeletes at org/main.tf:5" in out
    # The same addresses in the other account: no SCP binds it, the delete is allowed.
    code, out, _ = _explain(capsys, ".", *DELETE, "--unit", "other/")
    assert code == 0, out
    assert out.startswith("Deployment unit\n  other (--unit other/)\n\nRequest\n")
    assert "Verdict: ALLOWED" in out and "NoObjectDeletes" not in out


def test_the_bucket_tells_which_of_the_units_declaring_the_principal_is_meant(
        governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _explain(capsys, ".", *DELETE[:4], "--resource", "arn:aws:s3:::acme-other-scratch/tmp/x.csv")
    assert code == 0, out
    assert out.startswith("Deployment unit\n  other (it declares aws_iam_role.cleaner, and its world holds "
                          "acme-other-scratch)\n\nRequest\n")


def test_a_unit_not_read_is_an_error_listing_the_units(governed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _explain(capsys, ".", *DELETE, "--unit", "elsewhere")
    assert code == 2
    assert "--unit elsewhere: not a deployment unit of the paths read (units: app, org, other)" in err


def test_the_unit_that_declares_the_principal_is_chosen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # dev and prod both create acme-reports; only dev's analyst is refused by dev's bucket policy.
    # Merged into one world the two buckets were one, and the answer depended on which came first.
    write_tree(tmp_path, {
        "envs/dev/main.tf": _environment("dev", "arn:aws:iam::*:role/dev-admin")
        .replace('"analyst"', '"dev_analyst"').replace("aws_iam_role.analyst", "aws_iam_role.dev_analyst"),
        "envs/prod/main.tf": _environment("prod", "arn:aws:iam::*:role/prod-analyst"),
    })
    monkeypatch.chdir(tmp_path)
    code, out, _ = _explain(capsys, ".", "--principal", "aws_iam_role.dev_analyst", "--action", "s3:GetObject",
                            "--resource", "arn:aws:s3:::acme-reports/q1.csv")
    assert code == 1, out
    assert out.startswith("Deployment unit\n  envs/dev (it declares aws_iam_role.dev_analyst)\n\nRequest\n")
    assert "OnlyReaders" in out and "envs/dev/main.tf" in out and "envs/prod" not in out
    code, out, _ = _explain(capsys, ".", "--principal", "aws_iam_role.analyst", "--action", "s3:GetObject",
                            "--resource", "arn:aws:s3:::acme-reports/q1.csv")
    assert code == 0, out
    assert out.startswith("Deployment unit\n  envs/prod (it declares aws_iam_role.analyst)\n")


def test_a_bucket_granted_to_another_units_role_is_explained_where_both_are(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # storage's bucket policy names ingest's role (a link from storage to ingest); ingest's own policy
    # names no bucket literally, so ingest's world does not hold the bucket: storage's holds both.
    write_tree(tmp_path, {
        "ingest/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n  allowed_account_ids = ["111122223333"]\n}\n'
                          'resource "aws_iam_role" "ingest" {\n  name = "acme-ingest"\n'
                          '  assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",'
                          ' Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})\n}\n',
        "storage/main.tf": 'provider "aws" {\n  region = "eu-west-1"\n  allowed_account_ids = ["111122223333"]\n}\n'
                           'resource "aws_s3_bucket" "shared" { bucket = "acme-shared-landing" }\n'
                           'resource "aws_s3_bucket_policy" "shared" {\n  bucket = aws_s3_bucket.shared.id\n'
                           '  policy = jsonencode({Version = "2012-10-17", Statement = [{Sid = "IngestWrites",'
                           ' Effect = "Allow", Principal = {AWS = "arn:aws:iam::111122223333:role/acme-ingest"},'
                           ' Action = "s3:PutObject", Resource = "${aws_s3_bucket.shared.arn}/*"}]})\n}\n',
    })
    monkeypatch.chdir(tmp_path)
    code, out, _ = _explain(capsys, ".", "--principal", "aws_iam_role.ingest", "--action", "s3:PutObject",
                            "--resource", "aws_s3_bucket.shared/in/x.csv")
    assert code == 0, out
    assert out.startswith("Deployment unit\n  storage (its world holds aws_iam_role.ingest (ingest) and "
                          "aws_s3_bucket.shared (storage))\n  with ingest: it names the role acme-ingest, which "
                          "ingest creates\n")
    assert "IngestWrites" in out


def test_explain_a_finding_in_its_unit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Both stacks declare ExporterRole; the finding of the reporting stack is explained there, with
    # the storage stack whose key policy decides.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write_tree(tmp_path / "src", {"stacks/storage.yaml": STORAGE, "stacks/reporting.yaml": REPORTING})
    monkeypatch.chdir(tmp_path / "src")
    assert main(["check", ".", "--format", "json", "--no-config"]) == 1
    (denied,) = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "W403-D103"]
    code, out, err = _explain(capsys, "--finding", denied["fingerprint"][:10])
    assert code == 1, err
    reason = f"the unit of finding {denied['fingerprint'][:10]}"
    assert out.startswith(f"Deployment unit\n  stacks/reporting.yaml ({reason})\n")
    assert "with stacks/storage.yaml: it names the bucket acme-data-lake" in out
    assert "role/reporting-exporter" in out and "kms:Decrypt" in out
    code, _, err = _explain(capsys, ".", "--principal", "ExporterRole", "--action", "s3:GetObject",
                            "--resource", "arn:aws:s3:::acme-data-lake/x")
    assert code == 2 and "ExporterRole: 2 deployment units declare it" in err


def test_a_unit_given_with_a_finding_is_said_to_be_the_flags(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # --unit wins over the finding's unit, and the header says so rather than naming the finding.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write_tree(tmp_path / "src", {"stacks/storage.yaml": STORAGE, "stacks/reporting.yaml": REPORTING})
    monkeypatch.chdir(tmp_path / "src")
    assert main(["check", ".", "--format", "json", "--no-config"]) == 1
    (denied,) = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "W403-D103"]
    _, out, err = _explain(capsys, "--finding", denied["fingerprint"][:10], "--unit", "stacks/storage.yaml")
    assert out.startswith("Deployment unit\n  stacks/storage.yaml (--unit stacks/storage.yaml)\n"), out + err
