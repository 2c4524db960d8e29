"""Sentences of a passage and the one that best answers a question: the extractive part of an
answer. Plain word overlap, deterministic and explainable."""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = ["best_sentence", "cite_ready", "question_terms", "sentences"]

_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(
    """a an the and or but of to in on at by for with from as is are was were be been being
    has have had do does did which who whom what when where why how that this these those it
    its their his her they he she we you i not no than then also both either about into over
    after before during between under according article report piece story published""".split()
)


def question_terms(text: str) -> Counter[str]:
    """The content words of a question, lower-cased."""
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1)


def best_sentence(passage: str, terms: Counter[str]) -> tuple[str, int]:
    """The passage's sentence sharing most question words (ties: the earlier one)."""
    best, best_score, best_overlap = "", -1.0, 0
    for sentence in sentences(passage):
        words = set(_WORD.findall(sentence.lower()))
        overlap = sum(1 for t in terms if t in words)
        score = overlap / math.sqrt(max(len(words), 8))
        if score > best_score:
            best, best_score, best_overlap = sentence, score, overlap
    return best, best_overlap


_ABBREVIATION = re.compile(
    r"(?:\b(?:vs|Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Jr|Sr|Inc|Co|Corp|No|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|etc|e\.g|i\.e)|\b[A-Z](?:\.[A-Z])*)\.$"
)


# A blank line ends a paragraph or a heading; a single line break may be a hard wrap.
_PARAGRAPH = re.compile(r"\n\s*\n")


def sentences(text: str) -> list[str]:
    """A passage's sentences; no cut after an abbreviation ("Eagles vs. Seahawks", "U.S."),
    always a cut at a blank line ("Paving the way" above a paragraph is a heading, no part
    of the paragraph's first sentence)."""
    out: list[str] = []
    for block in _PARAGRAPH.split(text):
        first = len(out)
        for part in _SENTENCE.split(" ".join(block.split())):
            if not part:
                continue
            if len(out) > first and _ABBREVIATION.search(out[-1]):
                out[-1] = f"{out[-1]} {part}"
            else:
                out.append(part)
    return out


def cite_ready(sentence: str) -> str:
    """A sentence ending with a stop, ready for its [n]."""
    sentence = sentence.strip()
    return sentence if sentence[-1:] in ".!?\"'”’" else sentence + "."
