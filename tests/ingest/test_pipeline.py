from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.cli import run_cli
from tests.support.seed import seed_paragraphs, seed_title
from tests.support.settings import CORPUS, SEED, make_settings


@pytest.mark.shared
def test_seed_twice_adds_nothing_and_keeps_no_furniture(
    store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    paragraphs = seed_paragraphs()
    first = ingest([str(SEED)], settings.ingest, store, hash_embedder)
    assert (first.new, first.failed) == (1, 0) and first.passages_added > 0
    second = ingest([str(SEED)], settings.ingest, store, hash_embedder)
    assert (second.new, second.updated, second.unchanged, second.passages_added) == (0, 0, 1, 0)
    rows = store.passages_with_articles(store.index.ids().tolist())
    texts = [p.text for p, _ in sorted(rows.values(), key=lambda r: r[0].position)]
    assert "\n\n".join(texts).split("\n\n") == paragraphs
    for passage, article in rows.values():
        body_slice = "\n\n".join(paragraphs)[passage.char_start : passage.char_end]
        assert body_slice == passage.text and article.title == seed_title()


def test_changed_article_at_same_url_replaces_its_passages(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    page = tmp_path / "a.txt"
    page.write_text("date 2024-01-01 Talks\nurl: https://n.example/a\n\nThe leaders met in Oslo.\n")
    ingest([str(page)], settings.ingest, store, hash_embedder)
    old_ids = set(store.index.ids().tolist())
    page.write_text(
        "date 2024-01-01 Talks\nurl: https://n.example/a\n\nThe leaders met in Bergen.\n"
    )
    summary = ingest([str(page)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.updated) == (0, 1)
    new_ids = set(store.index.ids().tolist())
    assert new_ids.isdisjoint(old_ids) and len(new_ids) == 1
    [(passage, _)] = store.passages_with_articles(list(new_ids)).values()
    assert passage.text == "The leaders met in Bergen."
    assert store.db_state()[0] == 1


BAD_FILES: dict[str, bytes] = {
    "empty.txt": b"",
    "binary.txt": b"\x00\x01\x02\x03 binary",
    "latin1.txt": "date 2024-01-01 Caf\u00e9\n\nCaf\u00e9 society.".encode("latin-1"),
    "broken.json": b'[{"title": "A", "body": "x"',
    "unknown.txt": b"just some notes, not an article",
    "nobody.txt": b"date 2024-01-01 Only a headline\n",
}


@pytest.mark.slow
def test_mixed_folder_stores_the_good_names_the_bad_exits_1(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "good.txt").write_text("date 2024-02-02 Good one\n\nA real paragraph here.\n")
    (folder / "nested" / "good.jsonl").write_text(
        '{"title": "J1", "body": "First json article.", "url": "https://j.example/1"}\n'
        '{"title": "J2", "body": "Second json article.", "url": "https://j.example/2"}\n'
    )
    (folder / "README.md").write_text("not read: not an article suffix")
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    big = folder / "big.txt"
    big.write_text("date 2024-01-01 Big\n\n" + "word " * 400)
    result = run_cli(settings, "ingest", str(folder), "--json", env={"MAX_SOURCE_BYTES": "1000"})
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["new"] == 3
    failed = {Path(e["source"]).name: e["error"] for e in summary["errors"]}
    assert set(failed) == {*BAD_FILES, "big.txt"}
    assert failed["empty.txt"] == "empty"
    assert "binary" in failed["binary.txt"]
    assert "UTF-8" in failed["latin1.txt"]
    assert "invalid JSON" in failed["broken.json"]
    assert "unrecognised format" in failed["unknown.txt"]
    assert "no body" in failed["nobody.txt"]
    assert "too large" in failed["big.txt"]
    plain = run_cli(settings, "ingest", str(folder / "empty.txt"), str(folder / "good.txt"))
    assert plain.returncode == 1
    assert "empty.txt: empty" in plain.stderr
    assert plain.stdout.strip().startswith("articles: 0 new, 0 updated, 1 unchanged, 1 failed")


@pytest.mark.slow
def test_missing_source_is_reported(settings: Settings) -> None:
    result = run_cli(settings, "ingest", "/no/such/file.txt")
    assert result.returncode == 1
    assert "/no/such/file.txt" in result.stderr and "No such file" in result.stderr


@pytest.mark.slow
@pytest.mark.shared
def test_multihop_corpus_stores_609_articles(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    settings = make_settings(tmp_path / "data")
    store = Store.open(settings.db_url, settings.index_dir, hash_embedder.name, hash_embedder.dim)
    summary = ingest([str(CORPUS)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (609, 0)
    stats = store.stats()
    assert stats["articles"] == 609
    assert len(store.index) == store.db_state()[0] == summary.passages_added
    assert isinstance(stats["events"], int) and stats["events"] > 50  # real text, no crash
    store.close()


@pytest.mark.slow
@pytest.mark.shared
def test_reindex_rebuilds_and_reencodes(tmp_path: Path, settings: Settings) -> None:
    assert run_cli(settings, "ingest", str(SEED)).returncode == 0
    (settings.index_dir / "index.faiss").unlink()
    rebuilt = run_cli(settings, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.strip().endswith("passages")
    other_model = run_cli(settings, "search", "Truss", env={"EMBEDDING_MODEL": "hash:128"})
    assert other_model.returncode == 2 and "reindex --reencode" in other_model.stderr
    reencoded = run_cli(settings, "reindex", "--reencode", env={"EMBEDDING_MODEL": "hash:128"})
    assert reencoded.returncode == 0, reencoded.stderr
    found = run_cli(settings, "search", "--json", "Truss", env={"EMBEDDING_MODEL": "hash:128"})
    assert json.loads(found.stdout)["results"], found.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL: Value error, not a URL (no '://'; 8"),
        (
            {"DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:1/x"},
            "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/x",
        ),
        ({"EMBEDDING_MODEL": "hash:abc"}, "bad EMBEDDING_MODEL 'hash:abc'"),
    ],
)
def test_bad_settings_give_one_clear_line(
    settings: Settings, env: dict[str, str], message: str
) -> None:
    result = run_cli(settings, "status", env=env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_urlless_json_list_gaining_an_item_at_the_front_loses_nothing(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    feed = tmp_path / "export.json"
    items = [{"title": t, "body": f"Body of {t}."} for t in ("alpha", "beta")]
    feed.write_text(json.dumps(items))
    assert ingest([str(feed)], settings.ingest, store, hash_embedder).new == 2
    feed.write_text(json.dumps([{"title": "gamma", "body": "Body of gamma."}, *items]))
    summary = ingest([str(feed)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.updated, summary.unchanged) == (1, 0, 2)
    assert store.stats()["articles"] == 3


def test_same_url_twice_in_one_batch_keeps_the_last(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    feed = tmp_path / "dupes.jsonl"
    feed.write_text(
        '{"title": "T", "body": "First text.", "url": "https://d.example/1"}\n'
        '{"title": "T", "body": "Second text.", "url": "https://d.example/1"}\n'
    )
    summary = ingest([str(feed)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.passages_added) == (1, 1)
    [(passage, _)] = store.passages_with_articles(store.index.ids().tolist()).values()
    assert passage.text == "Second text." and store.db_state()[0] == 1


def test_a_source_that_breaks_the_parser_costs_only_itself(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "b_good.txt").write_text("date 2024-01-01 Fine\n\nA fine article.\n")
    summary = ingest([str(folder)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (1, 1)
    assert summary.errors[0]["source"].endswith("a_deep.json")


def test_a_failing_reader_thread_is_an_error_not_a_short_success(
    store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    bad = settings.model_copy(update={"user_agent": "newsbot \u00fc\n"})  # not a valid header
    with pytest.raises(Exception, match=r"(?i)header|ascii|encode"):
        ingest([str(SEED)], bad.ingest, store, hash_embedder)


def test_an_article_the_database_refuses_costs_only_itself(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    if not settings.db_url.startswith("postgresql"):
        pytest.skip("SQLite does not enforce column lengths")
    feed = tmp_path / "mixed.json"
    long_url = "https://l.example/" + "x" * 3000  # longer than the url column allows
    feed.write_text(
        json.dumps(
            [
                {"title": "Too long", "body": "Refused text.", "url": long_url},
                {"title": "Fine", "body": "Stored text.", "url": "https://l.example/ok"},
            ]
        )
    )
    summary = ingest([str(feed)], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (1, 1)
    assert summary.errors[0]["error"].startswith("not stored:")
    assert set(store.index.ids().tolist()) == set(store.passages_with_articles(list(range(1, 20))))


def test_jsonl_with_bad_lines_stores_the_good_and_names_each_bad_line(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    lines = [
        json.dumps(
            {"title": f"Story {n}", "body": f"Text of story {n}.", "url": f"https://j.example/{n}"}
        )
        for n in range(7)
    ]
    lines.insert(3, '{"title": "cut off", "body": "Text')
    lines.insert(6, "not json at all")
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    summary = ingest([str(tmp_path / "mixed.jsonl")], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (7, 2)
    assert [e["error"] for e in summary.errors] == [
        "line 4: invalid JSON (Unterminated string starting at)",
        "line 7: invalid JSON (Expecting value)",
    ]
    assert store.stats()["articles"] == 7


def test_different_articles_with_one_url_in_a_file_are_reported_not_unchanged(
    tmp_path: Path, store: Store, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    def line(title: str, url: str = "https://d.example/same") -> str:
        return json.dumps({"title": title, "body": f"Text of {title}.", "url": url})

    lines = [line("First"), line("Second"), line("Other", "https://d.example/other")]
    lines += [line("Third"), line("Other", "https://d.example/other")]  # an identical copy
    (tmp_path / "dupes.jsonl").write_text("\n".join(lines) + "\n")
    summary = ingest([str(tmp_path / "dupes.jsonl")], settings.ingest, store, hash_embedder)
    assert (summary.new, summary.unchanged, summary.failed) == (2, 1, 2)
    assert [e["error"] for e in summary.errors] == [
        "line 1: same URL as line 4: kept the last",
        "line 2: same URL as line 4: kept the last",
    ]
    texts = {p.text for p, _ in store.passages_with_articles(store.index.ids().tolist()).values()}
    assert texts == {"Text of Third.", "Text of Other."}
