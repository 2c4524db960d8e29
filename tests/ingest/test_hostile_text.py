"""Hostile article fields: link targets other than http(s) and control characters never
reach the store, from any format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from retrieval.store.models import Article, Passage

BODY = " ".join(
    f"Sentence {n} of the harbour report says the ferry timetable changes again this spring."
    for n in range(14)
)  # over 120 words: a feed item carrying it is not fetched


def _archive(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    return f"date 2025-03-10 {title}\noutlet: {outlet}\nurl: {url}\n\n{BODY}\n"


def _json(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    return json.dumps({"title": title, "body": BODY, "url": url, "source": outlet})


def _jsonl(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    # Another URL of the same kind: two different articles at one URL would be reported.
    other = {"title": "Another story", "body": BODY.replace("harbour", "river"), "url": url + "#2"}
    return _json(url, title, outlet) + "\n" + json.dumps(other) + "\n"


def _rss(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    esc = url.replace("&", "&amp;").replace("<", "&lt;")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title><item>'
            f"<title>{title}</title><link>{esc}</link><description>{BODY}</description>"
            "</item></channel></rss>")  # fmt: skip


def _atom(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    esc = url.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{outlet}</title><entry>'
            f'<title>{title}</title><link href="{esc}"/><content type="text">{BODY}</content>'
            "</entry></feed>")  # fmt: skip


def _html(url: str, title: str = "Ferry timetable", outlet: str = "Quay Weekly") -> str:
    esc = url.replace("&", "&amp;").replace('"', "&quot;")
    paragraphs = "".join(f"<p>{s}.</p>" for s in BODY.split(". "))
    return (f'<!DOCTYPE html><html><head><title>{title}</title><link rel="canonical" '
            f'href="{esc}"><meta property="og:site_name" content="{outlet}"></head><body>'
            f"<article><h1>{title}</h1>{paragraphs}</article></body></html>")  # fmt: skip


FORMATS = {"archive.txt": _archive, "one.json": _json, "many.jsonl": _jsonl, "feed.xml": _rss,
           "atom.xml": _atom, "page.html": _html}  # fmt: skip
UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", "data:text/html,<b>x</b>",
          " javascript:alert(1)", "vbscript:msgbox", "file:///etc/passwd", "ftp://files.example/a",
          "java\tscript:alert(1)", "mailto:desk@quay.example", "http:/no-host"]  # fmt: skip


def _stored(store: Store) -> list[Article]:
    with Session(store.engine) as session:
        return list(session.scalars(select(Article).order_by(Article.id)))


def _ingest(tmp_path: Path, name: str, text: str, settings: Settings, store: Store) -> None:
    path = tmp_path / name
    path.write_text(text)
    summary = ingest([str(path)], settings.ingest, store, HashEmbedder(384))
    assert summary.failed == 0, summary.errors


@pytest.mark.parametrize("name", FORMATS)
def test_unsafe_link_targets_are_dropped_and_the_article_kept(
    tmp_path: Path, settings: Settings, store: Store, name: str
) -> None:
    for n, url in enumerate(UNSAFE):
        _ingest(tmp_path, f"{n}-{name}", FORMATS[name](url, title=f"Story {n}"), settings, store)
    articles = _stored(store)
    assert len(articles) >= len(UNSAFE)
    assert [a.url for a in articles] == [None] * len(articles)
    for article in articles:
        assert not any(bad.strip().split(":")[0] in article.key for bad in UNSAFE[:5])


@pytest.mark.parametrize("name", FORMATS)
def test_http_links_are_kept(tmp_path: Path, settings: Settings, store: Store, name: str) -> None:
    _ingest(tmp_path, name, FORMATS[name]("HTTPS://quay.example/a?x=1&y=2"), settings, store)
    urls = [(a.url or "").lower() for a in _stored(store)]  # trafilatura lowercases the scheme
    assert "https://quay.example/a?x=1&y=2" in urls


CONTROLS = "\x1b]0;pwned\x07\x1b[31m\x01\x08\x0b\x0c\x7f\x85\x9b"


@pytest.mark.parametrize("name", ["archive.txt", "one.json", "feed.xml"])
def test_control_characters_are_stripped_from_every_stored_field(
    tmp_path: Path, settings: Settings, store: Store, name: str
) -> None:
    make = FORMATS[name]
    text = make("https://quay.example/a", title="Ferry@ timetable", outlet="Quay@ Weekly")
    text = text.replace("harbour report", "harbour@ report", 1)
    controls = CONTROLS
    if name == "one.json":  # as JSON escapes: a raw control is invalid JSON
        controls = "".join(f"\\u{ord(c):04x}" for c in CONTROLS)
    if name == "feed.xml":  # XML 1.0 allows DEL and the C1 block only, not C0
        controls = "".join(c for c in CONTROLS if ord(c) >= 0x7F)
    _ingest(tmp_path, name, text.replace("@", controls), settings, store)
    (article,) = _stored(store)
    with Session(store.engine) as session:
        passages = list(session.scalars(select(Passage.text)))
    fields = [article.title, article.outlet, article.key, article.url, article.source, *passages]
    for value in fields:
        assert value is not None
        assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in value)
    assert article.title.startswith("Ferry") and article.title.endswith("timetable")
    assert "harbour" in passages[0]
