"""The store: the database (the source of truth: articles, passages, events, the bot's tables),
its migrations, and the indexes derived from it (FAISS vectors, the lexical index), with the
embedder that makes the vectors. Everything else reads and writes through `Store`, whose parts
are modules of their own (retrieval/store/store.py lists them)."""

from retrieval.store.records import (
    ArticleDraft,
    ArticleRecord,
    CatalogueRow,
    Hit,
    PassageDraft,
    PassageRecord,
    WriteResult,
)
from retrieval.store.store import Store

__all__ = [
    "ArticleDraft",
    "ArticleRecord",
    "CatalogueRow",
    "Hit",
    "PassageDraft",
    "PassageRecord",
    "Store",
    "WriteResult",
]
