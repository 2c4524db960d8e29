"""The vector index kept in step with the database: loaded, compared id for id with the
stored passages, repaired from the vectors kept there, saved under the writer's lock.

Writers commit articles with their passages and vectors in one transaction, then update the
index and save it. A process killed in between leaves the index behind the database; the next
open notices (manifest watermark and count, or the ids themselves) and repairs the index from
the stored vectors, so no work is lost and nothing is encoded twice. The FAISS index itself is
retrieval/store/index.py.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from retrieval.errors import IndexError_
from retrieval.store import index_files
from retrieval.store.articles import Articles, IndexChange
from retrieval.store.embedder import Embedder
from retrieval.store.index import FaissIndex
from retrieval.store.meta import MetaRecords

__all__ = ["REPAIR_CHUNK", "IndexKeeper"]

logger = logging.getLogger(__name__)

REPAIR_CHUNK = 5000  # vectors read from the database at a time


class IndexKeeper:
    """One process's copy of the vector index of `index_dir`, and the writer's lock."""

    def __init__(
        self,
        articles: Articles,
        meta: MetaRecords,
        index_dir: Path,
        model: str,
        dim: int,
        lock_timeout: float | None = None,
    ) -> None:
        self.articles = articles
        self.meta = meta
        self.index_dir = index_dir
        self.model = model
        self.dim = dim
        self.index = FaissIndex(dim, model)
        self.manifest: index_files.Manifest | None = None
        self.loaded = False  # by `load` (a process that does not search never loads it)
        self.writing_now = False  # this process holds the index directory's writer lock
        # How long a writer waits for another's writer lock (None: as long as it takes).
        self.lock_timeout = lock_timeout

    @property
    def space(self) -> str:
        """The vector space the settings name: `model/dim`."""
        return f"{self.model}/{self.dim}"

    def count(self) -> int:
        """The passages indexed: in this process's index, or, when it loaded none, in the
        one on disk (what an answering process loads)."""
        if self.loaded:
            return len(self.index)
        on_disk = index_files.read_manifest(self.index_dir)
        return on_disk.count if on_disk is not None else 0

    def load(self) -> None:
        """Load the index from disk; rebuild or repair it when it is missing or disagrees."""
        self.loaded = True
        try:
            index, manifest = FaissIndex.load(self.index_dir)
        except IndexError_ as exc:
            count, _ = self.articles.db_state()
            if count:
                logger.warning("%s; rebuilding the index from the database", exc)
            self.index = FaissIndex(self.dim, self.model)
            self.manifest = None
            self.sync()
            return
        if manifest.model != self.model or manifest.dim != self.dim:
            raise IndexError_(
                f"the index was built with {manifest.model} ({manifest.dim} dims), the settings "
                f"name {self.model} ({self.dim} dims): run `newsbot reindex --reencode`"
            )
        self.index, self.manifest = index, manifest
        # Compare the ids themselves: a count and a watermark can agree by accident when two
        # writers interleave.
        added, removed = self.sync()
        if added or removed:
            logger.warning(
                "index and database disagreed (%d missing, %d extra); repaired", added, removed
            )

    def sync(self) -> tuple[int, int]:
        """Make the index hold exactly the database's passages; returns (added, removed)."""
        db_ids = self.articles.passage_ids()
        index_ids = self.index.ids()
        extra = np.setdiff1d(index_ids, db_ids, assume_unique=True)  # ids are keys
        missing = np.setdiff1d(db_ids, index_ids, assume_unique=True)
        removed = self.index.remove(extra)
        for start in range(0, len(missing), REPAIR_CHUNK):
            ids, vectors = self.articles.vectors(
                [int(i) for i in missing[start : start + REPAIR_CHUNK]]
            )
            self.index.add(ids, vectors)
        if len(missing) or removed or self.manifest is None or not self._manifest_current():
            self.save(wait=False)
        return len(missing), removed

    def _manifest_current(self) -> bool:
        return self.manifest is not None and (self.manifest.count, self.manifest.watermark) == (
            self.articles.db_state()
        )

    def follow(self, change: IndexChange) -> int:
        """After a commit, bring the in-memory index along (`save` persists it); the
        passages added."""
        self.index.remove(np.array(change.removed, dtype=np.int64))
        if change.added:
            self.index.add(np.array(change.added, dtype=np.int64), np.stack(change.vectors))
        return len(change.added)

    def save(self, wait: bool = True) -> None:
        """Write the index atomically, stamped with the database watermark. Without `wait`, a
        reader that repaired its index in memory saves it only if no writer is at work."""
        _, watermark = self.articles.db_state()
        if self.writing_now:
            self.manifest = self.index.save(self.index_dir, watermark)
            return
        timeout = self.lock_timeout if wait else None
        with index_files.lock(self.index_dir, blocking=wait, timeout=timeout) as taken:
            if taken:
                self.manifest = self.index.save(self.index_dir, watermark)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Be the one writer of this index directory for a while (see `Store.writing`)."""
        with index_files.lock(self.index_dir, timeout=self.lock_timeout):
            self.writing_now = True
            try:
                self.sync()
                yield
            finally:
                self.writing_now = False

    def changed(self) -> bool:
        """Whether another process wrote a newer index than the one loaded (cheap: reads the
        manifest)."""
        on_disk = index_files.read_manifest(self.index_dir)
        return on_disk is not None and on_disk != self.manifest

    def reload_if_changed(self) -> bool:
        """Reload when another process wrote a newer index; returns whether it did."""
        if not self.changed():
            return False
        self.load()
        return True

    def rebuild(self, reencode_with: Embedder | None = None) -> int:
        """Build a fresh index from the stored vectors; with an embedder, encode every passage
        again first (after a model change) and store the new vectors."""
        with index_files.lock(self.index_dir, timeout=self.lock_timeout):
            self.writing_now = True
            try:
                if reencode_with is not None:
                    self._reencode(reencode_with)
                else:
                    self.meta.check_vectors_model(self.space)
                self.index = FaissIndex(self.dim, self.model)
                self.manifest = None
                self.loaded = True
                self.sync()
            finally:
                self.writing_now = False
        return len(self.index)

    def _reencode(self, embedder: Embedder, chunk: int = 512) -> None:
        ids = [int(i) for i in self.articles.passage_ids()]
        for start in range(0, len(ids), chunk):
            rows = self.articles.texts(ids[start : start + chunk])
            vectors = embedder.encode_documents([text for _, text in rows])
            self.articles.set_vectors(
                {pid: vector for (pid, _), vector in zip(rows, vectors, strict=True)}
            )
        self.meta.set_vectors_model(f"{embedder.name}/{embedder.dim}")
