"""Point 5: the caches never decide findings on their own say.

A cache directory another user could write, or one inside the tree under check, is refused (with
a warning); a damaged, truncated or foreign entry is dropped and recomputed; a malformed run cache
is rebuilt; a file is known by its content whatever its size, never by its size and date.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from why403.cli.main import main

PUBLIC = '''
resource "aws_s3_bucket" "b" {
  bucket = "poison-test"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                   Resource = "${aws_s3_bucket.b.arn}/*" }]
  })
}
'''


def _rules(capsys: pytest.CaptureFixture[str], cache: Path, *extra: str) -> tuple[list[str], str]:
    code = main(["check", ".", "--no-config", "--format", "json", f"--cache-dir={cache}", *extra])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    return sorted(f["rule"] for f in json.loads(captured.out)["findings"]), captured.err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "main.tf").write_text(PUBLIC)
    monkeypatch.chdir(root)
    return root


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_a_cache_others_may_write_is_refused(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected, _ = _rules(capsys, tmp_path / "clean", "--no-cache")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    rules, err = _rules(capsys, shared)
    assert rules == expected and "W403-B307" in rules
    assert "warning: not using the cache directory" in err and "other users" in err
    assert list(shared.iterdir()) == []  # nothing written there either


def test_a_cache_inside_the_tree_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planted = repo / ".cache" / "why403"
    planted.mkdir(parents=True, mode=0o700)
    rules, err = _rules(capsys, planted)
    assert "W403-B307" in rules
    assert "inside the tree under check" in err
    assert list(planted.iterdir()) == []


def test_damaged_and_foreign_entries_are_recomputed(repo: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    expected, _ = _rules(capsys, cache)
    assert "W403-B307" in expected
    parse_entries = [p for p in (cache / "parse").rglob("*") if p.is_file()]
    run_entries = list((cache / "runs").iterdir())
    assert parse_entries and run_entries
    # Another project's valid entries, copied over ours ("foreign"), then truncated and tampered ones.
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "quiet"\n}\n')
    os.chdir(other)
    _rules(capsys, tmp_path / "other-cache")
    os.chdir(repo)
    foreign_run = next((tmp_path / "other-cache" / "runs").iterdir()).read_bytes()
    foreign_parse = next(p for p in (tmp_path / "other-cache" / "parse").rglob("*") if p.is_file()).read_bytes()
    for damage in ("foreign", "truncated", "tampered"):
        for entry in parse_entries:
            blob = entry.read_bytes()
            entry.write_bytes({"foreign": foreign_parse, "truncated": blob[: len(blob) // 2],
                               "tampered": blob[:-8] + b"\x80\x04N.\x00\x00\x00\x00"}[damage])
        for entry in run_entries:
            blob = entry.read_bytes()
            entry.write_bytes({"foreign": foreign_run, "truncated": blob[: len(blob) // 2],
                               "tampered": blob.replace(b'"W403-B307"', b'"W403-X999"')}[damage])
        assert _rules(capsys, cache)[0] == expected, damage
        assert _rules(capsys, cache)[0] == expected, damage  # and what was rewritten is sound


def test_a_malformed_run_cache_is_rebuilt(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    expected, _ = _rules(capsys, cache)
    shutil.rmtree(cache / "runs")
    (cache / "runs").write_text("not a directory")
    assert _rules(capsys, cache)[0] == expected
    assert (cache / "runs").is_dir()
    entry = next((cache / "runs").iterdir())
    entry.unlink()
    entry.mkdir()
    (entry / "x").write_text("")
    assert _rules(capsys, cache)[0] == expected
    assert _rules(capsys, cache)[0] == expected


def test_a_large_file_is_known_by_its_content(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Same size, same modification time, different content: a different run."""
    padding = "# " + "x" * 100 + "\n"
    text = PUBLIC + padding * (1_200_000 // len(padding))
    (repo / "main.tf").write_text(text)
    cache = tmp_path / "cache"
    assert "W403-B307" in _rules(capsys, cache)[0]
    stat = (repo / "main.tf").stat()
    quiet = text.replace('Principal = "*"', 'Principal = {AWS = "arn:aws:iam::123456789012:root"}')
    quiet = quiet[: len(text)] if len(quiet) >= len(text) else quiet + "#" * (len(text) - len(quiet))
    assert len(quiet.encode()) == stat.st_size
    (repo / "main.tf").write_text(quiet)
    os.utime(repo / "main.tf", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "W403-B307" not in _rules(capsys, cache)[0]
