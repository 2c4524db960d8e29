"""The trained base of a large vector index: an `IndexIVFScalarQuantizer` (an inverted file of
`nlist` lists, 8-bit codes, `nprobe` lists read per query), trained on a sample, written to
`index.faiss` and memory-mapped read-only from there, so that every process on the machine
shares one copy in the page cache. `FaissIndex` (retrieval/store/index.py) decides when to
train, compact or retrain; this module does each.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.errors import IndexError_
from retrieval.store.index_files import (
    INDEX_FILE,
    fd_key,
    fd_sha256,
    file_key,
    fsync_rename,
)

__all__ = [
    "FIT_SAMPLE",
    "TRAIN_ITERATIONS",
    "TRAIN_PER_LIST",
    "MappedBase",
    "centroid_fit",
    "compact_base",
    "flat_vectors",
    "ivf_decode",
    "ivf_ids",
    "open_base",
    "train_base",
    "trained_shape",
    "write_base",
]

logger = logging.getLogger(__name__)

# Vectors per centroid in a training sample (FAISS warns below 39), and k-means iterations
# (FAISS's default 25 costs 2.5 times as much; with 10, recall@10 was 0.974 at 100,000
# passages and 0.962 at a million: docs/scaling.md).
TRAIN_PER_LIST = 64
TRAIN_ITERATIONS = 10
# Vectors whose mean cosine to their nearest centroid measures how well the base fits.
FIT_SAMPLE = 20_000


def trained_shape(count: int) -> tuple[int, int]:
    """(nlist, nprobe) for a trained index of `count` passages: about 2·sqrt(count) lists (a
    power of two, with 39 passages each at least, as k-means wants), 1/16th of them read per
    query (recall@10 >= 0.95 measured by bench/scale.py: docs/scaling.md)."""
    wanted = round(math.log2(max(1.0, 2 * math.sqrt(count))))
    nlist = 2 ** max(4, min(wanted, math.floor(math.log2(max(16.0, count / 39)))))
    return nlist, max(8, nlist // 16)


class MappedBase:
    """A trained base opened memory-mapped from a file that stays open (it may be renamed
    over: the mapping and the descriptor keep the old one)."""

    def __init__(self, path: Path, expected: str | None) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        try:
            self.key = fd_key(self.fd)
            self.checksum = fd_sha256(self.fd)
            if expected is not None and self.checksum != expected:
                raise IndexError_(f"index file in {path.parent} does not match its manifest")
            # Through /proc: the very file whose checksum was taken, even if renamed over.
            self.index: Any = faiss.read_index(f"/proc/self/fd/{self.fd}", faiss.IO_FLAG_MMAP)
        except BaseException:
            os.close(self.fd)
            raise
        self.ids = ivf_ids(self.index)

    def copy(self) -> Any:
        """A writable in-memory copy of the base."""
        return faiss.read_index(f"/proc/self/fd/{self.fd}")

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)


# The base this process mapped last: a reload that finds the same file reuses it (no
# checksum over hundreds of megabytes, no second mapping).
_last_mapped: MappedBase | None = None


def open_base(directory: Path, checksum: str) -> MappedBase:
    """The base in `directory` whose checksum the manifest gives, mapped (the one this process
    mapped last when the file is still that one); IndexError_ when it is missing, does not
    match or FAISS cannot read it."""
    global _last_mapped
    mapped = _last_mapped
    if (
        mapped is not None
        and mapped.checksum == checksum
        and file_key(directory / INDEX_FILE) == mapped.key
    ):
        return mapped
    try:
        mapped = MappedBase(directory / INDEX_FILE, checksum)
    except FileNotFoundError as exc:
        raise IndexError_(f"no index in {directory}") from exc
    except RuntimeError as exc:  # FAISS cannot read it
        raise IndexError_(f"unreadable index file in {directory}: {exc}") from exc
    _last_mapped = mapped
    return mapped


def write_base(directory: Path, base: Any | MappedBase) -> MappedBase:
    """A base (or a copy of a mapped one's file) written to `directory`, then mapped from there."""
    global _last_mapped
    path = directory / INDEX_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(base, MappedBase):
        with open(tmp, "wb") as out, open(f"/proc/self/fd/{base.fd}", "rb") as src:
            while chunk := src.read(1 << 22):
                out.write(chunk)
    else:
        faiss.write_index(base, str(tmp))
    fsync_rename(tmp, path)
    _last_mapped = MappedBase(path, None)
    return _last_mapped


def train_base(ids: np.ndarray, vectors: np.ndarray, dim: int) -> tuple[Any, float]:
    """A base trained on a sample of `vectors` and holding them all, with its fit (the
    sample's mean cosine to the nearest centroid)."""
    nlist, nprobe = trained_shape(len(ids))
    started = time.monotonic()
    quantizer = faiss.IndexFlatIP(dim)
    base = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    base.by_residual = False  # codes decode alone: a retrain reads them back
    base.cp.niter = TRAIN_ITERATIONS
    sample = np.random.default_rng(0).permutation(len(ids))[: nlist * TRAIN_PER_LIST]
    base.train(vectors[sample])
    base.nprobe = nprobe
    base.add_with_ids(vectors, ids)
    fit = centroid_fit(quantizer, vectors[sample[:FIT_SAMPLE]])
    logger.info(
        "trained the index on %d passages: %d lists, %d read per query (%.1f s)",
        len(ids),
        nlist,
        nprobe,
        time.monotonic() - started,
    )
    return base, fit


def centroid_fit(quantizer: Any, vectors: np.ndarray) -> float:
    """The mean cosine of (the first `FIT_SAMPLE` of) `vectors` to their nearest centroid."""
    return float(quantizer.search(vectors[:FIT_SAMPLE], 1)[0].mean())


def compact_base(mapped: MappedBase, removed: np.ndarray, delta: Any) -> Any:
    """The mapped base with `removed` taken out and the delta's vectors folded in (no
    retraining), in memory."""
    base = mapped.copy()
    if len(removed):
        base.remove_ids(faiss.IDSelectorBatch(removed))
    delta_ids = faiss.vector_to_array(delta.id_map).astype(np.int64)
    if len(delta_ids):
        base.add_with_ids(flat_vectors(delta), delta_ids)
    return base


def flat_vectors(index: Any) -> np.ndarray:
    """The vectors of an `IndexIDMap2(IndexFlatIP)`, in its id_map's order."""
    flat: Any = faiss.downcast_index(index.index)
    return faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, flat.d)


def ivf_ids(ivf: Any) -> np.ndarray:
    """Every id of a trained base, list by list."""
    lists = ivf.invlists
    parts = []
    for number in range(ivf.nlist):
        size = lists.list_size(number)
        if size:
            parts.append(faiss.rev_swig_ptr(lists.get_ids(number), size).copy())
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def ivf_decode(ivf: Any) -> tuple[np.ndarray, np.ndarray]:
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
