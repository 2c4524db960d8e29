from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import IndexError_
from retrieval.store.index import INDEX_FILE, MANIFEST_FILE, FaissIndex


def _unit(rows: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_add_search_remove_by_passage_id() -> None:
    index = FaissIndex(8, "m")
    vectors = _unit(5)
    index.add(np.array([10, 20, 30, 40, 50]), vectors)
    [(best, score), *_] = index.search(vectors[2], 3)
    assert best == 30 and score == pytest.approx(1.0, abs=1e-5)
    assert index.remove(np.array([30, 99])) == 1
    assert 30 not in [pid for pid, _ in index.search(vectors[2], 5)]
    assert sorted(index.ids().tolist()) == [10, 20, 40, 50]


def test_save_load_round_trip(tmp_path: Path) -> None:
    index = FaissIndex(8, "m")
    index.add(np.array([7, 8]), _unit(2))
    manifest = index.save(tmp_path, watermark=8)
    loaded, read = FaissIndex.load(tmp_path)
    assert read == manifest and read.count == 2 and read.watermark == 8
    assert sorted(loaded.ids().tolist()) == [7, 8]
    assert loaded.search(_unit(2)[1], 1)[0][0] == 8


def test_torn_write_is_detected(tmp_path: Path) -> None:
    index = FaissIndex(8, "m")
    index.add(np.array([1]), _unit(1))
    index.save(tmp_path, 1)
    index.add(np.array([2]), _unit(1, seed=1))
    # A writer killed between the two renames: new index file, old manifest.
    (tmp_path / INDEX_FILE).write_bytes(b"garbage")
    with pytest.raises(IndexError_, match="does not match"):
        FaissIndex.load(tmp_path)
    (tmp_path / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(IndexError_, match="unreadable"):
        FaissIndex.load(tmp_path)


def test_no_temp_files_left(tmp_path: Path) -> None:
    FaissIndex(8, "m").save(tmp_path, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [INDEX_FILE, MANIFEST_FILE]
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["dim"] == 8


def test_a_read_overlapping_a_save_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = FaissIndex(8, "m")
    index.add(np.array([1]), _unit(1))
    index.save(tmp_path, 1)
    real = FaissIndex._load_once.__func__  # type: ignore[attr-defined]
    calls = []

    def flaky(cls: type[FaissIndex], directory: Path) -> tuple[FaissIndex, object]:
        calls.append(1)
        if len(calls) == 1:
            raise IndexError_("index file does not match its manifest")
        return real(cls, directory)

    monkeypatch.setattr(FaissIndex, "_load_once", classmethod(flaky))
    loaded, _ = FaissIndex.load(tmp_path)
    assert len(loaded) == 1 and len(calls) == 2
