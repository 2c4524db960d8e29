"""The spaCy pipelines: questions read without what they do not use, and spaCy imported
without torch (thinc imports it whenever it is installed)."""

from __future__ import annotations

import subprocess
import sys

from retrieval.nlp import load_nlp, load_question_nlp
from tests.conftest import ROOT


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
