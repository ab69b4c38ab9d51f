"""What the pre-commit hook passes to the check: the templates the check itself would lint."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from why403.cli.precommit import targets
from why403.sources.discover import discover

TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"


def test_the_hook_and_the_check_recognise_the_same_templates(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(TEMPLATE.encode("utf-16"))  # with its byte-order mark, as Windows editors save it
    upper = tmp_path / "STACK.YAML"
    upper.write_text(TEMPLATE)
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: push\njobs: {}\n")
    files = [str(p) for p in (utf16, upper, workflow)]
    from why403.sources.cloudformation import is_template

    linted = [str(p) for p in discover(files).template_candidates if is_template(p)]
    assert sorted(linted) == sorted(files[:2])
    assert targets(files) == tuple(sorted(linted))


ROOT_CALLING = 'provider "aws" {{\n  region = "eu-west-1"\n}}\n\nmodule "data" {{\n  source = "{source}"\n}}\n'
BUCKET = 'resource "aws_s3_bucket" "b" {\n  bucket = "acme-data"\n}\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """envs/prod and envs/dev call modules/data, which calls modules/key; modules/lonely is called by no one."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for env in ("prod", "dev"):
        _write(repo / "envs" / env / "main.tf", ROOT_CALLING.format(source="../../modules/data"))
    _write(repo / "modules" / "data" / "main.tf", BUCKET + '\nmodule "key" {\n  source = "../key"\n}\n')
    _write(repo / "modules" / "data" / "variables.tf", 'variable "name" {\n  default = "x"\n}\n')
    _write(repo / "modules" / "key" / "main.tf", 'resource "aws_kms_key" "k" {}\n')
    _write(repo / "modules" / "lonely" / "main.tf", BUCKET)
    monkeypatch.chdir(repo)
    return repo


