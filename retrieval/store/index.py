"""The FAISS vector index: inner product over normalised vectors, passage ids as FAISS ids.

On disk: `index.faiss` and `manifest.json` (model, dimension, count, DB watermark). Both are
written atomically (temp file, fsync, rename), the manifest last, and the manifest records the
index file's checksum: a reader never takes a half-written or mismatched pair.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import faiss
import numpy as np

from retrieval.errors import IndexError_

__all__ = [
    "INDEX_FILE",
    "LOCK_FILE",
    "MANIFEST_FILE",
    "FaissIndex",
    "Manifest",
    "lock",
    "read_manifest",
]

INDEX_FILE = "index.faiss"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "index.lock"


@dataclass(frozen=True)
class Manifest:
    """What an index file holds: enough to tell whether it matches the database."""

    model: str
    dim: int
    count: int
    watermark: int  # highest passage id in the DB when the index was written
    checksum: str  # sha256 of the index file


class FaissIndex:
    """An exact inner-product index keyed by passage id."""

    def __init__(self, dim: int, model: str) -> None:
        self.dim = dim
        self.model = model
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All passage ids in the index."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

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
        return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))  # type: ignore[arg-type]

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest passage ids with their cosine scores, best first."""
        if len(self) == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(query, min(k, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def save(self, directory: Path, watermark: int) -> Manifest:
        """Write index and manifest atomically; the caller holds `lock(directory)`."""
        directory.mkdir(parents=True, exist_ok=True)
        data = faiss.serialize_index(self._index).tobytes()
        manifest = Manifest(
            model=self.model,
            dim=self.dim,
            count=len(self),
            watermark=watermark,
            checksum=hashlib.sha256(data).hexdigest(),
        )
        _atomic_write(directory / INDEX_FILE, data)
        _atomic_write(directory / MANIFEST_FILE, json.dumps(asdict(manifest), indent=2).encode())
        return manifest

    @classmethod
    def load(cls, directory: Path, attempts: int = 3) -> tuple[FaissIndex, Manifest]:
        """Read index and manifest; raise IndexError_ if missing, torn or inconsistent. A read
        that overlaps a writer's two renames is retried before it is believed."""
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
        try:
            raw = json.loads((directory / MANIFEST_FILE).read_text())
            manifest = Manifest(**raw)
            data = (directory / INDEX_FILE).read_bytes()
        except FileNotFoundError as exc:
            raise IndexError_(f"no index in {directory}") from exc
        except (ValueError, TypeError) as exc:
            raise IndexError_(f"unreadable index manifest in {directory}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != manifest.checksum:
            raise IndexError_(f"index file in {directory} does not match its manifest")
        index = cls(manifest.dim, manifest.model)
        # deserialize_index returns the concrete IndexIDMap2 and owns it; no downcast needed.
        index._index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))  # type: ignore[assignment]
        if len(index) != manifest.count:
            raise IndexError_(
                f"index in {directory} holds {len(index)}, manifest says {manifest.count}"
            )
        return index, manifest


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest on disk, or None; cheap, for noticing that another process wrote a new index."""
    try:
        return Manifest(**json.loads((directory / MANIFEST_FILE).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


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
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
