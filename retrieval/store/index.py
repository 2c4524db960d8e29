"""The FAISS vector index: inner product over normalised vectors, passage ids as FAISS ids.

Two shapes behind one interface (`add`, `search`, `remove`, `ids`, `save`, `load`):

- below `TRAINED_FROM` passages, the exact flat index (`IndexIDMap2(IndexFlatIP)`), held in
  memory, written whole at each save: every store of a few tens of thousands of passages (and
  every test) searches exactly;
- from `TRAINED_FROM` on, a trained base (retrieval/store/index_trained.py: IVF-SQ8,
  memory-mapped read-only from `index.faiss`) plus a small exact delta (the passages added
  since the base was written, and the base's removed ids) in memory and in `delta.npz`. A
  save writes only the delta; the delta is folded into the base (compaction) when it grows
  past `COMPACT_SHARE` of it, and the base is trained again when it drifts: twice the size it
  was trained at, or new passages lying further from its centroids than the training ones did
  (`DRIFT`).

The files, their manifest and the writer's lock are retrieval/store/index_files.py's.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from retrieval.errors import IndexError_
from retrieval.store.index_files import (
    DELTA_FILE,
    FLAT,
    INDEX_FILE,
    MANIFEST_FILE,
    TRAINED,
    Manifest,
    atomic_write,
    file_key,
    load_manifest,
    read_bytes,
    sha256,
)
from retrieval.store.index_trained import (
    MappedBase,
    centroid_fit,
    compact_base,
    flat_vectors,
    ivf_decode,
    open_base,
    train_base,
    write_base,
)

__all__ = [
    "COMPACT_MIN",
    "COMPACT_SHARE",
    "DRIFT",
    "GROWTH",
    "TRAINED_FROM",
    "FaissIndex",
    "VectorIndex",
]

# Passages from which a save trains the approximate index (bench/scale.py measured the
# choice: docs/scaling.md). Below it a flat scan costs a few milliseconds.
TRAINED_FROM = 100_000
# The delta is folded into the base when it holds this share of it (or 20,000 passages).
COMPACT_SHARE = 0.1
COMPACT_MIN = 20_000
# Retrain when new passages' mean cosine to their nearest centroid is this much below the
# training passages' (the news moved on), or the index doubled since it was trained.
DRIFT = 0.05
GROWTH = 2.0


class VectorIndex(Protocol):
    """The seam a vector engine plugs into (FaissIndex here; pgvector or OpenSearch past one
    machine, docs/scaling.md): what the store and the searcher call."""

    dim: int
    model: str

    def __len__(self) -> int: ...

    def ids(self) -> np.ndarray:
        """All passage ids held."""
        ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under passage ids."""
        ...

    def remove(self, ids: np.ndarray) -> int:
        """Remove passage ids; how many were held."""
        ...

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest passage ids with their cosine scores, best first."""
        ...

    def save(self, directory: Path, watermark: int) -> Manifest:
        """Persist what is held, stamped with the database's watermark."""
        ...


