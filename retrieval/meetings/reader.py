"""The question-time reader: meetings of the people a question names, read from the passages
that best match the question.

The extractor (`retrieval.meetings.extract`) reads every passage at ingest without knowing what
will be asked. This reader knows the people: it reads only sentences of the best passages that
name them (a name, its surname, or "the two" / "they" after they were named) together with a
meeting word, parses those few sentences, and takes

- the people in the meeting's frame: the subject and objects of the meeting verb, the "with" /
  "between" / "by" phrases, the owners and compounds of a meeting noun ("their talks",
  "the Xi-Biden summit"), the subject of a governing verb ("travelled to X to meet Y",
  "is scheduled to meet"), never someone in another clause;
- the day from the sentence, else the sentence before, resolved against the publication date
  in the sentence's tense;
- the place from "in" / "at" phrases of the sentence (the venue and the city when both are
  given), else the article's dateline ("GENEVA (Reuters) -").

Its candidates are the same `StoredEvent`s the events table returns (with negative ids), so
one composer answers from both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from retrieval.meetings.dates import Tense, resolve_date
from retrieval.meetings.extract import (
    Context,
    date_of,
    negated,
    people_of,
    person_of,
    said_on,
    tense_of,
)
from retrieval.meetings.names import (
    ArticleNames,
    display_name,
    is_title_case,
    looks_like_a_person,
)
from retrieval.meetings.places import (
    after_place_preposition,
    dateline_match,
    dateline_place,
    meeting_place,
)
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    GROUP_WORDS,
    HOLD_VERBS,
    MEET_VERBS,
    MEETING_WORDS,
    MONTH_PATTERN,
    TALK_VERBS,
    WEEKDAYS,
    inflections,
)
from retrieval.qa.search import Hit
from retrieval.qa.sentences import sentences
from retrieval.store.events import (
    ANNOUNCED,
    TITLE_WORDS,
    StoredEvent,
    normalize_name,
    same_person,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["ArticleText", "MeetingReader", "mentions"]

ArticleText = Callable[[int], tuple[str, list[str]]]  # article id -> (title, passage texts)

# Links a participant may climb to reach the meeting word: noun-phrase and prepositional ones.
_PHRASE_DEPS = frozenset(
    "compound conj appos poss pobj prep nmod amod flat cc npadvmod attr dobj nsubj "
    "nsubjpass agent dative".split()
)
# Links from the meeting verb up to the verbs whose subject is also the meeting's: "is
# scheduled to meet", "travelled to Paris to meet", "arrived and met", "will be hosted".
_CHAIN_DEPS = frozenset("xcomp advcl conj ccomp acomp".split())
_VERB_TRIGGERS = MEET_VERBS | TALK_VERBS | CALL_VERBS
_FORM_TO_VERB = {form: verb for verb in _VERB_TRIGGERS for form in inflections(frozenset([verb]))}
_INTO_VERBS = frozenset("run bump".split())  # "ran into A", "bumped into A"
_NOUN_SLOTS = frozenset("dobj pobj prep nsubj nsubjpass attr".split())
_GROUP = re.compile(r"\b(?:they|their|the two|both)\b", re.I)
_PRONOUN = re.compile(r"\b(?:he|she|him|her)\b", re.I)
# A meeting named again after the sentence that told of it: "the talks", "their meeting", "that
# visit", "the two-hour meeting".
_BACK_REFERENCE = re.compile(
    r"\b(?:the|their|that|this|his|her|its)\s+(?:[\w’'-]+\s+){0,3}?"
    r"(?:meeting|talks|summit|audience|encounter|discussions?|visit|conversation|call|dinner|"
    r"lunch|breakfast)\b",
    re.I,
)
# A sentence that adds people to the meeting just told of: "C also attended", "D was also
# present", "E also took part".
_ALSO_THERE = re.compile(
    r"\balso\s+(?:attended|took part|joined|sat in|participated)\b|"
    r"\b(?:was|were)\s+also\s+(?:present|there|in attendance)\b",
    re.I,
)
_COMPANY = re.compile(r"\baccompan|\bjoined by\b", re.I)
_ALSO_VERBS = frozenset("attend take join sit participate be".split())
# "A was accompanied by C", "A, accompanied by C, ...", "A was joined by C": C came with A.
_COMPANY_VERBS = frozenset("accompany join".split())
# A sentence that goes on from the time of the ones before: "Later, ...", "Afterwards, ...".
_CONTINUES = re.compile(
    r"^\W*(?:later|afterwards?|earlier|then|after that)\b"
    r"(?:\s+(?:that|the same|in the)\s+(?:day|morning|afternoon|evening))?\s*,",
    re.I,
)
# "In / at / during the meeting, A and B ...": the subject of the verb the phrase modifies took
# part ("Also at the meeting were A and B").
_ATTENDANCE_PREPOSITIONS = frozenset("in at during for".split())
# Meetings of many, at which being present is not meeting a given other.
# Words that put a meeting ahead: "the planned summit", "an upcoming visit".
_PLANNED = frozenset("planned scheduled upcoming proposed expected forthcoming coming".split())
# A meal one person gives another: "took B (out) to dinner", "invited B for lunch".
_MEALS = frozenset("dinner lunch breakfast supper".split())
_TREAT_VERBS = frozenset("take invite treat bring".split())
_GATHERINGS = frozenset("summit summits conference forum assembly".split())
_CONVENE = frozenset("hold host convene chair".split())
# The prepositions that bring in a meeting's people: "met with", "talked to", "talks between",
# "a meeting of", "was received by", "called on", "sat among"; not "spoke about", "for".
_PARTY_PREPOSITIONS = frozenset("with to between of by on among alongside into".split())
_DATE_WORDS = re.compile(
    rf"\b(?:{'|'.join(WEEKDAYS)}|today|yesterday|tomorrow|tonight|{MONTH_PATTERN})\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\b",
    re.I,
)


def mentions(text: str, name: str) -> bool:
    """Whether a text may name a person: the full name, or one of its words as a capitalised
    whole word. "Lee Dae-ho" is named by "Lee Dae Ho"."""
    tokens = normalize_name(name).split()
    if not tokens:
        return False
    folded = " ".join(re.sub(r"[^\w\s]", " ", text.replace("-", " ")).split())
    if re.search(rf"\b{re.escape(' '.join(tokens))}\b", folded, re.I):
        return True
    # Any word of the name, capitalised: the surname comes first in many names ("Hu" for
    # Hu Jintao); whether that word is the person asked about is decided by the parse.
    written = {w.lower() for w in folded.split() if w[:1].isupper()}
    return any(token in written for token in tokens if len(token) > 1)


class MeetingReader:
    """Reads meetings of named people out of ranked passages; one per process."""

    def __init__(self, nlp: Callable[[str], Doc], article_text: ArticleText) -> None:
        self.nlp = nlp
        self.article_text = article_text
        self._asked: frozenset[str] = frozenset()
        self._parse = functools.lru_cache(maxsize=4096)(nlp)

    def read(
        self, names: Sequence[str], hits: Sequence[Hit], asked: frozenset[str] = frozenset()
    ) -> list[StoredEvent]:
        """The meetings of all of `names` that the passages state, in the passages' order.
        `asked`: the question's words; a meeting of one person asked about with people no
        name is given for counts when the question names them the same way ("When did A
        meet the holdouts?" and "A held a late meeting with Republican holdouts")."""
        self._asked = asked
        found: list[StoredEvent] = []
        articles: dict[int, tuple[str, ArticleNames]] = {}
        for hit in hits:
            headline = hit.article_id not in articles
            if headline:
                title, passages = self.article_text(hit.article_id)
                articles[hit.article_id] = (title, ArticleNames(title, passages, names))
            title, article_names = articles[hit.article_id]
            published = hit.published_at.date() if hit.published_at else None
            text_sentences = sentences(hit.text)
            quotes = _quoted_speakers(hit.text)
            last: tuple[int, StoredEvent] | None = None  # the passage's latest meeting
            for i, sentence in enumerate(text_sentences):
                before = text_sentences[i - 1] if i else title
                if not MEETING_WORDS.search(sentence) and not _ALSO_THERE.search(sentence):
                    continue
                # "He later met B": the person the sentence before is about.
                stands_for = self._pronoun_stands_for(sentence, before, names)
                # "'A good meeting with B,' Ana Ruiz said": the speaker of a quote is its "I"
                speaker = next(
                    (
                        n
                        for q, who in quotes
                        if sentence.strip("\"“”,' ") in q or q in sentence
                        for n in names
                        if mentions(who, n)
                    ),
                    None,
                )
                named = all(
                    mentions(sentence, n) or mentions(before, n) or n == speaker for n in names
                ) and (
                    any(mentions(sentence, n) for n in names)
                    or _GROUP.search(sentence)
                    or stands_for is not None
                    or speaker is not None
                )
                if not named:
                    # "Also at the meeting were A and B": more people of the meeting just
                    # told of.
                    if (
                        last is not None
                        and i - last[0] <= 2
                        and (_BACK_REFERENCE.search(sentence) or _ALSO_THERE.search(sentence))
                    ):
                        more = self._attendees(sentence, last[1], Context(article_names))
                        if more is not None and more.sentence not in {e.sentence for e in found}:
                            found.append(more)
                    continue
                for event in self._events(
                    sentence,
                    before,
                    names,
                    hit,
                    published,
                    Context(article_names),
                    stands_for,
                    speaker,
                ):
                    if event.sentence not in {e.sentence for e in found}:
                        found.append(event)
                        last = (i, event)
            if headline and _states_a_meeting(title, names):
                # "A meets B in Lyon": the headline, read once per article, after its body.
                for event in self._events(title, "", names, hit, published, Context(article_names)):
                    if event.sentence not in {e.sentence for e in found}:
                        found.append(event)
        return [replace(e, id=-(n + 1)) for n, e in enumerate(found)]

    def _attendees(self, sentence: str, event: StoredEvent, context: Context) -> StoredEvent | None:
        """The people a sentence adds to a meeting it names again, as an event of theirs."""
        doc = self._parse(sentence)
        if _another_meeting(doc, event, context):
            return None
        groups = [_frame_people(n, _clause_head(n), context)[0] for n in doc if _refers_back(n)]
        if _ALSO_THERE.search(sentence):
            # "C also attended", "C and D were also present": the subjects were there
            groups.append([p for t in doc if _also_there(t) for p in _people(t, context)])
        for people in groups:
            new = [p for p in people if not any(same_person(p, q) for q in event.people)]
            if new:
                return replace(
                    event,
                    with_=tuple(new),
                    sentence=sentence,
                    roles=tuple((p, context.roles[p]) for p in new if p in context.roles),
                    evidence=(),
                )
        return None

    def complete(self, event: StoredEvent, hit: Hit) -> StoredEvent:
        """The day and the place of a meeting that its own sentence does not give, from what
        the article says around it, nearest first:

        - a sentence after it that names the meeting again ("The talks were held at the
          embassy", "Images from the meeting on Sunday ..."), unless that sentence tells of a
          meeting of other people;
        - for the day, the sentences before when it goes on from them ("Later, A met B");
        - for the place, the article's dateline ("LYON (Ledger) -"), then its headline ("A
          meets B in Lyon").
        The sentences used are kept as the event's evidence, so the answer quotes them."""
        title, passages = self.article_text(hit.article_id)
        context = Context(ArticleNames(title, passages))
        # The article's sentences, so that what is said around the meeting counts across a
        # passage boundary.
        text_sentences = [s for passage in passages or [hit.text] for s in sentences(passage)]
        position = next((i for i, s in enumerate(text_sentences) if s == event.sentence), None)
        if position is None and event.sentence == title:
            position = -1  # the headline: the lead goes on from it
        if position is not None:
            event = self._with_companions(event, text_sentences[max(position, 0) : position + 4])
        if event.when is not None and event.where is not None:
            return event
        published = hit.published_at.date() if hit.published_at else None
        tense: Tense = "future" if event.status == ANNOUNCED else "past"
        when, when_text, where = event.when, event.when_text, event.where
        before: list[str] = []
        after: list[str] = []
        if position is not None:
            for later in text_sentences[position + 1 : position + 4]:
                if when is not None and where is not None:
                    break
                if not _BACK_REFERENCE.search(later):
                    continue
                doc = self._parse(later)
                if _another_meeting(doc, event, context):
                    break
                used = False
                for noun in (t for t in doc if _refers_back(t)):
                    head = _clause_head(noun)
                    if noun.dep_ in ("nsubj", "nsubjpass") and noun.head.pos_ in ("VERB", "AUX"):
                        head = noun.head  # "The talks were held at ...", "took place in ..."
                    if when is None and not _history(doc, published, tense):
                        day, day_text = date_of(head, doc[:], published, tense)
                        if day is not None:
                            when, when_text, used = day, day_text, True
                    if where is None and (place := meeting_place(noun, head)) is not None:
                        where, used = place, True
                if used:
                    after.append(later)
            if when is None and _CONTINUES.match(event.sentence):
                for earlier in reversed(text_sentences[max(0, position - 3) : max(0, position)]):
                    doc = self._parse(earlier)
                    day, day_text = date_of(doc[:].root, doc[:], published, tense)
                    if day is not None and not _history(doc, published, tense):
                        when, when_text = day, day_text
                        before.append(earlier)
                        break
        where_from = None
        if where is None:
            lead = passages[0] if passages else hit.text
            if where := dateline_place(lead) or dateline_place(hit.text):
                where_from = "dateline"
            elif where := self._headline_place(title):
                where_from = "headline"
        if (when, where) == (event.when, event.where):
            return event
        after = [*after, *(s for s in event.evidence if s != event.sentence and s not in after)]
        evidence = (*before, event.sentence, *after) if before or after else ()
        return replace(
            event,
            when=when,
            when_text=when_text,
            where=where,
            evidence=evidence,
            where_from=where_from,
        )

    def _with_companions(self, event: StoredEvent, around: Sequence[str]) -> StoredEvent:
        """The meeting with the people who came with those the asked ones met: "B hosted A on
        Monday. A was accompanied by his partner C": C met B too."""
        title, passages = self.article_text(event.article_id)
        context = Context(ArticleNames(title, passages))
        added: list[str] = []
        quoted: list[str] = []
        for sentence in around:
            if not _COMPANY.search(sentence):
                continue
            for host, companion in _companions(self._parse(sentence), context):
                if any(same_person(host, p) for p in event.with_) and not any(
                    same_person(companion, p) for p in (*event.people, *added)
                ):
                    added.append(companion)
                    if sentence not in quoted:
                        quoted.append(sentence)
        if not added:
            return event
        evidence = (*(event.evidence or (event.sentence,)), *quoted)
        return replace(event, with_=(*event.with_, *added), evidence=evidence)

    def _pronoun_stands_for(self, sentence: str, before: str, names: Sequence[str]) -> str | None:
        """The one person asked about whom a "he" / "she" of the sentence stands for: the
        subject of the sentence before, when the sentence does not name them itself."""
        if not before or not _PRONOUN.search(sentence):
            return None
        unnamed = [n for n in names if not mentions(sentence, n)]
        if len(unnamed) != 1:
            return None
        doc = self._parse(before)
        subject = next((t for t in doc if t.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None or subject.pos_ != "PROPN":
            return None
        words = " ".join(t.text for t in subject.subtree if t.pos_ == "PROPN")
        return unnamed[0] if mentions(words, unnamed[0]) else None

    def _headline_place(self, title: str) -> str | None:
        """The place a headline gives a meeting: "A meets B in Lyon", "Leaders gather for a
        summit in Lyon"."""
        if not title or not MEETING_WORDS.search(title):
            return None
        doc = self._parse(title)
        for trigger in sorted((t for t in doc if _is_trigger(t)), key=_depth):
            if (place := meeting_place(trigger, _clause_head(trigger), doc[:])) is not None:
                return place
        return None

    def _events(
        self,
        sentence: str,
        before: str,
        names: Sequence[str],
        hit: Hit,
        published: date | None,
        context: Context,
        stands_for: str | None = None,
        speaker: str | None = None,
    ) -> Iterable[StoredEvent]:
        # "LYON (Ledger Wire) - A met B": the dateline's place and agency are no one met.
        dateline = dateline_match(sentence)
        doc = self._parse(sentence[dateline.end() :] if dateline else sentence)
        span = doc[:]
        # The main clause first: "In thanks for the welcome A gave him in May, B welcomed A
        # at ..." tells of B's welcome; the nested one is background.
        triggers = sorted((t for t in doc if _is_trigger(t)), key=lambda t: (_depth(t), t.i))
        for trigger in triggers:
            head = _clause_head(trigger)
            if any(negated(t) for t in (trigger, *_governors(head))):
                continue  # "will not meet", "is not expected to meet", "no talks"
            people, group, pronoun = _frame_people(trigger, head, context)
            named = [n for n in names if any(same_person(n, p) for p in people)]
            if pronoun and stands_for is not None and stands_for not in named:
                named.append(stands_for)
            if speaker is not None and speaker not in named and _first_person(trigger, head):
                named.append(speaker)  # "I met B", "Great meeting with B" in A's quote
            if pronoun and (own := _main_subject(doc, names)) is not None and own not in named:
                named.append(own)  # "A said on Tuesday that she had met B"
            unnamed = [n for n in names if n not in named]
            # Everyone asked about takes part: named in the frame, or there as "the two",
            # "they", "their" after the sentence (or the one before) named them.
            if unnamed and not (group and all(mentions(sentence, n) or mentions(before, n)
                                              for n in unnamed)):  # fmt: skip
                continue
            if not named and not group:
                continue
            others = [p for p in people if not any(same_person(p, n) for n in names)]
            if len(names) + len(others) < 2 and not _unnamed_party(trigger, head, self._asked):
                continue  # "Ana Ruiz will meet members of Congress": no one named to meet
            tense, status = tense_of(head)
            if any(c.dep_ == "amod" and c.lower_ in _PLANNED for c in trigger.children):
                tense, status = "future", ANNOUNCED  # "the planned summit on Wednesday"
            when, when_text = date_of(head, span, published, tense)
            if _history(doc, published, tense):
                # "Their first meeting was in 2016 in Lima, then on 3 May 2017 in Kazan": a
                # list of meetings, none of them the one asked about.
                continue
            if when is None and _DATE_WORDS.search(before):
                previous = self._parse(before)
                when, when_text = date_of(previous[:].root, previous[:], published, tense)
            where = meeting_place(trigger, head, span)
            yield StoredEvent(
                id=0,
                passage_id=hit.passage_id,
                article_id=hit.article_id,
                kind=_verb(trigger) if trigger.pos_ in ("VERB", "AUX") else trigger.lemma_.lower(),
                who=tuple(n for n in names),
                with_=tuple(others),
                when=when,
                when_text=when_text,
                where=where,
                status=status,
                sentence=sentence,
                roles=tuple((p, context.roles[p]) for p in others if p in context.roles),
            )
            return  # one meeting per sentence: the first frame that holds the people


def _unnamed_party(trigger: Token, head: Token, asked: frozenset[str]) -> bool:
    """Whether the meeting's other side is people the question asks about without a name:
    "met reporters", "a meeting with Republican holdouts", "met with the board"."""
    for verb in {trigger.i: trigger, head.i: head}.values():
        for child in verb.children:
            objects = [child] if child.dep_ == "dobj" else []
            if child.dep_ == "prep" and child.lower_ in ("with", "between"):
                objects = [c for c in child.children if c.dep_ == "pobj"]
            for obj in objects:
                if obj.pos_ == "NOUN" and (obj.lower_ in asked or obj.lemma_.lower() in asked):
                    return True
    return False


def _states_a_meeting(title: str, names: Sequence[str]) -> bool:
    """Whether a headline may state a meeting of the people: written as a sentence (not in
    title case, which the parser reads badly), with a meeting word and every name."""
    return (
        bool(title)
        and not is_title_case(title)
        and MEETING_WORDS.search(title) is not None
        and all(mentions(title, n) for n in names)
    )


def _main_subject(doc: Doc, names: Sequence[str]) -> str | None:
    """The person asked about who is the subject of the sentence's main verb ("A said that
    she had met B": "she" is A)."""
    root = doc[:].root
    for child in root.children:
        # (a surname opening the sentence is sometimes tagged a common noun)
        if child.dep_ in ("nsubj", "nsubjpass") and (child.pos_ == "PROPN" or child.is_title):
            words = " ".join(t.text for t in child.subtree if t.pos_ == "PROPN" or t.is_title)
            return next((n for n in names if mentions(words, n)), None)
    return None


def _depth(token: Token) -> int:
    return sum(1 for _ in token.ancestors)


def _refers_back(token: Token) -> bool:
    """ "the talks", "their meeting", "that visit": a meeting noun told of before."""
    if not _is_trigger(token) or token.pos_ in ("VERB", "AUX"):
        return False
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "that", "this"))
        or (c.dep_ == "poss" and c.pos_ == "PRON")
        for c in token.children
    )


