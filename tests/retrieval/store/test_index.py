from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import Settings
from retrieval.errors import IndexError_
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store import index as index_module
from retrieval.store.embedder import HashEmbedder
from retrieval.store.index import FaissIndex
from retrieval.store.index_files import DELTA_FILE, INDEX_FILE, MANIFEST_FILE, read_manifest
from retrieval.store.index_trained import trained_shape


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


# -- the trained index, past the threshold ------------------------------------------------


def _clustered(rows: int, seed: int, dim: int = 16, centres: int = 40) -> np.ndarray:
    """Unit vectors around a few centres, as topics gather passages."""
    rng = np.random.default_rng(seed)
    centre = np.random.default_rng(1234).normal(size=(centres, dim))
    vectors = centre[rng.integers(0, centres, rows)] + 0.6 * rng.normal(size=(rows, dim))
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _trained(tmp_path: Path, rows: int = 3000) -> tuple[FaissIndex, np.ndarray, np.ndarray]:
    vectors = _clustered(rows, seed=1)
    ids = np.arange(1, rows + 1, dtype=np.int64) * 3  # passage ids are not positions
    index = FaissIndex(16, "m", trained_from=2000)
    index.add(ids, vectors)
    index.save(tmp_path, watermark=int(ids[-1]))
    return index, ids, vectors


def _recall(index: FaissIndex, ids: np.ndarray, vectors: np.ndarray, seed: int) -> float:
    queries = _clustered(100, seed=seed)
    best = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    found = [{pid for pid, _ in index.search(q, 10)} for q in queries]
    return float(np.mean([len(set(ids[b]) & f) / 10 for b, f in zip(best, found, strict=True)]))


def test_below_the_threshold_a_save_keeps_the_exact_index(tmp_path: Path) -> None:
    index = FaissIndex(16, "m", trained_from=2000)
    vectors = _clustered(1999, seed=1)
    index.add(np.arange(1999), vectors)
    manifest = index.save(tmp_path, 1999)
    assert (index.kind, manifest.kind) == ("flat", "flat")
    loaded, _ = FaissIndex.load(tmp_path)
    queries = _clustered(20, seed=2)
    for query in queries:
        exact = np.argsort(-(vectors @ query))[:10]
        assert [pid for pid, _ in loaded.search(query, 10)] == exact.tolist()


def test_past_the_threshold_a_save_trains_and_recall_holds(tmp_path: Path) -> None:
    index, ids, vectors = _trained(tmp_path)
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest.kind == index.kind != "flat"
    assert manifest.trained == 3000 and 0 < manifest.fit <= 1.0
    assert {p.name for p in tmp_path.iterdir()} == {INDEX_FILE, DELTA_FILE, MANIFEST_FILE}
    loaded, read = FaissIndex.load(tmp_path)
    assert read == manifest and len(loaded) == 3000
    assert sorted(loaded.ids().tolist()) == ids.tolist()
    assert _recall(loaded, ids, vectors, seed=3) >= 0.9


def test_adds_and_removes_go_to_the_delta_the_base_file_stays(tmp_path: Path) -> None:
    _trained(tmp_path)
    loaded, before = FaissIndex.load(tmp_path)
    base_bytes = (tmp_path / INDEX_FILE).read_bytes()
    new = _clustered(5, seed=7)
    loaded.add(np.array([90001, 90002, 90003, 90004, 90005]), new)
    assert loaded.remove(np.array([3, 6, 90005, 424242])) == 3
    after = loaded.save(tmp_path, 90005)
    assert (tmp_path / INDEX_FILE).read_bytes() == base_bytes
    assert after.checksum == before.checksum and after.delta_checksum != before.delta_checksum
    again, _ = FaissIndex.load(tmp_path)
    assert len(again) == 3000 + 5 - 3
    assert again.search(new[0], 1)[0][0] == 90001
    kept = set(again.ids().tolist())
    assert {3, 6, 90005}.isdisjoint(kept) and 9 in kept
    # A removed base passage is never returned, even to the query that is its own vector.
    assert all(pid != 3 for pid, _ in again.search(_clustered(3000, seed=1)[0], 50))


def test_a_reload_of_the_same_base_shares_its_mapping(tmp_path: Path) -> None:
    _trained(tmp_path)
    first, _ = FaissIndex.load(tmp_path)
    first.add(np.array([90001]), _clustered(1, seed=8))
    first.save(tmp_path, 90001)
    second, _ = FaissIndex.load(tmp_path)
    assert second._base is first._base and len(second) == 3001


def test_the_delta_is_folded_into_the_base_past_its_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ids, vectors = _trained(tmp_path)
    monkeypatch.setattr(index_module, "COMPACT_MIN", 100)
    loaded, before = FaissIndex.load(tmp_path)
    new = _clustered(400, seed=9)  # over a tenth of the base
    new_ids = np.arange(100_000, 100_400)
    loaded.add(new_ids, new)
    loaded.remove(ids[:10])
    after = loaded.save(tmp_path, 100_400)
    assert after.checksum != before.checksum and after.trained == before.trained
    again, _ = FaissIndex.load(tmp_path)
    assert len(again) == 3000 + 400 - 10 and not len(again._removed) and not again._index.ntotal
    everything = np.concatenate([ids[10:], new_ids])
    assert sorted(again.ids().tolist()) == sorted(everything.tolist())
    assert _recall(again, everything, np.concatenate([vectors[10:], new]), seed=4) >= 0.9


