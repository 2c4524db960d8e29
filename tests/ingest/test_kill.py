"""A real `newsbot ingest` process killed with SIGKILL at several points leaves the database and
the index consistent, and running it again completes the work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from retrieval.store.models import Article, Passage
from tests.support.cli import run_cli
from tests.support.settings import ROOT

ARTICLES = 400
KILL_AT = [0, 15, 120, 300]  # articles committed when the process is killed (0: during start-up)


def _write_corpus(folder: Path) -> None:
    folder.mkdir()
    for i in range(ARTICLES):
        paragraphs = [
            f"Minister {i} met envoy {i % 17} in city {i % 23} on Tuesday for talks on topic {j}."
            for j in range(1 + i % 5)
        ]
        (folder / f"{i:04d}.txt").write_text(
            f"date 2024-03-{1 + i % 28:02d} Article number {i}\nurl: https://k.example/{i}\n\n"
            + "\n\n".join(paragraphs)
        )


def _articles(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    except Exception:  # the table does not exist yet
        return 0
    finally:
        engine.dispose()


def _assert_consistent(settings: Settings) -> Store:
    embedder = HashEmbedder(384)
    store = Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)
    with store.sessions() as session:
        db_ids = set(session.scalars(select(Passage.id)).all())
        orphans = session.scalar(select(func.count(Article.id)).where(~Article.passages.any()))
    assert orphans == 0, "an article was committed without its passages"
    assert set(store.index.ids().tolist()) == db_ids
    return store


@pytest.mark.slow
def test_kill_9_at_several_points_then_rerun_completes(tmp_path: Path, settings: Settings) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus)
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.db_url,
        "EMBEDDING_MODEL": "hash:384",
        "INGEST_BATCH_ARTICLES": "3",
    }
    seen = []
    for threshold in KILL_AT:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", str(corpus)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while threshold and _articles(settings.db_url) < threshold:
            assert process.poll() is None, "ingest finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        if not threshold:
            time.sleep(0.5)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert process.returncode == -signal.SIGKILL
        seen.append(_articles(settings.db_url))
        _assert_consistent(settings).close()
    assert seen == sorted(seen) and seen[-1] < ARTICLES, seen

    result = run_cli(settings, "ingest", str(corpus), "--json")
    assert result.returncode == 0, result.stderr
    store = _assert_consistent(settings)
    assert store.stats()["articles"] == ARTICLES
    with store.sessions() as session:
        assert session.scalar(select(func.count(func.distinct(Article.url)))) == ARTICLES
    store.close()
