"""What the pipeline counts and reads: each file once, and a child module only through its callers."""

from __future__ import annotations

from pathlib import Path

from why403.pipeline import CheckRequest, run_check

CHILD = """
variable "name" {}
resource "aws_s3_bucket" "b" {
  bucket = var.name
}
"""


def _caller(name: str) -> str:
    return f'module "store" {{\n  source = "../modules/store"\n  name   = "{name}"\n}}\n'


def _tree(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for root in ("a", "b"):
        (repo / root).mkdir(parents=True)
        (repo / root / "main.tf").write_text(_caller(f"bucket-{root}"))
    (repo / "modules" / "store").mkdir(parents=True)
    (repo / "modules" / "store" / "main.tf").write_text(CHILD)
    return repo


def test_a_child_module_called_twice_counts_once(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    result = run_check(CheckRequest(paths=(str(repo),), use_cache=False)).result
    assert len(result.files) == 3
    assert result.stats.files == 3  # not 4: both roots read the child's main.tf

