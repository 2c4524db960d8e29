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
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Span:
    """A passage of a body: text == body[start:end]."""

    start: int
    end: int
    text: str


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text, shifted by offset."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start() + 1].split()
        last = before[-1].rstrip(".!?\"”’')]").lower() if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue  # "Mr. Blinken", "J. Smith"
        end = match.end()
        spans.append((offset + start, offset + len(text[:end].rstrip())))
        start = end
    if start < len(text):
        spans.append((offset + start, offset + len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


def _words(text: str) -> int:
    return len(text.split())


def _word_cuts(body: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """A span with no sentence break short enough, cut every max_words words."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", body[start:end])]
    return [
        (words[i][0], words[min(i + max_words, len(words)) - 1][1])
        for i in range(0, len(words), max_words)
    ]


def _units(body: str, max_words: int) -> list[tuple[int, int]]:
    """Paragraph spans of body, long paragraphs cut into runs of whole sentences (and a
    sentence longer than max_words at word boundaries, so the encoder sees all of it)."""
    units: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", body):
        start, end = match.span()
        if _words(match.group()) <= max_words:
            units.append((start, end))
            continue
        runs: list[tuple[int, int]] = []
        for s, e in sentence_spans(match.group(), start):
            if runs and _words(body[runs[-1][0] : e]) <= max_words:
                runs[-1] = (runs[-1][0], e)
            else:
                runs.append((s, e))
        for s, e in runs:
            units.extend(
                _word_cuts(body, s, e, max_words) if _words(body[s:e]) > max_words else [(s, e)]
            )
    return units


def split_passages(body: str, min_words: int = 40, max_words: int = 160) -> list[Span]:
    """Passages of a body whose paragraphs are separated by blank lines."""
    spans: list[Span] = []
    current: tuple[int, int] | None = None
    for start, end in _units(body, max_words):
        if current is None:
            current = (start, end)
            continue
        merged = (current[0], end)
        if (
            _words(body[current[0] : current[1]]) < min_words
            and _words(body[merged[0] : merged[1]]) <= max_words
        ):
            current = merged
        else:
            spans.append(Span(current[0], current[1], body[current[0] : current[1]]))
            current = (start, end)
    if current is not None:
        last = Span(current[0], current[1], body[current[0] : current[1]])
        # A short tail joins the passage before it when they fit together.
        if spans and _words(last.text) < min_words // 2:
            prev = spans[-1]
            if _words(body[prev.start : last.end]) <= max_words:
                spans[-1] = Span(prev.start, last.end, body[prev.start : last.end])
                return spans
        spans.append(last)
    return spans
