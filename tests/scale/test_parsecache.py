"""The on-disk parse cache: keys, integrity, the restricted unpickler, atomic writes, eviction."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import time
from pathlib import Path

import pytest

import why403
from why403.sources import fingerprint, parsecache, parsekind
from why403.sources.parsecache import MAGIC, ParseCache, UnsafePayload

KEY = "ab" + "0" * 62
OTHER = "ab" + "1" * 62

# -- where the cache lives ---------------------------------------------------------------------


def test_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parsecache.default_cache_dir() == tmp_path / "why403"


def test_relative_xdg_is_ignored_as_the_spec_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parsecache.default_cache_dir() == tmp_path / ".cache" / "why403"


def test_windows_uses_localappdata(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert parsecache.default_cache_dir() == tmp_path / "why403" / "Cache"


# -- keys ----------------------------------------------------------------------------------------


def test_key_depends_on_bytes_kind_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    base = parsecache.content_key(parsecache.salt("tf", "lib=1"), b"a = 1\n")
    assert base == parsecache.content_key(parsecache.salt("tf", "lib=1"), b"a = 1\n")
    assert base != parsecache.content_key(parsecache.salt("tf", "lib=1"), b"a = 2\n")
    assert base != parsecache.content_key(parsecache.salt("tf.json", "lib=1"), b"a = 1\n")
    assert base != parsecache.content_key(parsecache.salt("tf", "lib=2"), b"a = 1\n")
    monkeypatch.setattr(why403, "__version__", "99.0.0")
    assert base != parsecache.content_key(parsecache.salt("tf", "lib=1"), b"a = 1\n")


def test_code_fingerprint_changes_with_the_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("not code")
    before = fingerprint.code_fingerprint(str(tmp_path))
    (tmp_path / "notes.txt").write_text("still not code")
    assert fingerprint.code_fingerprint(str(tmp_path)) == before
    (tmp_path / "a.py").write_text("x = 2\n")
    assert fingerprint.code_fingerprint(str(tmp_path)) != before


def test_session_salt_names_the_parser_libraries() -> None:
    text = parsekind.salt(parsekind.TF).decode()
    assert "python-hcl2=" in text and "code=" in text and f"why403={why403.__version__}" in text
    assert "cfn-lint=" in parsekind.salt(parsekind.CFN).decode()


# -- entries are checked ---------------------------------------------------------------------------


def test_round_trip_and_layout(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    assert cache.get(KEY) is None
    cache.put(KEY, b"payload")
    assert cache.get(KEY) == b"payload"
    assert cache.path(KEY) == tmp_path / "parse" / "ab" / KEY
    assert [p.name for p in (tmp_path / "parse" / "ab").iterdir()] == [KEY]  # no temporary file left
    assert (cache.stats.hits, cache.stats.misses, cache.stats.writes) == (1, 1, 1)


@pytest.mark.parametrize("damage", ["truncate", "flip", "magic", "empty", "header-only"])
def test_damaged_entry_is_a_miss(tmp_path: Path, damage: str) -> None:
    cache = ParseCache(tmp_path)
    cache.put(KEY, b"payload of some length")
    path = cache.path(KEY)
    blob = path.read_bytes()
    if damage == "truncate":
        blob = blob[:-3]
    elif damage == "flip":
        blob = blob[:-1] + bytes([blob[-1] ^ 1])
    elif damage == "magic":
        blob = b"X" + blob[1:]
    elif damage == "empty":
        blob = b""
    else:
        blob = blob[: len(MAGIC) + 64]
    path.write_bytes(blob)
    assert cache.get(KEY) is None
    assert cache.stats.corrupt == 1
    cache.put(KEY, b"payload of some length")  # rewritten by the next parse
    assert cache.get(KEY) == b"payload of some length"


def test_entry_under_another_name_is_a_miss(tmp_path: Path) -> None:
    """An entry binds its key: copied (or renamed) to another key's place, it is not believed."""
    cache = ParseCache(tmp_path)
    cache.put(KEY, b"payload")
    os.replace(cache.path(KEY), cache.path(OTHER))
    assert cache.get(OTHER) is None
    assert cache.stats.corrupt == 1


def test_unreadable_cache_directory_costs_only_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    cache = ParseCache(blocker)
    cache.put(KEY, b"payload")
    assert cache.get(KEY) is None
    assert cache.stats.write_errors == 1 and cache.stats.writes == 0


# -- the unpickler knows only parse-result classes ------------------------------------------------

CALLED: list[str] = []


def _record(what: str) -> str:
    CALLED.append(what)
    return what


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_record, ("executed",))


def test_payload_naming_a_function_is_refused_before_it_runs() -> None:
    payload = pickle.dumps(_Exploit())
    with pytest.raises(UnsafePayload):
        parsecache.loads(payload, parsekind.allowed_classes(parsekind.TF), object)
    assert CALLED == []


@pytest.mark.parametrize("value", [os.system, print, {"a": _Exploit}])
def test_payload_naming_other_globals_is_refused(value: object) -> None:
    with pytest.raises(UnsafePayload):
        parsecache.loads(pickle.dumps(value), parsekind.allowed_classes(parsekind.CFN), object)


def _load(kind: str, payload: bytes) -> object:
    return parsecache.loads(payload, parsekind.allowed_classes(kind), parsekind.result_type(kind))


