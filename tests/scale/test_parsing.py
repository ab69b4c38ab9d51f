"""A run's parse session: the hooks hand the frontends what they would have parsed themselves."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from why403.sources import parsecache, parsekind, parsing
from why403.sources.cloudformation import parse_file as cfn_parse_file
from why403.sources.parsecache import ParseCache
from why403.sources.parsekind import CFN
from why403.sources.parsing import ParseSession
from why403.sources.terraform.reader import parse_file as tf_parse_file

TF_OK = b'resource "aws_s3_bucket" "b" {\n  bucket = "x-${var.env}" # why403:ignore[B301] fine\n}\n'
TF_JSON = b'{"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}\n'
TF_BAD = b'resource "aws_s3_bucket" "b" {\n  bucket = \n'
TFVARS = b'env = "prod"\n'
CFN_OK = b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
CFN_BAD = b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: [unclosed\n"
NOT_UTF8 = b"\xff\xfe\xfa not text \x80"


def _files(root: Path) -> dict[str, Path]:
    contents = {"main.tf": TF_OK, "bad.tf": TF_BAD, "json.tf.json": TF_JSON, "terraform.tfvars": TFVARS,
                "latin.tf": NOT_UTF8, "ok.yaml": CFN_OK, "bad.yaml": CFN_BAD, "latin.yaml": NOT_UTF8}
    out = {}
    for name, data in contents.items():
        (root / name).write_bytes(data)
        out[name] = root / name
    return out


def _expected(path: Path) -> Any:
    return cfn_parse_file(path) if path.suffix == ".yaml" else tf_parse_file(path)


def _hook(session: ParseSession, path: Path) -> Any:
    return session.cloudformation(path) if path.suffix == ".yaml" else session.terraform(path)


@pytest.mark.parametrize("use_cache", [False, True])
def test_hooks_equal_the_frontends_own_parse_cold_and_warm(tmp_path: Path, use_cache: bool) -> None:
    files = _files(tmp_path)
    for _ in range(2):
        session = ParseSession(ParseCache(tmp_path / "cache") if use_cache else None, jobs=1)
        for path in files.values():
            assert _hook(session, path) == _expected(path), path.name
    if use_cache:
        assert session.stats.parsed == 0 and session.stats.from_cache == len(files)


def test_errors_carry_the_file_name_not_the_placeholder(tmp_path: Path) -> None:
    files = _files(tmp_path)
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    for _ in range(2):
        bad = session.cloudformation(files["bad.yaml"])
        assert bad.error is not None and bad.error.location.file == str(files["bad.yaml"]) == bad.file
        assert session.terraform(files["bad.tf"]).name == str(files["bad.tf"])


def test_same_bytes_under_two_names_share_one_entry(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "main.tf").write_bytes(TF_OK)
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    first, second = (session.terraform(tmp_path / d / "main.tf") for d in ("a", "b"))
    assert session.stats.parsed == 1 and session.stats.from_cache == 1
    assert (first.name, second.name) == (str(tmp_path / "a" / "main.tf"), str(tmp_path / "b" / "main.tf"))
    assert first.body == second.body


def test_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_bytes(TF_OK)
    cache = ParseCache(tmp_path / "cache")
    ParseSession(cache, jobs=1).terraform(path)
    entries = [p for p in (tmp_path / "cache" / "parse").rglob("*") if p.is_file()]
    assert len(entries) == 1
    entries[0].write_bytes(entries[0].read_bytes()[:-5])
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    assert session.terraform(path) == tf_parse_file(path)
    assert session.stats.parsed == 1 and session.cache is not None and session.cache.stats.corrupt == 1
    again = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    again.terraform(path)
    assert again.stats.from_cache == 1 and again.stats.parsed == 0


def test_valid_entry_of_forbidden_content_is_not_trusted(tmp_path: Path) -> None:
    """An intact entry whose payload is not a parse result (planted, or from a foreign tool) is
    refused, re-parsed and overwritten."""
    import pickle

    path = tmp_path / "main.tf"
    path.write_bytes(TF_OK)
    cache = ParseCache(tmp_path / "cache")
    key = parsecache.content_key(parsekind.salt(parsekind.TF), TF_OK)
    cache.put(key, pickle.dumps({"not": "a parse"}))
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    assert session.terraform(path) == tf_parse_file(path)
    assert session.stats.parsed == 1


def test_unreadable_and_missing_files_get_the_frontends_errors(tmp_path: Path) -> None:
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=2)
    missing = tmp_path / "gone.tf"
    assert session.terraform(missing) == tf_parse_file(missing)
    missing_yaml = tmp_path / "gone.yaml"
    assert session.cloudformation(missing_yaml) == cfn_parse_file(missing_yaml)
    session.prefetch([(parsekind.TF, missing), (CFN, missing_yaml)])
    assert session.terraform(missing) == tf_parse_file(missing)


# -- worker processes ------------------------------------------------------------------------------


@pytest.fixture
def many(tmp_path: Path) -> Iterator[list[tuple[str, Path]]]:
    root = tmp_path / "src"
    root.mkdir()
    items: list[tuple[str, Path]] = []
    for i in range(24):
        tf = root / f"f{i:02}.tf"
        body = "".join(f'resource "aws_s3_bucket" "b{i}_{j}" {{\n  bucket = "n{i}-{j}"\n  tags = {{ k = {j} }}\n}}\n'
                       for j in range(40))
        tf.write_text(body)
        items.append((parsekind.terraform_kind(tf), tf))
        cf = root / f"t{i:02}.yaml"
        cf.write_bytes(CFN_OK + b"".join(b"  B%d:\n    Type: AWS::S3::Bucket\n" % j for j in range(i)))
        items.append((CFN, cf))
    yield items


def test_prefetch_parses_in_workers_and_hooks_agree(tmp_path: Path, many: list[tuple[str, Path]]) -> None:
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=2)
    session.prefetch(many)
    assert session.stats.workers == 2 and session.stats.parsed_in_workers == len(many)
    for _, path in many:
        assert _hook(session, path) == _expected(path)
    assert session.stats.parsed_here == 0
    warm = ParseSession(ParseCache(tmp_path / "cache"), jobs=2)
    warm.prefetch(many)
    assert warm.stats.workers == 0 and warm.stats.from_cache == len(many)


def test_without_cache_workers_still_parse(many: list[tuple[str, Path]]) -> None:
    session = ParseSession(None, jobs=3)
    session.prefetch(many)
    assert session.stats.parsed_in_workers == len(many)
    assert all(_hook(session, p) == _expected(p) for _, p in many)


def test_small_inputs_stay_in_process(tmp_path: Path) -> None:
    files = _files(tmp_path)
    session = ParseSession(None, jobs=4)
    session.prefetch([(parsekind.terraform_kind(p), p) for n, p in files.items() if ".tf" in n])
    assert session.stats.workers == 0


def test_one_job_never_starts_a_pool(tmp_path: Path, many: list[tuple[str, Path]],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no pool with --jobs 1")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", refuse)  # imported when a pool starts
    session = ParseSession(ParseCache(tmp_path / "cache"), jobs=1)
    session.prefetch(many)
    assert all(_hook(session, p) == _expected(p) for _, p in many)
    assert session.stats.parsed_here == len(many)


def test_a_broken_pool_leaves_the_files_to_this_process(tmp_path: Path, many: list[tuple[str, Path]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise BrokenProcessPool("a worker was killed")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Broken)  # imported when a pool starts
    session = ParseSession(None, jobs=2)
    session.prefetch(many)
    assert all(_hook(session, p) == _expected(p) for _, p in many)
    assert session.stats.parsed_here == len(many)


def test_a_result_that_cannot_be_pickled_is_parsed_here(many: list[tuple[str, Path]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = parsekind.parse

    def deep(kind: str, data: bytes) -> Any:
        if b"f03" in data or b"b3_0" in data:
            nested: list[Any] = []
            for _ in range(200_000):
                nested = [nested]
            return nested
        return real(kind, data)

    monkeypatch.setattr(parsekind, "parse", deep)  # inherited by the forked workers
    assert parsekind.work(parsekind.TF, b"f03") is None
    session = ParseSession(None, jobs=2)
    session.prefetch(many)
    assert session.stats.parsed_in_workers == len(many) - 1
    monkeypatch.setattr(parsekind, "parse", real)
    assert all(_hook(session, p) == _expected(p) for _, p in many)
    assert session.stats.parsed_here == 1


def test_terraform_files_lists_what_the_frontend_parses(tmp_path: Path) -> None:
    for name in ("main.tf", "x.tf.json", "terraform.tfvars", "prod.auto.tfvars", "other.tfvars", ".hidden.tf",
                 "vars.auto.tfvars.json", "README.md"):
        (tmp_path / name).write_text("")
    names = [(k, p.name) for k, p in parsing.terraform_files([tmp_path])]
    assert names == [(parsekind.TF, "main.tf"), (parsekind.TF_JSON, "x.tf.json"), (parsekind.TF, "prod.auto.tfvars"),
                     (parsekind.TF, "terraform.tfvars")]
