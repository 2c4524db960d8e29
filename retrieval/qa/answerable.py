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
  passages that name none of them; a year it asks about must be the year of a cited article
  or be written in its passage;
- **relation**: a short question (up to `RELATION_QUESTION` content words) asks one thing
  of its subject ("where was X born", "when was Y founded"): the relation (its main verb, or
  the word a framing verb asks for: "what is X's podcast called") must be in a quoted
  sentence, from a passage that names the subject, or for a question naming no one, together
  with its rarest other word. Names weigh most of such a question, so coverage alone would
  answer it with any sentence about X.

The score is the coverage, cut by a factor when the type is missing; an answer needs
`THRESHOLD` (chosen on development questions, docs/evaluation.md). `Verdict.rule` says which
check refused: "names", "year", "relation", or "score".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from retrieval.meetings.vocab import CALENDAR_WORDS
from retrieval.qa.questions import Kind, Question, question_kind
from retrieval.qa.search import Hit

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = [
    "LONG_QUESTION",
    "PASSAGE_CREDIT",
    "RELATION_QUESTION",
    "SHORT_QUESTION",
    "THRESHOLD",
    "TYPE_MISSING",
    "Answerability",
    "Expected",
    "Term",
    "Verdict",
    "Words",
    "expected_type",
    "relation",
    "salient_terms",
    "stem",
    "type_found",
    "words_of",
]

Expected = Literal["person", "date", "place", "number", "name", "yes-no", "any"]

THRESHOLD = 0.7  # an answer's score must reach it (calibrated: docs/evaluation.md)
PASSAGE_CREDIT = 0.5  # a word found in the passage or headline, not the quoted sentence
TYPE_MISSING = 0.6  # the score's factor when no quoted sentence holds the expected type
SHORT_QUESTION = 10  # words: how the best single quote's coverage weighs against all three's
# content words: a question up to it asks one relation of its subject; a longer one joins
# several facts, and its words' coverage speaks for it (calibrated: docs/evaluation.md)
RELATION_QUESTION = 6
LONG_QUESTION = 4  # words: past it, the coverage needed falls in proportion