def _another_meeting(doc: Doc, event: StoredEvent, context: Context) -> bool:
    """Whether a sentence tells of a meeting with someone not in the event: it does not go on
    about the event any more."""
    for trigger in doc:
        if not _is_trigger(trigger) or trigger.pos_ not in ("VERB", "AUX"):
            continue
        people, _, _ = _frame_people(trigger, _clause_head(trigger), context)
        if any(not any(same_person(p, q) for q in event.people) for p in people):
            return True
    return False


def _history(doc: Doc, published: date | None, tense: Tense) -> bool:
    """Whether a sentence tells of several meetings on different days; the day a verb of saying
    carries is not one of them ("A met B on Friday, the company said on Monday")."""
    said = [e for e in doc.ents if e.label_ == "DATE" and said_on(e.root)]
    dates = [e for e in doc.ents if e.label_ == "DATE" and e not in said]
    days = {day for e in dates if (day := resolve_date(e.text, published, tense)) is not None}
    years = {
        m.group(0)
        for m in re.finditer(r"\b(?:19|20)\d\d\b", doc.text)
        if not any(e.start_char <= m.start() < e.end_char for e in said)
    }
    return len(days) >= 2 or len(years) >= 2


def _verb(token: Token) -> str:
    """A meeting verb's lemma, mended where the small model gets it wrong ("dined" -> "din"),
    "meet" for the idioms of meeting ("ran into", "introduced A to B")."""
    lemma = token.lemma_.lower()
    if lemma in _VERB_TRIGGERS:
        return lemma
    if (lemma in _INTO_VERBS and _prep(token, "into")) or (
        lemma == "introduce" and _prep(token, "to")
    ):
        return "meet"
    return _FORM_TO_VERB.get(token.lower_, lemma)


