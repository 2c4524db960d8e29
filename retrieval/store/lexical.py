"""Lexical retrieval: BM25 over each passage, read from segments on disk (Lucene's way).

The index of a store lives in `<index dir>/lexical/`: immutable segment files
(retrieval/store/segments.py: per field, term -> postings with term frequencies, and every
document's length), a tombstone file (ids of passages deleted or replaced since their segment
was written) and `manifest.json`, which names the live segments and the tombstone file. A
writer (retrieval/store/lexical_sync.py) adds a small segment for each committed write and
rewrites the manifest atomically; merges replace several segments by one. A reader maps the
segments (every process shares them in the page cache) and notices a new manifest by its
file status, at each `refresh`.

BM25 is scored at query time with the statistics of all live segments together (documents,
mean length, document frequency, tombstoned passages left out), with bm25s's tokenizer and
its default variant ("lucene": idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf / (tf + k1 (1 - b
+ b dl / avgdl))), computed in the same float precisions: the scores equal those of a bm25s
index built over the same live passages (tests/retrieval/store/test_lexical.py), so nothing is
rebuilt when passages are added.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.errors import IndexError_
from retrieval.store.segments import FIELDS, Segment, term_hash, tokenize

__all__ = [
    "CACHE_POSTINGS",
    "FIELDS",
    "K1",
    "MANIFEST_FILE",
    "B",
    "LexicalIndex",
    "LexicalManifest",
    "LexicalSource",
    "query_terms",
    "read_manifest",
    "reciprocal_rank_fusion",
    "top_positions",
]

logger = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"

# BM25 constants, calibrated on the MultiHop-RAG dev set (docs/evaluation.md). A low b barely
# normalises length: passages are already 40..160 words, and a long one that states a fact
# with its context should not lose to a short one that repeats a name. Results were flat for
# k1 0.5..1.2 and b 0.0..0.4; the bm25s defaults (1.5, 0.75) were clearly worse.
K1 = 0.9
B = 0.2
# Postings whose score contributions a reader keeps for the words asked most recently (4
# bytes each: 32 MB at most). Questions repeat words (outlets, "article", "report"); at a
# million passages one such word is a hundred thousand postings to score again.
CACHE_POSTINGS = 8_000_000


@dataclass(frozen=True)
class LexicalManifest:
    """Which files make the index now: live segments in order, and the tombstones."""

    generation: int = 0
    segments: tuple[str, ...] = ()
    tombstones: str = ""  # a .npy file of deleted passage ids, "" for none
    watermark: int = 0  # the highest passage id indexed

    def to_json(self) -> bytes:
        """The manifest file's content."""
        return json.dumps(
            {
                "generation": self.generation,
                "segments": list(self.segments),
                "tombstones": self.tombstones,
                "watermark": self.watermark,
            },
            indent=1,
        ).encode()


def read_manifest(directory: Path) -> LexicalManifest:
    """The manifest on disk (an empty one before the first write)."""
    try:
        data = json.loads((directory / MANIFEST_FILE).read_text())
    except FileNotFoundError:
        return LexicalManifest()
    except ValueError as exc:
        raise IndexError_(f"unreadable lexical manifest in {directory}: {exc}") from exc
    return LexicalManifest(
        int(data["generation"]),
        tuple(data["segments"]),
        str(data.get("tombstones", "")),
        int(data.get("watermark", 0)),
    )


def query_terms(query: str) -> list[str]:
    """A query's words as bm25s tokenizes them (repeated words kept: each counts)."""
    return tokenize(query)


class LexicalSource(Protocol):
    """What the Searcher reads lexical scores from (LexicalIndex here; PostgreSQL full-text
    search or OpenSearch past one machine would fill the same seam, docs/scaling.md)."""

    @property
    def ids(self) -> np.ndarray:
        """The searchable passage ids, ascending: the order of every score array."""
        ...

    @property
    def manifest(self) -> object:
        """The state the ids and scores are of: a new object after each change taken up."""
        ...

    def __len__(self) -> int: ...

    def changed(self) -> bool:
        """Whether a newer state is waiting for `refresh` (cheap)."""
        ...

    def refresh(self) -> bool:
        """Take the newer state up; whether there was one."""
        ...

    def scores(self, query: str, name: str = "titled") -> np.ndarray:
        """BM25 of every passage for the query, in the order of `ids`."""
        ...

    def document_frequencies(self, name: str = "titled") -> dict[str, int]:
        """How many passages hold each word; the same dict until the state changes."""
        ...


@dataclass
class _Live:
    """One segment as this reader uses it."""

    segment: Segment
    alive: np.ndarray  # bool per document: not tombstoned
    dead: bool  # whether any document is tombstoned
    positions: np.ndarray  # per document: its position in `LexicalIndex.ids` (dead: the end)
    # Where its documents start in `ids` when they lie there side by side (all live, ids in
    # segment order): scores are then added through a slice, without `positions`.
    offset: int | None = None
    norms: dict[str, np.ndarray] = field(default_factory=dict)  # k1 (1 - b + b dl / avgdl)


