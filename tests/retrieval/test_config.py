from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.config import Settings
from tests.support.settings import ROOT


def test_env_example_lists_every_setting() -> None:
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert listed == aliases


def test_env_example_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in {field.alias for field in Settings.model_fields.values()} - {None}:
        monkeypatch.delenv(str(name), raising=False)
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.admin_ids == [] and settings.database_url in (None, "")
    assert settings.db_url.startswith("sqlite:///") and settings.db_url.endswith("data/newsbot.db")


def test_admin_ids_from_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12, 34 56")
    assert Settings(_env_file=None).admin_ids == [12, 34, 56]  # type: ignore[call-arg]


@pytest.mark.slow
def test_bad_settings_get_a_plain_message_not_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "ADMIN_IDS": "alice", "NEWSBOT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "status"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "bad setting in the environment or .env: ADMIN_IDS" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "value",
    [
        "https://a.example/rss, https://b.example/atom.xml",
        "https://a.example/rss https://b.example/atom.xml",
        '["https://a.example/rss", "https://b.example/atom.xml"]',
    ],
)
def test_feeds_from_a_list_or_json(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FEEDS", value)
    feeds = list(Settings(_env_file=None).feeds.urls)  # type: ignore[call-arg]
    assert feeds == ["https://a.example/rss", "https://b.example/atom.xml"]


@pytest.mark.parametrize(
    "value",
    ["a.example/rss", "ftp://a.example/rss", "https:///rss", '["https://a.example"'],
)
def test_a_feed_that_is_not_a_url_is_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FEEDS", value)
    with pytest.raises(ValueError, match="FEEDS"):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("value", "workers"),
    [(None, os.cpu_count() or 1), ("", os.cpu_count() or 1), ("0", 0), ("3", 3)],
)
def test_answer_workers_default_to_one_per_core(
    monkeypatch: pytest.MonkeyPatch, value: str | None, workers: int
) -> None:
    monkeypatch.delenv("ANSWER_WORKERS", raising=False)
    if value is not None:
        monkeypatch.setenv("ANSWER_WORKERS", value)
    assert Settings(_env_file=None).telegram.workers == workers  # type: ignore[call-arg]


def test_the_onnx_export_lives_beside_the_data_unless_encoder_dir_says(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path, ENCODER_DIR="")  # type: ignore[call-arg]
    assert settings.store.onnx_dir == tmp_path / "models" and settings.encoder_runtime == "onnx"
    moved = Settings(_env_file=None, NEWSBOT_DATA_DIR=tmp_path, ENCODER_DIR=tmp_path / "m")  # type: ignore[call-arg]
    assert moved.store.onnx_dir == tmp_path / "m"