def _prep(token: Token, word: str) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == word for c in token.children)


def _is_trigger(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX"):
        return _verb(token) in _VERB_TRIGGERS
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        return lemma in EVENT_NOUNS or token.lower_ in EVENT_NOUNS
    return False


def _clause_head(trigger: Token) -> Token:
    """The verb whose clause the meeting is told in: the trigger itself, or the verb that
    carries a meeting noun ("held talks", "had a meeting")."""
    if trigger.pos_ in ("VERB", "AUX"):
        return trigger
    node = trigger
    for _ in range(3):
        if (
            node.dep_ in ("dobj", "pobj", "prep", "nsubj", "nsubjpass", "attr")
            and node.head is not node
        ):
            node = node.head
            carries = node.lemma_.lower() in HOLD_VERBS | _VERB_TRIGGERS
            if trigger.lemma_.lower() in _MEALS and node.lemma_.lower() in _TREAT_VERBS:
                carries = True  # "took B out to dinner", "invited B to lunch"
            if trigger.lemma_.lower() in _GATHERINGS and node.lemma_.lower() not in _CONVENE:
                # those who attend or speak at one summit have not met each other for it;
                # those who hold one have
                carries = False
            if node.pos_ in ("VERB", "AUX") and carries:
                return node
            if node.pos_ in ("VERB", "AUX"):
                break
        else:
            break
    return trigger


def _governors(head: Token) -> list[Token]:
    """The head and the verbs above it whose subject is the meeting's subject too."""
    chain = [head]
    node = head
    for _ in range(3):
        if node.dep_ == "pcomp" and node.head.dep_ == "prep":
            node = node.head.head  # "A told reporters after meeting B": A met B
        elif (
            node.dep_ in _CHAIN_DEPS
            and node.head is not node
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children)
            and not _describes_an_event(node)
        ):
            # "A is due to meet B": through "due" to "is"; not "A met B a day after C met D",
            # where the clause has a subject of its own
            node = node.head
        else:
            break
        chain.append(node)
    return chain


