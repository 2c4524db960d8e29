"""Answers about meetings: who met whom, when and where.

The events table (extracted at ingest) and the question-time reader (the best passages read
for the people asked about) give candidates of one kind, `StoredEvent`; they are narrowed by
the place and period asked, ranked by how well their passages match the question, and
composed into one answer with its citations.
"""

from __future__ import annotations

import re

from retrieval.meetings.dates import Tense, month_of
from retrieval.meetings.names import ArticleNames, looks_like_a_person
from retrieval.meetings.reader import MeetingReader
from retrieval.qa.compose import (
    asked_kind,
    confirmation,
    display_names,
    join,
    kind_group,
    long_date,
    pair,
    verb,
    when_sentence,
    with_role,
)
from retrieval.qa.explain import Explain
from retrieval.qa.meeting_choice import (
    RANK_DEPTH,
    ROLE_SYNONYMS,
    another_meeting,
    asked_role,
    companion_asked,
    first_asked,
    mentions_phrase,
    merge_events,
    met_by,
    same_meeting,
    says_first,
)
from retrieval.qa.questions import Question
from retrieval.qa.results import Answer, Citation
from retrieval.qa.search import Hit, Searcher
from retrieval.store.events import (
    ANNOUNCED,
    TITLE_WORDS,
    StoredEvent,
    place_within,
    same_person,
    same_place,
)

__all__ = ["RANK_DEPTH", "READ_DEPTH", "MeetingAnswerer"]

READ_DEPTH = 10  # how many of the best passages are read for a meeting at question time


