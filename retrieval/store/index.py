"""The FAISS vector index: inner product over normalised vectors, passage ids as FAISS ids.

Two shapes behind one interface (`add`, `search`, `remove`, `ids`, `save`, `load`):

- below `TRAINED_FROM` passages, the exact flat index (`IndexIDMap2(IndexFlatIP)`), held in
  memory, written whole at each save: every store of a few tens of thousands of passages (and
  every test) searches exactly;
- from `TRAINED_FROM` on, a trained base (`IndexIVFScalarQuantizer`: an inverted file of
  `nlist` lists, 8-bit codes, `nprobe` lists read per query), memory-mapped read-only from
  `index.faiss` so that every process on the machine shares one copy in the page cache, plus
  a small exact delta (the passages added since the base was written, and the base's removed
  ids) in memory and in `delta.npz`. A save writes only the delta; the delta is folded into
  the base (compaction) when it grows past `COMPACT_SHARE` of it, and the base is trained
  again when it drifts: twice the size it was trained at, or new passages lying further from
  its centroids than the training ones did (`DRIFT`).

On disk: `index.faiss`, `delta.npz` (trained only) and `manifest.json` (model, dimension,
count, DB watermark, checksums). Each is written atomically (temp file, fsync, rename), the
manifest last, and the manifest records the other files' checksums: a reader never takes a
half-written or mismatched set.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import math
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import faiss
import numpy as np

from retrieval.errors import IndexError_

__all__ = [
    "COMPACT_MIN",
    "COMPACT_SHARE",
    "DELTA_FILE",
    "DRIFT",
    "FLAT",
    "GROWTH",
    "INDEX_FILE",
    "LOCK_FILE",
    "MANIFEST_FILE",
    "TRAINED",
    "TRAINED_FROM",
    "TRAIN_ITERATIONS",
    "TRAIN_PER_LIST",
    "FaissIndex",
    "Manifest",
    "VectorIndex",
    "lock",
    "read_manifest",
    "trained_shape",
]

logger = logging.getLogger(__name__)

INDEX_FILE = "index.faiss"
DELTA_FILE = "delta.npz"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "index.lock"

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
# Vectors per centroid in a training sample (FAISS warns below 39), and k-means iterations
# (FAISS's default 25 costs 2.5 times as much; with 10, recall@10 was 0.974 at 100,000
# passages and 0.962 at a million: docs/scaling.md).
TRAIN_PER_LIST = 64
TRAIN_ITERATIONS = 10

FLAT = "flat"
TRAINED = "ivf-sq8"


@dataclass(frozen=True)
class Manifest:
    """What the index files hold: enough to tell whether they match the database."""

    model: str
    dim: int
    count: int
    watermark: int  # highest passage id in the DB when the index was written
    checksum: str  # sha256 of the index file
    kind: str = FLAT
    delta_checksum: str = ""  # sha256 of the delta file (trained only)
    trained: int = 0  # passages the base was trained on
    fit: float = 0.0  # their mean cosine to the nearest centroid


def trained_shape(count: int) -> tuple[int, int]:
    """(nlist, nprobe) for a trained index of `count` passages: about 2·sqrt(count) lists (a
    power of two, with 39 passages each at least, as k-means wants), 1/16th of them read per
    query (recall@10 >= 0.95 measured by bench/scale.py: docs/scaling.md)."""
    wanted = round(math.log2(max(1.0, 2 * math.sqrt(count))))
    nlist = 2 ** max(4, min(wanted, math.floor(math.log2(max(16.0, count / 39)))))
    return nlist, max(8, nlist // 16)


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


class _MappedBase:
    """A trained base opened memory-mapped from a file that stays open (it may be renamed
    over: the mapping and the descriptor keep the old one)."""

    def __init__(self, path: Path, expected: str | None) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        try:
            stat = os.fstat(self.fd)
            self.key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            self.checksum = _fd_sha256(self.fd)
            if expected is not None and self.checksum != expected:
                raise IndexError_(f"index file in {path.parent} does not match its manifest")
            # Through /proc: the very file whose checksum was taken, even if renamed over.
            self.index: Any = faiss.read_index(f"/proc/self/fd/{self.fd}", faiss.IO_FLAG_MMAP)
        except BaseException:
            os.close(self.fd)
            raise
        self.ids = _ivf_ids(self.index)

    def copy(self) -> Any:
        """A writable in-memory copy of the base."""
        return faiss.read_index(f"/proc/self/fd/{self.fd}")

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)


# The base this process mapped last: a reload that finds the same file reuses it (no
# checksum over hundreds of megabytes, no second mapping).
_last_mapped: _MappedBase | None = None


class FaissIndex:
    """An inner-product index keyed by passage id: exact below `trained_from` passages,
    a memory-mapped trained base plus an exact delta from there on (see the module)."""

    def __init__(self, dim: int, model: str, trained_from: int | None = None) -> None:
        self.dim = dim
        self.model = model
        self.trained_from = TRAINED_FROM if trained_from is None else trained_from
        self._index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))  # flat, or the delta
        self._base: _MappedBase | None = None
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
        if self._index.ntotal:
            scores, ids = self._index.search(query, min(k, int(self._index.ntotal)))
            found = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]
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
                self._write_base(directory, None)
        if self._base is None:
            data = faiss.serialize_index(self._index).tobytes()
            checksum, delta_checksum = hashlib.sha256(data).hexdigest(), ""
            _atomic_write(directory / INDEX_FILE, data)
            with contextlib.suppress(FileNotFoundError):
                (directory / DELTA_FILE).unlink()
        else:
            delta = self._delta_bytes()
            checksum = self._base.checksum
            delta_checksum = hashlib.sha256(delta).hexdigest()
            _atomic_write(directory / DELTA_FILE, delta)
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
        _atomic_write(directory / MANIFEST_FILE, json.dumps(asdict(manifest), indent=2).encode())
        return manifest

    def _train(self, directory: Path) -> None:
        """Train a base on every vector held (the base's decoded from its codes) and put them
        all in it; the delta empties."""
        ids, vectors = self._all_vectors()
        nlist, nprobe = trained_shape(len(ids))
        started = time.monotonic()
        quantizer = faiss.IndexFlatIP(self.dim)
        base = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        base.by_residual = False  # codes decode alone: a retrain reads them back
        base.cp.niter = TRAIN_ITERATIONS
        sample = np.random.default_rng(0).permutation(len(ids))[: nlist * TRAIN_PER_LIST]
        base.train(vectors[sample])
        base.nprobe = nprobe
        base.add_with_ids(vectors, ids)
        fit = float(quantizer.search(vectors[sample[:20_000]], 1)[0].mean())
        logger.info(
            "trained the index on %d passages: %d lists, %d read per query (%.1f s)",
            len(ids),
            nlist,
            nprobe,
            time.monotonic() - started,
        )
        del vectors
        self._trained, self._fit = len(ids), fit
        self._write_base(directory, base)
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._removed = np.zeros(0, dtype=np.int64)
        self._search_params = None

    def _compact(self, directory: Path) -> None:
        """Fold the delta into the base (no retraining)."""
        assert self._base is not None
        base = self._base.copy()
        if len(self._removed):
            base.remove_ids(faiss.IDSelectorBatch(self._removed))
        delta_ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        if len(delta_ids):
            base.add_with_ids(_flat_vectors(self._index), delta_ids)
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
        fit = float(quantizer.search(_flat_vectors(self._index)[:20_000], 1)[0].mean())
        return self._fit - fit > DRIFT

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        ids = [faiss.vector_to_array(self._index.id_map).astype(np.int64)]
        vectors = [_flat_vectors(self._index)]
        if self._base is not None:
            base_ids, base_vectors = _ivf_decode(self._base.index)
            keep = ~np.isin(base_ids, self._removed)
            ids.insert(0, base_ids[keep])
            vectors.insert(0, base_vectors[keep])
        return np.concatenate(ids), np.ascontiguousarray(np.concatenate(vectors))

    def _write_base(self, directory: Path, base: Any) -> None:
        """Write a base (or copy the mapped one) to `directory`, then map it from there."""
        global _last_mapped
        path = directory / INDEX_FILE
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        if base is not None:
            faiss.write_index(base, str(tmp))
        else:
            assert self._base is not None
            with open(tmp, "wb") as out, open(f"/proc/self/fd/{self._base.fd}", "rb") as src:
                while chunk := src.read(1 << 22):
                    out.write(chunk)
        _fsync_rename(tmp, path)
        self._base = _last_mapped = _MappedBase(path, None)
        self._search_params = None

    def _base_is_in(self, directory: Path) -> bool:
        """Whether `directory`'s index file is still the mapped base (another writer may
        have compacted meanwhile, or this is a save elsewhere)."""
        assert self._base is not None
        try:
            stat = os.stat(directory / INDEX_FILE)
        except FileNotFoundError:
            return False
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns) == self._base.key

    def _delta_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez(
            out,
            ids=faiss.vector_to_array(self._index.id_map).astype(np.int64),
            vectors=_flat_vectors(self._index),
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
        manifest = _read_manifest(directory)
        index = cls(manifest.dim, manifest.model)
        if manifest.kind == FLAT:
            data = _read(directory / INDEX_FILE)
            if hashlib.sha256(data).hexdigest() != manifest.checksum:
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
        global _last_mapped
        delta = _read(directory / DELTA_FILE)
        if hashlib.sha256(delta).hexdigest() != manifest.delta_checksum:
            raise IndexError_(f"index delta in {directory} does not match its manifest")
        mapped = _last_mapped
        if (
            mapped is None
            or mapped.checksum != manifest.checksum
            or not _same_file(directory / INDEX_FILE, mapped)
        ):
            try:
                mapped = _MappedBase(directory / INDEX_FILE, manifest.checksum)
            except FileNotFoundError as exc:
                raise IndexError_(f"no index in {directory}") from exc
            except RuntimeError as exc:  # FAISS cannot read it
                raise IndexError_(f"unreadable index file in {directory}: {exc}") from exc
            _last_mapped = mapped
        self._base = mapped
        with np.load(io.BytesIO(delta)) as parts:
            self._index.add_with_ids(
                np.ascontiguousarray(parts["vectors"].reshape(-1, self.dim)), parts["ids"]
            )
            self._removed = parts["removed"].astype(np.int64)
        self._trained, self._fit = manifest.trained, manifest.fit


def _is_a_vector_index(index: FaissIndex) -> VectorIndex:
    return index  # mypy checks here that FaissIndex fills the seam


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest on disk, or None; cheap, for noticing that another process wrote a new index."""
    try:
        return Manifest(**json.loads((directory / MANIFEST_FILE).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def _read_manifest(directory: Path) -> Manifest:
    try:
        return Manifest(**json.loads((directory / MANIFEST_FILE).read_text()))
    except FileNotFoundError as exc:
        raise IndexError_(f"no index in {directory}") from exc
    except (ValueError, TypeError) as exc:
        raise IndexError_(f"unreadable index manifest in {directory}: {exc}") from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IndexError_(f"no index in {path.parent}") from exc


def _same_file(path: Path, mapped: _MappedBase) -> bool:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return False
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns) == mapped.key


def _flat_vectors(index: Any) -> np.ndarray:
    """The vectors of an `IndexIDMap2(IndexFlatIP)`, in its id_map's order."""
    flat: Any = faiss.downcast_index(index.index)
    return faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, flat.d)


