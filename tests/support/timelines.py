"""The invented articles of the meeting-timeline and inline tests (samples/timeline, also
used by docs/conversation.py): one foreign minister, Odile Varga, meets thirteen people
over 2025 (a meeting in Lima reported by two outlets, one in Harare announced in advance);
two different people are called Kovacs, so a bare "Kovacs" is ambiguous; one outlet's name
holds "&" and "<", which HTML must escape. Every name, outlet and place is made up."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import ingest
from retrieval.service import open_services
from tests.support.settings import ROOT, make_settings

__all__ = ["TIMELINE", "ingest_timeline"]

TIMELINE = ROOT / "samples" / "timeline"


def ingest_timeline(data_dir: Path) -> Path:
    """A store in `data_dir` holding the timeline articles (fake embedder, real spaCy)."""
    services = open_services(make_settings(data_dir))
    try:
        ingest([str(TIMELINE)], services.settings.ingest, services.store, services.embedder)
    finally:
        services.close()
    return data_dir
