"""A question's words and a text's words, as the answerability checks compare them.

A word is compared by its stem (`stem`: "died", "dies" -> "di"), so inflections meet; a
question's content words (`salient_terms`) carry their inverse document frequency in the
store, so a rare word weighs most; a text's words (`words_of`) remember which it writes as
common words, so that "jaguar" asked is not "the Jaguars" quoted.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.meetings.vocab import CALENDAR_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "NAME_LABELS",
    "NUMBERED",
    "STOP",
    "WORD",
    "YEAR",
    "Term",
    "Words",
    "question_names",
    "salient_terms",
    "stem",
    "words_of",
]

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "NORP"}
)
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A Roman numeral after a word: a monarch's, an event's, a sequel's ("Henry VIII", "World War
# II", "Super Bowl LVII"), part of the name, so that "Henry VII" is not "Henry VIII".
NUMBERED = re.compile(
    r"\b([^\W\d_][\w'’-]*) "
    r"((?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))(?!\w)"
)
# Words that say nothing of what is asked: function words, question words, and the words
# questions about the news use to point at their sources.
STOP = frozenset(
    """a an the and or but nor of to in on at by for with from as into onto over under about
    after before during between among against through without within upon via per than then
    is are was were be been being am has have had having do does did doing done will would
    shall should can could may might must ought 's s
    which who whom whose what when where why how that this these those there here it its
    i me my we us our you your he him his she her they them their one ones someone something
    not no yes also both either neither each every any all some such same other another own
    so very too just only even ever still yet more most much many less least few
    if whether while whereas although though because since until unless once
    article articles report reports reported reporting piece story stories coverage source
    sources outlet according published publication mentioned mention mentions suggest
    suggests suggested indicate indicates indicated imply implies implied claim claims
    claimed state states stated say says said note noted notes discuss discussed
    discussing highlight highlighted describe described regarding concerning considering
    information detail details news recent recently latest question asked ask tell know
    thing things way like moment today now currently get gets got getting""".split()
)


# (suffix, replacement, letters that must remain), tried in order; the first that fits wins.
_SUFFIXES = (
    ("ies", "y", 2), ("ied", "y", 2), ("sses", "ss", 2), ("ing", "", 3), ("ed", "", 2),
    ("es", "", 2), ("s", "", 3),
)  # fmt: skip


# Cached: every answer stems its passages' words again (answerability), mostly the same
# words; a bounded cache of the frequent ones (a few MB).
@functools.lru_cache(maxsize=1 << 15)
def stem(word: str) -> str:
    """A word reduced to a common stem, the same for its usual inflections ("died", "dies"
    -> "di"; "winning" -> "win"; "companies" -> "company"); deterministic and cheap."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"'s?$", "", w)
    if len(w) <= 2:
        return w
    for suffix, repl, rest in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= rest:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                break
            w = w[: len(w) - len(suffix)] + repl
            # "winn" -> "win", "stopp" -> "stop"; "fall" and "pass" stay.
            if suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    return w[:-1] if len(w) > 2 and w.endswith("e") else w


@dataclass(frozen=True)
class Term:
    """A content word of a question, its stems (surface and lemma) and its weight."""

    text: str
    stems: frozenset[str]
    weight: float
    name: bool = False  # part of a name (a proper noun or a named entity)
    # written in lower case by a question that capitalises: "jaguar", not "Jaguars"
    common: bool = False


def salient_terms(
    doc: Doc, frequencies: Callable[[str], int], documents: int, skip: Iterable[str] = ()
) -> list[Term]:
    """The question's content words with their weights: inverse document frequency in the
    store (BM25's), so that a word the store never holds weighs most. Years and calendar
    words are left to the year check; `skip` holds the stems of the outlets' words. A
    question that capitalises its names marks the words it writes in lower case as common
    words ("how fast can a jaguar run": the animal, not the Jaguars)."""
    skipped = set(skip)
    cased = any(c.isupper() for c in doc.text)
    terms: dict[str, Term] = {}
    for token in doc:
        word = token.text.lower()
        if not WORD.fullmatch(word) or word in STOP or stem(word) in skipped:
            continue
        if word in CALENDAR_WORDS or YEAR.fullmatch(word) or len(word) < 2:
            continue
        stems = frozenset({stem(word), stem(token.lemma_)})
        df = max(frequencies(s) for s in stems)
        weight = math.log(1 + (documents - df + 0.5) / (df + 0.5))
        key = stem(word)
        if key not in terms:
            name = token.pos_ == "PROPN" or token.ent_type_ in NAME_LABELS
            common = cased and not name and token.text.islower()
            terms[key] = Term(token.text, stems, weight, name, common)
    return list(terms.values())


@dataclass(frozen=True)
class Words:
    """The stems of a text's words, and of those it writes as common words: in lower case,
    or capitalised only as the first word of a sentence; and its numbered names, each as the
    stem of the word before the numeral and the numeral ("henry VIII")."""

    every: frozenset[str]
    common: frozenset[str]
    numbered: frozenset[str] = frozenset()

    def has(self, term: Term) -> bool:
        """Whether the text holds the term, in the sense the question wrote it."""
        return bool(term.stems & (self.common if term.common else self.every))

    def has_name(self, name: Sequence[str]) -> bool:
        """Whether the text holds every word of a name (a numbered one with its numeral)."""
        return all(w in (self.numbered if " " in w else self.every) for w in name)


# The same passages come back for many questions (and twice in one answer: quoted and
# found); their words are kept for the latest ones (an answer reads up to 13 texts; a few
# kB each).
@functools.lru_cache(maxsize=2048)
def words_of(text: str) -> Words:
    """A text's words, for the checks."""
    every: set[str] = set()
    common: set[str] = set()
    for match in WORD.finditer(text):
        word = match.group()
        every.add(stem(word))
        if not word[:1].isupper() or _starts_sentence(text, match.start()):
            common.add(stem(word))
    return Words(frozenset(every), frozenset(common), frozenset(_numbered(text)))


def _numbered(text: str) -> list[str]:
    return [f"{stem(m.group(1))} {m.group(2)}" for m in NUMBERED.finditer(text)]


def _starts_sentence(text: str, start: int) -> bool:
    # The texts are normalised: one space between words.
    before = text[max(0, start - 4) : start].rstrip(" \"“‘'(")
    return not before or before[-1] in ".!?:"


def question_names(doc: Doc, skip: set[str]) -> list[list[str]]:
    """The names a question gives (entities and runs of proper nouns), each as its words'
    stems; names of the outlets it cites left out. A name's numeral ("Henry VIII") stands
    with the word before it ("henry VIII"), for `Words.has_name`."""
    names: list[list[str]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in NAME_LABELS:
            words = [stem(w) for w in WORD.findall(ent.text) if w.lower() not in STOP]
            words = [w for w in words if w not in skip]
            if words:
                names.append(words)
        taken.update(range(ent.start, ent.end))
    run: list[str] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in taken:
            if token.text.lower() not in STOP and stem(token.text) not in skip:
                run.append(stem(token.text))
            continue
        if run:
            names.append(run)
            run = []
    for pair in _numbered(doc.text):
        before, numeral = pair.split(" ")
        if not any(before in name for name in names):
            continue
        # The numeral as a word of its own would be found in any text with it.
        names = [[w for w in name if w != stem(numeral)] for name in names]
        names = [[*name, pair] if before in name else name for name in names if name]
    return names
