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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from retrieval.meetings.asides import first_of_them, place_pointed_to
from retrieval.meetings.dates import Tense
from retrieval.meetings.extract import (
    negated,
)
from retrieval.meetings.names import ArticleNames
from retrieval.meetings.places import (
    city_in,
    dateline_match,
    dateline_place,
    meeting_place,
    unless_a_participant,
)
from retrieval.meetings.triggers import is_trigger, verb_lemma
from retrieval.meetings.vocab import (
    MEETING_WORDS,
)
from retrieval.qa.search import Hit
from retrieval.qa.sentences import sentences
from retrieval.store.events import (
    ANNOUNCED,
    StoredEvent,
    same_person,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

from retrieval.meetings.company import (
    ALSO_THERE,
    COMPANY,
    also_there,
    came_with,
    companions,
    first_person,
    people_in,
    quoted_speakers,
)
from retrieval.meetings.frames import (
    clause_head,
    frame_people,
    governing_verbs,
)
from retrieval.meetings.mentions import (
    BACK_REFERENCE,
    CONTINUES,
    DATE_WORDS,
    GROUP,
    PLANNED,
    PRONOUN,
    after_fronted_clause,
    another_meeting,
    clause_depth,
    lists_meetings,
    main_subject,
    mentions,
    refers_back,
    states_a_meeting,
    unnamed_party,
)
from retrieval.meetings.people import Context, one_other_person
from retrieval.meetings.timing import date_before, date_of, day_before, tense_of

__all__ = ["ArticleText", "MeetingReader"]

ArticleText = Callable[[int], tuple[str, list[str]]]  # article id -> (title, passage texts)


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
            quotes = quoted_speakers(hit.text)
            last: tuple[int, StoredEvent] | None = None  # the passage's latest meeting
            for i, sentence in enumerate(text_sentences):
                before = text_sentences[i - 1] if i else title
                if not MEETING_WORDS.search(sentence) and not ALSO_THERE.search(sentence):
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
                    or GROUP.search(sentence)
                    or stands_for is not None
                    or speaker is not None
                )
                if not named:
                    # "Also at the meeting were A and B": more people of the meeting just
                    # told of.
                    if (
                        last is not None
                        and i - last[0] <= 2
                        and (BACK_REFERENCE.search(sentence) or ALSO_THERE.search(sentence))
                    ):
                        more = self._attendees(sentence, last[1], Context(article_names))
                        if more is not None and more.sentence not in {e.sentence for e in found}:
                            found.append(more)
                    continue
                context = Context(article_names)
                read = list(
                    self._events(sentence, before, names, hit, published, context, stands_for,
                                 speaker)
                )  # fmt: skip
                if not read and (tail := after_fronted_clause(sentence)) is not None:
                    # the main clause alone, parsed apart from the clause before it
                    read = [
                        replace(e, sentence=sentence)
                        for e in self._events(tail, before, names, hit, published, context,
                                              stands_for, speaker)
                    ]  # fmt: skip
                if (
                    not read
                    and last is not None
                    and i - last[0] <= 2
                    and ALSO_THERE.search(sentence)
                ):
                    # "Joining them were C and D": "them" names the meeting's people
                    more = self._attendees(sentence, last[1], context)
                    read = [more] if more is not None else []
                for event in read:
                    if event.sentence not in {e.sentence for e in found}:
                        found.append(event)
                        last = (i, event)
            if headline and states_a_meeting(title, names):
                # "A meets B in Lyon": the headline, read once per article, after its body.
                for event in self._events(title, "", names, hit, published, Context(article_names)):
                    if event.sentence not in {e.sentence for e in found}:
                        found.append(event)
        return [replace(e, id=-(n + 1)) for n, e in enumerate(found)]

    def _attendees(self, sentence: str, event: StoredEvent, context: Context) -> StoredEvent | None:
        """The people a sentence adds to a meeting it names again, as an event of theirs."""
        doc = self._parse(sentence)
        if another_meeting(doc, event, context):
            return None
        groups = [frame_people(n, clause_head(n), context)[0] for n in doc if refers_back(n)]
        if ALSO_THERE.search(sentence):
            # "C also attended", "C and D were also present": the subjects were there
            groups.append([p for t in doc if also_there(t) for p in people_in(t, context)])
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
                if not BACK_REFERENCE.search(later):
                    continue
                doc = self._parse(later)
                if another_meeting(doc, event, context):
                    break
                used = False
                for noun in (t for t in doc if refers_back(t)):
                    head = clause_head(noun)
                    if noun.dep_ in ("nsubj", "nsubjpass") and noun.head.pos_ in ("VERB", "AUX"):
                        head = noun.head  # "The talks were held at ...", "took place in ..."
                    if when is None and not lists_meetings(doc, published, tense):
                        day, day_text = date_of(head, doc[:], published, tense)
                        if day is not None:
                            when, when_text, used = day, day_text, True
                    if where is None and (place := meeting_place(noun, head)) is not None:
                        where, used = place, True
                if used:
                    after.append(later)
            if when is None and CONTINUES.match(event.sentence):
                for earlier in reversed(text_sentences[max(0, position - 3) : max(0, position)]):
                    doc = self._parse(earlier)
                    day, day_text = date_of(doc[:].root, doc[:], published, tense)
                    if day is not None and not lists_meetings(doc, published, tense):
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
                # "Summit in Norland" over "leaders gathered in Lyon, Norland": the city
                where = city_in(where, " ".join(passages)) or where
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
            if not COMPANY.search(sentence):
                continue
            for host, companion in companions(self._parse(sentence), context):
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

    def companions_of(
        self, event: StoredEvent, hit: Hit, person: str, titles: frozenset[str]
    ) -> list[tuple[str, str]]:
        """(companion, sentence) for those who came with a person to a meeting, as its
        passage tells: in the meeting's sentence and the three after it."""
        title, passages = self.article_text(event.article_id)
        context = Context(ArticleNames(title, passages))
        text_sentences = sentences(hit.text)
        position = text_sentences.index(event.sentence) if event.sentence in text_sentences else 0
        around = [event.sentence, *text_sentences[position + 1 : position + 4]]
        return came_with(around, self._parse, person, titles, context)

    def _pronoun_stands_for(self, sentence: str, before: str, names: Sequence[str]) -> str | None:
        """The one person asked about whom a "he" / "she" of the sentence stands for: the
        subject of the sentence before, when the sentence does not name them itself."""
        if not before or not PRONOUN.search(sentence):
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
        for trigger in sorted((t for t in doc if is_trigger(t)), key=clause_depth):
            if (place := meeting_place(trigger, clause_head(trigger), doc[:])) is not None:
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
        triggers = sorted((t for t in doc if is_trigger(t)), key=lambda t: (clause_depth(t), t.i))
        for trigger in triggers:
            head = clause_head(trigger)
            if any(negated(t) for t in (trigger, *governing_verbs(head))):
                continue  # "will not meet", "is not expected to meet", "no talks"
            people, group, pronoun = frame_people(trigger, head, context)
            named = [n for n in names if any(same_person(n, p) for p in people)]
            if pronoun and stands_for is not None and stands_for not in named:
                named.append(stands_for)
            if speaker is not None and speaker not in named and first_person(trigger, head):
                named.append(speaker)  # "I met B", "Great meeting with B" in A's quote
            if pronoun and (own := main_subject(doc, names)) is not None and own not in named:
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
            if group and not others and len(names) < 2:
                # "A found B in May, and they met in June", "A called B on Friday. The two
                # met on Sunday": "they", "the two" are A and B
                others = one_other_person(doc[: trigger.i], names, context)
                if not others and before:
                    others = one_other_person(self._parse(before), names, context)
            if len(names) + len(others) < 2 and not unnamed_party(trigger, head, self._asked):
                continue  # "Ana Ruiz will meet members of Congress": no one named to meet
            tense, status = tense_of(head)
            if any(c.dep_ == "amod" and c.lower_ in PLANNED for c in trigger.children):
                tense, status = "future", ANNOUNCED  # "the planned summit on Wednesday"
            when, when_text = date_of(head, span, published, tense)
            first = (
                first_of_them(sentence, self._parse, published) if "first" in self._asked else None
            )
            if first is None and lists_meetings(doc, published, tense):
                # "Their first meeting was in 2016 in Lima, then on 3 May 2017 in Kazan": a
                # list of meetings, none of them the one asked about.
                continue
            if when is None and DATE_WORDS.search(before):
                earlier, earlier_text = date_before(self._parse(before)[:], published, tense)
                if earlier is not None and day_before(when_text):
                    when = earlier - timedelta(days=1)  # "... on Monday. The night before, ..."
                else:
                    when, when_text = earlier, earlier_text
            where = unless_a_participant(meeting_place(trigger, head, span), [*names, *others])
            if where is None and before:
                # "Guests are received in the Harbour Palace. That's where A met B."
                where = place_pointed_to(sentence, before, self._parse)
            if first is not None:
                # "their second meeting; the first was in Lyon in May", asked about the first
                where, (when, when_text) = first
            yield StoredEvent(
                id=0,
                passage_id=hit.passage_id,
                article_id=hit.article_id,
                kind=verb_lemma(trigger)
                if trigger.pos_ in ("VERB", "AUX")
                else trigger.lemma_.lower(),
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
