"""The vector index's directory on disk: its files, the manifest, atomic writes, the writer's lock.

`index.faiss`, `delta.npz` (trained index only) and `manifest.json` (model, dimension, count,
DB watermark, checksums). Each is written atomically (temp file, fsync, rename), the manifest
last, and the manifest records the other files' checksums: a reader never takes a half-written
or mismatched set. One writer at a time holds `index.lock` (`lock`), with its pid written in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from retrieval.errors import IndexError_

__all__ = [
    "DELTA_FILE",
    "FLAT",
    "INDEX_FILE",
    "LOCK_FILE",
    "MANIFEST_FILE",
    "TRAINED",
    "FileKey",
    "Manifest",
    "atomic_write",
    "fd_key",
    "fd_sha256",
    "file_key",
    "fsync_rename",
    "load_manifest",
    "lock",
    "read_bytes",
    "read_manifest",
    "sha256",
]

INDEX_FILE = "index.faiss"
DELTA_FILE = "delta.npz"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "index.lock"

FLAT = "flat"
TRAINED = "ivf-sq8"

# What tells two states of a file apart without reading it: (device, inode, size, mtime).
FileKey = tuple[int, int, int, int]


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


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest on disk, or None; cheap, for noticing that another process wrote a new index."""
    try:
        return load_manifest(directory)
    except IndexError_:
        return None


def load_manifest(directory: Path) -> Manifest:
    """The manifest on disk; IndexError_ when it is missing or unreadable."""
    try:
        return Manifest(**json.loads((directory / MANIFEST_FILE).read_text()))
    except FileNotFoundError as exc:
        raise IndexError_(f"no index in {directory}") from exc
    except (ValueError, TypeError) as exc:
        raise IndexError_(f"unreadable index manifest in {directory}: {exc}") from exc


def read_bytes(path: Path) -> bytes:
    """An index file's bytes; IndexError_ when it is missing."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IndexError_(f"no index in {path.parent}") from exc


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data`, as the manifest records it."""
    return hashlib.sha256(data).hexdigest()


def fd_sha256(fd: int) -> str:
    """The hex SHA-256 of an open file, read in chunks (a trained base is hundreds of MB)."""
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 22, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def file_key(path: Path) -> FileKey | None:
    """The key of the file at `path`, or None when there is none."""
    try:
        return _key(os.stat(path))
    except FileNotFoundError:
        return None


def fd_key(fd: int) -> FileKey:
    """The key of an open file (the one it was opened on, even if renamed over since)."""
    return _key(os.fstat(fd))


def _key(stat: os.stat_result) -> FileKey:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def atomic_write(path: Path, data: bytes) -> None:
    """`data` written to `path` through a temp file: a reader sees the old file or the new."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
    fsync_rename(tmp, path)


def fsync_rename(tmp: Path, path: Path) -> None:
    """`tmp` made durable and renamed to `path`, the rename itself made durable."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
