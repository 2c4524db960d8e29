"""Passages from paragraphs: short ones merged with neighbours, long ones split at sentences.

Sizes are in words. The defaults (40..160) come from measurements in docs/benchmarks.md: most
news paragraphs are 20-40 words, too little context alone; 160 words stays under the 256
word-piece window of MiniLM, past which the encoder silently ignores text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "sentence_spans", "split_passages"]

_ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "st", "jr",
    "sr", "inc", "ltd", "co", "corp", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e", "etc",
)  # fmt: skip
# Group 1: the sentence's end mark with its closing quotes and brackets; then the space.
_SENTENCE_END = re.compile(r"([.!?][\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_CLOSERS = ".!?\"”’')]"


@dataclass(frozen=True)
class Span:
    """A passage of a body: text == body[start:end]."""

    start: int
    end: int
    text: str


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text, shifted by offset. Linear in the length of
    text: every candidate end looks back only over the word before it, and no slice of the
    text so far is taken (a run of initials, "J. R. Smith and A. B. Jones ...", was quadratic)."""
    spans = []
    start = 0
    word_floor = 0  # the word before a candidate end begins at or after this
    for match in _SENTENCE_END.finditer(text):
        mark = match.start()
        first = mark
        while first > word_floor and not text[first - 1].isspace():
            first -= 1
        word_floor = match.end()
        last = text[first : mark + 1].rstrip(_CLOSERS).lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue  # "Mr. Blinken", "J. Smith"
        spans.append((offset + start, offset + match.end(1)))
        start = match.end()
    if start < len(text):
        spans.append((offset + start, offset + len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


def _words(text: str) -> int:
    return len(text.split())


def _word_cuts(body: str, start: int, end: int, max_words: int) -> list[tuple[int, int, int]]:
    """A span with no sentence break short enough, cut every max_words words."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", body[start:end])]
    return [
        (words[i][0], words[min(i + max_words, len(words)) - 1][1], min(max_words, len(words) - i))
        for i in range(0, len(words), max_words)
    ]


def _units(body: str, max_words: int) -> list[tuple[int, int, int]]:
    """(start, end, words) of the paragraphs of body, long paragraphs cut into runs of whole
    sentences (and a sentence longer than max_words at word boundaries, so the encoder sees
    all of it). Only whitespace lies between two units or two sentences, so word counts add
    up: each piece of text is counted once."""
    units: list[tuple[int, int, int]] = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", body):
        start, end = match.span()
        words = _words(match.group())
        if not words:
            continue  # a line of blanks (a stray \r) is no passage
        if words <= max_words:
            units.append((start, end, words))
            continue
        runs: list[tuple[int, int, int]] = []
        for s, e in sentence_spans(match.group(), start):
            count = _words(body[s:e])
            if runs and runs[-1][2] + count <= max_words:
                runs[-1] = (runs[-1][0], e, runs[-1][2] + count)
            else:
                runs.append((s, e, count))
        for s, e, count in runs:
            units.extend(
                _word_cuts(body, s, e, max_words) if count > max_words else [(s, e, count)]
            )
    return units


def split_passages(body: str, min_words: int = 40, max_words: int = 160) -> list[Span]:
    """Passages of a body whose paragraphs are separated by blank lines."""
    spans: list[tuple[int, int, int]] = []
    current: tuple[int, int, int] | None = None
    for start, end, words in _units(body, max_words):
        if current is None:
            current = (start, end, words)
        elif current[2] < min_words and current[2] + words <= max_words:
            current = (current[0], end, current[2] + words)
        else:
            spans.append(current)
            current = (start, end, words)
    if current is not None:
        # A short tail joins the passage before it when they fit together.
        if spans and current[2] < min_words // 2 and spans[-1][2] + current[2] <= max_words:
            spans[-1] = (spans[-1][0], current[1], spans[-1][2] + current[2])
        else:
            spans.append(current)
    return [Span(start, end, body[start:end]) for start, end, _ in spans]
