"""Start-up shared by every front end: settings, logging, and the heavy objects, built once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from retrieval.answer import Answerer
from retrieval.config import Settings
from retrieval.embedder import Embedder, load_embedder
from retrieval.nlp import load_nlp
from retrieval.questions import QuestionReader
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
    answerer: Answerer

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()


def open_services(settings: Settings) -> Services:
    """Load the embedder and the spaCy pipeline, open the store (repairing the index if
    needed)."""
    embedder = load_embedder(settings.embedding_model, settings.embedding_batch_size)
    store = Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)
    searcher = Searcher(store, embedder, settings.search_mode)
    answerer = Answerer(searcher, QuestionReader(load_nlp()))
    return Services(settings, embedder, store, searcher, answerer)
