"""Undecodable input to `newsbot ask` and `newsbot search`: bytes that are not UTF-8 on the
command line or stdin are read as U+FFFD, the answer path takes lone surrogates anyway, and a
bad line of a batch does not end it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.config import DEFAULT_MODEL
from retrieval.service import Services, open_services
from tests.support.cli import run_cli
from tests.support.settings import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"
QUESTION = "When did Arjun Mehra meet Sari Wulandari?"
# Lone surrogates stand for the raw bytes in a subprocess's argv and stdin (see run_cli):
# 0xff and 0xfe are never UTF-8, 0xc3 starts a sequence that "(" does not continue.
BAD = "Who met \udcff\udcfe in \udcc3( Oslo?"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    opened = open_services(make_settings(tmp_path_factory.mktemp("input") / "data"))
    ingest([str(SAMPLES)], opened.settings.ingest, opened.store, opened.embedder)
    yield opened
    opened.close()


@pytest.mark.parametrize("text", [BAD, "\ud83d", "Oslo \udcff", f"{QUESTION} \udc80"])
def test_the_answer_path_takes_lone_surrogates(services: Services, text: str) -> None:
    answer = services.ask(text)
    assert "\ufffd" in answer.question
    json.dumps(answer.to_json(), ensure_ascii=False).encode("utf-8")
    hits = services.search(text, 3)
    assert hits


@pytest.mark.slow
def test_bad_bytes_in_ask_and_search_arguments_are_replaced(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert run_cli(settings, "ingest", str(SAMPLES)).returncode == 0
    asked = run_cli(settings, "ask", "--json", BAD)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["question"] == "Who met \ufffd\ufffd in \ufffd( Oslo?"
    searched = run_cli(settings, "search", "--json", BAD)
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["query"] == "Who met \ufffd\ufffd in \ufffd( Oslo?"


@pytest.mark.slow
def test_a_bad_line_on_stdin_does_not_end_the_batch(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert run_cli(settings, "ingest", str(SAMPLES)).returncode == 0
    lines = f"Who met in Oslo?\n{BAD}\n\udcff\n{QUESTION}\n"
    # As in a UTF-8 locale other than C.UTF-8: stdin decoded strictly unless the command
    # decodes it itself.
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    asked = run_cli(settings, "ask", "--json", "-", stdin=lines, env=strict)
    assert asked.returncode == 0, asked.stderr
    answers = [json.loads(line) for line in asked.stdout.splitlines()]
    assert [a["question"] for a in answers] == [
        "Who met in Oslo?",
        "Who met \ufffd\ufffd in \ufffd( Oslo?",
        "\ufffd",
        QUESTION,
    ]
    assert answers[-1]["found"] and answers[-1]["values"] == ["2025-01-27"]
    searched = run_cli(settings, "search", "--json", "-", stdin=lines, env=strict)
    assert searched.returncode == 0, searched.stderr
    assert [json.loads(line)["query"] for line in searched.stdout.splitlines()][-1] == QUESTION


@pytest.mark.slow
def test_the_bundled_model_tokenizes_replaced_bytes(tmp_path: Path, onnx_dir: Path) -> None:
    # The tokenizer of the bundled model refuses a lone surrogate with a TypeError.
    settings = make_settings(tmp_path / "data", EMBEDDING_MODEL=DEFAULT_MODEL)
    encoder = {"ENCODER_DIR": str(onnx_dir)}
    assert run_cli(settings, "ingest", str(SAMPLES), env=encoder).returncode == 0
    searched = run_cli(settings, "search", "--json", "Oslo \udcff", env=encoder)
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["results"]


@pytest.mark.slow
def test_a_bad_line_does_not_end_the_terminal_chat(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    assert run_cli(settings, "ingest", str(SAMPLES)).returncode == 0
    strict = {"PYTHONIOENCODING": "utf-8:strict"}  # as in test_a_bad_line_on_stdin...
    done = run_cli(settings, "chat", stdin=f"{BAD}\n{QUESTION}\n", env=strict)
    assert done.returncode == 0, done.stderr
    assert "Monday 27 January 2025" in done.stdout.replace("\n", " ")
