"""Running the `newsbot` command in a subprocess, as a user does."""

from __future__ import annotations

import os
import subprocess
import sys

from retrieval.config import Settings
from tests.support.settings import ROOT

__all__ = ["run_cli"]


def run_cli(
    settings: Settings, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`newsbot ARGS` in a subprocess with these settings (and extra environment).

    A lone surrogate in ARGS or stdin ("\\udcff") reaches the command as the raw byte it
    stands for (0xff), as bytes that are not UTF-8 would from a shell; output is decoded the
    same way, so that whatever the command writes can be read back."""
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.db_url,
        "EMBEDDING_MODEL": settings.embedding_model,
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=300,
    )
