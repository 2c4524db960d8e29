"""Whether the sentences a passage answer would quote answer the question at all.

Extractive answers quote the sentences closest to a question; closest is not an answer. Four
checks, as question-answering systems have made them since TREC, decide:

- **expected answer type**: from the question's form (who -> a person or an organisation;
  when / what year -> a date; where / which city -> a place; how many / how old -> a number;
  which company / team -> a name; yes-or-no and the rest -> no type). The quoted sentences
  must hold an entity (spaCy) or a number of that type that the question does not already
  name;
- **coverage**: the question's content words, each weighted by its inverse document frequency
  over the store's passages (the BM25 index's own postings), found in a quoted sentence (full
  credit) or only elsewhere in its passage or headline (part credit). A word the store never
  holds weighs most, a word of every other passage little; so a word shared by accident
  ("mercury", "opera") covers only its own share of the question. A word a question that
  capitalises writes in lower case ("how fast can a jaguar run") is a common word: the
  same word capitalised inside a sentence ("the Jaguars") is a name and does not cover it;
- **names and years**: a question naming people, places or things is not answered by
  passages that name none of them, and a numbered name ("Henry VII", "World War I") is one
  person or event, to be found with its numeral; a year it asks about must be the year of a
  cited article or be written in its passage;
- **relation**: a short question (up to `RELATION_QUESTION` content words) asks one thing
  of its subject ("where was X born", "when was Y founded"): the relation (its main verb, or
  the word a framing verb asks for: "what is X's podcast called") must be in a quoted
  sentence, from a passage that names the subject, or for a question naming no one, together
  with its rarest other word. Names weigh most of such a question, so coverage alone would
  answer it with any sentence about X. And the quote must say it of the subject in the part
  the question gives it, when the parse tells: "who started X" asks who did it to X, which
  "X started a new service" (X doing it) does not say (`retrieval.qa.asked.role_of`).

The score is the coverage, cut by a factor when the type is missing; an answer needs
`THRESHOLD` (chosen on development questions, docs/evaluation.md). `Verdict.rule` says which
check refused: "names", "year", "relation", or "score".
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.qa.asked import (
    ENTITY_LABELS,
    Expected,
    expected_type,
    question_phrase,
    relation,
    relation_token,
    role_of,
    type_found,
)
from retrieval.qa.questions import Question
from retrieval.qa.search import Hit
from retrieval.qa.words import (
    WORD,
    YEAR,
    Term,
    Words,
    question_names,
    salient_terms,
    stem,
    words_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "LONG_QUESTION",
    "PASSAGE_CREDIT",
    "RELATION_QUESTION",
    "SHORT_QUESTION",
    "THRESHOLD",
    "TYPE_MISSING",
    "Answerability",
    "Verdict",
]

THRESHOLD = 0.7  # an answer's score must reach it (calibrated: docs/evaluation.md)
PASSAGE_CREDIT = 0.5  # a word found in the passage or headline, not the quoted sentence
TYPE_MISSING = 0.6  # the score's factor when no quoted sentence holds the expected type
SHORT_QUESTION = 10  # words: how the best single quote's coverage weighs against all three's
# content words: a question up to it asks one relation of its subject; a longer one joins
# several facts, and its words' coverage speaks for it (calibrated: docs/evaluation.md)
RELATION_QUESTION = 6
LONG_QUESTION = 4  # words: past it, the coverage needed falls in proportion

# spaCy components an entity search does without (the small English model's names). The
# shared `tok2vec` feeds only the tagger and the parser: the small model's `ner` has a tok2vec
# of its own, so its entities are the same without it (checked on 2,330 MultiHop-RAG
# sentences: identical, in 25-30% less time; test_answerable.py checks it too).
_NOT_FOR_ENTITIES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


@dataclass(frozen=True)
class Verdict:
    """Whether quoted sentences answer a question, and why."""

    answerable: bool
    score: float
    expected: Expected
    coverage: float
    typed: bool  # a quoted sentence holds an answer of the expected type
    rule: str | None = None  # what refused: "names", "year", "relation", "score"
    missing: tuple[str, ...] = ()  # the question's words no cited passage holds

    def describe(self) -> str:
        """One line for `explain`."""
        state = "answerable" if self.answerable else f"refused ({self.rule})"
        line = (
            f"answerability: {state}, score {self.score:.2f}, coverage {self.coverage:.2f}, "
            f"expects {self.expected} ({'found' if self.typed else 'not found'})"
        )
        if self.missing:
            line += f"; not in the passages: {', '.join(self.missing)}"
        return line


class Answerability:
    """Judges passage answers; one per answer service. `frequencies` gives the store's
    document frequency of each word (refreshed by the caller when the store changes)."""

    def __init__(
        self, nlp: Callable[[str], Doc], threshold: float = THRESHOLD, remember: int = 1024
    ) -> None:
        self.nlp = nlp
        self.threshold = threshold
        # Quotes parsed for their entities, the latest kept: the same passages, so the same
        # quotes, come back for many questions (a third of a run of dev questions' quotes).
        self._remember = remember
        self._parsed: OrderedDict[str, Doc] = OrderedDict()
        self._parsed_lock = threading.Lock()
        # (source, document frequency by stem, documents), replaced whole: answers run in
        # several threads, and each reads one consistent state.
        self._frequencies: tuple[object, dict[str, int], int] = (None, {}, 0)

    def use_frequencies(self, source: object, frequencies: Mapping[str, int], n: int) -> None:
        """The document frequencies of the store's words (`source` identifies them: the same
        source is not read twice)."""
        if source is self._frequencies[0]:
            return
        by_stem: dict[str, int] = {}
        for word, count in frequencies.items():
            key = stem(word)
            if count > by_stem.get(key, 0):
                by_stem[key] = count
        self._frequencies = (source, by_stem, n)

    def _entities(self, texts: list[str]) -> Iterable[Doc]:
        """The quotes parsed for their entities only (`_NOT_FOR_ENTITIES` left out: half
        the time); those parsed for an earlier answer are not parsed again."""
        pipe = getattr(self.nlp, "pipe", None)
        if pipe is None:
            return (self.nlp(text) for text in texts)
        with self._parsed_lock:
            known = {t: self._parsed[t] for t in texts if t in self._parsed}
            for text in known:
                self._parsed.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            # Read together, in one batch, as they were before any was kept.
            parsed = dict(zip(missing, pipe(missing, disable=_NOT_FOR_ENTITIES), strict=True))
            with self._parsed_lock:
                self._parsed.update(parsed)
                while len(self._parsed) > self._remember:
                    self._parsed.popitem(last=False)
            known.update(parsed)
        return [known[t] for t in texts]

    def _said_of_subject(
        self, doc: Doc, terms: Sequence[Term], words: set[str], quotes: Sequence[str]
    ) -> bool:
        """Whether a quote holding the relation says it of the subject (the words of its
        names, or its rarest other word) in the part the question gives it: "who started X"
        asks who did it to X, which "X started selling shoes" (X doing it) does not say. A
        quote whose parse gives the subject no part in the relation, or the same part, says
        it as far as can be told."""
        verb = relation_token(doc, terms)
        if verb is None:
            return True
        relation = {stem(verb.text), stem(verb.lemma_)}
        subject = [t for t in doc if stem(t.text) in words]
        asked = next((r for t in subject if (r := role_of(verb, t))), None)
        if asked is None:
            return True
        for quote in quotes:
            parsed = self.nlp(quote)
            verbs = [t for t in parsed if {stem(t.text), stem(t.lemma_)} & relation]
            named = [t for t in parsed if stem(t.text) in words]
            roles = {role_of(v, n) for v in verbs for n in named} - {None}
            if not roles or asked in roles:
                return True
        return False

    def judge(
        self,
        question: Question,
        quoted: Sequence[tuple[Hit, str]],
        outlets: Sequence[str] = (),
        found: Sequence[Hit] = (),
    ) -> Verdict:
        """Whether the quoted sentences (each with its passage) answer the question; `found`
        are all the passages the search returned (a name must be in one of them)."""
        doc = self.nlp(question.text)
        skip = {
            stem(w)
            for outlet in [*question.sources, *outlets]
            if re.search(rf"\b{re.escape(outlet)}\b", question.text, re.I)
            for w in WORD.findall(outlet)
        }
        _, by_stem, documents = self._frequencies
        terms = salient_terms(doc, lambda s: by_stem.get(s, 0), documents, skip)
        expected = expected_type(question.text, question.kind)
        sentences = [words_of(quote) for _, quote in quoted]
        passages = [words_of(f"{hit.title} {hit.text}") for hit, _ in quoted]

        coverage, missing = _coverage(terms, sentences, passages)
        single = max(
            (_coverage(terms, [a], [b])[0] for a, b in zip(sentences, passages, strict=True)),
            default=0.0,
        )
        # A short question asks one thing, which one quote must cover; a long one joins
        # several facts, which the quotes cover together.
        share = SHORT_QUESTION / (SHORT_QUESTION + len(terms)) if terms else 1.0
        coverage = share * single + (1 - share) * coverage

        question_words = {w.lower() for w in WORD.findall(question.text)}
        # Only a typed question needs its quotes parsed ("any" is any sentence).
        typed = expected not in ENTITY_LABELS or any(
            type_found(expected, doc, question_words)
            for doc in self._entities([quote for _, quote in quoted])
        )
        # Three quotes cannot hold every word of a long question: past LONG_QUESTION words,
        # the coverage it needs falls in proportion.
        length = max(1.0, len(terms) / LONG_QUESTION)
        score = min(1.0, coverage * (1.0 if typed else TYPE_MISSING) * length)

        rule: str | None = None
        names = question_names(doc, skip)
        searched = [words_of(f"{hit.title} {hit.text}") for hit in found] or passages
        asks = relation(doc, terms) if len(terms) <= RELATION_QUESTION else ()
        phrase = {stem(doc[i].text) for i in question_phrase(doc)}
        others = [t for t in terms if t not in asks and not t.name and not t.stems & phrase]
        subject = max(others, key=lambda t: t.weight) if others else None
        subject_stems = set(subject.stems) if subject is not None else set()
        found_names = [name for name in names if any(p.has_name(name) for p in searched)]
        # A numbered name ("Henry VII") is one person or event: it must be found itself.
        numbered = [name for name in names if any(" " in w for w in name)]
        if (names and not found_names) or any(name not in found_names for name in numbered):
            rule = "names"
        elif not _years_fit(question, quoted):
            rule = "year"
        elif asks and not (holding := _relation_quotes(asks, subject, names, sentences, passages)):
            rule = "relation"
            missing = [*missing, *(t.text for t in asks if t.text not in missing)]
        elif asks and not self._said_of_subject(
            doc,
            terms,
            {w for name in names for w in name if " " not in w} or subject_stems,
            [quoted[i][1] for i in holding],
        ):
            rule = "relation"
        elif score < self.threshold:
            rule = "score"
        return Verdict(rule is None, score, expected, coverage, typed, rule, tuple(missing))


def _relation_quotes(
    asks: Sequence[Term],
    subject: Term | None,
    names: Sequence[Sequence[str]],
    sentences: Sequence[Words],
    passages: Sequence[Words],
) -> list[int]:
    """The quotes (their indexes) that say what a short question asks of its subject: the
    relation's words in the quoted sentence, the subject in its passage when the question
    names it (the sentence may say "she"), else the question's rarest other word (`subject`)
    in the sentence."""
    return [
        i
        for i, (sentence, passage) in enumerate(zip(sentences, passages, strict=True))
        if all(sentence.has(t) for t in asks)
        and (
            any(passage.has_name(n) for n in names)
            if names
            else subject is None or sentence.has(subject)
        )
    ]


def _coverage(
    terms: Sequence[Term], sentences: Sequence[Words], passages: Sequence[Words]
) -> tuple[float, list[str]]:
    """The weighted share of the terms found: in a quoted sentence, full credit; only in its
    passage or headline, part credit. And the terms found nowhere."""
    total = sum(t.weight for t in terms)
    credit = 0.0
    missing: list[str] = []
    for term in terms:
        if any(s.has(term) for s in sentences):
            credit += term.weight
        elif any(p.has(term) for p in passages):
            credit += PASSAGE_CREDIT * term.weight
        else:
            missing.append(term.text)
    return (credit / total if total else 0.0), missing


def _years_fit(question: Question, quoted: Sequence[tuple[Hit, str]]) -> bool:
    """A year the question names is the year of a cited article or is written in its
    passage or headline."""
    years = set(YEAR.findall(question.text))
    if not years:
        return True
    for hit, _ in quoted:
        published = hit.published_at.date() if hit.published_at else None
        if published is not None and str(published.year) in years:
            return True
        if years & set(YEAR.findall(f"{hit.title} {hit.text}")):
            return True
    return False
