"""The lexical index kept in step with the database: a segment per committed write, tombstones
for deleted passages, merges, and the repair of an index that lags the database.

A writer that commits passages (`Store.write`) then calls `follow`: the new passages' rows are
read back from the database (what was committed, with the article's title, outlet and date),
written as one small segment, and a new manifest names it; readers find them at their next
refresh. Deleted or replaced passages are added to the tombstones. Then, when segments of
about the same size have piled up (`MERGE_FACTOR` of them), they are merged into one, and a
segment with many tombstoned passages is rewritten without them; merges happen after the new
passages are visible, in the same writer. Every change is under the lexical directory's lock
(`lock` of retrieval/store/index.py, its own lock file), so two writers take turns.

Like the FAISS index, this index is derived: a process killed between its commit and its
segment leaves the index behind the database, and the next `Store.open` (or writer) compares
the ids and repairs it (`sync`): tombstones for extra ids, segments for missing ones (an
existing store's first open builds its whole index so, `SYNC_CHUNK` passages a segment).
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from retrieval.errors import IndexError_
from retrieval.store.articles import Articles
from retrieval.store.index_files import LOCK_FILE, atomic_write, lock
from retrieval.store.lexical import MANIFEST_FILE, LexicalIndex, LexicalManifest, read_manifest
from retrieval.store.listings import Listings
from retrieval.store.records import CatalogueRow
from retrieval.store.segments import merge_segments, write_segment

__all__ = [
    "DEAD_SHARE",
    "MERGE_FACTOR",
    "READ_CHUNK",
    "SYNC_CHUNK",
    "LexicalKeeper",
    "field_texts",
    "merges_due",
]

logger = logging.getLogger(__name__)

MERGE_FACTOR = 8  # segments of one size class merged together (classes grow by this factor)
DEAD_SHARE = 0.3  # a segment with this share of tombstoned passages is rewritten without them
SYNC_CHUNK = 50_000  # passages per segment when a repair adds many
READ_CHUNK = 500  # ids per database query


def field_texts(rows: Sequence[CatalogueRow]) -> dict[str, list[str]]:
    """What each field indexes of a passage: "titled", the passage with its article's title,
    outlet and date ("March 3, 2024"); "text", the passage alone."""
    titled = []
    for row in rows:
        date = row.published_at.strftime("%B %-d, %Y") if row.published_at else ""
        titled.append(f"{row.title}\n{row.outlet or ''} {date}\n{row.text}")
    return {"titled": titled, "text": [row.text for row in rows]}


def merges_due(sizes: Sequence[int], dead: Sequence[int]) -> list[int]:
    """Which segments to merge now (positions into `sizes`, empty for none): a segment with
    `DEAD_SHARE` of its passages tombstoned, alone; else the smallest size class (sizes within
    a factor of MERGE_FACTOR: 1-7, 8-63, ...) that holds MERGE_FACTOR segments."""
    for number, (size, gone) in enumerate(zip(sizes, dead, strict=True)):
        if size and gone >= DEAD_SHARE * size:
            return [number]
    classes: dict[int, list[int]] = {}
    for number, size in enumerate(sizes):
        classes.setdefault(int(math.log(max(size, 1), MERGE_FACTOR) + 1e-9), []).append(number)
    for _, members in sorted(classes.items()):
        if len(members) >= MERGE_FACTOR:
            return members
    return []


class LexicalKeeper:
    """The writer of one lexical index directory, and this process's reader of it."""

    def __init__(self, articles: Articles, listings: Listings, directory: Path) -> None:
        self.articles = articles
        self.listings = listings
        self.directory = directory
        # What searches read: refreshed only when its user says (the Searcher, while no
        # search runs), never under a search's feet by this process's own writes.
        self.index = LexicalIndex(directory)
        self._own = LexicalIndex(directory)  # the writer's view, always the latest

    def load(self) -> tuple[int, int]:
        """Read the index and repair it when it disagrees with the database; an index that
        cannot be read (a damaged file) is built again from the database."""
        try:
            added, removed = self.sync()
        except IndexError_ as exc:
            logger.warning("%s; rebuilding the lexical index from the database", exc)
            with lock(self.directory):
                for path in self.directory.iterdir():
                    if path.name != LOCK_FILE:
                        path.unlink()
            self.index, self._own = LexicalIndex(self.directory), LexicalIndex(self.directory)
            added, removed = self.sync()
        if added or removed:
            logger.info("lexical index: %d passages added, %d removed", added, removed)
        self.index.refresh()
        return added, removed

    def sync(self) -> tuple[int, int]:
        """Make the index hold exactly the database's passages; returns (added, removed)."""
        db_ids = self.articles.passage_ids()
        self._own.refresh()
        if np.array_equal(db_ids, self._own.ids):
            return 0, 0
        with self._writing() as manifest:
            extra = np.setdiff1d(self._own.ids, db_ids, assume_unique=True)
            missing = np.setdiff1d(db_ids, self._own.ids, assume_unique=True)
            manifest = self._tombstone(manifest, extra)
            for start in range(0, len(missing), SYNC_CHUNK):
                chunk = missing[start : start + SYNC_CHUNK]
                wanted = set(chunk.tolist())
                rows = self.listings.catalogue_between(int(chunk[0]), int(chunk[-1]))
                rows = [row for row in rows if row.passage_id in wanted]
                manifest = self._add(manifest, rows)
                manifest = self._merge(manifest)
        return len(missing), len(extra)

    def follow(self, added: Sequence[int], removed: Sequence[int]) -> None:
        """After a commit: index the added passages (read back from the database) and
        tombstone the removed ones, in one new manifest; then merge what is due."""
        if not added and not removed:
            return
        rows: list[CatalogueRow] = []
        for start in range(0, len(added), READ_CHUNK):
            rows += self.listings.catalogue_of(added[start : start + READ_CHUNK])
        with self._writing() as manifest:
            manifest = self._tombstone(manifest, np.asarray(removed, dtype=np.int64))
            self._add(manifest, rows)

    # -- under the lock --------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[LexicalManifest]:
        """The lock, with the manifest as another writer may have left it; merges what is
        due before letting go, and deletes the files no manifest names any more."""
        with lock(self.directory):
            self._own.refresh()
            yield self._own.manifest
            self._merge(self._own.manifest)
            self._collect()

    def _publish(self, manifest: LexicalManifest) -> LexicalManifest:
        atomic_write(self.directory / MANIFEST_FILE, manifest.to_json())
        self._own.refresh()
        return manifest

    def _add(self, manifest: LexicalManifest, rows: Sequence[CatalogueRow]) -> LexicalManifest:
        if not rows:
            return manifest
        generation = manifest.generation + 1
        name = f"seg-{generation:08d}.lex"
        write_segment(self.directory / name, [r.passage_id for r in rows], field_texts(rows))
        top = max(manifest.watermark, max(r.passage_id for r in rows))
        return self._publish(
            replace(
                manifest,
                generation=generation,
                segments=(*manifest.segments, name),
                watermark=top,
            )
        )

    def _tombstone(self, manifest: LexicalManifest, ids: np.ndarray) -> LexicalManifest:
        """Tombstones for the ids among the live passages (others were never indexed)."""
        ids = ids[np.isin(ids, self._own.ids)]
        if not len(ids):
            return manifest
        generation = manifest.generation + 1
        name = f"tomb-{generation:08d}.npy"
        self._write_tombstones(name, np.union1d(self._own.tombstones, ids))
        return self._publish(replace(manifest, generation=generation, tombstones=name))

    def _write_tombstones(self, name: str, ids: np.ndarray) -> None:
        out = io.BytesIO()
        np.save(out, np.asarray(ids, dtype=np.int64))
        atomic_write(self.directory / name, out.getvalue())

    def _merge(self, manifest: LexicalManifest) -> LexicalManifest:
        """Merge what `merges_due` names, again until nothing is due."""
        while True:
            segments = self._own.segments()
            dead = [int(np.isin(s.ids, self._own.tombstones).sum()) for s in segments]
            chosen = merges_due([len(s) for s in segments], dead)
            if not chosen:
                return manifest
            started = time.monotonic()
            picked = [segments[i] for i in chosen]
            live = [~np.isin(s.ids, self._own.tombstones) for s in picked]
            generation = manifest.generation + 1
            name = f"seg-{generation:08d}.lex"
            names = [s.name for s in segments]
            kept = [n for i, n in enumerate(names) if i not in set(chosen)]
            count = sum(int(mask.sum()) for mask in live)
            if count:  # else the segments are only dropped
                merge_segments(self.directory / name, picked, live)
                # In the place of the first it replaces: ids stay in order.
                kept.insert(min(chosen), name)
            tombstones = manifest.tombstones
            merged_ids = np.concatenate([s.ids for s in picked])
            remaining = self._own.tombstones[~np.isin(self._own.tombstones, merged_ids)]
            if len(remaining) != len(self._own.tombstones):
                tombstones = f"tomb-{generation:08d}.npy" if len(remaining) else ""
                if tombstones:
                    self._write_tombstones(tombstones, remaining)
            manifest = self._publish(
                replace(
                    manifest, generation=generation, segments=tuple(kept), tombstones=tombstones
                )
            )
            logger.info(
                "lexical index: merged %d segments into %s (%d passages, %.1f s)",
                len(picked),
                name,
                count,
                time.monotonic() - started,
            )

    def _collect(self) -> None:
        """Delete segment and tombstone files the manifest no longer names (a reader that
        mapped one keeps its pages; one that read an older manifest reads it again), and
        temporary files a killed writer left."""
        named = {*read_manifest(self.directory).segments, self._own.manifest.tombstones}
        for path in self.directory.iterdir():
            if (path.name.startswith(("seg-", "tomb-")) and path.name not in named) or (
                path.name.endswith(".tmp") and time.time() - path.stat().st_mtime > 3600
            ):
                path.unlink(missing_ok=True)
