"""The store: the database (the source of truth: articles, passages, events, the bot's tables),
its migrations, and the indexes derived from it (FAISS vectors, BM25), with the embedder that
makes the vectors. Everything else reads and writes through `Store`."""

from retrieval.store.store import ArticleDraft, CatalogueRow, PassageDraft, Store, WriteResult

__all__ = ["ArticleDraft", "CatalogueRow", "PassageDraft", "Store", "WriteResult"]
