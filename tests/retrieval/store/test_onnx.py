"""The bundled model on ONNX Runtime: the torch model's vectors, a store made with either read
by the other as it is, answering processes that never import torch, the weights in a file of
their own (an older export split once, to the same vectors), and one clear line for a broken
ONNX file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.config import DEFAULT_MODEL
from retrieval.errors import ConfigError
from retrieval.qa.search import Searcher
from retrieval.service import open_services
from retrieval.store import Store
from retrieval.store.embedder import SentenceTransformerEmbedder
from retrieval.store.onnx import (
    DATA_FILE,
    MANIFEST_FILE,
    ONNX_FILE,
    SPINNING,
    OnnxEmbedder,
    ensure_exported,
    read_manifest,
)
from tests.support.settings import CORPUS, ROOT, SEED, make_settings

pytestmark = pytest.mark.slow

SAMPLES = ROOT / "samples" / "articles"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _cosines(
    onnx: OnnxEmbedder, torch: SentenceTransformerEmbedder, texts: list[str]
) -> np.ndarray:
    got, want = onnx.encode_documents(texts), torch.encode_documents(texts)
    assert got.shape == want.shape == (len(texts), 384) and got.dtype == np.float32
    return np.sum(got * want, axis=1)


def test_onnx_vectors_equal_torch_on_the_sample_paragraphs(
    onnx_minilm: OnnxEmbedder, minilm: SentenceTransformerEmbedder
) -> None:
    texts = [p for f in sorted(SAMPLES.glob("*.txt")) for p in _paragraphs(f.read_text())]
    # One longer than the model reads: both must cut it at the same token.
    texts += [" ".join(texts), "  Padded with spaces.  ", "x"]
    cosines = _cosines(onnx_minilm, minilm, texts)
    assert len(texts) > 50 and float(np.min(cosines)) >= 0.9999
    # A query alone (no padding) is the same vector as in a batch.
    alone = onnx_minilm.encode_query(texts[3])
    assert float(alone @ onnx_minilm.encode_documents(texts)[3]) >= 0.99999


@pytest.mark.shared
def test_onnx_vectors_equal_torch_on_multihop_paragraphs(
    onnx_minilm: OnnxEmbedder, minilm: SentenceTransformerEmbedder
) -> None:
    articles = json.loads(CORPUS.read_text())
    texts = [p for a in articles[:40] for p in _paragraphs(a["body"])][:600]
    cosines = _cosines(onnx_minilm, minilm, texts)
    assert len(texts) == 600 and float(np.min(cosines)) >= 0.9999


@pytest.mark.shared
def test_a_store_encoded_with_torch_is_searched_with_onnx_without_reencoding(
    tmp_path: Path, onnx_dir: Path, minilm: SentenceTransformerEmbedder
) -> None:
    from ingest.pipeline import ingest

    settings = make_settings(tmp_path / "data", EMBEDDING_MODEL=DEFAULT_MODEL, ENCODER_DIR=onnx_dir)
    store = Store.open(settings.db_url, settings.index_dir, minilm.name, minilm.dim)
    ingest([str(SEED), str(SAMPLES)], settings.ingest, store, minilm)
    queries = ["arctic shipping talks", "interest rates held", "glaciers melting", "cup final"]
    by_torch = [[h.passage_id for h in Searcher(store, minilm).search(q, 5)] for q in queries]
    store.close()

    services = open_services(settings)  # ONNX, the default: no re-encode asked for
    try:
        assert services.embedder.runtime == "onnx-fp32"
        by_onnx = [[h.passage_id for h in services.search(q, 5)] for q in queries]
        assert by_onnx == by_torch
        recorded = services.store.encoders()["onnx-fp32"]
        assert recorded.startswith(f"{DEFAULT_MODEL}/384: same vectors as torch")
        assert services.store.vectors_model() == f"{DEFAULT_MODEL}/384"
    finally:
        services.close()


_NO_TORCH = """
import sys
from bot.cli import app
import bot.chat, bot.telegram.app, bot.telegram.workers  # the other answering entry points
for args in (["ask", "--json", "Who met whom in Oslo?"], ["search", "--json", "arctic"]):
    try:
        app(args, standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, exc.code
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print("HEAVY", heavy)
"""


@pytest.mark.slow
def test_answering_never_imports_torch(tmp_path: Path, onnx_dir: Path) -> None:
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_MODEL": DEFAULT_MODEL,
        "ENCODER_DIR": str(onnx_dir),
    }
    env.pop("ENCODER_RUNTIME", None)
    env.pop("DATABASE_URL", None)
    cwd = tmp_path  # no .env of the developer's
    ingest = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(SAMPLES)],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert ingest.returncode == 0, ingest.stderr
    done = subprocess.run(
        [sys.executable, "-c", _NO_TORCH],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    answer, hits = (json.loads(line) for line in done.stdout.splitlines()[:2])
    assert answer["question"] == "Who met whom in Oslo?" and hits["query"] == "arctic"
    assert "HEAVY []" in done.stdout, done.stdout[-500:]


def _ask(tmp_path: Path, onnx_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
        "EMBEDDING_MODEL": DEFAULT_MODEL,
        "ENCODER_DIR": str(onnx_dir),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ENCODER_RUNTIME", None)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who met whom?"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def test_the_weights_are_a_file_of_their_own(onnx_dir: Path) -> None:
    manifest = read_manifest(onnx_dir)
    assert manifest.data_bytes == (onnx_dir / DATA_FILE).stat().st_size > 80 * 2**20
    assert manifest.onnx_bytes == (onnx_dir / ONNX_FILE).stat().st_size < 2**20
    # As readable as the graph (onnx writes its data files private).
    assert (onnx_dir / DATA_FILE).stat().st_mode == (onnx_dir / ONNX_FILE).stat().st_mode


def test_an_export_with_the_weights_inside_is_split_once_to_the_same_vectors(
    tmp_path: Path, onnx_dir: Path, onnx_minilm: OnnxEmbedder
) -> None:
    import onnx

    older = tmp_path / "models"
    older.mkdir()
    onnx.save_model(onnx.load(str(onnx_dir / ONNX_FILE)), str(older / ONNX_FILE))
    manifest = json.loads((onnx_dir / MANIFEST_FILE).read_text())
    del manifest["data_bytes"]  # as exports wrote it before
    manifest["onnx_bytes"] = (older / ONNX_FILE).stat().st_size
    (older / MANIFEST_FILE).write_text(json.dumps(manifest))
    texts = [p for f in sorted(SAMPLES.glob("*.txt")) for p in _paragraphs(f.read_text())]
    before = OnnxEmbedder(older).encode_documents(texts)
    assert read_manifest(older).data_bytes == 0 and not (older / DATA_FILE).exists()

    ensure_exported(older)
    assert read_manifest(older).data_bytes == (older / DATA_FILE).stat().st_size > 0
    after = OnnxEmbedder(older)
    assert np.array_equal(after.encode_documents(texts), before)
    assert np.array_equal(before, onnx_minilm.encode_documents(texts))
    split = (older / DATA_FILE).stat().st_mtime_ns
    ensure_exported(older)  # once: nothing left to do
    assert (older / DATA_FILE).stat().st_mtime_ns == split


@pytest.mark.parametrize(
    "damage", ["truncated", "garbage of the right size", "bad manifest", "weights truncated"]
)
def test_a_corrupt_onnx_file_is_one_clear_line_with_the_way_to_rebuild_it(
    tmp_path: Path, onnx_dir: Path, damage: str
) -> None:
    broken = tmp_path / "models"
    shutil.copytree(onnx_dir, broken)
    model = broken / ONNX_FILE
    if damage in ("truncated", "weights truncated"):
        model = broken / DATA_FILE if damage == "weights truncated" else model
        with model.open("r+b") as f:
            f.truncate(model.stat().st_size // 2)
    elif damage == "garbage of the right size":
        model.write_bytes(b"\x07" * model.stat().st_size)
    else:
        (broken / MANIFEST_FILE).write_text("{not json")

    done = _ask(tmp_path, broken)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "corrupt" in lines[0] and str(broken) in lines[0]
    assert "newsbot encoder --rebuild" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_missing_onnx_file_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is missing: run `newsbot encoder` to build it"):
        read_manifest(tmp_path)


def test_the_session_threads_sleep_when_idle_and_take_their_share(onnx_dir: Path) -> None:
    embedder = OnnxEmbedder(onnx_dir, threads=1)
    options = embedder._session.get_session_options()
    assert options.get_session_config_entry(SPINNING) == "0"
    assert options.intra_op_num_threads == 1 == embedder.threads
