"""Where the tests find the repository and the shared evaluation material, and settings for a
test that ignore any `.env` of the developer's."""

from __future__ import annotations

import os
from pathlib import Path

from retrieval.config import Settings

__all__ = ["CORPUS", "ROOT", "SEED", "SHARED", "make_settings"]

ROOT = Path(__file__).resolve().parents[2]
# The project's shared evaluation material (seed article, MultiHop-RAG) sits beside the clone;
# it is third-party text, so it is not in the repository.
SHARED = Path(os.environ.get("NEWSBOT_SHARED_DIR", ROOT.parent / "shared"))
SEED = SHARED / "seed" / "000_9f31186d91a9e15a.txt"
CORPUS = SHARED / "eval" / "multihop-rag" / "corpus.json"


def make_settings(data_dir: Path, db_url: str | None = None, **extra: object) -> Settings:
    """Settings for a test, ignoring any .env of the developer's."""
    values: dict[str, object] = {
        "NEWSBOT_DATA_DIR": data_dir,
        "EMBEDDING_MODEL": "hash:384",
        # Answers in threads unless a test asks for worker processes (the default: per core).
        "ANSWER_WORKERS": 0,
        **extra,
    }
    if db_url:
        values["DATABASE_URL"] = db_url
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
