"""The answer service: a question in, a short answer with numbered citations out.

`Answerer.ask` dispatches:
- a question citing an outlet the store holds nothing from is refused, naming it;
- who / when / where / whether about a meeting of named people goes to `MeetingAnswerer`
  (`retrieval.qa.meeting_answer`: the events table and the question-time reader together);
- other questions get extractive answers: the sentence of each of the best passages that
  shares most words with the question, each cited, if those sentences answer it
  (`retrieval.qa.answerable`: the answer type the question expects, its words covered, its
  names and years);
- when the articles cannot answer, the answer says so, and the nearest passages are offered as
  related reading only; a passage answer refused quotes the closest sentence as such.

Everything is deterministic; an `Explain` records why each passage was chosen.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from retrieval.meetings.reader import MeetingReader
from retrieval.qa.answerable import Answerability, Verdict
from retrieval.qa.compose import join, long_date
from retrieval.qa.explain import Explain
from retrieval.qa.meeting_answer import READ_DEPTH, MeetingAnswerer
from retrieval.qa.passage_values import cited_value
from retrieval.qa.questions import Question, QuestionReader, same_words
from retrieval.qa.results import NOT_FOUND, Answer, Citation
from retrieval.qa.search import Hit, Searcher
from retrieval.qa.sentences import best_sentence, cite_ready, question_terms
from retrieval.safety import replace_surrogates
from retrieval.store.events import normalize_name

__all__ = ["NOT_FOUND", "Answer", "Answerer", "Citation"]


class Answerer:
    """Answers questions over the store; one per process, shared by the CLI, chat and bot."""

    def __init__(
        self,
        searcher: Searcher,
        reader: QuestionReader,
        related: int = 3,
        meetings: MeetingReader | None = None,
    ) -> None:
        self.searcher = searcher
        self.store = searcher.store
        self.reader = reader
        self.related = related
        reading = meetings or MeetingReader(reader.nlp, self.store.article_text)
        self.meeting_answers = MeetingAnswerer(searcher, reading)
        self.answerability = Answerability(reader.nlp)

    def ask(self, text: str, previous: Answer | None = None, explain: bool = False) -> Answer:
        """Answer one question; `previous` is the last turn of the same conversation."""
        text = " ".join(replace_surrogates(text).split())
        if not text:
            return Answer(question=text, text="Ask me something about the news.", found=False,
                          kind="none")  # fmt: skip
        prior = previous.understood if previous is not None else None
        question = self.reader.read(text, prior)
        query = f"{prior.text} {text}" if question.follow_up and prior is not None else text
        why = Explain(explain)
        why(_describe(question))
        unknown = self._unknown_sources(question, query)
        if unknown:
            why(f"cites outlets not in the store: {', '.join(unknown)}")
            return self._not_found(question, query, why, unknown)
        if question.asks_meeting:
            top = self.searcher.search(query, READ_DEPTH)
            names = self.meeting_answers.required_names(question, top, why)
            if names:
                answer = self.meeting_answers.answer(question, names, top, query, why)
                return answer or self._not_found(question, query, why, rule="meeting")
            why("no one named takes part in a meeting: answering from passages")
        return self._extractive(question, query, why)

    # -- other questions ----------------------------------------------------------------------

    def _extractive(self, question: Question, query: str, why: Explain) -> Answer:
        hits = self.searcher.search(query, 10)
        if not hits:
            return self._not_found(question, query, why)
        outlets = self.store.outlets()
        names = [n for n in question.names if not _is_outlet_name(n, [*outlets, *question.sources])]
        missing = _missing_names(names, hits, [*outlets, *question.sources])
        if names and len(missing) == len(names):
            why(f"the passages found never mention {', '.join(missing)}")
            return self._not_found(question, query, why, hits=hits, rule="names")
        terms = question_terms(query)
        citations: list[Citation] = []
        # One sentence per article first: the facts a question joins come from different ones.
        first_of_article = {h.article_id: h for h in reversed(hits[:5])}
        distinct = [h for h in hits[:5] if first_of_article[h.article_id] is h]
        ordered = distinct + [h for h in hits[:5] if h not in distinct]
        for hit in ordered:
            sentence, overlap = best_sentence(hit.text, terms)
            why(f"passage {hit.passage_id}: best sentence shares {overlap} words")
            if overlap == 0:
                continue
            citations.append(Citation(len(citations) + 1, hit, sentence))
            if len(citations) == 3:
                break
        if not citations:
            return self._not_found(question, query, why, hits=hits)
        verdict = self._judge(question, citations, outlets, hits)
        why(verdict.describe())
        if not verdict.answerable:
            return self._closest(question, query, why, citations[0], hits, verdict)
        text = " ".join(f"{cite_ready(c.quote)} [{c.n}]" for c in citations)
        values: tuple[str, ...] = ()
        if (value := cited_value(question, citations, self.reader.nlp)) is not None:
            # "At which venue ...?": the place the best sentence gives it, before the quotes
            found, n = value
            values = (found,)
            shown = long_date(date.fromisoformat(found)) if question.kind == "when" else found
            text = f"{shown} [{n}]. {text}"
            why(f"passage [{n}] gives the {question.kind}: {found}")
        return Answer(
            question=question.text,
            text=text,
            found=True,
            kind="passage",
            values=values,
            citations=tuple(citations),
            passages=tuple(hits[:5]),
            explanation=why.lines,
            understood=question,
            answerability=verdict.score,
        )

    def _judge(
        self, question: Question, citations: list[Citation], outlets: list[str], hits: list[Hit]
    ) -> Verdict:
        lexical = self.searcher.lexical()
        # The dict is the same object until the index changes: it identifies the source.
        frequencies = lexical.document_frequencies()
        self.answerability.use_frequencies(frequencies, frequencies, len(lexical))
        quoted = [(c.hit, c.quote) for c in citations]
        return self.answerability.judge(question, quoted, outlets, hits)

    def _closest(
        self,
        question: Question,
        query: str,
        why: Explain,
        closest: Citation,
        hits: list[Hit],
        verdict: Verdict,
    ) -> Answer:
        """A refusal that quotes the closest sentence, as related reading, never as the answer."""
        refusal = self._not_found(question, query, why, hits=hits, rule=verdict.rule)
        text = (
            f"{NOT_FOUND} The articles don't {_what(question.text)}; the closest: "
            f"{cite_ready(closest.quote)} [1]"
        )
        return replace(
            refusal,
            text=text,
            citations=(replace(closest, n=1),),
            answerability=verdict.score,
        )

    def _unknown_sources(self, question: Question, query: str) -> list[str]:
        """Outlets the question cites that the store holds nothing from. A name the best
        passages mention is what the articles are about ("the Lyon report"), not an outlet."""
        if not question.sources:
            return []
        outlets = self.store.outlets()
        unknown = [
            s for s in question.sources if not any(_outlet_matches(s, outlet) for outlet in outlets)
        ]
        if not unknown:
            return []
        text = " ".join(f"{h.title} {h.text}" for h in self.searcher.search(query, READ_DEPTH))
        return [s for s in unknown if not _mentions(text, re.sub(r"^the\s+", "", s, flags=re.I))]

    def _not_found(
        self,
        question: Question,
        query: str,
        why: Explain,
        unknown: list[str] | None = None,
        hits: list[Hit] | None = None,
        rule: str | None = None,
    ) -> Answer:
        related = (hits if hits is not None else self.searcher.search(query, self.related))[
            : self.related
        ]
        text = NOT_FOUND
        if unknown:
            text += f" I have no articles from {join(unknown)}."
        return Answer(
            question=question.text,
            text=text,
            found=False,
            kind="none",
            passages=tuple(related),
            explanation=why.lines,
            understood=question,
            refused_by=rule or ("outlet" if unknown else "passages"),
        )


# -- composition helpers ---------------------------------------------------------------------


def _describe(question: Question) -> str:
    parts = [f"kind={question.kind}", f"meeting={question.meeting}"]
    if question.names:
        parts.append(f"names={list(question.names)}")
    if question.place:
        parts.append(f"place={question.place}")
    if question.period:
        parts.append(f"period={question.period.start}..{question.period.end}")
    if question.sources:
        parts.append(f"outlets={list(question.sources)}")
    if question.follow_up:
        parts.append("follow-up")
    return "question: " + ", ".join(parts)


def _what(question: str) -> str:
    """What the articles don't say, for a refusal: "say who won the final" for "Who won the
    final?"; a question whose word order does not read as a clause is quoted ("answer
    “Where was Ann born?”")."""
    text = question.strip().rstrip("?").strip()
    words = text.lower().split()
    aux = {"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can",
           "could", "will", "would", "should", "'s"}  # fmt: skip
    if words[:1] and words[0] in ("who", "what", "which") and not aux & set(words[1:3]):
        return "say " + text[:1].lower() + text[1:]
    return f"answer “{question.strip()}”"


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text, re.I) is not None


