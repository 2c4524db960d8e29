"""The services of a process (retrieval/service.py): opened without the answering parts (the
bot's own process when workers answer), they load nothing to answer until asked, tell the
indexed count from the index on disk, and answer as eagerly opened services do."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.config import DEFAULT_MODEL, Settings
from retrieval.errors import ConfigError
from retrieval.service import open_services
from retrieval.store.onnx import MANIFEST_FILE, ONNX_FILE
from tests.support.settings import make_settings
from tests.support.stores import sample_store


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return sample_store(tmp_path_factory.mktemp("data"))


def test_without_answering_nothing_is_loaded_until_asked(settings: Settings) -> None:
    eager = open_services(settings)
    light = open_services(settings, answering=False)
    try:
        assert eager.answers_loaded and not light.answers_loaded
        assert not light.store.vectors.loaded
        # What the bot's own process reads: the database, and the index's count on disk.
        assert light.store.stats() == eager.store.stats()
        assert light.store.stats()["indexed"] == len(eager.store.index) > 0
        assert light.refresh() is False and not light.answers_loaded
        question = "Who did Ingrid Solvang meet in Oslo?"
        assert light.ask(question).to_json() == eager.ask(question).to_json()
        assert light.answers_loaded and light.store.vectors.loaded
        assert light.store.stats()["indexed"] == len(light.store.index)
    finally:
        light.close()
        eager.close()


def test_without_answering_the_settings_faults_are_still_reported_at_open(
    tmp_path: Path,
) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_services(make_settings(tmp_path / "none"), create=False, answering=False)
    # The bundled model's export is not loaded, but its manifest is read.
    models = tmp_path / "models"
    models.mkdir()
    (models / ONNX_FILE).write_bytes(b"graph")
    (models / MANIFEST_FILE).write_text("{not json")
    bundled = make_settings(tmp_path / "data", EMBEDDING_MODEL=DEFAULT_MODEL, ENCODER_DIR=models)
    with pytest.raises(ConfigError, match=r"manifest .* is corrupt"):
        open_services(bundled, answering=False)