class LexicalIndex:
    """BM25 over the live passages of a lexical index directory, as of the last `refresh`."""

    def __init__(self, directory: Path, k1: float = K1, b: float = B) -> None:
        self.directory = directory
        self.k1 = k1
        self.b = b
        self.manifest = LexicalManifest()
        self.ids = np.zeros(0, dtype=np.int64)  # live passage ids, ascending
        self.tombstones = np.zeros(0, dtype=np.int64)
        self._status: tuple[int, int, int] | None = None
        self._live: list[_Live] = []
        self._lengths: dict[str, float] = {}  # field -> mean document length
        self._frequencies: dict[str, dict[str, int]] = {}
        self._cache: dict[tuple[str, str], list[tuple[_Live, np.ndarray, np.ndarray]]] = {}
        self._cached = 0  # postings held in the cache

    def __len__(self) -> int:
        return len(self.ids)

    def changed(self) -> bool:
        """Whether the manifest on disk is not the one loaded (one stat: cheap)."""
        return _status(self.directory / MANIFEST_FILE) != self._status

    def refresh(self, attempts: int = 5) -> bool:
        """Load the manifest on disk if it changed since; returns whether it did. A merge
        may delete a segment between reading the manifest and opening it: read again."""
        for attempt in range(attempts):
            status = _status(self.directory / MANIFEST_FILE)
            if status == self._status:
                return False
            try:
                self._load(read_manifest(self.directory))
            except FileNotFoundError as exc:
                if attempt == attempts - 1:
                    raise IndexError_(f"lexical index in {self.directory} keeps changing") from exc
                time.sleep(0.05 * (attempt + 1))
                continue
            self._status = status
            return True
        return False

    def _load(self, manifest: LexicalManifest) -> None:
        opened = {live.segment.name: live.segment for live in self._live}
        segments = [
            opened.get(name) or Segment(self.directory / name) for name in manifest.segments
        ]
        tombstones = np.zeros(0, dtype=np.int64)
        if manifest.tombstones:
            try:
                tombstones = np.load(self.directory / manifest.tombstones).astype(np.int64)
            except FileNotFoundError:
                raise  # merged away since the manifest was read: read it again
            except (OSError, ValueError) as exc:
                raise IndexError_(f"damaged tombstones in {self.directory}: {exc}") from exc
        alive = [~np.isin(s.ids, tombstones) for s in segments]
        parts = [s.ids[mask] for s, mask in zip(segments, alive, strict=True)]
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            ids = np.sort(ids)  # after a repair added old ids: segments out of id order
        lives = []
        for segment, mask in zip(segments, alive, strict=True):
            positions = np.searchsorted(ids, segment.ids)
            positions[~mask] = len(ids)
            dead = not bool(mask.all())
            start = int(positions[0]) if len(positions) else 0
            side_by_side = not dead and (
                not len(positions) or int(positions[-1]) - start == len(positions) - 1
            )
            lives.append(_Live(segment, mask, dead, positions, start if side_by_side else None))
        lengths = {}
        for name in FIELDS:
            total = sum(
                int(np.asarray(live.segment.fields[name].lengths, dtype=np.int64)[live.alive].sum())
                for live in lives
            )
            # As numpy's mean of the lengths, which bm25s takes: an exact integer sum over N.
            lengths[name] = float(np.float64(total) / len(ids)) if len(ids) else 0.0
        self.manifest, self.ids, self.tombstones = manifest, ids, tombstones
        self._live, self._lengths, self._frequencies = lives, lengths, {}
        self._cache, self._cached = {}, 0

    def _norms(self, live: _Live, name: str) -> np.ndarray:
        norms = live.norms.get(name)
        if norms is None:
            lengths = np.asarray(live.segment.fields[name].lengths)
            # bm25s's expression, term by term in float64: the same rounding.
            norms = self.k1 * ((1 - self.b) + self.b * lengths / np.float64(self._lengths[name]))
            live.norms[name] = norms
        return norms

    def scores(self, query: str, name: str = "titled") -> np.ndarray:
        """The BM25 score of every live passage for the query, in the order of `ids` (0 where
        it shares no term with it); `name`: the field, "titled" or "text"."""
        out = np.zeros(len(self.ids) + 1, dtype=np.float32)  # the last: tombstoned postings
        if not len(self.ids):
            return out[:-1]
        for word in query_terms(query):  # a repeated word counts each time, as in bm25s
            for live, docs, values in self._contribution(name, word):
                # Added in float32, as bm25s adds its stored float32 scores: the same sums.
                if live.offset is not None:
                    out[live.offset : live.offset + len(live.segment)][docs] += values
                else:
                    out[live.positions[docs]] += values
        return out[:-1]

    def _contribution(self, name: str, word: str) -> list[tuple[_Live, np.ndarray, np.ndarray]]:
        """What a word adds to the scores, per segment: (segment, its documents holding the
        word, float32 values); empty when no live passage holds it. Kept for the words asked
        most recently, up to CACHE_POSTINGS postings (4 bytes each: the documents are the
        mapped postings), until the next change (the statistics change with every write)."""
        key = (name, word)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache[key] = self._cache.pop(key)  # most recently used last
            return cached
        term = word.encode("utf-8", "surrogatepass")
        hashed = np.array([term_hash(term)], dtype=np.uint64)
        slices = []
        df = 0
        for live in self._live:
            postings = live.segment.fields[name]
            (number,) = postings.find([term], hashed)
            if number < 0:
                continue
            start, end = int(postings.indptr[number]), int(postings.indptr[number + 1])
            docs = postings.docs[start:end]
            df += int(np.count_nonzero(live.alive[docs])) if live.dead else end - start
            slices.append((live, postings.tfs[start:end], docs))
        if df == 0:
            return []  # not in the vocabulary
        documents = len(self.ids)
        idf = np.float32(math.log(1 + (documents - df + 0.5) / (df + 0.5)))
        found = []
        for live, counts, docs in slices:
            # bm25s's idf * tf / (tf + k1 (1 - b + b dl / avgdl)): float32 idf and tf, the
            # rest float64, the product rounded to float32; in place, to spare copies.
            tf = counts.astype(np.float64)
            scratch = self._norms(live, name)[docs]
            scratch += tf
            np.divide(tf, scratch, out=scratch)
            scratch *= idf
            found.append((live, docs, scratch.astype(np.float32)))
        size = sum(len(docs) for _, docs, _ in found)
        if size <= CACHE_POSTINGS:
            self._cache[key] = found
            self._cached += size
            while self._cached > CACHE_POSTINGS:
                dropped = self._cache.pop(next(iter(self._cache)))  # the least recent
                self._cached -= sum(len(docs) for _, docs, _ in dropped)
        return found

    def search(self, query: str, k: int, name: str = "titled") -> list[tuple[int, float]]:
        """The k best passage ids by BM25, with scores; passages sharing no term are left out."""
        if k <= 0:
            return []
        scores = self.scores(query, name)
        return [(int(self.ids[i]), float(scores[i])) for i in top_positions(scores, k)]

    def document_frequencies(self, name: str = "titled") -> dict[str, int]:
        """How many live passages hold each indexed word (lower-cased, as BM25 tokenizes
        them); computed once per loaded manifest. The same dict until the next change."""
        frequencies = self._frequencies.get(name)
        if frequencies is None:
            frequencies = {}
            for live in self._live:
                postings = live.segment.fields[name]
                if not len(postings.docs):
                    continue
                if live.dead:
                    alive = live.alive[postings.docs].astype(np.int64)
                    counts = np.add.reduceat(alive, np.asarray(postings.indptr[:-1]))
                else:
                    counts = np.diff(postings.indptr)
                for term, count in zip(postings.terms(), counts.tolist(), strict=True):
                    if count:
                        word = term.decode("utf-8", "surrogatepass")
                        frequencies[word] = frequencies.get(word, 0) + count
            self._frequencies[name] = frequencies
        return frequencies

    def segment_sizes(self) -> list[int]:
        """Documents per live segment, tombstoned ones included, in manifest order."""
        return [len(live.segment) for live in self._live]

    def segments(self) -> Sequence[Segment]:
        """The live segments, in manifest order."""
        return [live.segment for live in self._live]


def _is_a_lexical_source(index: LexicalIndex) -> LexicalSource:
    return index  # mypy checks here that LexicalIndex fills the seam


def _status(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def top_positions(
    scores: np.ndarray,
    k: int,
    mask: np.ndarray | None = None,
    floor: float = 0.0,
    among: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of the k highest scores above `floor` (BM25: 0, no shared term), best first,
    among those where `mask` is true when one is given. `among`, when the caller knows it:
    positions, ascending, outside which no score is above `floor` (the dense ranking's
    thousand of a million): only those are read, the same positions found."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if among is not None:
        candidates = among if mask is None else among[mask[among]]
        candidates = candidates[scores[candidates] > floor]
    else:
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        candidates = np.flatnonzero(scores > floor)
    if len(candidates) > k:
        # argpartition on the negated scores keeps the k best; the stable sort orders them.
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    order = np.argsort(-scores[candidates], kind="stable")
    return candidates[order]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank); best first. A small k
    trusts the top of each list; a large one lets agreement deep down count."""
    scores: dict[int, float] = {}
    for number, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[number]
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
