"""Point 2: nothing outside the repository is read, whatever the tree says; a refused read is an
unknown value or a located error, never content.

The repository is ``repo/`` (it has a ``.git``); ``outside/`` beside it holds what a runner keeps
(credentials, the environment under /proc). The tree reaches for it every way it can.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from why403.cli.main import main

SECRET = "SECRETTOKEN0123456789"
PUBLIC_POLICY = '''
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
'''


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET.lower())
    (outside / "evil.tf").write_text(f'resource "aws_s3_bucket" "b" {{\n  bucket = "{SECRET.lower()}"\n}}\n'
                                     + PUBLIC_POLICY)
    (outside / "mod").mkdir()
    (outside / "mod" / "main.tf").write_text(f'output "name" {{\n  value = "{SECRET.lower()}"\n}}\n')
    (outside / "secret.tfvars").write_text(f'name = "{SECRET.lower()}"\n')
    (outside / "params.json").write_text(json.dumps({"Parameters": {"Name": SECRET.lower()}}))
    (outside / "template.yaml").write_text(f"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                                           f"      BucketName: {SECRET.lower()}\n")
    return repo, outside


def _check(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main(["check", ".", "--no-cache", "--format", "json", *extra])
    captured = capsys.readouterr()
    assert SECRET.lower() not in captured.out + captured.err
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def test_terraform_reads_outside_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo, outside = _layout(tmp_path)
    monkeypatch.setenv("WHY403_TEST_SECRET", SECRET.lower())
    infra = repo / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(f'''
resource "aws_s3_bucket" "b" {{
  bucket = trimspace(file("${{path.module}}/../../outside/secret.txt"))
}}
resource "aws_s3_bucket" "abs" {{
  bucket = trimspace(file("{outside / 'secret.txt'}"))
}}
resource "aws_s3_bucket" "proc" {{
  bucket = substr(file("${{path.module}}/../../../../../../../../proc/self/environ"), 0, 60)
}}
resource "aws_s3_bucket" "tpl" {{
  bucket = templatefile("../../outside/secret.txt", {{}})
}}
module "outside" {{
  source = "../../outside/mod"
}}
module "registry" {{
  source = "terraform-aws-modules/s3-bucket/aws"
}}
resource "aws_s3_bucket" "from_module" {{
  bucket = module.outside.name
}}
''' + PUBLIC_POLICY)
    (infra / "link.tf").symlink_to(outside / "evil.tf")
    manifest = infra / ".terraform" / "modules"
    manifest.mkdir(parents=True)
    (manifest / "modules.json").write_text(json.dumps(
        {"Modules": [{"Key": "registry", "Source": "x", "Dir": "../../outside/mod"}]}))
    monkeypatch.chdir(repo)
    code, report, _ = _check(repo, capsys, "--no-config")
    assert code == 1
    errors = {(Path(e["file"]).name, "outside the tree under check" in e["message"]) for e in report["errors"]}
    assert ("link.tf", True) in errors, report["errors"]
    messages = [f["message"] for f in report["findings"]]
    assert any("module.outside is in" in m and "outside the tree under check" in m for m in messages), messages
    assert any("module.registry is in" in m and "outside the tree under check" in m for m in messages), messages
    assert any("is not read (outside the tree under check" in m for m in messages), messages
    assert any(f["rule"] == "W403-B307" for f in report["findings"])  # the rest is still checked


def test_a_fifo_and_devices_do_not_hang_the_run(tmp_path: Path) -> None:
    repo, _ = _layout(tmp_path)
    infra = repo / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "fine"\n}\n' + PUBLIC_POLICY)
    os.mkfifo(infra / "fifo.tf")
    os.mkfifo(infra / "plan.json")
    os.mkfifo(infra / "template.yaml")
    (infra / "zero.tf").symlink_to("/dev/zero")
    (infra / "random.json").symlink_to("/dev/urandom")
    (infra / "read.tf").write_text('resource "aws_s3_bucket" "c" {\n  bucket = file("fifo.tf")\n}\n'
                                    'resource "aws_s3_bucket" "d" {\n  bucket = file("zero.tf")\n}\n')
    for cache in ("--no-cache", f"--cache-dir={tmp_path / 'cache'}"):
        proc = subprocess.run([sys.executable, "-m", "why403", "check", ".", cache, "--no-config", "--format", "json"],
                              cwd=repo, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        report = json.loads(proc.stdout)
        assert any(f["rule"] == "W403-B307" for f in report["findings"])  # the run went on
        notes = [f["message"] for f in report["findings"]
                 if f["location"] and f["location"]["file"].endswith("read.tf")]
        assert any("'fifo.tf' is not read (not a regular file (a FIFO))" in n for n in notes), notes
        assert any("'zero.tf' is not read (outside the tree under check" in n for n in notes), notes


def test_configuration_files_cannot_point_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo, outside = _layout(tmp_path)
    (repo / "main.tf").write_text('variable "name" {}\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n')
    monkeypatch.chdir(repo)
    for section, key, target in (("terraform", "var-files", "secret.tfvars"),
                                 ("cloudformation", "parameter-files", "params.json")):
        (repo / ".why403.yaml").write_text(f"{section}:\n  {key}: ['../outside/{target}']\n")
        code, _, err = _check(repo, capsys)
        assert code == 2 and "outside the repository" in err, err
        (repo / "link").unlink(missing_ok=True)
        (repo / "link").symlink_to(outside / target)
        (repo / ".why403.yaml").write_text(f"{section}:\n  {key}: ['link']\n")
        code, _, err = _check(repo, capsys)
        assert code == 2 and "outside the repository" in err, err
    # The same files named on the command line are the user's own choice, and are read.
    (repo / ".why403.yaml").unlink()
    code = main(["check", ".", "--no-cache", "--format", "json", "--var-file", str(outside / "secret.tfvars")])
    assert SECRET.lower() in capsys.readouterr().out or code in (0, 1)


def test_a_symlinked_template_or_parameter_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    repo, outside = _layout(tmp_path)
    (repo / "template.yaml").symlink_to(outside / "template.yaml")
    (repo / "real.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    monkeypatch.chdir(repo)
    code, report, _ = _check(repo, capsys, "--no-config")
    assert code in (0, 1)
    assert report["stats"]["files"] == 1


@pytest.mark.parametrize(("path", "folder", "expected"), [
    ("/repo", "/repo", True), ("/repo/a/b.tf", "/repo", True), ("/repo-other/b.tf", "/repo", False),
    ("/rep", "/repo", False), ("/", "/repo", False), ("/etc/passwd", "/", True), ("/repo/a", "/repo/", True),
])
def test_inside_is_a_whole_component_prefix(path: str, folder: str, expected: bool) -> None:
    from why403.sources.confine import inside

    assert inside(Path(path), Path(folder)) is expected
