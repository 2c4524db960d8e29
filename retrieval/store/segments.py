"""Lexical segments: immutable files of postings, as Lucene keeps them.

A segment holds some passages (ids ascending) and, for each field (the titled text, the
passage text alone), the field's postings in compressed-sparse-row form: for every term, the
segment's documents that hold it (local positions, ascending) and how often; and every
document's length in tokens. Nothing in it depends on the other segments: BM25's statistics
(documents, mean length, document frequency) are summed over the live segments at query time
(retrieval/store/lexical.py), so a small new segment for newly ingested passages changes no
other file.

One file per segment (`seg-<generation>.lex`): an 8-byte magic, a JSON header giving each
array's dtype, offset and length, then the arrays, each 64-byte aligned. Readers map it
(`np.memmap`): every process on the machine shares one copy in the page cache.

Terms are ordered by a 64-bit hash of their UTF-8 bytes (then the bytes): a query's terms
are found by one `searchsorted` per segment, and the term bytes are compared to rule out a
collision.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from retrieval.errors import IndexError_
from retrieval.store.index_files import fsync_rename

__all__ = [
    "ALIGN",
    "FIELDS",
    "MAGIC",
    "STOPWORDS",
    "FieldPostings",
    "Segment",
    "merge_segments",
    "term_hash",
    "tokenize",
    "tokenize_documents",
    "write_segment",
]

MAGIC = b"NBLEX001"
ALIGN = 64
# The fields every segment holds: the passage with its article's title, outlet and date
# ("titled"), and the passage text alone ("text"; retrieval/qa/search.py says why both).
FIELDS = ("titled", "text")


def term_hash(term: bytes) -> int:
    """The 64-bit hash terms are ordered and found by (stable across processes)."""
    return int.from_bytes(hashlib.blake2b(term, digest_size=8).digest(), "little")


# bm25s's tokenizer (`bm25s.tokenize(..., stopwords="en")`: its token pattern, and its English
# stop words, STOPWORDS_EN), here so that reading a query imports neither bm25s nor the scipy
# it imports (0.15 s and 15 MB of a one-shot `newsbot ask`); tests/retrieval/store/
# test_segments.py checks that both give the same tokens.
_WORD = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)


def tokenize(text: str) -> list[str]:
    """A text as bm25s tokenizes it (lower case, words of two letters or more, English stop
    words out, no stemming; repeated words kept)."""
    return [word for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


def tokenize_documents(texts: Sequence[str]) -> tuple[list[list[int]], list[str]]:
    """Documents tokenized (`tokenize`): token ids per document, and the words, numbered in
    the order they first occur (as bm25s numbers them)."""
    numbers: dict[str, int] = {}
    ids = [[numbers.setdefault(word, len(numbers)) for word in tokenize(text)] for text in texts]
    return ids, list(numbers)


@dataclass(frozen=True)
class FieldPostings:
    """One field of a segment: terms (hash-ordered), postings and document lengths."""

    hashes: np.ndarray  # uint64 per term, ascending
    blob: np.ndarray  # uint8: the terms' UTF-8 bytes, one after another
    offsets: np.ndarray  # int64, terms + 1: where each term's bytes start in `blob`
    indptr: np.ndarray  # int64, terms + 1: where each term's postings start
    docs: np.ndarray  # int32 per posting: the document's position in the segment
    tfs: np.ndarray  # uint8, uint16 or uint32 per posting: the term's count in the document
    lengths: np.ndarray  # int32 per document: its tokens, stop words left out

    def term(self, number: int) -> bytes:
        """The bytes of term `number`."""
        return self.blob[self.offsets[number] : self.offsets[number + 1]].tobytes()

    def find(self, terms: Sequence[bytes], hashes: np.ndarray) -> list[int]:
        """The number of each term in this field, -1 where it holds none."""
        found = []
        at = np.searchsorted(self.hashes, hashes)
        for term, wanted, start in zip(terms, hashes, at, strict=True):
            number = -1
            i = int(start)
            while i < len(self.hashes) and self.hashes[i] == wanted:
                if self.term(i) == term:
                    number = i
                    break
                i += 1
            found.append(number)
        return found

    def terms(self) -> list[bytes]:
        """Every term's bytes, in the field's order."""
        data = self.blob.tobytes()
        bounds = self.offsets.tolist()
        return [data[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


class Segment:
    """A segment file, mapped read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        try:
            # A plain array over the mapping: slices of a memmap subclass cost microseconds.
            mapped: np.ndarray = np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray)
        except FileNotFoundError:
            raise  # replaced by a merge since the manifest was read: the caller reads it again
        except (OSError, ValueError) as exc:
            raise IndexError_(f"unreadable lexical segment {path}: {exc}") from exc
        if mapped[: len(MAGIC)].tobytes() != MAGIC:
            raise IndexError_(f"{path} is not a lexical segment")
        try:
            size = int(mapped[8:16].view(np.uint64)[0])
            header = json.loads(mapped[16 : 16 + size].tobytes())
            arrays = {}
            for key, (dtype, offset, count) in header["arrays"].items():
                end = offset + count * np.dtype(dtype).itemsize
                if end > len(mapped):
                    raise ValueError(f"{key} ends past the file")
                arrays[key] = mapped[offset:end].view(dtype)
            self.ids: np.ndarray = arrays["ids"]
            self.fields = {
                field: FieldPostings(*(arrays[f"{field}.{part}"] for part in _PARTS))
                for field in header["fields"]
            }
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise IndexError_(f"damaged lexical segment {path}: {exc}") from exc

    def __len__(self) -> int:
        return len(self.ids)