def _frame_people(trigger: Token, head: Token, context: Context) -> tuple[list[str], bool, bool]:
    """The people of the meeting's frame, whether a group word ("the two", "they", "their",
    "both") stands in it for people named before, and whether "he" / "she" does."""
    frame = {trigger.i, head.i}
    if _headline_infinitive(trigger):
        frame.add(trigger.head.i)  # "Ana Ruiz to meet Tomas Elgin in Lyon"
    governors = _governors(head)
    for verb in governors:
        if verb.dep_ == "relcl" and any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("who", "that") for c in verb.children
        ):
            frame.add(verb.head.i)  # "A, who met B on Tuesday, said ...": A met B
    attended = _attended(trigger)
    if attended is not None:
        governors = [*governors, attended]
    people: list[str] = []
    group = pronoun = False
    # "A introduced B to C": B met C, A only brought them together
    introducer = trigger.lemma_.lower() == "introduce"
    for token in trigger.doc:
        if not _in_frame(token, frame, governors):
            continue
        if introducer and any(
            a.dep_ == "nsubj" and a.head.i == trigger.i for a in [token, *token.ancestors]
        ):
            continue
        if token.lower_ in GROUP_WORDS:
            group = True
            continue
        if token.pos_ == "PRON" and token.lower_ in ("he", "she", "him", "her"):
            # a participant, not an owner: "her counterpart" is someone else
            pronoun = pronoun or token.dep_ != "poss"
            continue
        if token.pos_ != "PROPN" and token.ent_type_ == "PERSON" and token.ent_iob_ != "B":
            # "Kim Dae-sung" with "sung" read as a verb: the person entity it ends.
            person = _entity_person(token, context)
            if person and looks_like_a_person(person) and person not in people:
                people.append(person)
            continue
        if token.pos_ != "PROPN" or (token.ent_type_ == "PERSON" and token.dep_ == "compound"
                                     and token.head.ent_type_ == "PERSON"):  # fmt: skip
            continue
        if (
            token.i + 1 < len(token.doc)
            and token.doc[token.i + 1].pos_ == "PROPN"
            and (token.doc[token.i + 1].head.i == token.i or token.head.i == token.i + 1)
        ):
            continue  # not the last word of a name
        if (
            after_place_preposition(token)
            or _before_a_title(token)
            or _inside_entity(token)
            or _owner_of_a_role(token)
            or _owner_of_a_person(token)
        ):
            continue
        person = person_of(token, context) or _untagged_person(token, trigger, context)
        if person and looks_like_a_person(person) and person not in people:
            people.append(person)
    return people, group, pronoun