def _ivf_ids(ivf: Any) -> np.ndarray:
    lists = ivf.invlists
    parts = []
    for number in range(ivf.nlist):
        size = lists.list_size(number)
        if size:
            parts.append(faiss.rev_swig_ptr(lists.get_ids(number), size).copy())
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _ivf_decode(ivf: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every (id, vector) of a trained base, decoded from its codes (`by_residual` off)."""
    lists = ivf.invlists
    ids, vectors = [], []
    for number in range(ivf.nlist):
        size = lists.list_size(number)
        if size:
            ids.append(faiss.rev_swig_ptr(lists.get_ids(number), size).copy())
            codes = faiss.rev_swig_ptr(lists.get_codes(number), size * ivf.code_size).copy()
            vectors.append(ivf.sq.decode(codes.reshape(size, ivf.code_size)))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, ivf.d), dtype=np.float32)
    return np.concatenate(ids).astype(np.int64), np.concatenate(vectors)


def _fd_sha256(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 22, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def lock(directory: Path, blocking: bool = True, timeout: float | None = None) -> Iterator[bool]:
    """The exclusive lock of the index directory's writer; yields whether it was taken (always,
    when blocking). Held by an ingest or reindex for its whole run. With a timeout, waits that
    long at most, then raises IndexError_ naming the holder's pid (written in the lock file
    by whoever holds it)."""
    directory.mkdir(parents=True, exist_ok=True)
    # Not opened with "w": that would empty the file, and with it the holder's pid.
    with open(os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644), "r+") as handle:
        if not _take(handle, blocking, timeout):
            if blocking:
                holder = _holder(handle)
                raise IndexError_(
                    f"the index in {directory} is being written by another process "
                    f"({f'pid {holder}' if holder else 'pid unknown'}: an ingest or a reindex); "
                    f"gave up after waiting {timeout:g} s (INDEX_LOCK_TIMEOUT)"
                )
            yield False
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take(handle: IO[str], blocking: bool, timeout: float | None) -> bool:
    if blocking and timeout is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + (timeout if blocking and timeout else 0.0)
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def _holder(handle: IO[str]) -> int | None:
    """The pid the lock's holder wrote, if it did yet."""
    handle.seek(0)
    text = handle.read(32).strip()
    return int(text) if text.isdigit() else None


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
    _fsync_rename(tmp, path)


def _fsync_rename(tmp: Path, path: Path) -> None:
    """`tmp` made durable and renamed to `path`, the rename itself made durable."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
