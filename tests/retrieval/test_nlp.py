"""The spaCy pipelines: questions read without what they do not use, and spaCy imported
without torch (thinc imports it whenever it is installed)."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from spacy.tokens import Doc

from retrieval.nlp import QuestionParser, load_nlp, load_question_nlp
from tests.conftest import ROOT

NAMES = ["Tomas Halvorsen", "Ines Carvalho", "Ruth Okonkwo", "Pavel Novak", "Mei Tanaka"] * 4


def test_questions_are_read_without_the_lemmatizer_and_with_the_same_analysis() -> None:
    whole, questions = load_nlp(), load_question_nlp()
    assert "lemmatizer" in whole.pipe_names and "lemmatizer" not in questions.pipe_names
    assert {"tagger", "parser", "attribute_ruler", "ner"} <= set(questions.pipe_names)
    text = "When did the Kenyan climate envoy meet Dr Amara Osei in Nairobi last week?"
    parse = [(t.text, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in whole(text)]
    assert parse == [(t.text, t.pos_, t.dep_, t.head.i, t.ent_type_) for t in questions(text)]


def test_spacy_is_loaded_without_torch_and_torch_still_imports_after() -> None:
    code = (
        "import sys\n"
        "from retrieval.nlp import load_question_nlp\n"
        "load_question_nlp()('Who did Ana meet?')\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.0"


def test_questions_asked_at_once_are_read_in_one_batch_each_getting_its_own_doc() -> None:
    nlp = load_question_nlp()
    batches: list[int] = []
    gate = threading.Event()

    def pipe(texts: list[str], batch_size: int) -> list[Doc]:
        batches.append(len(texts))
        gate.wait(5)
        return list(nlp.pipe(texts, batch_size=batch_size))

    parser = QuestionParser(nlp)
    parser._batcher.run = lambda texts: pipe(texts, 64)
    questions = [f"Who did Minister {name} meet in Lisbon?" for name in NAMES]
    with ThreadPoolExecutor(len(questions)) as pool:
        futures = [pool.submit(parser, q) for q in questions]
        while not batches:
            pass  # the first caller is reading; the others queue up behind it
        threading.Timer(0.2, gate.set).start()
        docs = [f.result(timeout=30) for f in futures]
    assert [d.text for d in docs] == questions
    assert batches[0] == 1 and len(batches) < len(questions)  # the rest in one or two passes
    assert [e.text for e in docs[2].ents if e.label_ == "PERSON"] == [NAMES[2]]