class FaissIndex:
    """An inner-product index keyed by passage id: exact below `trained_from` passages,
    a memory-mapped trained base plus an exact delta from there on (see the module)."""

    def __init__(self, dim: int, model: str, trained_from: int | None = None) -> None:
        self.dim = dim
        self.model = model
        self.trained_from = TRAINED_FROM if trained_from is None else trained_from
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))  # flat, or the delta
        self._base: MappedBase | None = None
        self._removed = np.zeros(0, dtype=np.int64)  # base ids removed since it was written
        self._search_params: Any = None
        self._keep: Any = None
        self._trained = 0
        self._fit = 0.0

    @property
    def kind(self) -> str:
        """ "flat" (exact) or the trained index's kind."""
        return FLAT if self._base is None else TRAINED

    def __len__(self) -> int:
        base = 0 if self._base is None else len(self._base.ids) - len(self._removed)
        return base + int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All passage ids in the index."""
        own = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        if self._base is None:
            return own
        kept = self._base.ids[~np.isin(self._base.ids, self._removed)]
        return np.concatenate([kept, own])

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under the given passage ids."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise IndexError_(
                f"vectors of shape {vectors.shape}, expected ({len(ids)}, {self.dim})"
            )
        self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        """Remove passage ids; returns how many were present."""
        if len(ids) == 0:
            return 0
        ids = np.asarray(ids, dtype=np.int64)
        removed = int(self._index.remove_ids(ids))
        if self._base is not None:
            # The mapped base is read-only: its removed ids are left out of every search.
            gone = ids[np.isin(ids, self._base.ids) & ~np.isin(ids, self._removed)]
            if len(gone):
                self._removed = np.union1d(self._removed, gone)
                self._search_params = None
                removed += len(np.unique(gone))
        return removed

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest passage ids with their cosine scores, best first (the trained base's
        scores are its 8-bit codes', within about 0.01 of the exact cosine)."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        found: list[tuple[int, float]] = []
        with _one_thread():
            if self._index.ntotal:
                scores, ids = self._index.search(query, min(k, int(self._index.ntotal)))
                found = [
                    (int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1
                ]
            if self._base is None:
                return found
            scores, ids = self._base.index.search(query, k, params=self._params())
        found += [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]
        return sorted(found, key=lambda hit: -hit[1])[:k]

    def _params(self) -> Any:
        if self._search_params is None:
            params = faiss.SearchParametersIVF()
            params.nprobe = self._nprobe()
            if len(self._removed):
                batch = faiss.IDSelectorBatch(self._removed)
                params.sel = faiss.IDSelectorNot(batch)
                self._keep = batch  # the selectors must outlive the searches
            self._search_params = params
        return self._search_params

    def _nprobe(self) -> int:
        assert self._base is not None
        return int(self._base.index.nprobe)

    # -- writing -----------------------------------------------------------------------------

    def save(self, directory: Path, watermark: int) -> Manifest:
        """Write index and manifest atomically; the caller holds `lock(directory)`. This is
        where the index is trained (once it holds `trained_from` passages), its delta folded
        into the base, and the base trained again when it drifted."""
        directory.mkdir(parents=True, exist_ok=True)
        if self._base is None and len(self) >= self.trained_from:
            self._train(directory)
        elif self._base is not None:
            if self._drifted():
                self._train(directory)
            elif self._index.ntotal + len(self._removed) > max(
                COMPACT_MIN, COMPACT_SHARE * len(self._base.ids)
            ):
                self._compact(directory)
            elif not self._base_is_in(directory):
                self._write_base(directory, self._base)
        if self._base is None:
            data = faiss.serialize_index(self._index).tobytes()
            checksum, delta_checksum = sha256(data), ""
            atomic_write(directory / INDEX_FILE, data)
            with contextlib.suppress(FileNotFoundError):
                (directory / DELTA_FILE).unlink()
        else:
            delta = self._delta_bytes()
            checksum = self._base.checksum
            delta_checksum = sha256(delta)
            atomic_write(directory / DELTA_FILE, delta)
        manifest = Manifest(
            model=self.model,
            dim=self.dim,
            count=len(self),
            watermark=watermark,
            checksum=checksum,
            kind=self.kind,
            delta_checksum=delta_checksum,
            trained=self._trained,
            fit=self._fit,
        )
        atomic_write(directory / MANIFEST_FILE, json.dumps(asdict(manifest), indent=2).encode())
        return manifest

    def _train(self, directory: Path) -> None:
        """Train a base on every vector held (the base's decoded from its codes) and put them
        all in it; the delta empties."""
        ids, vectors = self._all_vectors()
        base, fit = train_base(ids, vectors, self.dim)
        del vectors
        self._trained, self._fit = len(ids), fit
        self._replace_base(directory, base)

    def _compact(self, directory: Path) -> None:
        """Fold the delta into the base (no retraining)."""
        assert self._base is not None
        self._replace_base(directory, compact_base(self._base, self._removed, self._index))

    def _replace_base(self, directory: Path, base: Any) -> None:
        """A new base written and mapped; it holds everything, so the delta empties."""
        self._write_base(directory, base)
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._removed = np.zeros(0, dtype=np.int64)
        self._search_params = None

    def _drifted(self) -> bool:
        assert self._base is not None
        if len(self) >= GROWTH * max(1, self._trained):
            return True
        if self._index.ntotal < COMPACT_MIN:
            return False
        quantizer = faiss.downcast_index(self._base.index.quantizer)
        return self._fit - centroid_fit(quantizer, flat_vectors(self._index)) > DRIFT

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        ids = [faiss.vector_to_array(self._index.id_map).astype(np.int64)]
        vectors = [flat_vectors(self._index)]
        if self._base is not None:
            base_ids, base_vectors = ivf_decode(self._base.index)
            keep = ~np.isin(base_ids, self._removed)
            ids.insert(0, base_ids[keep])
            vectors.insert(0, base_vectors[keep])
        return np.concatenate(ids), np.ascontiguousarray(np.concatenate(vectors))

    def _write_base(self, directory: Path, base: Any | MappedBase) -> None:
        """Write a base (or copy the mapped one) to `directory`, then map it from there."""
        self._base = write_base(directory, base)
        self._search_params = None

    def _base_is_in(self, directory: Path) -> bool:
        """Whether `directory`'s index file is still the mapped base (another writer may
        have compacted meanwhile, or this is a save elsewhere)."""
        assert self._base is not None
        return file_key(directory / INDEX_FILE) == self._base.key

    def _delta_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez(
            out,
            ids=faiss.vector_to_array(self._index.id_map).astype(np.int64),
            vectors=flat_vectors(self._index),
            removed=self._removed,
        )
        return out.getvalue()

    # -- reading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, directory: Path, attempts: int = 3) -> tuple[FaissIndex, Manifest]:
        """Read index and manifest; raise IndexError_ if missing, torn or inconsistent. A read
        that overlaps a writer's renames is retried before it is believed."""
        for attempt in range(attempts):
            try:
                return cls._load_once(directory)
            except IndexError_:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    @classmethod
    def _load_once(cls, directory: Path) -> tuple[FaissIndex, Manifest]:
        manifest = load_manifest(directory)
        index = cls(manifest.dim, manifest.model)
        if manifest.kind == FLAT:
            data = read_bytes(directory / INDEX_FILE)
            if sha256(data) != manifest.checksum:
                raise IndexError_(f"index file in {directory} does not match its manifest")
            # deserialize_index returns the concrete IndexIDMap2 and owns it.
            index._index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        else:
            index._open_trained(directory, manifest)
        if len(index) != manifest.count:
            raise IndexError_(
                f"index in {directory} holds {len(index)}, manifest says {manifest.count}"
            )
        return index, manifest

    def _open_trained(self, directory: Path, manifest: Manifest) -> None:
        delta = read_bytes(directory / DELTA_FILE)
        if sha256(delta) != manifest.delta_checksum:
            raise IndexError_(f"index delta in {directory} does not match its manifest")
        mapped = open_base(directory, manifest.checksum)
        self._base = mapped
        with np.load(io.BytesIO(delta)) as parts:
            self._index.add_with_ids(
                np.ascontiguousarray(parts["vectors"].reshape(-1, self.dim)), parts["ids"]
            )
            self._removed = parts["removed"].astype(np.int64)
        self._trained, self._fit = manifest.trained, manifest.fit


def _is_a_vector_index(index: FaissIndex) -> VectorIndex:
    return index  # mypy checks here that FaissIndex fills the seam


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """One OpenMP thread for this thread's searches (the setting is per thread, restored
    after). A one-query search split over the cores costs more than it saves: FAISS's idle
    OpenMP threads spin, taking the core the encoder, spaCy and the other answers need. On the
    15k-passage store under load: 19.7 ms per search on 2 threads, 1.4 ms on one
    (docs/benchmarks.md, fourth run)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
