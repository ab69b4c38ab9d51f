"""What the pre-commit hook passes to the check: the templates the check itself would lint."""

from __future__ import annotations

from pathlib import Path

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
