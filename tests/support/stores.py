"""Stores made for a test module, and code run in a child process to see what it imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.service import open_services
from tests.support.settings import ROOT, make_settings

__all__ = ["SAMPLES", "child_output", "sample_store"]

SAMPLES = ROOT / "samples" / "articles"


def sample_store(data_dir: Path) -> Settings:
    """The settings of a store in `data_dir` holding the sample articles (fake embedder, real
    spaCy), ingested as `newsbot ingest` does."""
    services = open_services(make_settings(data_dir))
    ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
    services.close()
    return services.settings


def child_output(code: str, timeout: float = 120) -> str:
    """What `code` prints, run by a fresh interpreter in the repository (so that what it
    imports is its own doing); a failure is the test's, with the child's stderr."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