def _headline_infinitive(trigger: Token) -> bool:
    """ "A to meet B on Friday": a headline's plan, A the subject the grammar leaves out."""
    return (
        trigger.dep_ == "acl"
        and trigger.head.dep_ == "ROOT"
        and trigger.head.pos_ == "PROPN"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in trigger.children)
    )


def _describes_an_event(participle: Token) -> bool:
    """ "... to speak at the summit, hosted by B": a participle right after a meeting noun
    tells of that meeting, whatever the parser hangs it on; its subject is not the clause's."""
    if participle.tag_ != "VBN":
        return False
    words = [t for t in participle.doc[: participle.left_edge.i] if not t.is_punct]
    if not words:
        return False
    # the noun phrase just before: "the summit", "the UK Summit on AI Safety"
    for node in [words[-1], *words[-1].ancestors]:
        if node.pos_ in ("VERB", "AUX"):
            return False
        if node.lemma_.lower() in EVENT_NOUNS | _GATHERINGS:
            return True
    return False


def _attended(trigger: Token) -> Token | None:
    """The verb whose subject was at a meeting named in an "in" / "at" / "during" phrase:
    "During the talks, A and B agreed ...", "Also at the meeting were A and B"."""
    prep = trigger.head
    if (
        trigger.lemma_.lower() in _GATHERINGS  # speaking at a summit is not meeting its host
        or trigger.pos_ in ("VERB", "AUX")
        or trigger.dep_ != "pobj"
        or prep.lower_ not in _ATTENDANCE_PREPOSITIONS
        or prep.head.pos_ not in ("VERB", "AUX")
    ):
        return None
    return prep.head