class MeetingAnswerer:
    """who / when / where / whether about a meeting of named people."""

    def __init__(self, searcher: Searcher, meetings: MeetingReader) -> None:
        self.searcher = searcher
        self.store = searcher.store
        self.meetings = meetings

    def answer(
        self,
        question: Question,
        names: list[str],
        top: list[Hit],
        query: str,
        why: Explain,
    ) -> Answer | None:
        candidates = [
            e for e in self.store.events_involving(names) if all(e.involves(n) for n in names)
        ]
        why(f"{len(candidates)} events involve {' and '.join(names)}")
        # The best passages for the question, read for those people: they find what the
        # extraction at ingest missed, and fill a day or a place it did not see.
        asked = frozenset(w.lower() for w in re.findall(r"[\w'-]+", question.text))
        read = self.meetings.read(names, top, asked)
        why(f"{len(read)} meetings read in the best {READ_DEPTH} passages")
        candidates = merge_events(candidates, read)
        if not candidates:
            return None
        hits = self._hits_for({e.passage_id for e in candidates})
        # A day or a place the meeting's own sentence leaves out, from the article around it.
        candidates = [
            self.meetings.complete(e, hits[e.passage_id]) if e.passage_id in hits else e
            for e in candidates
        ]
        fitting = [e for e in candidates if self._fits(e, question, hits)]
        why(f"{len(fitting)} fit the place and period asked")
        for event in candidates:
            why(
                f"  {'fits' if event in fitting else 'not fitting'}: {', '.join(event.people)} "
                f"on {event.when or '?'} in {event.where or '?'}: {event.sentence[:90]!r}"
            )
        if not fitting:
            return None
        slot = {"when": lambda e: e.when is not None, "where": lambda e: e.where is not None}.get(
            question.kind, lambda e: True
        )
        same_kind = [e for e in fitting if kind_group(e.kind) == asked_kind(question.text)]
        # (a place only the dateline or headline gives does not make a meeting of that kind)
        if any(slot(e) and e.where_from is None for e in same_kind) and asked_kind(
            question.text
        ) in ("call", "visit"):
            # "Who did Truss call on?" asks about the calls, not every meeting of the trip;
            # "Who did A host?" asks about meetings, whoever the article says received whom.
            why(f"{len(same_kind)} of them are a {asked_kind(question.text)}")
            fitting = same_kind
        ranking = {pid: r for r, (pid, _) in enumerate(self.searcher.rank(query, RANK_DEPTH))}
        # Among the events of the same people, the article that matches the question best
        # ("first-ever face-to-face summit" may sit in another passage of it) picks the
        # meeting; the event's own passage breaks ties.
        article_rank = {
            aid: min((ranking.get(pid, RANK_DEPTH) for pid in pids), default=RANK_DEPTH)
            for aid, pids in self.store.passage_ids_by_article(
                {e.article_id for e in fitting}
            ).items()
        }
        first = first_asked(question.text)
        if first:
            why("the question asks about their first meeting: one an article calls first before")
        fitting.sort(
            key=lambda e: (
                not slot(e),
                first and not says_first(e.sentence),
                # "Where in Lyon did they meet?": a place finer than the one asked before Lyon
                question.kind == "where"
                and question.place is not None
                and place_within(e.where or "", question.place),
                # a place a sentence or the dateline gives before one only the headline gives
                question.kind == "where" and e.where_from == "headline",
                article_rank.get(e.article_id, RANK_DEPTH),
                ranking.get(e.passage_id, RANK_DEPTH),
                e.id,
            )
        )
        if question.kind == "who":
            return self._who(question, names, fitting, hits, why)
        if question.kind == "whether":
            # "Did they meet?": a report that they met answers it better than a plan to.
            fitting.sort(key=lambda e: e.status == ANNOUNCED)
        elif question.future:
            # "When will they meet again?": the plan, not the meeting that already happened.
            fitting.sort(key=lambda e: (not slot(e), e.status != ANNOUNCED))
            why("the question asks about a meeting to come: plans first")
        best = fitting[0]
        if not slot(best):
            why(f"no event of them says {question.kind}")
            return None
        why(
            f"chose event {best.id} (passage {best.passage_id}, rank "
            f"{ranking.get(best.passage_id, 'beyond ' + str(RANK_DEPTH))}): {best.sentence[:120]}"
        )
        hit = hits[best.passage_id]
        citations = [Citation(1, hit, best.quoted)]
        used = [best]
        if question.kind == "when":
            assert best.when is not None
            values: tuple[str, ...] = (best.when.isoformat(),)
            confirmed = confirmation(best, fitting, hits)
            later = hits[confirmed.passage_id] if confirmed is not None else None
            text = when_sentence(best, hit, later)
            if confirmed is not None and later is not None:
                # Announced in advance, and a later article says it happened: say both.
                citations.append(Citation(2, later, confirmed.quoted))
                used.append(confirmed)
                why(f"event {confirmed.id} reports the meeting announced by {best.id}")
            other = another_meeting(best, fitting, ranking, used)
            if other is not None and other.when is not None:
                # Two meetings of the same people fit the question equally well: say both.
                n = len(citations) + 1
                citations.append(Citation(n, hits[other.passage_id], other.quoted))
                used.append(other)
                text += (
                    f" The articles also tell of a meeting of {pair(other)} on "
                    f"{long_date(other.when)} [{n}]."
                )
                why(f"event {other.id} is another meeting that fits as well")
        elif question.kind == "whether":
            place = f" in {best.where}" if best.where else ""
            day = f" on {long_date(best.when)}" if best.when else ""
            if best.status == ANNOUNCED:
                text = (
                    f"{pair(best)} {verb(best)}{place}{day} [1]; no article here reports "
                    "whether they did."
                )
                values = ("announced",)
            else:
                text = f"Yes: {pair(best)} {verb(best)}{place}{day} [1]."
                values = ("yes",)
        else:
            assert best.where is not None
            # (a gathering one person hosted, "with European leaders in attendance": no pair)
            text = f"{pair(best)} {verb(best)} in {best.where} [1]."
            if len(best.people) < 2:
                text = f"In {best.where} [1]."
            if best.where_from is not None:
                text += f" The place is the one the article's {best.where_from} gives."
            values = (best.where,)
        return Answer(
            question=question.text,
            text=text,
            found=True,
            kind=question.kind,
            values=values,
            citations=tuple(citations),
            events=tuple(used),
            passages=tuple(c.hit for c in citations),
            explanation=why.lines,
            understood=question,
        )

    def _who(
        self,
        question: Question,
        names: list[str],
        events: list[StoredEvent],
        hits: dict[int, Hit],
        why: Explain,
    ) -> Answer | None:
        """Everyone the named people met at the meeting asked about, each with its source:
        the best-ranked meeting of those that fit the place and period asked, with the events
        of its article that give no other day and those of other articles on its day."""
        role = asked_role(question.text)
        if role is not None:
            # "Which senator did A meet?": only meetings with someone the article calls one
            events = [e for e in events if self._has_role(e, names, role)]
            why(f"{len(events)} of them with someone the article calls a {role}")
        if events:
            # The best-ranked meeting, with what its article and same-day reports add to it;
            # not another meeting of the same people on another day.
            # (the top article's first event that names someone met: its top one may not)
            top = events[0]
            best = next(
                (e for e in events if e.article_id == top.article_id and met_by(e, names)), top
            )
            events = [e for e in events if same_meeting(e, best, names)]
        whom = companion_asked(question.text)
        target = next((n for n in names if whom and mentions_phrase(whom, n.split()[-1])), None)
        if whom is not None and target is not None:
            return self._companions(question, target, whom, events, hits, why)
        people: list[str] = []
        cited: dict[int, list[str]] = {}  # passage id -> people it is cited for
        used: list[StoredEvent] = []
        article_names: dict[int, ArticleNames] = {}
        for event in events:
            if event.article_id not in article_names:
                article_names[event.article_id] = ArticleNames(
                    *self.store.article_text(event.article_id)
                )
            # "Elgin and his wife Mira Elgin": a namesake the article tells apart is someone met
            article = article_names[event.article_id]
            others = [
                p
                for p in event.people
                if not any(article.stands_for(n, p) for n in names) and not article.names_no_one(p)
            ]
            new = [p for p in others if not any(same_person(p, q) for q in people)]
            if not new:
                continue
            people += new
            cited.setdefault(event.passage_id, []).extend(new)
            used.append(event)
        if not people:
            why("the events name no one else")
            return None
        citations = tuple(
            Citation(n, hits[pid], next(e.quoted for e in used if e.passage_id == pid))
            for n, pid in enumerate(cited, 1)
        )
        subject = join(display_names(names, used, people))
        parts = []
        for citation, pid in zip(citations, cited, strict=True):
            event = next(e for e in used if e.passage_id == pid)
            verb = "was due to meet" if event.status == ANNOUNCED else "met"
            where = f" in {event.where}" if event.where else ""
            named = [with_role(p, used) for p in cited[pid]]
            parts.append(f"{verb} {join(named)}{where} [{citation.n}]")
        text = f"{subject} " + "; and ".join(parts) + "."
        why(f"people met: {', '.join(people)}")
        return Answer(
            question=question.text,
            text=text,
            found=True,
            kind="who",
            values=tuple(people),
            citations=citations,
            events=tuple(used),
            passages=tuple(c.hit for c in citations),
            explanation=why.lines,
            understood=question,
        )

    def _companions(
        self,
        question: Question,
        target: str,
        whom: str,
        events: list[StoredEvent],
        hits: dict[int, Hit],
        why: Explain,
    ) -> Answer | None:
        """Who came with one of the people to the meeting asked about ("Who came along with
        A?"): those the meeting's passage says accompanied A or joins to A by "and"."""
        titles = frozenset(w.lower() for w in whom.split() if w.lower() in TITLE_WORDS)
        people: list[str] = []
        citations: list[Citation] = []
        used: list[StoredEvent] = []
        for event in events:
            hit = hits[event.passage_id]
            came = [
                (c, s)
                for c, s in self.meetings.companions_of(event, hit, target, titles)
                if not any(same_person(c, p) for p in people)
            ]
            if not came:
                continue
            people += [c for c, _ in came]
            quote = " … ".join(dict.fromkeys(s for _, s in came))
            citations.append(Citation(len(citations) + 1, hit, quote))
            used.append(event)
        if not people:
            why(f"no one is said to have come with {target}")
            return None
        why(f"came with {target}: {', '.join(people)}")
        shown = join(display_names([target], used, people))
        cites = "".join(f" [{c.n}]" for c in citations)
        return Answer(
            question=question.text,
            text=f"{shown} came with {join(people)}{cites}.",
            found=True,
            kind="who",
            values=tuple(people),
            citations=tuple(citations),
            events=tuple(used),
            passages=tuple(c.hit for c in citations),
            explanation=why.lines,
            understood=question,
        )

    def _has_role(self, event: StoredEvent, names: list[str], role: str) -> bool:
        """Whether one of the people the named ones met is given the role: in the event's
        roles, or next to their surname in the article ("Senator Ana Ruiz", "Ruiz, the
        senator")."""
        words = ROLE_SYNONYMS.get(role, frozenset({role}))
        title, passages = self.store.article_text(event.article_id)
        text = " ".join([title, *passages])
        for person in event.people:
            if any(same_person(person, n) for n in names):
                continue
            described = dict(event.roles).get(person, "")
            surname = re.escape(person.split()[-1])
            near = [
                text[max(0, m.start() - 60) : m.end() + 60]
                for m in re.finditer(rf"\b{surname}\b", text)
            ]
            if any(re.search(rf"\b(?:{'|'.join(words)})s?\b", t, re.I) for t in [described, *near]):
                return True
        return False

    def required_names(self, question: Question, top: list[Hit], why: Explain) -> list[str]:
        """The question's names that must take part: the people. A name that cannot be a
        person's ("G7", "the White House", "NATO") narrows nothing, and neither does a name
        the tagger called a place or an organisation that takes part in no stored event;
        a person stays required, so a meeting with someone the articles never mention is
        not found."""
        required = []
        for name in question.names:
            if not looks_like_a_person(name):
                why(f"{name!r} is not a person's name; not required")
                continue
            if name in question.topics:
                why(f"{name!r} is what the question is about, not who met; not required")
                continue
            involved = any(e.involves(name) for e in self.store.events_involving([name]))
            full_name = len(name.split()) >= 2 and name not in question.entities
            if not (involved or name in question.persons or full_name) and not any(
                len(self._article_names(h).resolve(name).split()) >= 2 for h in top
            ):
                why(f"{name!r} is no one in the stored events; not required")
                continue
            required.append(name)
        return required

    def _article_names(self, hit: Hit) -> ArticleNames:
        """The names an article gives in full ("Duterte" is its "Rodrigo Duterte")."""
        title, passages = self.store.article_text(hit.article_id)
        return ArticleNames(title, passages)

    def _fits(self, event: StoredEvent, question: Question, hits: dict[int, Hit]) -> bool:
        hit = hits.get(event.passage_id)
        if hit is None:
            return False
        published = hit.published_at.date() if hit.published_at else None
        tense: Tense = "future" if event.status == ANNOUNCED else "past"
        month = None if event.when else month_of(event.when_text, published, tense)
        if question.period is not None and month is not None:
            # "In early October, A met B": the month the article gives, without its day
            if not (month[0] <= question.period.end and question.period.start <= month[1]):
                return False
        elif question.period is not None:
            day = event.when or published
            # A report may come a few days after the meeting it tells of.
            if day is None or not question.period.holds(day, slack_days=0 if event.when else 3):
                return False
        if question.place is not None:
            if event.where is not None and same_place(event.where, question.place):
                return True
            # "in Egypt" fits a meeting its passage places in an Egyptian resort, "in Lyon" one
            # its headline places in France; a meeting without a place fits when its article
            # names the place asked.
            _, passages = self.store.article_text(hit.article_id)
            lead = passages[0] if passages else ""
            return mentions_phrase(f"{hit.title} {lead} {hit.text}", question.place)
        return True

    def _hits_for(self, passage_ids: set[int]) -> dict[int, Hit]:
        return self.store.hits(sorted(passage_ids))