_PARTS = ("hashes", "blob", "offsets", "indptr", "docs", "tfs", "lengths")


def _field_arrays(
    docs_terms: np.ndarray, tokens: np.ndarray, lengths: np.ndarray, terms: list[bytes]
) -> dict[str, np.ndarray]:
    """A field's arrays from its postings given token by token (document position, term
    number into `terms`, one entry per occurrence or per counted pair), with the documents'
    lengths: terms without postings are left out."""
    count = len(lengths)
    hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
    order = sorted(range(len(terms)), key=lambda i: (int(hashes[i]), terms[i]))
    rank = np.empty(len(terms), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(terms), dtype=np.int64)
    keys = rank[tokens] * max(count, 1) + docs_terms
    unique, tfs = np.unique(keys, return_counts=True)
    return _csr(unique, tfs, count, [terms[i] for i in order], hashes[order], lengths)


def _csr(
    keys: np.ndarray,
    tfs: np.ndarray,
    count: int,
    terms: list[bytes],
    hashes: np.ndarray,
    lengths: np.ndarray,
) -> dict[str, np.ndarray]:
    """Sorted (term, document) keys with their counts as a field's arrays; terms that no
    key names are dropped."""
    term_of = keys // max(count, 1)
    per_term = np.bincount(term_of, minlength=len(terms))
    kept = np.flatnonzero(per_term)
    kept_terms = [terms[i] for i in kept.tolist()]
    offsets = np.zeros(len(kept_terms) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(t) for t in kept_terms], dtype=np.int64)
    indptr = np.zeros(len(kept_terms) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(per_term[kept])
    most = int(tfs.max(initial=0))
    tf_type = np.uint8 if most < 2**8 else np.uint16 if most < 2**16 else np.uint32
    return {
        "hashes": hashes[kept].astype(np.uint64),
        "blob": np.frombuffer(b"".join(kept_terms), dtype=np.uint8),
        "offsets": offsets,
        "indptr": indptr,
        "docs": (keys % max(count, 1)).astype(np.int32),
        "tfs": tfs.astype(tf_type),
        "lengths": lengths.astype(np.int32),
    }


def write_segment(path: Path, ids: Sequence[int], fields: Mapping[str, Sequence[str]]) -> None:
    """Write a segment of passages `ids` (ascending) with each field's texts, atomically
    (a temporary file, fsync, rename)."""
    order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
    arrays: dict[str, np.ndarray] = {"ids": np.asarray(ids, dtype=np.int64)[order]}
    for field, texts in fields.items():
        token_ids, vocab = tokenize_documents([texts[i] for i in order.tolist()])
        lengths = np.array([len(d) for d in token_ids], dtype=np.int64)
        tokens = np.fromiter(chain.from_iterable(token_ids), dtype=np.int64, count=lengths.sum())
        positions = np.repeat(np.arange(len(token_ids), dtype=np.int64), lengths)
        terms = [w.encode("utf-8", "surrogatepass") for w in vocab]
        for part, array in _field_arrays(positions, tokens, lengths, terms).items():
            arrays[f"{field}.{part}"] = array
    _write(path, arrays, list(fields))


def merge_segments(path: Path, segments: Sequence[Segment], live: Sequence[np.ndarray]) -> int:
    """Write one segment holding the live documents of `segments` (`live`: a mask per
    segment); returns how many documents it holds."""
    kept_ids = [s.ids[mask] for s, mask in zip(segments, live, strict=True)]
    ids = np.concatenate(kept_ids) if kept_ids else np.zeros(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    new_position = np.empty(len(ids), dtype=np.int64)
    new_position[order] = np.arange(len(ids), dtype=np.int64)
    arrays: dict[str, np.ndarray] = {"ids": ids[order]}
    fields = list(segments[0].fields) if segments else list(FIELDS)
    for field in fields:
        vocabulary: dict[bytes, int] = {}
        docs_parts, term_parts, tf_parts, length_parts = [], [], [], []
        start = 0
        for segment, mask in zip(segments, live, strict=True):
            postings = segment.fields[field]
            number = np.array(
                [vocabulary.setdefault(t, len(vocabulary)) for t in postings.terms()],
                dtype=np.int64,
            )
            # Each kept document's position in the merged segment.
            local = np.full(len(segment), -1, dtype=np.int64)
            local[mask] = new_position[start : start + int(mask.sum())]
            start += int(mask.sum())
            docs = local[postings.docs]
            keep = docs >= 0
            term_parts.append(np.repeat(number, np.diff(postings.indptr))[keep])
            docs_parts.append(docs[keep])
            tf_parts.append(np.asarray(postings.tfs)[keep].astype(np.int64))
            length_parts.append(np.asarray(postings.lengths)[mask])
        terms = list(vocabulary)
        lengths = _joined(length_parts)[order]
        hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
        ranked = sorted(range(len(terms)), key=lambda i: (int(hashes[i]), terms[i]))
        rank = np.empty(len(terms), dtype=np.int64)
        rank[np.asarray(ranked, dtype=np.int64)] = np.arange(len(terms), dtype=np.int64)
        keys = rank[_joined(term_parts)] * max(len(ids), 1) + _joined(docs_parts)
        by_key = np.argsort(keys, kind="stable")
        field_arrays = _csr(
            keys[by_key],
            _joined(tf_parts)[by_key],
            len(ids),
            [terms[i] for i in ranked],
            hashes[np.asarray(ranked, dtype=np.int64)] if ranked else hashes,
            lengths,
        )
        for part, array in field_arrays.items():
            arrays[f"{field}.{part}"] = array
    _write(path, arrays, fields)
    return len(ids)


def _joined(parts: Iterable[np.ndarray]) -> np.ndarray:
    listed = list(parts)
    return np.concatenate(listed) if listed else np.zeros(0, dtype=np.int64)


def _write(path: Path, arrays: Mapping[str, np.ndarray], fields: list[str]) -> None:
    layout: dict[str, tuple[str, int, int]] = {}
    # The header's size depends on the offsets it records: room to spare for it.
    offset = 16 + 1024 + 128 * len(arrays)
    for key, array in arrays.items():
        offset = -(-offset // ALIGN) * ALIGN
        layout[key] = (array.dtype.str, offset, int(array.size))
        offset += array.nbytes
    header = json.dumps({"fields": fields, "arrays": layout}).encode()
    if 16 + len(header) > min(o for _, o, _ in layout.values()):
        raise IndexError_("lexical segment header too large")  # never with a few fields
    tmp = _tmp(path)
    with open(tmp, "wb") as out:
        out.write(MAGIC)
        out.write(np.uint64(len(header)).tobytes())
        out.write(header)
        for key, array in arrays.items():
            out.seek(layout[key][1])
            out.write(np.ascontiguousarray(array).tobytes())
        out.truncate(offset)
    fsync_rename(tmp, path)


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")