def _entity_person(token: Token, context: Context) -> str | None:
    ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    if ent is None or ent.end - 1 != token.i:
        return None
    name = context.names.resolve(display_name(ent.text))
    return None if context.names.is_author(name) else name


def _untagged_person(token: Token, trigger: Token, context: Context) -> str | None:
    """A full name the small model tagged a place, in a slot only a person fills: one meets,
    greets or sits down with people, not towns ("met Ines Barta", Barta a GPE); "visit" may
    take a place, so its object is left to the tagger."""
    if token.ent_type_ not in ("GPE", "LOC") or trigger.lemma_.lower() == "visit":
        return None
    words = [t.text for t in token.doc[token.left_edge.i : token.i + 1] if t.pos_ == "PROPN"]
    name = context.names.resolve(" ".join(words))
    return name if len(name.split()) >= 2 and not context.names.is_author(name) else None


def _in_frame(token: Token, frame: set[int], governors: list[Token]) -> bool:
    """Whether a token hangs under the meeting word through noun-phrase links only, or is in
    the subject of a governing verb."""
    node = token
    for _ in range(12):
        if node.i in frame:
            return True
        if node.head is node:
            return False
        if node.dep_ in ("nsubj", "nsubjpass") and node.head in governors:
            return True
        if node.dep_ == "attr" and node.head in governors and node.head.lemma_ == "be":
            return True  # "Also at the meeting were A and B"
        if node.dep_ not in _PHRASE_DEPS and node.dep_ != "prep":
            return False
        parent = node.head
        if (
            parent.i in frame
            and node.dep_ == "prep"
            and (
                node.lower_ not in _PARTY_PREPOSITIONS
                or (
                    node.lower_ == "on"
                    and parent.lemma_.lower() not in CALL_VERBS
                    # "the summit on Wednesday local time between A and B": the small model
                    # hangs the parties under the day
                    and not any(t.ent_type_ in ("DATE", "TIME") for t in node.subtree)
                )
            )
        ):
            return False  # "spoke about A", "on a trip to Porto": not a party; "called on A" is
        if parent.pos_ in ("VERB", "AUX") and parent.i not in frame:
            if node.dep_ == "agent" and parent.dep_ == "acl":
                node = parent.head  # "a delegation led by A": A is there
                continue
            return False
        node = parent
    return False


