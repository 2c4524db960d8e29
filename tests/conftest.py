"""Shared fixtures: a settings object on a temporary data dir, over SQLite and PostgreSQL."""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder, SentenceTransformerEmbedder
from retrieval.store.onnx import OnnxEmbedder, ensure_exported
from tests.support.settings import SHARED, make_settings

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _server_url() -> str | None:
    """The PostgreSQL server for the suite: required when NEWSBOT_TEST_POSTGRES_URL is set (as
    in CI), used if it answers otherwise."""
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


def _own_database(server: str) -> str:
    """A database of this run's own on the server, dropped at exit: two runs on one machine
    (or a developer's and CI's) never touch each other's tables, nor the server's `public`."""
    name = f"newsbot_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()

    def drop() -> None:
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    atexit.register(drop)
    return make_url(server).set(database=name).render_as_string(hide_password=False)


_SERVER = _server_url()
POSTGRES_URL = _own_database(_SERVER) if _SERVER else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that loads the real model is slow (seconds a test): `pytest -m "not slow"`
    leaves it out. Tests that start processes carry the marker themselves."""
    for item in items:
        if "minilm" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `shared` need ../shared: skipped without it, except in CI where it must be."""
    if item.get_closest_marker("shared") and not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing (set NEWSBOT_SHARED_DIR)")
        pytest.skip(f"{SHARED} is not present (set NEWSBOT_SHARED_DIR)")


def _reset_postgres(url: str) -> None:
    """Empty this run's own database (never a shared one: see `_own_database`)."""
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
    """The real bundled model on torch, loaded once for the session."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An encoder directory holding the ONNX export of the bundled model, made once for the
    session the way a first use makes it (in a child process)."""
    directory = tmp_path_factory.mktemp("models")
    ensure_exported(directory)
    return directory


@pytest.fixture(scope="session")
def onnx_minilm(onnx_dir: Path) -> OnnxEmbedder:
    """The bundled model on ONNX Runtime, loaded once for the session."""
    return OnnxEmbedder(onnx_dir)
