"""Shared fixtures: a settings object on a temporary data dir, over SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from retrieval.config import Settings
from retrieval.embedder import HashEmbedder, SentenceTransformerEmbedder
from retrieval.store import Store

ROOT = Path(__file__).resolve().parent.parent
# The project's shared evaluation material (seed article, MultiHop-RAG) sits beside the clone;
# it is third-party text, so it is not in the repository.
SHARED = Path(os.environ.get("NEWSBOT_SHARED_DIR", ROOT.parent / "shared"))
SEED = SHARED / "seed" / "000_9f31186d91a9e15a.txt"
CORPUS = SHARED / "eval" / "multihop-rag" / "corpus.json"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    """PostgreSQL for the suite: required when NEWSBOT_TEST_POSTGRES_URL is set (as in CI),
    used if it answers otherwise."""
    url = os.environ.get("NEWSBOT_TEST_POSTGRES_URL")
    required = bool(url)
    url = url or DEFAULT_PG
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return url
    except OperationalError:
        if required:
            raise
        return None


POSTGRES_URL = _postgres_url()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `shared` need ../shared: skipped without it, except in CI where it must be."""
    if item.get_closest_marker("shared") and not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing (set NEWSBOT_SHARED_DIR)")
        pytest.skip(f"{SHARED} is not present (set NEWSBOT_SHARED_DIR)")


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'newsbot.db'}"
        return
    if POSTGRES_URL is None:
        pytest.skip("PostgreSQL is not reachable (set NEWSBOT_TEST_POSTGRES_URL)")
    _reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL


def make_settings(data_dir: Path, db_url: str | None = None, **extra: object) -> Settings:
    """Settings for a test, ignoring any .env of the developer's."""
    values: dict[str, object] = {
        "NEWSBOT_DATA_DIR": data_dir,
        "EMBEDDING_MODEL": "hash:384",
        **extra,
    }
    if db_url:
        values["DATABASE_URL"] = db_url
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings on a temporary data dir, with the fake embedder, on each database."""
    return make_settings(tmp_path / "data", db_url)


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    """The deterministic fake embedder."""
    return HashEmbedder(384)


@pytest.fixture
def store(settings: Settings, hash_embedder: HashEmbedder) -> Iterator[Store]:
    """An open store with the fake embedder's dimensions."""
    opened = Store.open(settings.db_url, settings.index_dir, hash_embedder.name, hash_embedder.dim)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    """The real bundled model, loaded once for the session."""
    return SentenceTransformerEmbedder()