# A quote and who said it: "'...,' Ana Ruiz said", "'...,' said Ana Ruiz", "'...,' she wrote".
_QUOTE = re.compile(r"[\"“]([^\"“”]{10,1500})[\"”]")
_SAYER = r"([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})"
_SAID = r"(?:said|says|stated|wrote|writes|tweeted|posted|added|told)"
_ATTRIBUTION = re.compile(rf"^\s*,?\s*(?:{_SAYER}\s+{_SAID}\b|{_SAID}\s+{_SAYER})")


def _quoted_speakers(text: str) -> list[tuple[str, str]]:
    """The quotes of a text with the words naming who said each, when the text says so right
    after the quote ("..." Ana Ruiz said after the meeting)."""
    found = []
    for quote in _QUOTE.finditer(text):
        attribution = _ATTRIBUTION.match(text[quote.end() : quote.end() + 80])
        if attribution:
            found.append((quote.group(1), attribution.group(1) or attribution.group(2)))
    return found


def _first_person(trigger: Token, head: Token) -> bool:
    """Whether the speaker is the meeting's subject: "I met B", "we held talks with B", or a
    meeting noun with no one before it ("Very good meeting with B today")."""
    words = {t.lower_ for t in (*trigger.subtree, *head.subtree)} | {
        c.lower_ for c in head.children
    }
    if words & {"i", "we", "my", "our", "me", "us"}:
        return True
    return (
        trigger.pos_ == "NOUN"
        and (trigger.dep_ == "ROOT" or said_on(trigger))  # the quote's own words
        and not any(c.dep_ in ("poss", "nsubj") for c in trigger.children)
    )


