"""Reading sources: text encodings named by a byte-order mark, and files that are not files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from ingest.sources import decode
from retrieval.config import Settings
from retrieval.errors import SourceError
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
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