def _outlet_matches(cited: str, outlet: str) -> bool:
    """Whether a cited name is one of the store's outlets ("BBC" and "BBC News - Technology";
    "The Verge" and "The Verge")."""
    a, b = set(normalize_name(cited).split()), set(normalize_name(outlet).split())
    a -= {"news"}
    return bool(a) and (a <= b or same_words(cited, outlet))


def _is_outlet_name(name: str, outlets: list[str]) -> bool:
    """Whether a name in a question is (a list of) outlets: "'Fortune' and 'The Age'"."""
    words = set(normalize_name(name).split()) - {"and", "news"}
    outlet_words = {w for outlet in outlets for w in normalize_name(outlet).split()}
    return bool(words) and words <= outlet_words


def _missing_names(names: list[str], hits: list[Hit], outlets: list[str]) -> list[str]:
    """The names that no passage found (or its title) mentions. Only a name's capitalised
    words count, outlets' words left out: the tagger's spans run over ("Ledger on Ana
    Ruiz-Elgin")."""
    blob = " ".join(normalize_name(f"{h.title} {h.text}") for h in hits)
    words = set(blob.split())
    outlet_words = {w for outlet in outlets for w in normalize_name(outlet).split()}
    missing = []
    for name in names:
        capitalised = " ".join(w for w in name.split() if w[:1].isupper())
        tokens = [t for t in normalize_name(capitalised).split() if t not in outlet_words]
        if tokens and not all(t in words for t in tokens):
            missing.append(name)
    return missing