def _also_there(token: Token) -> bool:
    """The subject of "also attended" / "was also present": one more at the meeting."""
    verb = token.head
    return (
        token.dep_ in ("nsubj", "nsubjpass")
        and verb.lemma_.lower() in _ALSO_VERBS
        and any(c.lower_ == "also" for c in verb.children)
        and not any(c.dep_ == "dobj" for c in verb.children)
    )


def _companions(doc: Doc, context: Context) -> list[tuple[str, str]]:
    """(person, companion) pairs a sentence states: "A was accompanied by C", "A, who was
    accompanied by his deputy C, ...", "A, accompanied by C, arrived", "C accompanied A",
    "A was joined by C"."""
    pairs: list[tuple[str, str]] = []
    for verb in doc:
        if verb.lemma_.lower() not in _COMPANY_VERBS or verb.pos_ not in ("VERB", "AUX"):
            continue
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children
                  if g.dep_ == "pobj"]  # fmt: skip
        subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if agents and subject is not None and subject.lower_ in ("who", "that"):
            hosts = [verb.head] if verb.dep_ == "relcl" else []
        elif agents and subject is not None:
            hosts = [subject]
        elif agents and verb.dep_ == "acl":
            hosts = [verb.head]  # "A, accompanied by C, ..."
        elif verb.lemma_.lower() == "accompany" and not agents:
            hosts = [c for c in verb.children if c.dep_ == "dobj"]
            agents = [c for c in verb.children if c.dep_ == "nsubj"]
        else:
            continue
        for host in (p for h in hosts for p in _people(h, context)):
            for companion in (p for a in agents for p in _people(a, context)):
                if not same_person(host, companion):
                    pairs.append((host, companion))
    return pairs


def _people(token: Token, context: Context) -> list[str]:
    """The people a phrase in a slot only people fill names ("accompanied by his deputy, Ines
    Barta"), the full names the tagger takes for places included."""
    found = people_of(token, context)
    if not found:
        for node in [token, *(c for c in token.children if c.dep_ == "appos")]:
            words = [t.text for t in node.doc[node.left_edge.i : node.i + 1] if t.pos_ == "PROPN"]
            if node.pos_ == "PROPN" and len(words) >= 2:
                found.append(context.names.resolve(" ".join(words)))
    return [p for p in found if looks_like_a_person(p) and not context.names.is_author(p)]


def _owner_of_a_person(token: Token) -> bool:
    """ "Lumo's chief Ana Ruiz", "Norland's Foreign Minister Tomas Elgin": the owner of a
    person or a role is no one met; a meeting noun's owner is ("Ruiz's talks with Elgin")."""
    if token.dep_ != "poss":
        return False
    owned = token.head
    return not _is_trigger(owned) and owned.lemma_.lower() not in EVENT_NOUNS | _GATHERINGS


def _owner_of_a_role(token: Token) -> bool:
    """ "The chief executive of Lumo Labs, Ana Ruiz, met ...": what a role noun is "of" is where
    the person works, not someone met; a person there stays ("the wife of Tomas Elgin")."""
    of = token.head
    return (
        token.dep_ == "pobj"
        and token.ent_type_ != "PERSON"
        and of.lower_ == "of"
        and of.head.pos_ == "NOUN"
        and not _is_trigger(of.head)
        and of.head.lemma_.lower() not in EVENT_NOUNS | _GATHERINGS | GROUP_WORDS
    )


def _inside_entity(token: Token) -> bool:
    """A word of an entity that goes on after it: the entity is read at its last word."""
    after = token.i + 1
    return bool(token.ent_type_) and after < len(token.doc) and token.doc[after].ent_iob_ == "I"


def _before_a_title(token: Token) -> bool:
    """ "External Affairs Minister Ana Ruiz": the words before a title are part of the role."""
    after = token.i + 1
    return after < len(token.doc) and token.doc[after].lower_ in TITLE_WORDS - {
        "the",
        "of",
        "and",
        "for",
    }