def test_the_base_is_trained_again_when_the_news_moves_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _trained(tmp_path)
    monkeypatch.setattr(index_module, "COMPACT_MIN", 100)
    loaded, before = FaissIndex.load(tmp_path)
    # A topic the base never saw: far from every centre it was trained on.
    rng = np.random.default_rng(5)
    far = _unit(300, dim=16, seed=11) + 0.1 * rng.normal(size=(300, 16)).astype(np.float32)
    far /= np.linalg.norm(far, axis=1, keepdims=True)
    loaded.add(np.arange(200_000, 200_300), far)
    after = loaded.save(tmp_path, 200_300)
    assert after.trained == 3300 and after.checksum != before.checksum


def test_a_base_another_writer_replaced_is_written_again(tmp_path: Path) -> None:
    """Two processes loaded the same base; one compacts, then the other saves: the index file
    on disk must be the second one's base, not a delta over a base it never saw."""
    _trained(tmp_path)
    ours, _ = FaissIndex.load(tmp_path)
    theirs = FaissIndex(16, "m")
    theirs._open_trained(tmp_path, read_manifest(tmp_path))  # type: ignore[arg-type]
    theirs.add(np.array([88888]), _clustered(1, seed=13))
    theirs._compact(tmp_path)
    theirs.save(tmp_path, 3000)
    ours.add(np.array([77777]), _clustered(1, seed=12))
    ours.save(tmp_path, 77777)
    again, manifest = FaissIndex.load(tmp_path)
    assert len(again) == manifest.count == 3001


def test_a_torn_delta_is_detected(tmp_path: Path) -> None:
    _trained(tmp_path)
    (tmp_path / DELTA_FILE).write_bytes(b"garbage")
    with pytest.raises(IndexError_, match="does not match"):
        FaissIndex.load(tmp_path)


@pytest.mark.parametrize(
    ("count", "nlist", "nprobe"),
    [(1000, 16, 8), (20_000, 256, 16), (100_000, 512, 32), (1_000_000, 2048, 128)],
)
def test_trained_shape(count: int, nlist: int, nprobe: int) -> None:
    assert trained_shape(count) == (nlist, nprobe)


def test_a_store_past_the_threshold_reopens_searches_and_replaces(
    settings: Settings, hash_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "TRAINED_FROM", 700)
    store = Store.open(settings.db_url, settings.index_dir, hash_embedder.name, hash_embedder.dim)
    drafts = [
        _article(
            hash_embedder, f"k{a}", [f"report {a} line {p} word{a * 31 + p}" for p in range(25)]
        )
        for a in range(30)
    ]
    store.write(drafts)
    store.save_index()
    assert store.index.kind != "flat"
    reader = Store.open(settings.db_url, settings.index_dir, hash_embedder.name, hash_embedder.dim)
    assert reader.index.kind == store.index.kind and len(reader.index) == 750
    [(pid, _)] = reader.index.search(hash_embedder.encode_query("report 7 line 3 word220"), 1)
    assert reader.passages_with_articles([pid])[pid][0].text == "report 7 line 3 word220"
    # A new version of an article: its old passages leave the mapped base, the new join.
    store.write([_article(hash_embedder, "k7", ["a wholly new text"], digest="v2")])
    store.save_index()
    assert reader.reload_if_changed()
    assert len(reader.index) == reader.db_state()[0] == 726
    hits = reader.index.search(hash_embedder.encode_query("report 7 line 3 word220"), 50)
    assert pid not in [p for p, _ in hits]
    store.close()
    reader.close()


def _article(embedder: HashEmbedder, key: str, texts: list[str], digest: str = "") -> ArticleDraft:
    vectors = embedder.encode_documents(texts)
    return ArticleDraft(
        key=key,
        url=key,
        title=f"Title {key}",
        outlet="Outlet",
        author=None,
        published_at=datetime(2024, 1, 2, tzinfo=UTC),
        content_hash=digest or key,
        source=key,
        passages=[PassageDraft(i, 0, len(t), t, vectors[i]) for i, t in enumerate(texts)],
    )


def test_a_search_runs_on_one_openmp_thread_and_leaves_the_threads_setting_as_it_was() -> None:
    import faiss

    index = FaissIndex(8, "m")
    vectors = _unit(300, seed=3)
    index.add(np.arange(1, 301), vectors)
    seen: list[int] = []
    inner = index._index

    class Watching:
        ntotal = inner.ntotal

        def search(self, *args: object) -> object:
            seen.append(faiss.omp_get_max_threads())
            return inner.search(*args)

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        index._index = Watching()
        [(best, _), *_] = index.search(vectors[41], 5)
        assert faiss.omp_get_max_threads() == 2
    finally:
        index._index = inner
        faiss.omp_set_num_threads(before)
    assert best == 42 and seen == [1]
