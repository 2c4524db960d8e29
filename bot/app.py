"""Start-up shared by every front end: settings, logging, and the heavy objects, built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from retrieval.config import Settings
from retrieval.embedder import Embedder, load_embedder
from retrieval.search import Searcher
from retrieval.store import Store


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr; httpx is quieted because Bot API URLs contain the token."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in (
        "httpx",
        "httpcore",
        "sentence_transformers",
        "transformers",
        "faiss",
        "alembic",
        "bm25s",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@dataclass
class Services:
    """The objects a front end needs, created once per process."""

    settings: Settings
    embedder: Embedder
    store: Store
    searcher: Searcher

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()


def open_services(settings: Settings) -> Services:
    """Load the embedder, open the store (repairing the index if needed)."""
    embedder = load_embedder(settings.embedding_model, settings.embedding_batch_size)
    store = Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)
    return Services(settings, embedder, store, Searcher(store, embedder, settings.search_mode))
