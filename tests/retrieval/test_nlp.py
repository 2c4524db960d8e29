"""The spaCy pipeline: imported without torch (thinc imports it whenever it is installed), and
questions asked at once read in one batch."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from spacy.tokens import Doc

from retrieval.nlp import UNUSED, QuestionParser, load_nlp
from tests.support.stores import child_output

NAMES = ["Tomas Halvorsen", "Ines Carvalho", "Ruth Okonkwo", "Pavel Novak", "Mei Tanaka"] * 4


@pytest.mark.slow
def test_spacy_is_loaded_without_torch_and_torch_still_imports_after() -> None:
    code = (
        "import sys\n"
        "from retrieval.nlp import load_nlp\n"
        "load_nlp()('Who did Ana meet?')\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    assert child_output(code, timeout=300) == "2.0"


def test_questions_asked_at_once_are_read_in_one_batch_each_getting_its_own_doc() -> None:
    nlp = load_nlp()
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


def test_the_pipeline_holds_what_answering_reads_and_nothing_it_never_runs() -> None:
    nlp = load_nlp()
    assert not set(UNUSED) & set(nlp.component_names)
    doc = nlp("Where did Minister Tomas Halvorsen meet the growers last week?")
    meet = next(t for t in doc if t.lower_ == "meet")
    # Parts of speech, the parse, lemmas and entities: each read by the question reader.
    assert (meet.pos_, meet.dep_, next(t for t in doc if t.lower_ == "growers").lemma_) == (
        "VERB",
        "ROOT",
        "grower",
    )
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == ["Tomas Halvorsen"]
    assert len(list(doc.sents)) == 1


@pytest.mark.slow
def test_spacy_is_loaded_without_its_command_line_which_still_imports_after() -> None:
    code = (
        "import sys\n"
        "from retrieval.nlp import load_nlp\n"
        "doc = load_nlp()('Who did Ana Talvela meet in Norland?')\n"
        "assert not any(m.startswith('spacy.cli') for m in sys.modules), 'spacy.cli imported'\n"
        "import spacy\n"
        "assert not hasattr(spacy, 'cli')\n"
        "import spacy.cli\n"
        "assert callable(spacy.cli.download)\n"
        "print(spacy.info()['spacy_version'] == spacy.__version__, len(doc))\n"
    )
    assert child_output(code, timeout=300).split() == ["True", "8"]
