"""Which directories are Terraform root modules (issue 14, point 1): a directory that configures a
provider or a backend, or that no other directory of the tree calls; child modules are read through
the roots that call them, and each of their files is parsed once for the whole run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from why403.sources.terraform import layout
from why403.sources.terraform.reader import parse_file

from .helpers import write_tree

BUCKET_MODULE = """\
variable "name" { type = string }
resource "aws_s3_bucket" "this" { bucket = var.name }
output "arn" { value = aws_s3_bucket.this.arn }
"""


def _env(name: str) -> str:
    return f"""\
terraform {{
  required_version = ">= 1.5"
  backend "s3" {{
    bucket = "acme-tfstate"
    key    = "{name}/app.tfstate"
    region = "eu-west-1"
  }}
}}
provider "aws" {{ region = "eu-west-1" }}
module "data" {{
  source = "../../modules/bucket"
  name   = "acme-{name}-data"
}}
data "terraform_remote_state" "network" {{
  backend = "s3"
  config = {{
    bucket = "acme-tfstate"
    key    = "{name}/network.tfstate"
    region = "eu-west-1"
  }}
}}
"""


def _layouts(root: Path, dirs: list[str]) -> dict[Path, layout.DirectoryLayout]:
    return layout.layouts([root / d for d in dirs], parse_file)


def test_environments_are_roots_and_shared_modules_are_not(tmp_path: Path) -> None:
    write_tree(tmp_path, {"envs/dev/main.tf": _env("dev"), "envs/prod/main.tf": _env("prod"),
                          "modules/bucket/main.tf": BUCKET_MODULE})
    found = _layouts(tmp_path, ["envs/dev", "envs/prod", "modules/bucket"])
    assert layout.root_modules(found) == [tmp_path / "envs/dev", tmp_path / "envs/prod"]
    prod = found[tmp_path / "envs/prod"]
    assert prod.configures_provider and prod.calls == (tmp_path / "modules/bucket",)
    assert prod.state == ("s3", (("bucket", "acme-tfstate"), ("key", "prod/app.tfstate")))
    assert prod.reads_states == (("s3", (("bucket", "acme-tfstate"), ("key", "prod/network.tfstate"))),)


def test_a_module_repository_is_simulated_through_its_examples(tmp_path: Path) -> None:
    # terraform-aws-modules style: the module at the top, examples calling it with real inputs.
    write_tree(tmp_path, {
        "main.tf": BUCKET_MODULE,
        "examples/complete/main.tf": 'module "b" {\n  source = "../../"\n  name = "acme-example"\n}\n',
        "modules/notification/main.tf": 'variable "bucket" {}\n',
    })
    found = _layouts(tmp_path, [".", "examples/complete", "modules/notification"])
    # The top is called by the example; the submodule nobody calls is linted on its own.
    assert layout.root_modules(found) == [tmp_path / "examples/complete", tmp_path / "modules/notification"]


def test_a_called_directory_that_configures_a_provider_is_a_root_too(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "live/main.tf": 'module "legacy" {\n  source = "../legacy"\n}\n',
        "legacy/main.tf": 'provider "aws" { region = "us-east-1" }\nresource "aws_s3_bucket" "b" {}\n',
    })
    found = _layouts(tmp_path, ["legacy", "live"])
    assert layout.root_modules(found) == [tmp_path / "legacy", tmp_path / "live"]


def test_backend_identities(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "local/main.tf": 'terraform {\n  backend "local" {\n    path = "../state/local.tfstate"\n  }\n}\n',
        "partial/main.tf": 'terraform {\n  backend "s3" {}\n}\n',
        "cloud/main.tf": 'terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n'
                         '      name = "prod-network"\n    }\n  }\n}\n',
        "reader/main.tf": 'data "terraform_remote_state" "n" {\n  backend = "remote"\n  config = {\n'
                          '    organization = "acme"\n    workspaces = { name = "prod-network" }\n  }\n}\n',
    })
    found = _layouts(tmp_path, ["local", "partial", "cloud", "reader"])
    assert found[tmp_path / "local"].state == ("local", (("path", str(tmp_path / "state/local.tfstate")),))
    partial = found[tmp_path / "partial"]
    assert partial.configures_provider and partial.state is None  # -backend-config decides: no identity
    assert found[tmp_path / "cloud"].state == ("cloud", (("organization", "acme"), ("workspaces.name", "prod-network")))
    assert found[tmp_path / "reader"].reads_states == (
        ("remote", (("organization", "acme"), ("workspaces.name", "prod-network"))),)


def test_each_module_file_is_parsed_once_for_the_whole_run(tmp_path: Path) -> None:
    write_tree(tmp_path, {"envs/dev/main.tf": _env("dev"), "envs/prod/main.tf": _env("prod"),
                          "modules/bucket/main.tf": BUCKET_MODULE})
    parses: Counter[str] = Counter()

    def counting(path: Path) -> object:
        parses[Path(path).relative_to(tmp_path).as_posix()] += 1
        return parse_file(path)

    dirs = [tmp_path / d for d in ("envs/dev", "envs/prod", "modules/bucket")]
    shared = layout.SharedParses(counting)  # type: ignore[arg-type]
    found = layout.layouts(dirs, shared)
    roots = layout.root_modules(found)
    shared.expect(layout.file_uses(roots, found))
    from why403.model.facts import SourceOptions
    from why403.sources.terraform import load_module

    results = [load_module(root, SourceOptions(), shared) for root in roots]
    assert all(r.files for r in results)
    assert parses == {"envs/dev/main.tf": 1, "envs/prod/main.tf": 1, "modules/bucket/main.tf": 1}
    assert not shared.kept  # nothing held once the last root has read it
