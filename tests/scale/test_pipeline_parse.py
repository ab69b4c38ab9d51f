"""The check pipeline with the parse cache and worker processes: same output whatever ``--jobs``
and whatever the cache holds; after a one-file change only that file is parsed again."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.scale.corpus import CHECKOUT, EXAMPLES, GENERATOR, generated, synthetic
from why403.cli.main import main
from why403.pipeline import CheckOutcome, CheckRequest, run_check
from why403.sources import parsekind, parsing


def _normal(outcome: CheckOutcome) -> tuple[Any, ...]:
    """The outcome without its timing."""
    result = outcome.result
    return replace(result, stats=replace(result.stats, seconds=0.0)), outcome.suppressions


@pytest.fixture
def pool_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each prefetch sent to worker processes."""
    calls: list[int] = []
    real = parsing.ParseSession._parse_in_workers

    def spy(self: parsing.ParseSession, todo: dict[str, tuple[str, bytes]]) -> None:
        calls.append(len(todo))
        real(self, todo)

    monkeypatch.setattr(parsing.ParseSession, "_parse_in_workers", spy)
    return calls


class ParseLog:
    """The bytes of every file parsed, in this process or a child it forked (the pre-commit hook
    parses changed files in one): each parse is appended to a file, which both processes share."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_bytes(b"")

    def clear(self) -> None:
        self.path.write_bytes(b"")

    def add(self, data: bytes) -> None:
        with open(self.path, "ab") as log:
            log.write(data.hex().encode() + b"\n")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, list) and [bytes.fromhex(x.decode()) for x in self.path.read_bytes().split()] == other


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ParseLog:
    """Every file parsed in this process or its children."""
    seen = ParseLog(tmp_path / "parses.log")
    real = parsekind.parse

    def counting(kind: str, data: bytes) -> Any:
        seen.add(data)
        return real(kind, data)

    monkeypatch.setattr(parsekind, "parse", counting)
    return seen


def _inputs(tmp_path: Path) -> tuple[str, ...]:
    """Generated modules and stacks when the generator is there, the repository's own fixtures,
    and the shared examples when they are there."""
    paths = [CHECKOUT / "examples", CHECKOUT / "tests" / "cloudformation" / "fixtures",
             CHECKOUT / "tests" / "terraform" / "fixtures" / "policy_features"]
    if GENERATOR.is_file():
        paths.append(generated(tmp_path / "corpus", 6))
    else:
        paths.append(synthetic(tmp_path / "corpus", 120))  # past the pool threshold (MIN_POOL_BYTES)
    if EXAMPLES.is_dir():
        paths.append(EXAMPLES)
    return tuple(str(p) for p in paths)


def test_same_outcome_whatever_jobs_and_cache(tmp_path: Path, pool_runs: list[int]) -> None:
    paths = _inputs(tmp_path)
    baseline = _normal(run_check(CheckRequest(paths=paths, jobs=1, use_cache=False)))
    assert baseline[0].findings and baseline[0].files
    assert pool_runs == []
    cache = str(tmp_path / "cache")
    runs = [
        CheckRequest(paths=paths, jobs=2, use_cache=False),
        CheckRequest(paths=paths, jobs=3, cache_dir=cache),  # cold
        CheckRequest(paths=paths, jobs=2, cache_dir=cache),  # warm
        CheckRequest(paths=paths, jobs=1, cache_dir=cache),  # warm, in process
    ]
    for request in runs:
        assert _normal(run_check(request)) == baseline, (request.jobs, request.use_cache)
    assert len(pool_runs) == 2 and min(pool_runs) > 20, "the cold runs parsed in workers; the warm ones did not"


@pytest.mark.parametrize("jobs", [1, 2])
def test_one_file_changed_is_the_only_file_parsed(tmp_path: Path, parses: ParseLog, jobs: int) -> None:
    tree = synthetic(tmp_path / "repo", 40)
    cache = str(tmp_path / "cache")
    run_check(CheckRequest(paths=(str(tree),), jobs=jobs, cache_dir=cache))
    distinct = {p.read_bytes() for p in tree.rglob("*.tf")}  # modules share some files' bytes, and their entries
    assert len([p for p in (Path(cache) / "parse").rglob("*") if p.is_file()]) == len(distinct) == 43
    changed = tree / "modules" / "m0017" / "policy.tf"
    changed.write_text(changed.read_text().replace("s3:GetObject", "s3:PutObject"))
    parses.clear()
    outcome = run_check(CheckRequest(paths=(str(tree),), jobs=jobs, cache_dir=cache))
    assert parses == [changed.read_bytes()]
    fresh = run_check(CheckRequest(paths=(str(tree),), jobs=1, use_cache=False))
    assert _normal(outcome) == _normal(fresh)


def test_precommit_hook_after_a_one_file_change_parses_one_file(tmp_path: Path, parses: ParseLog,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    tree = synthetic(tmp_path / "repo", 12)
    monkeypatch.chdir(tree)
    cache = str(tmp_path / "cache")
    main(["check", "--cache-dir", cache, "--format", "json", "."])
    capsys.readouterr()
    changed = Path("modules/m0003/main.tf")
    changed.write_text(changed.read_text().replace("reader-3", "reader-three"))
    parses.clear()
    main(["check", "--pre-commit", "--cache-dir", cache, "--format", "json", str(changed)])
    assert '"findings"' in capsys.readouterr().out
    assert parses == [changed.read_bytes()]


def test_no_cache_writes_nothing_and_default_location_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(CHECKOUT / "examples" / "kms-403", tmp_path / "src")
    monkeypatch.chdir(tmp_path / "src")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))
    main(["check", "--no-cache", "."])
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()
    main(["check", "."])
    entries = [p for p in (tmp_path / "xdg").rglob("*") if p.is_file()]
    parsed = [p for p in entries if p.parent.parent.name == "parse"]
    runs = [p for p in entries if p.parent.name == "runs"]
    last = [p for p in entries if p.name == "last-run.json"]  # for 'explain --finding'
    counted = [p for p in entries if p.name == "parse.counted"]  # when the parse cache's size was counted
    assert len(parsed) == 1 and len(runs) == 1 and len(last) == 1 and len(counted) == 1 and len(entries) == 4
    capsys.readouterr()


@pytest.mark.parametrize("use_cache", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_module_called_by_many_roots_is_parsed_once_whatever_the_cache(tmp_path: Path, use_cache: bool,
                                                                          jobs: int) -> None:
    """Each file is parsed once per run: a local module that three roots call, read three times,
    is not parsed again for the second and third, with or without the cache (an empty one here)."""
    repo = tmp_path / "repo"
    module = repo / "modules" / "shared"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('variable "name" {}\n\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n')
    (module / "outputs.tf").write_text('output "arn" {\n  value = aws_s3_bucket.b.arn\n}\n')
    for env in ("dev", "staging", "prod"):
        (repo / env).mkdir()
        (repo / env / "main.tf").write_text(f'provider "aws" {{\n  region = "eu-west-1"\n}}\n\nmodule "shared" {{\n'
                                            f'  source = "../modules/shared"\n  name = "acme-{env}"\n}}\n')
    sessions: list[parsing.ParseSession] = []
    real = parsing.ParseSession.finish

    def finish(self: parsing.ParseSession) -> None:
        sessions.append(self)
        real(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parsing.ParseSession, "finish", finish)
        outcome = run_check(CheckRequest(paths=(str(repo),), jobs=jobs, use_cache=use_cache,
                                         cache_dir=str(tmp_path / "cache")))
    assert outcome.result.stats.units == 3
    assert [s.stats.parsed for s in sessions] == [5]  # 3 roots + 2 module files, each once
    assert [s.stats.from_cache for s in sessions] == [0]
