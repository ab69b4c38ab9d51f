"""The run cache answers an unchanged re-run, and only that."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from why403 import pipeline
from why403.model.facts import SourceOptions
from why403.pipeline import CheckRequest, run_check

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = pipeline.analyze

    def counting(request: CheckRequest) -> pipeline.Analyzed:
        calls.append(1)
        return real(request)

    monkeypatch.setattr(pipeline, "analyze", counting)
    return calls


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "infra"
    shutil.copytree(CHECKOUT / "examples" / "kms-403", target)
    return target


def _request(repo: Path, tmp_path: Path, **kwargs: object) -> CheckRequest:
    return CheckRequest(paths=(str(repo),), cache_dir=str(tmp_path / "cache"), **kwargs)  # type: ignore[arg-type]


def test_an_unchanged_rerun_is_answered_from_the_cache(repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    first = run_check(_request(repo, tmp_path))
    second = run_check(_request(repo, tmp_path))
    assert len(analyses) == 1
    assert first.result.findings == second.result.findings and first.result.findings
    assert first.result.files == second.result.files
    assert first.suppressions == second.suppressions


def test_any_change_below_the_paths_is_a_new_run(repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    run_check(_request(repo, tmp_path))
    (repo / "main.tf").write_text((repo / "main.tf").read_text().replace('"kms:Encrypt"', '"kms:GenerateDataKey"'))
    fixed = run_check(_request(repo, tmp_path))
    assert len(analyses) == 2
    assert not [f for f in fixed.result.findings if f.rule == "W403-D103"]
    (repo / "policy.json").write_text("{}")  # a file Terraform could read with file()
    run_check(_request(repo, tmp_path))
    assert len(analyses) == 3


def test_files_no_frontend_opens_count_by_name_and_those_read_by_content(
        repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG one")
    (repo / "grant.tpl").write_text('"kms:Encrypt"')
    main = repo / "main.tf"
    main.write_text(main.read_text().replace('"kms:Encrypt"', 'jsondecode(file("${path.module}/grant.tpl"))', 1))
    first = run_check(_request(repo, tmp_path))
    (repo / "logo.png").write_bytes(b"\x89PNG two")  # not read by the run: its content does not matter
    again = run_check(_request(repo, tmp_path))
    assert len(analyses) == 1 and again.result.findings == first.result.findings
    (repo / "logo2.png").write_bytes(b"")  # a new file is a new run
    run_check(_request(repo, tmp_path))
    assert len(analyses) == 2
    (repo / "grant.tpl").write_text('"kms:GenerateDataKey"')  # read with file(): its content decides
    changed = run_check(_request(repo, tmp_path))
    assert len(analyses) == 3 and changed.result.findings != first.result.findings


def test_a_file_read_in_a_folder_the_key_skips_is_checked_by_content(
        repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    """The key does not walk node_modules, .venv ...: a file the run reads there (a ``file()``
    target, a module) is recorded with its content like a file outside the paths."""
    (repo / "node_modules" / "grants").mkdir(parents=True)
    (repo / "node_modules" / "grants" / "grant.json").write_text('"kms:Encrypt"')
    main = repo / "main.tf"
    main.write_text(main.read_text().replace(
        '"kms:Encrypt"', 'jsondecode(file("${path.module}/node_modules/grants/grant.json"))', 1))
    first = run_check(_request(repo, tmp_path))
    (repo / "node_modules" / "grants" / "grant.json").write_text('"kms:GenerateDataKey"')
    changed = run_check(_request(repo, tmp_path))
    assert len(analyses) == 2 and changed.result.findings != first.result.findings


def test_options_and_var_files_are_part_of_the_key(repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text('region = "eu-west-1"\n')
    options = SourceOptions(tf_var_files=(str(var_file),))
    run_check(_request(repo, tmp_path, source_options=options))
    run_check(_request(repo, tmp_path, source_options=options))
    assert len(analyses) == 1
    var_file.write_text('region = "eu-west-2"\n')
    run_check(_request(repo, tmp_path, source_options=options))
    run_check(_request(repo, tmp_path, select=("W403-D",)))
    assert len(analyses) == 3


def test_no_cache_and_baseline_always_run(repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    run_check(_request(repo, tmp_path, use_cache=False))
    run_check(_request(repo, tmp_path, use_cache=False))
    assert len(analyses) == 2
    assert not (tmp_path / "cache" / "runs").exists()


def test_a_damaged_entry_is_ignored_and_rewritten(repo: Path, tmp_path: Path, analyses: list[int]) -> None:
    first = run_check(_request(repo, tmp_path))
    entries = list((tmp_path / "cache" / "runs").glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text('{"format": 1, "findings": [{"rule": 3}]}')
    again = run_check(_request(repo, tmp_path))
    assert len(analyses) == 2 and again.result.findings == first.result.findings
    assert run_check(_request(repo, tmp_path)).result.findings == first.result.findings
    assert len(analyses) == 2


def test_frontend_string_subclasses_are_stored_as_plain_strings() -> None:
    """Terraform's strings carry their position (a str subclass that deepcopy cannot rebuild)."""
    from why403 import runcache
    from why403.model.finding import Finding, RunResult
    from why403.model.location import Location

    class Located(str):
        def __new__(cls, text: str, line: int) -> Located:
            self = super().__new__(cls, text)
            self.line = line  # type: ignore[attr-defined]
            return self

    finding = Finding(rule="W403-D101", kind="denied", severity="error", message=Located("denied", 3),
                      location=Location(Located("main.tf", 3), 3), identity=(Located("aws_s3_bucket.b", 3),))
    text = runcache.dump(RunResult(findings=(finding,)), ())
    loaded = runcache.load(text)
    assert loaded is not None and loaded[0].findings == (finding,)
    assert type(loaded[0].findings[0].message) is str


def _outcome() -> tuple[object, tuple[()]]:
    from why403.model.finding import RunResult

    return RunResult(files=("main.tf",)), ()


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from why403 import runcache

    cache = runcache.RunCache(tmp_path)

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runcache.os, "replace", full_disk)
    result, suppressions = _outcome()
    cache.put("a" * 64, result, suppressions)  # type: ignore[arg-type]
    assert list(cache.directory.iterdir()) == []


def test_eviction_keeps_the_newest_entries_and_another_runs_write_in_progress(tmp_path: Path) -> None:
    import os
    import time

    from why403 import runcache

    cache = runcache.RunCache(tmp_path)
    result, suppressions = _outcome()
    now = time.time()
    for n in range(runcache.KEEP):
        cache.put(f"{n:064x}", result, suppressions)  # type: ignore[arg-type]
        os.utime(cache.directory / f"{n:064x}.json", (now - 1000 + n, now - 1000 + n))
    in_flight = cache.directory / ".tmp-another-run.json"
    in_flight.write_text("{")  # a concurrent run between its write and its rename
    cache.put("f" * 64, result, suppressions)  # type: ignore[arg-type]
    entries = {p.name for p in cache.directory.glob("*.json") if not p.name.startswith(".")}
    assert len(entries) == runcache.KEEP
    assert f"{0:064x}.json" not in entries and "f" * 64 + ".json" in entries
    assert in_flight.exists()
