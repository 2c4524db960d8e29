"""Reading sources: text encodings named by a byte-order mark, and files that are not files."""

from __future__ import annotations

import codecs
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.pipeline import Summary, ingest
from ingest.sources import decode, read_file
from retrieval.config import Settings
from retrieval.errors import IndexError_, SourceError
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.cli import run_cli
from tests.support.feeds import FeedServer, serve_feed
from tests.support.hostile import hostile_feeds

ARTICLE = (
    "date 2024-05-06 Caf\u00e9 owners meet\n\n"
    "The caf\u00e9 owners met on the quay \u2014 all of them.\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
    ],
)
def test_a_byte_order_mark_names_the_encoding(encoding: str, bom: bytes) -> None:
    data = bom + ARTICLE.encode(encoding)
    assert decode(data) == ARTICLE
    assert decode(data, "iso-8859-1") == ARTICLE  # the mark wins over a declared charset


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01\x02\x03 binary", "binary"),
        (codecs.BOM_UTF16_LE + "a\x00b".encode("utf-16-le"), "binary"),  # a NUL after the mark
        (codecs.BOM_UTF16_LE + "a".encode("utf-16-le") + b"\x00", "not valid utf-16"),
        (codecs.BOM_UTF16_BE + "  \n".encode("utf-16-be"), "empty"),
        (b"", "empty"),
        (b" \n ", "empty"),
    ],
)
def test_still_refused(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError, match=reason):
        decode(data)


def test_utf16_files_are_stored(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "le.txt").write_bytes(ARTICLE.encode("utf-16"))  # with its BOM
    be = ARTICLE.replace("quay", "pier")
    (folder / "be.txt").write_bytes(codecs.BOM_UTF16_BE + be.encode("utf-16-be"))
    summary = ingest([str(folder)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (2, 0), summary.errors
    texts = {p.text for p, _ in store.passages_with_articles(store.index.ids().tolist()).values()}
    assert texts == {
        "The caf\u00e9 owners met on the quay \u2014 all of them.",
        "The caf\u00e9 owners met on the pier \u2014 all of them.",
    }


def test_feeds_declaring_entities_are_refused_and_fetch_nothing(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    state = FeedServer()
    folder = tmp_path / "in"
    folder.mkdir()
    with serve_feed(state):
        feeds = hostile_feeds(state.base)
        for name, text in feeds.items():
            (folder / name).write_text(text)
        (folder / "fine.txt").write_text("date 2024-01-01 Fine\n\nA fine article.\n")
        summary = ingest([str(folder)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (1, len(feeds))
    errors = {Path(e["source"]).name: e["error"] for e in summary.errors}
    assert errors == dict.fromkeys(
        feeds, "refused: the feed's DOCTYPE declares entities (an internal subset)"
    )
    assert state.requests == [] and state.pages == []  # nothing fetched


def _ingest_within(seconds: float, *args: object) -> Summary:
    """ingest(*args) in a thread, failing the test (not hanging it) if it takes too long."""
    done: list[Summary | BaseException] = []

    def run() -> None:
        try:
            done.append(ingest(*args))  # type: ignore[arg-type]
        except BaseException as exc:
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert done, f"ingest did not end within {seconds} s"
    if isinstance(done[0], BaseException):
        raise done[0]
    return done[0]


def test_special_files_are_skipped_with_a_reason_and_the_rest_stored(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "a_pipe.txt")
    (folder / "b_zero.txt").symlink_to("/dev/zero")
    (folder / "c_good.txt").write_text("date 2024-01-01 Fine\n\nA fine article.\n")
    try:
        summary = _ingest_within(20, [str(folder)], settings.ingest, store, hash_embedder)
    finally:  # a reader stuck on the FIFO (the bug) gets its end of file
        with contextlib.suppress(OSError):
            os.close(os.open(folder / "a_pipe.txt", os.O_WRONLY | os.O_NONBLOCK))
    assert (summary.new, summary.failed) == (1, 2)
    assert {Path(e["source"]).name: e["error"] for e in summary.errors} == {
        "a_pipe.txt": "skipped: a FIFO, not a regular file",
        "b_zero.txt": "skipped: a character device, not a regular file",
    }


def test_the_size_cap_counts_bytes_read_not_st_size(tmp_path: Path) -> None:
    proc = Path("/proc/self/status")  # a regular file whose st_size is 0
    assert proc.stat().st_size == 0 and len(proc.read_bytes()) > 200
    link = tmp_path / "status.txt"
    link.symlink_to(proc)
    with pytest.raises(SourceError, match=r"too large \(over 200 bytes; MAX_SOURCE_BYTES is 200\)"):
        read_file(link, 200)
    assert read_file(link, 100_000).startswith(b"Name:")
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * 200)
    assert read_file(exact, 200) == b"x" * 200  # the cap itself is allowed
    started = time.monotonic()
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    with pytest.raises(SourceError, match="character device"):
        read_file(zero, 10**12)
    assert time.monotonic() - started < 1


def test_a_held_writer_lock_is_an_error_naming_its_pid_within_the_timeout(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    from retrieval.store.index_files import lock

    (tmp_path / "a.txt").write_text("date 2024-01-01 Fine\n\nA fine article.\n")
    store.lock_timeout = 0.5
    with lock(store.index_dir):
        started = time.monotonic()
        with pytest.raises(IndexError_, match=rf"pid {os.getpid()}\b.*waiting 0.5 s"):
            _ingest_within(20, [str(tmp_path / "a.txt")], settings.ingest, store, hash_embedder)
        assert 0.5 <= time.monotonic() - started < 3
    assert ingest([str(tmp_path / "a.txt")], settings.ingest, store, hash_embedder).new == 1


HOLD_LOCK = """
import sys, time
from pathlib import Path
from retrieval.store.index_files import lock
with lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_cli_ingest_behind_another_writer_says_which_pid_holds_the_lock(
    tmp_path: Path, settings: Settings
) -> None:
    (tmp_path / "a.txt").write_text("date 2024-01-01 Fine\n\nA fine article.\n")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(settings.index_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        started = time.monotonic()
        result = run_cli(
            settings, "ingest", str(tmp_path / "a.txt"), env={"INDEX_LOCK_TIMEOUT": "1"}
        )
        elapsed = time.monotonic() - started
        with serve_feed(FeedServer()) as url:
            env = {"FEEDS": url, "FETCH_ALLOW_PRIVATE": "true", "EXTRACT_EVENTS": "false",
                   "INDEX_LOCK_TIMEOUT": "1"}  # fmt: skip
            polled = run_cli(settings, "ingest", "--watch", "--once", env=env)
    finally:
        holder.kill()
        holder.wait()
    for done in (result, polled):
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"pid {holder.pid}" in done.stderr and "INDEX_LOCK_TIMEOUT" in done.stderr
    assert elapsed < 30