def test_a_changed_module_is_checked_through_every_root_that_expands_it(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _repo(tmp_path, monkeypatch)
    both = ("envs/dev/main.tf", "envs/prod/main.tf")
    assert targets(["modules/data/variables.tf"]) == both
    assert targets(["modules/key/main.tf"]) == both  # through modules/data
    assert targets(["envs/prod/main.tf"]) == ("envs/prod/main.tf",)
    assert targets(["modules/lonely/main.tf"]) == ("modules/lonely/main.tf",)  # no caller: a root of its own
    assert targets(["modules/key/main.tf", "envs/dev/main.tf"]) == both
    # from a subdirectory, paths stay relative to where the hook runs
    monkeypatch.chdir("envs")
    assert targets(["../modules/key/main.tf"]) == ("dev/main.tf", "prod/main.tf")


def test_the_hook_answers_the_same_from_its_caller_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second commit's search takes unchanged files from the index in the cache directory;
    a caller added since is still found."""
    repo = _repo(tmp_path, monkeypatch)
    cache = str(tmp_path / "cache")
    both = ("envs/dev/main.tf", "envs/prod/main.tf")
    assert targets(["modules/key/main.tf"], cache_dir=cache) == both
    assert list((tmp_path / "cache" / "callers").glob("*.json"))
    assert targets(["modules/key/main.tf"], cache_dir=cache) == both
    _write(repo / "envs" / "qa" / "main.tf", ROOT_CALLING.format(source="../../modules/key"))
    assert targets(["modules/key/main.tf"], cache_dir=cache) == (*both, "envs/qa/main.tf")
    assert targets(["modules/key/main.tf"], use_cache=False) == (*both, "envs/qa/main.tf")
    assert not (repo / ".why403").exists()


def test_an_excluded_caller_is_no_root_so_the_changed_module_is_still_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _repo(tmp_path, monkeypatch)
    assert targets(["modules/data/variables.tf"], exclude=("envs/prod",)) == ("envs/dev/main.tf",)
    # every caller excluded: the check would read none of them, so the module is a root of its own
    assert targets(["modules/data/variables.tf"], exclude=("envs/*",)) == ("modules/data/main.tf",)


def test_only_module_calls_make_callers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, monkeypatch)
    # a local ``source`` of another block (an object uploaded from a file) is not a module call
    _write(repo / "uploads" / "main.tf", 'resource "aws_s3_object" "o" {\n  bucket = "b"\n  key = "k"\n'
                                         '  source = "../modules/lonely"\n}\n')
    assert targets(["modules/lonely/main.tf"]) == ("modules/lonely/main.tf",)
    # a call in JSON syntax is one; a caller under .terraform (a downloaded copy) is not looked at
    _write(repo / "stacks" / "lonely.tf.json", '{"module": {"l": {"source": "../modules/lonely"}}}')
    _write(repo / "envs" / "prod" / ".terraform" / "modules" / "x" / "main.tf",
           ROOT_CALLING.format(source="../../../../../modules/lonely"))
    assert targets(["modules/lonely/main.tf"]) == ("stacks/lonely.tf.json",)


def test_a_called_module_that_configures_a_provider_is_a_root_too(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, monkeypatch)
    _write(repo / "modules" / "data" / "providers.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    assert targets(["modules/data/main.tf"]) == ("envs/dev/main.tf", "envs/prod/main.tf", "modules/data/main.tf")


def test_a_nested_cdk_template_is_checked_with_its_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    monkeypatch.chdir(out)
    nested = {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}
    parent = {"Resources": {"N": {"Type": "AWS::CloudFormation::Stack",
                                  "Metadata": {"aws:asset:path": "AppNestedA1B2.nested.template.json"}}}}
    Path("AppNestedA1B2.nested.template.json").write_text(json.dumps(nested))
    Path("App.template.json").write_text(json.dumps(parent))
    Path("Other.template.json").write_text(json.dumps(nested))
    Path("manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        name: {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region",
               "properties": {"templateFile": f"{name}.template.json"}} for name in ("App", "Other")}}))
    assert targets(["AppNestedA1B2.nested.template.json"]) == ("App.template.json",
                                                               "AppNestedA1B2.nested.template.json")
    assert targets(["Other.template.json"]) == ("Other.template.json",)


def test_the_hook_reports_the_units_of_the_changed_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A changed module file is checked in the unit of the root that calls it, with the root's
    inputs; another unit's findings (the same defect elsewhere) are not the hook's business."""
    from why403.cli.main import main

    example = (Path(__file__).resolve().parents[2] / "examples" / "kms-403" / "main.tf").read_text()
    module = example.split('data "aws_caller_identity"', 1)[1]
    module = 'variable "bucket" {}\n\ndata "aws_caller_identity"' + module.replace(
        '"example-exports-bucket"', "var.bucket")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / "modules" / "exports" / "main.tf", module)
    _write(repo / "envs" / "prod" / "main.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n\nmodule "exports" {\n'
                                              '  source = "../../modules/exports"\n  bucket = "acme-prod-exports"\n}\n')
    _write(repo / "other" / "main.tf", example)
    monkeypatch.chdir(repo)
    assert main(["check", "--pre-commit", "--no-cache", "-f", "json", "modules/exports/main.tf"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    denials = [f for f in findings if f["rule"] == "W403-D103"]
    assert denials and {f["unit"] for f in findings} == {"envs/prod"}
    assert all("acme-prod-exports" in f["message"] for f in denials)  # the root's input, not an unknown
    assert not [f for f in findings if f["location"]["file"].startswith("other/")]


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(os, "O_NOFOLLOW"), reason="needs FIFOs and O_NOFOLLOW")
def test_the_search_for_callers_reads_no_link_and_no_fifo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook searches the whole repository, which is untrusted: a link to a file elsewhere or to
    a folder elsewhere is not read, and a FIFO does not hang it."""
    from why403.sources.terraform.callers import mentioned_callers

    repo = _repo(tmp_path, monkeypatch)
    outside = tmp_path / "elsewhere"
    _write(outside / "main.tf", ROOT_CALLING.format(source="../repo/modules/lonely"))
    (repo / "linked.tf").symlink_to(outside / "main.tf")
    (repo / "linked_dir").symlink_to(outside, target_is_directory=True)
    os.mkfifo(repo / "modules" / "lonely" / "pipe.tf")
    callers = mentioned_callers(repo)
    assert set(callers) == {repo / "modules" / "data", repo / "modules" / "key"}
    assert callers[repo / "modules" / "key"] == [repo / "modules" / "data"]
    assert sorted(callers[repo / "modules" / "data"]) == [repo / "envs" / "dev", repo / "envs" / "prod"]


def test_the_hook_honours_the_configured_baseline_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A team that recorded today's findings (``--write-baseline``, named by ``baseline-file`` in
    its configuration) gets from the hook only the findings a commit adds to a unit."""
    from why403.cli.main import main

    example = (Path(__file__).resolve().parents[2] / "examples" / "kms-403" / "main.tf").read_text()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / "app" / "main.tf", example)
    _write(repo / ".why403.yaml", "baseline-file: why403-baseline.json\n")
    monkeypatch.chdir(repo)
    assert main(["check", "--no-cache", "--write-baseline", "why403-baseline.json", "."]) == 0
    capsys.readouterr()
    assert main(["check", "--pre-commit", "--no-cache", "app/main.tf"]) == 0  # every finding accepted
    capsys.readouterr()
    # the commit adds a second uploader with the same mistake: only its finding is reported
    second = example[example.index('resource "aws_iam_role" "exporter"'):].replace("exporter", "archiver")
    Path("app/main.tf").write_text(example + "\n" + second)
    assert main(["check", "--pre-commit", "--no-cache", "-f", "json", "app/main.tf"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings and all("archiver" in f["message"] for f in findings if f["rule"] == "W403-D103")
    assert not any("aws_iam_role.exporter " in f["message"] for f in findings)
