"""Lexical indexes written straight from documents (no database): segments cut where asked,
tombstones for the ids given, as a writer would leave them."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.store.index_files import atomic_write
from retrieval.store.lexical import MANIFEST_FILE, LexicalIndex, LexicalManifest
from retrieval.store.segments import write_segment


def index_of(
    directory: Path,
    ids: Sequence[int],
    documents: Sequence[str],
    cuts: Sequence[int] = (),
    deleted: Sequence[int] = (),
) -> LexicalIndex:
    """An index of `documents` (both fields the same text) in segments split at `cuts`,
    with `deleted` tombstoned, opened by a reader."""
    directory.mkdir(parents=True, exist_ok=True)
    bounds = [0, *cuts, len(ids)]
    names = []
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        name = f"seg-{number:08d}.lex"
        texts = list(documents[start:end])
        write_segment(directory / name, ids[start:end], {"titled": texts, "text": texts})
        names.append(name)
    tombstones = ""
    if deleted:
        tombstones = "tomb-00000000.npy"
        out = io.BytesIO()
        np.save(out, np.sort(np.asarray(deleted, dtype=np.int64)))
        atomic_write(directory / tombstones, out.getvalue())
    manifest = LexicalManifest(len(names), tuple(names), tombstones, max(ids, default=0))
    atomic_write(directory / MANIFEST_FILE, manifest.to_json())
    index = LexicalIndex(directory)
    index.refresh()
    return index