def test_payload_of_the_wrong_result_type_is_refused() -> None:
    from why403.sources.terraform.syntax import Lit

    with pytest.raises(UnsafePayload):
        _load(parsekind.TF, pickle.dumps(Lit("x", 1)))


def test_real_results_round_trip_through_the_allowlist(tmp_path: Path) -> None:
    tf = parsekind.parse(parsekind.TF, b'resource "a" "b" {\n  x = [1, 2.5, "s${var.v}"]\n}\n')
    assert _load(parsekind.TF, parsecache.dumps(tf)) == tf
    cfn = parsekind.parse(parsekind.CFN,
                          b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: x}\n")
    back = _load(parsekind.CFN, parsecache.dumps(cfn))
    assert back == cfn and back.template is not None and back.template["Resources"].key_line("B") == 2
    broken = parsekind.parse(parsekind.CFN, b"Resources:\n  B: [unclosed\n")
    assert broken.error is not None  # a Diagnostic (model.facts) and its Location are in the payload
    assert _load(parsekind.CFN, parsecache.dumps(broken)) == broken


def test_node_state_of_the_wrong_length_is_a_bad_payload() -> None:
    """Nodes pickle as a tuple of their fields (fast to load); a damaged state must not half-build one."""
    from why403.sources.terraform.syntax import Lit

    good = pickle.dumps(Lit("x", 1))
    assert pickle.loads(good) == Lit("x", 1)
    node = Lit.__new__(Lit)
    with pytest.raises(TypeError):
        node.__setstate__(("x",))  # what unpickling a state of the wrong length calls


# -- eviction --------------------------------------------------------------------------------------


def _aged(cache: ParseCache, key: str, size: int, age: float, now: float) -> None:
    cache.put(key, b"x" * size)
    os.utime(cache.path(key), (now - age, now - age))


def test_evicts_oldest_down_to_eighty_percent(tmp_path: Path) -> None:
    now = time.time()
    cache = ParseCache(tmp_path, max_bytes=10_000)
    keys = [f"{i:02x}" + "f" * 62 for i in range(6)]
    for age, key in enumerate(keys):
        _aged(cache, key, 2_000, 100.0 * (10 - age), now)  # keys[0] is the oldest
    assert cache.size() > 10_000
    cache.evict(now)
    left = [k for k in keys if cache.path(k).exists()]
    assert left == keys[-len(left):], "the oldest go first"
    assert cache.size() <= 8_000
    assert cache.stats.evicted == len(keys) - len(left)


def test_no_eviction_under_the_limit_and_stale_temporaries_go(tmp_path: Path) -> None:
    now = time.time()
    cache = ParseCache(tmp_path, max_bytes=1_000_000)
    _aged(cache, KEY, 100, 10**6, now)
    folder = cache.path(KEY).parent
    stale, fresh = folder / ".tmp-stale", folder / ".tmp-fresh"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"being written")
    os.utime(stale, (now - 7200, now - 7200))
    cache.evict(now)
    assert cache.path(KEY).exists() and fresh.exists() and not stale.exists()


def test_small_runs_count_the_cache_at_most_every_ten_minutes(tmp_path: Path) -> None:
    """A hook run writes one entry: listing the whole cache each time would cost it more than the
    parse it saves; a run that wrote much, or the first small run in ten minutes, still counts."""
    now = time.time()
    cache = ParseCache(tmp_path, max_bytes=1_000_000)
    assert not cache.eviction_due(now), "a run that wrote nothing never counts"
    cache.put(KEY, b"x" * 100)
    assert cache.eviction_due(now), "no run has counted yet"
    cache.evict(now)
    later = ParseCache(tmp_path, max_bytes=1_000_000)
    later.put("ab" + "0" * 62, b"x" * 100)
    assert not later.eviction_due(now + 60), "counted a minute ago"
    assert later.eviction_due(now + 601), "counted more than ten minutes ago"
    big = ParseCache(tmp_path, max_bytes=1_000_000)
    big.put("cd" + "0" * 62, b"x" * 20_000)
    assert big.eviction_due(now + 60), "wrote 1% of the bound"


def test_a_hit_refreshes_an_old_entry(tmp_path: Path) -> None:
    now = time.time()
    cache = ParseCache(tmp_path)
    _aged(cache, KEY, 10, 86_400, now)
    assert cache.get(KEY) is not None
    assert cache.path(KEY).stat().st_mtime > now - 60


# -- concurrent runs ------------------------------------------------------------------------------


def _hammer(directory: str, seed: int, rounds: int, out: multiprocessing.Queue[str]) -> None:  # type: ignore[type-arg]
    cache = ParseCache(directory, max_bytes=40_000)
    problems = 0
    for i in range(rounds):
        key = f"{(seed + i) % 7:02x}" + "e" * 62
        payload = (key * 50).encode()
        cache.put(key, payload)
        got = cache.get(key)
        if got is not None and got != payload:
            problems += 1
        if i % 25 == 0:
            cache.evict()
    out.put(f"{problems}/{cache.stats.corrupt}")


def test_concurrent_writers_readers_and_evictions_never_see_a_partial_entry(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    out: multiprocessing.Queue[str] = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path), seed, 150, out)) for seed in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert sorted(out.get(timeout=5) for _ in procs) == ["0/0"] * 4
    leftovers = [p for p in (tmp_path / "parse").rglob(".tmp-*")]
    assert leftovers == []
