"""From command-line SOURCE arguments to parsed RawArticles, one source at a time, read in a
thread ahead of whoever consumes them (`read_ahead`)."""

from __future__ import annotations

import codecs
import os
import queue
import stat
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.fetch import Fetched, Fetcher, make_fetcher
from ingest.formats import PARSERS, Parsed, RawArticle, detect, parse_html
from retrieval.config import IngestSettings
from retrieval.errors import SourceError

__all__ = [
    "ARTICLE_SUFFIXES",
    "SourceResult",
    "decode",
    "expand",
    "is_url",
    "parse_text",
    "read_ahead",
    "read_file",
    "read_source",
]

# In a folder, only files with these endings are read (a README.md beside the articles is not
# an article); a file named on the command line is always read.
ARTICLE_SUFFIXES = {".txt", ".json", ".jsonl", ".ndjson", ".html", ".htm", ".xml", ".rss", ".atom"}


@dataclass
class SourceResult:
    """What one source gave: articles, or the reason it failed, and skipped items."""

    source: str
    articles: list[RawArticle] = field(default_factory=list)
    error: str | None = None
    problems: list[str] = field(default_factory=list)


def is_url(source: str) -> bool:
    """Whether a SOURCE argument is a URL rather than a path."""
    return "://" in source


def expand(sources: list[str]) -> Iterator[str]:
    """Files (folders walked recursively, hidden entries skipped, sorted) and URLs."""
    for source in sources:
        path = Path(source)
        if is_url(source) or not path.is_dir():
            yield source
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and Path(name).suffix.lower() in ARTICLE_SUFFIXES:
                    yield str(Path(root) / name)


# A byte-order mark names the encoding, whatever a header or a guess says (as browsers do);
# UTF-32's marks come first, since UTF-32-LE's begins with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, encoding: str | None = None) -> str:
    """Text of a source: UTF-8 unless a byte-order mark (UTF-8, UTF-16, UTF-32) or `encoding`
    says otherwise; binary and undecodable input is refused with a reason."""
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    if bom is None and b"\x00" in data[:8192]:
        raise SourceError("binary content, not text")
    try:
        text = data.decode(bom or encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid {bom or encoding or 'UTF-8'} text ({exc.reason})") from None
    except LookupError:
        raise SourceError(f"unknown text encoding {encoding!r}") from None
    if not text.strip():
        raise SourceError("empty")
    if "\x00" in text[:8192]:
        raise SourceError("binary content, not text")
    return text


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"skipped: {kind}, not a regular file"


def read_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file (a symlink is followed), refused when over max_bytes.
    A FIFO, a device or a socket is refused, never read: opening a FIFO would wait for a
    writer for ever, and /dev/zero never ends. The cap counts the bytes actually read, not
    `st_size`, which is 0 for /proc files and may change while the file is read."""
    try:
        info = path.stat()
        if reason := _not_regular(info.st_mode):
            raise SourceError(reason)
        if info.st_size > max_bytes:
            raise SourceError(f"too large ({info.st_size} bytes; MAX_SOURCE_BYTES is {max_bytes})")
        # O_NONBLOCK: a file swapped for a FIFO since the stat opens at once, and is refused.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    try:
        if reason := _not_regular(os.fstat(fd).st_mode):
            raise SourceError(reason)
        chunks, total = [], 0
        while total <= max_bytes:  # one byte past the cap tells a file over it
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise SourceError(
                f"too large (over {max_bytes} bytes; MAX_SOURCE_BYTES is {max_bytes})"
            )
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def parse_text(text: str, origin: str, url: str | None = None) -> Parsed:
    """Detect the format of text and parse it."""
    kind = detect(text)
    if kind == "html":
        return parse_html(text, origin, url)
    return PARSERS[kind](text, origin)


def read_source(
    source: str, fetcher: Fetcher, max_bytes: int, prefetched: Fetched | None = None
) -> SourceResult:
    """Read, detect and parse one file or URL; never raises SourceError, reports it.
    `prefetched`: the URL's answer, fetched already (a feed polled with a conditional GET),
    parsed instead of fetching it again; the pages of its items are still fetched."""
    result = SourceResult(source)
    try:
        if is_url(source):
            fetched = prefetched or fetcher.get(source)
            if fetched.not_modified:  # a 304 has no content to parse
                raise SourceError("not modified since it was last fetched")
            text = decode(fetched.content, fetched.encoding)
            articles, result.problems = parse_text(text, fetched.url, fetched.url)
        else:
            path = Path(source)
            articles, result.problems = parse_text(decode(read_file(path, max_bytes)), str(path))
        completed = (_complete(a, fetcher, result) for a in articles)
        result.articles = [a for a in completed if a is not None]
        if not result.articles and not result.problems:
            raise SourceError("no articles in it")
    except SourceError as exc:
        result.error = str(exc)
    except RecursionError:
        result.error = "nested too deeply to parse"
    except Exception as exc:  # a parser's own bug must cost this source only
        result.error = f"unexpected {exc.__class__.__name__}: {exc}"
    return result


def _complete(article: RawArticle, fetcher: Fetcher, result: SourceResult) -> RawArticle | None:
    """A feed item that carries only a summary gets its page fetched and extracted."""
    if not article.needs_fetch or not article.url:
        return article
    try:
        fetched = fetcher.get(article.url)
        pages, _ = parse_html(decode(fetched.content, fetched.encoding), fetched.url, fetched.url)
    except SourceError as exc:
        if article.body.strip():
            return article  # keep the summary rather than nothing
        result.problems.append(f"{article.url}: {exc}")
        return None
    page = pages[0]
    return RawArticle(
        title=article.title or page.title,
        body=page.body,
        origin=article.origin,
        url=article.url,
        outlet=article.outlet or page.outlet,
        author=article.author or page.author,
        published_at=article.published_at or page.published_at,
        place=article.place,
    )


_DONE = object()


def read_ahead(
    sources: list[str],
    settings: IngestSettings,
    prefetched: Mapping[str, Fetched] | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[SourceResult]:
    """Every source read and parsed, in order, by a thread that keeps up to 64 ahead of the
    consumer (so that the encoder is never waiting for I/O). `prefetched` and `fetcher` as
    for `ingest.pipeline.ingest`."""
    results: queue.Queue[object] = queue.Queue(maxsize=64)
    reader = threading.Thread(
        target=_read_all, args=(sources, settings, results, prefetched, fetcher), daemon=True
    )
    reader.start()
    while (item := results.get()) is not _DONE:
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, SourceResult)
        yield item
    reader.join()


def _read_all(
    sources: list[str],
    settings: IngestSettings,
    out: queue.Queue[object],
    prefetched: Mapping[str, Fetched] | None = None,
    fetcher: Fetcher | None = None,
) -> None:
    """Producer thread: every source becomes a SourceResult; a failure of the thread itself is
    handed to the consumer, never swallowed (which would end the run early as a success)."""
    try:
        own = fetcher or make_fetcher(settings.fetch)
        try:
            for source in expand(sources):
                already = (prefetched or {}).get(source)
                out.put(read_source(source, own, settings.max_source_bytes, already))
        finally:
            if fetcher is None:  # a caller's fetcher is the caller's to close
                own.close()
    except BaseException as exc:  # re-raised in the consumer
        out.put(exc)
    finally:
        out.put(_DONE)