_YES_NO = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:did|does|do|is|are|was|were|has|have|had|can|could|will|"
    r"would|should|may|might|must)\b",
    re.I,
)
_NUMBER_ASKED = re.compile(
    r"\bhow\s+(?:many|much|old|long|far|fast|deep|tall|high|big|large|heavy|often|wide|"
    r"hot|cold|early|late|short|small)\b",
    re.I,
)
_ASKED = r"(?:what|which)(?:\s+[\w'’-]+){0,3}?\s+"
_DATE_ASKED = re.compile(rf"\b{_ASKED}(?:years?|months?|decades?|century|date|day|time)\b", re.I)
_NAME_ASKED = re.compile(
    rf"\b{_ASKED}(?:company|companies|firm|firms|team|teams|club|clubs|brand|brands|"
    r"organi[sz]ations?|party|parties|group|groups|agency|agencies|airline|bank|network|"
    r"start-?up|band|studio|league|university|school|platform|app|product|device|model|"
    r"service|outlet|manufacturer|maker|retailer|exchange|fund|individual|person|"
    r"people|player|entity|organisation)\b",
    re.I,
)
_ENTITY_LABELS: Mapping[str, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "NORP", "GPE"}),
    "date": frozenset({"DATE", "TIME"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"}),
    "name": frozenset(
        {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"}
    ),
}
# spaCy components an entity search does without (the small English model's names).
_NOT_FOR_ENTITIES = ["tagger", "parser", "attribute_ruler", "lemmatizer"]
_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "NORP"}
)
# Verbs that frame a question rather than ask a relation: "what is X called", "does X have".
_FRAMING = frozenset({"be", "have", "do", "get", "call", "name", "happen", "mean"})
_COUNTED = ("many", "much")  # "how many goals": the goals are what is asked about
_QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how"})
# Where the relation of a question whose verb frames it stands (closest first).
_COMPLEMENTS = ("attr", "acomp", "oprd", "dobj", "xcomp", "ccomp", "nsubj", "nsubjpass")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words that say nothing of what is asked: function words, question words, and the words
# questions about the news use to point at their sources.
_STOP = frozenset(
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


def expected_type(text: str, kind: Kind | None = None) -> Expected:
    """What kind of answer a question asks for, from its form. Who / when / where is the
    question's kind (`retrieval.qa.questions.question_kind`, "which city" and "what date"
    included; computed when not given); this adds what the kinds leave out: a number ("how
    many"), a year or another period ("what year"), the name of a company or a thing ("which
    team"), yes or no."""
    text = re.sub(r"\b(what|who|where|when|how)['’]s\b", r"\1 is", text, flags=re.I)
    if _NUMBER_ASKED.search(text):
        return "number"
    if _DATE_ASKED.search(text):
        return "date"
    kind = question_kind(text) if kind is None else kind
    if kind == "when":
        return "date"
    if kind == "where":
        return "place"
    if _NAME_ASKED.search(text):
        return "name"
    if kind == "who":
        return "person"
    if _YES_NO.match(text):
        return "yes-no"
    return "any"


def type_found(expected: Expected, sentence: Doc, question_words: set[str]) -> bool:
    """Whether a parsed sentence holds an answer of the expected type that the question does
    not already give (a "who" question about Ann Lee is not answered by her name)."""
    labels = _ENTITY_LABELS.get(expected)
    if labels is None:
        return True

    def new(span: Span) -> bool:
        words = {w.lower() for w in _WORD.findall(span.text)} - _STOP
        return bool(words - question_words)

    if any(ent.label_ in labels and new(ent) for ent in sentence.ents):
        return True
    if expected == "date":
        return any(_YEAR.fullmatch(t.text) and t.text not in question_words for t in sentence)
    if expected == "number":
        return any(t.like_num and t.text.lower() not in question_words for t in sentence)
    return False


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
        if not _WORD.fullmatch(word) or word in _STOP or stem(word) in skipped:
            continue
        if word in CALENDAR_WORDS or _YEAR.fullmatch(word) or len(word) < 2:
            continue
        stems = frozenset({stem(word), stem(token.lemma_)})
        df = max(frequencies(s) for s in stems)
        weight = math.log(1 + (documents - df + 0.5) / (df + 0.5))
        key = stem(word)
        if key not in terms:
            name = token.pos_ == "PROPN" or token.ent_type_ in _NAME_LABELS
            common = cased and not name and token.text.islower()
            terms[key] = Term(token.text, stems, weight, name, common)
    return list(terms.values())


def _question_phrase(doc: Doc) -> set[int]:
    """The tokens of the question phrase: the question words and what they ask for ("which
    club", "what year", "how old"). The thing counted ("how many goals") is not part of it."""
    phrase: set[int] = set()
    for token in doc:
        word = token.lower_
        if word not in _QUESTION_WORDS:
            continue
        phrase.add(token.i)
        head = token.head
        determiner = word in ("which", "what", "whose") and token.dep_ in ("det", "poss")
        degree = (
            word == "how" and head.pos_ in ("ADJ", "ADV") and head.lower_ not in ("many", "much")
        )
        if determiner or degree:
            phrase.add(head.i)
    return phrase


def relation(doc: Doc, terms: Sequence[Term]) -> tuple[Term, ...]:
    """What a question asks of its subject: its main verb with its particle ("where was X
    born" -> born; "which stars make up X" -> make, up), or after a verb that only frames the
    question the word it asks for ("what is X's podcast called" -> podcast). Empty when that
    word is a name, part of the question phrase, or no content word (a question "about" X)."""
    by_stem = {s: term for term in terms if not term.name for s in term.stems}
    asked = _question_phrase(doc)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ()
    candidates = [root]
    if root.lemma_.lower() in _FRAMING or root.pos_ == "AUX":
        candidates = [c for dep in _COMPLEMENTS for c in root.children if c.dep_ == dep]
    for token in candidates:
        term = by_stem.get(stem(token.text))
        if token.i in asked or term is None:
            continue
        prt = [by_stem.get(stem(c.text)) for c in token.children if c.dep_ == "prt"]
        return (term, *(p for p in prt if p is not None))
    return ()


@dataclass(frozen=True)
class Words:
    """The stems of a text's words, and of those it writes as common words: in lower case,
    or capitalised only as the first word of a sentence."""

    every: frozenset[str]
    common: frozenset[str]

    def has(self, term: Term) -> bool:
        """Whether the text holds the term, in the sense the question wrote it."""
        return bool(term.stems & (self.common if term.common else self.every))

    def has_name(self, name: Sequence[str]) -> bool:
        """Whether the text holds every word of a name."""
        return all(w in self.every for w in name)


def words_of(text: str) -> Words:
    """A text's words, for the checks."""
    every: set[str] = set()
    common: set[str] = set()
    for match in _WORD.finditer(text):
        word = match.group()
        every.add(stem(word))
        if not word[:1].isupper() or _starts_sentence(text, match.start()):
            common.add(stem(word))
    return Words(frozenset(every), frozenset(common))


def _starts_sentence(text: str, start: int) -> bool:
    # The texts are normalised: one space between words.
    before = text[max(0, start - 4) : start].rstrip(" \"“‘'(")
    return not before or before[-1] in ".!?:"


def _names(doc: Doc, skip: set[str]) -> list[list[str]]:
    """The names a question gives (entities and runs of proper nouns), each as its words'
    stems; names of the outlets it cites left out."""
    names: list[list[str]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ in _NAME_LABELS:
            words = [stem(w) for w in _WORD.findall(ent.text) if w.lower() not in _STOP]
            words = [w for w in words if w not in skip]
            if words:
                names.append(words)
        taken.update(range(ent.start, ent.end))
    run: list[str] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in taken:
            if token.text.lower() not in _STOP and stem(token.text) not in skip:
                run.append(stem(token.text))
            continue
        if run:
            names.append(run)
            run = []
    return names


class Answerability:
    """Judges passage answers; one per answer service. `frequencies` gives the store's
    document frequency of each word (refreshed by the caller when the store changes)."""

    def __init__(self, nlp: Callable[[str], Doc], threshold: float = THRESHOLD) -> None:
        self.nlp = nlp
        self.threshold = threshold
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
        """The quotes parsed for their entities only (the tagger and parser left out: a
        third less time), lazily, so that the first typed answer ends the search."""
        pipe = getattr(self.nlp, "pipe", None)
        if pipe is None:
            return (self.nlp(text) for text in texts)
        return cast("Iterable[Doc]", pipe(texts, disable=_NOT_FOR_ENTITIES))

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
            for w in _WORD.findall(outlet)
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

        question_words = {w.lower() for w in _WORD.findall(question.text)}
        # Only a typed question needs its quotes parsed ("any" is any sentence).
        typed = expected not in _ENTITY_LABELS or any(
            type_found(expected, doc, question_words)
            for doc in self._entities([quote for _, quote in quoted])
        )
        # Three quotes cannot hold every word of a long question: past LONG_QUESTION words,
        # the coverage it needs falls in proportion.
        length = max(1.0, len(terms) / LONG_QUESTION)
        score = min(1.0, coverage * (1.0 if typed else TYPE_MISSING) * length)

        rule: str | None = None
        names = _names(doc, skip)
        searched = [words_of(f"{hit.title} {hit.text}") for hit in found] or passages
        asks = relation(doc, terms) if len(terms) <= RELATION_QUESTION else ()
        phrase = {stem(doc[i].text) for i in _question_phrase(doc)}
        others = [t for t in terms if t not in asks and not t.name and not t.stems & phrase]
        subject = max(others, key=lambda t: t.weight) if others else None
        if names and not any(p.has_name(name) for name in names for p in searched):
            rule = "names"
        elif not _years_fit(question, quoted):
            rule = "year"
        elif asks and not _relation_quoted(asks, subject, names, sentences, passages):
            rule = "relation"
            missing = [*missing, *(t.text for t in asks if t.text not in missing)]
        elif score < self.threshold:
            rule = "score"
        return Verdict(rule is None, score, expected, coverage, typed, rule, tuple(missing))


def _relation_quoted(
    asks: Sequence[Term],
    subject: Term | None,
    names: Sequence[Sequence[str]],
    sentences: Sequence[Words],
    passages: Sequence[Words],
) -> bool:
    """Whether one quote says what a short question asks of its subject: the relation's
    words in the quoted sentence, the subject in its passage when the question names it (the
    sentence may say "she"), else the question's rarest other word (`subject`) in the
    sentence."""
    for sentence, passage in zip(sentences, passages, strict=True):
        if not all(sentence.has(t) for t in asks):
            continue
        if names:
            if any(passage.has_name(name) for name in names):
                return True
        elif subject is None or sentence.has(subject):
            return True
    return False


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
    years = set(_YEAR.findall(question.text))
    if not years:
        return True
    for hit, _ in quoted:
        published = hit.published_at.date() if hit.published_at else None
        if published is not None and str(published.year) in years:
            return True
        if years & set(_YEAR.findall(f"{hit.title} {hit.text}")):
            return True
    return False
