"""When a parsed sentence puts a meeting: whether it looks forward (announced) or back
(reported) from the article, the date expression that names its day (resolved by
`retrieval.meetings.dates`), and the days that only date a verb of saying."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from retrieval.meetings.dates import Tense, month_of, resolve_date
from retrieval.meetings.triggers import is_trigger
from retrieval.meetings.vocab import calendar_word
from retrieval.store.events import ANNOUNCED, REPORTED

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["a_day", "date_before", "date_of", "day_before", "said_on", "tense_of"]


_FUTURE_HEADS = {
    "expect",
    "set",
    "schedule",
    "due",
    "plan",
    "intend",
    "prepare",
    "hope",
    "want",
    "aim",
    "seek",
    "propose",
    "agree",
}


def tense_of(verb: Token) -> tuple[Tense, str]:
    """Whether the sentence looks forward (announced) or back (reported) from the article."""
    chain = [verb, *list(verb.ancestors)[:3]]
    for node in chain:
        for child in node.children:
            if child.dep_ == "aux" and child.lower_ in ("will", "'ll", "shall", "wo"):
                return "future", ANNOUNCED
            if child.dep_ == "aux" and child.lower_ == "going" and node is verb:
                return "future", ANNOUNCED
        if node is not verb and node.lemma_.lower() in _FUTURE_HEADS:
            return "future", ANNOUNCED
        if node.tag_ in ("VBD", "VBN") or any(
            c.dep_ == "aux" and c.tag_ == "VBD" for c in node.children
        ):
            return "past", REPORTED
    if verb.tag_ in ("VBZ", "VBP") and any(c.lower_ == "to" for c in verb.children):
        return "future", ANNOUNCED
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and (
        (verb.head.lemma_ == "be" and verb.dep_ == "xcomp")
        or (verb.dep_ == "acl" and verb.head.dep_ == "ROOT")
    ):
        # "is to meet", "was to meet": a plan; a headline's "A to meet B in Lyon" too
        return "future", ANNOUNCED
    if verb.tag_ == "VB" and any(
        t.lower_ in ("will", "'ll", "shall") for t in verb.doc[verb.sent.start : verb.i]
    ):
        return "future", ANNOUNCED  # "will meet Putin on Wednesday, then hold talks ..."
    aux = [c for c in verb.children if c.dep_ == "aux"]
    if verb.tag_ == "VBG" and any(c.lower_ in ("is", "are", "am", "'s", "'re") for c in aux):
        return "future", ANNOUNCED  # "is meeting B on Thursday": arranged
    if verb.tag_ in ("VBZ", "VBP") and not aux:
        # "meets B on Thursday": a preview or a headline's report, the nearest such day
        return "present", REPORTED
    return "past", REPORTED


# Words before a weekday that make it a day, whatever the parse says ("On Sunday Ruiz met").
_DAY_MARKERS = frozenset("on by until till since from last next this that each every".split())


def a_day(ent: Span) -> bool:
    """Whether a DATE the tagger found is a day, not a given name the small model reads as
    one: "the minister, Sunday Varga," runs the weekday into the surname after it."""
    last = ent[-1]
    return not (
        len(ent) == 1
        and last.pos_ == "PROPN"
        and last.dep_ == "compound"
        and last.head.i == last.i + 1
        and last.head.pos_ == "PROPN"
        and last.head.ent_type_ not in ("DATE", "TIME")
        and (last.i == 0 or last.doc[last.i - 1].lower_ not in _DAY_MARKERS)
    )


def date_of(
    verb: Token, sentence: Span, published: date | None, tense: Tense
) -> tuple[date | None, str | None]:
    """The first date expression of the sentence that names a day, nearest the verb first;
    not the day something was said of a meeting before it ("A said on Tuesday that she had
    met B": the pluperfect puts the meeting earlier; "A met B, officials said on Tuesday"
    keeps Tuesday)."""
    earlier = any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children)
    candidates = [
        e
        for e in sentence.ents
        if e.label_ in ("DATE", "TIME")
        and a_day(e)
        and not (earlier and _said_on(e.root, verb))
        and not _in_a_who_clause(e.root, verb)
    ]
    candidates.sort(key=lambda e: (not _governed_by(e.root, verb), abs(e.start - verb.i)))
    if (before := _day_before(sentence, verb, published)) is not None:
        return before
    first_text, first_governed = None, False
    for ent in candidates:
        text = _text_of(ent)
        resolved = resolve_date(text, published, tense)
        if resolved is not None:
            if (apart := _days_apart(ent)) is not None:
                # "a day after arriving on Sunday, A met B": the Monday
                return resolved + timedelta(days=apart[0]), f"{apart[1]} {text}"
            return resolved, text
        # a month without its day ("in early October") before a length ("90-minute")
        governed = _governed_by(ent.root, verb)
        if first_text is None or (
            month_of(ent.text, published)
            and not month_of(first_text, published)
            and (governed or not first_governed)
        ):
            first_text, first_governed = text, governed
    if first_text is None and (part := _PART_OF_DAY.search(sentence.text)) is not None:
        # "met in Lyon last night": words the small model often leaves untagged
        return resolve_date(part.group(0), published, tense), part.group(0)
    return None, first_text


def date_before(
    previous: Span, published: date | None, tense: Tense
) -> tuple[date | None, str | None]:
    """The day the sentence before gives a meeting it leaves undated ("A will meet B next
    Tuesday, her office announced on Wednesday. It will be their first meeting"): the day of
    the meeting it tells of, else its first day that is not the day something was said."""
    for trigger in sorted((t for t in previous if is_trigger(t)), key=lambda t: t.i):
        when, when_text = date_of(trigger, previous, published, tense)
        if when is not None and not any(
            e.text == when_text and said_on(e.root) for e in previous.ents
        ):
            return when, when_text
    if any(is_trigger(t) for t in previous):
        return None, None  # a meeting of its own that the sentence gives no day
    said = {e.start for e in previous.ents if said_on(e.root)}
    for ent in previous.ents:
        if ent.label_ in ("DATE", "TIME") and ent.start not in said and a_day(ent):
            resolved = resolve_date(ent.text, published, tense)
            if resolved is not None:
                return resolved, ent.text
    return None, None


# "the previous evening", "the day before", "the night before": a day before another one.
_DAY_BEFORE = re.compile(
    r"^(?:the\s+)?(?:(?:previous|preceding)\s+(?:day|evening|night|afternoon|morning)"
    r"|(?:day|evening|night)\s+before)$",
    re.I,
)


def _text_of(ent: Span) -> str:
    """A date entity's words, with a "before" the small model leaves out ("the night before"),
    without a name it runs in."""
    words = list(ent)
    while len(words) > 1 and words[0].pos_ == "PROPN" and not calendar_word(words[0].text):
        words = words[1:]  # "met Ana Ruiz two days ago" tagged one date: not the name
    text = "".join(t.text_with_ws for t in words).strip()
    after = ent.end
    if after < len(ent.doc) and ent.doc[after].lower_ == "before":
        return f"{text} before"
    return text


_COUNTS = {"a": 1, "one": 1, "the": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _days_apart(ent: Span) -> tuple[int, str] | None:
    """How many days after (or before) a date a phrase puts what it dates, with the words
    that say so: "a day after arriving on Sunday" -> (1, "a day after ..."), "two days before
    the vote on Friday" -> (-2, ...); None when the date is the day itself."""
    for node in ent.root.ancestors:
        if node.pos_ == "ADP" and node.lower_ in ("after", "before"):
            # "a day" above "after" ("A day after ...") or under it ("met B two days after")
            units = [node.head, *(c for c in node.children if c.i < node.i)]
            unit = next(
                (u for u in units if u.dep_ == "npadvmod" and u.lemma_.lower() in ("day", "week")),
                None,
            )
            if unit is None:
                return None
            count = next(
                (_COUNTS.get(c.lower_) or (int(c.text) if c.text.isdigit() else None)
                 for c in unit.children if c.dep_ in ("det", "nummod")),
                None,
            )  # fmt: skip
            if not count:
                return None
            days = count * (7 if unit.lemma_.lower() == "week" else 1)
            words = f"{' '.join(t.text for t in unit.doc[unit.left_edge.i : node.i + 1])} ..."
            return (days if node.lower_ == "after" else -days), words
        if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("pcomp", "pobj"):
            return None
    return None


def day_before(text: str | None) -> bool:
    """Whether a date expression is "the day before" some other day ("the previous evening")."""
    return text is not None and _DAY_BEFORE.match(text.strip()) is not None


def _day_before(sentence: Span, verb: Token, published: date | None) -> tuple[date, str] | None:
    """ "A said on Sunday he had met B the previous evening": the day before the other day
    the sentence names (the saying's); None without one."""
    before = next(
        (
            e
            for e in sentence.ents
            if e.label_ in ("DATE", "TIME")
            and day_before(_text_of(e))
            and _governed_by(e.root, verb)
        ),
        None,
    )
    if before is None:
        return None
    for ent in sentence.ents:
        if (
            ent.label_ in ("DATE", "TIME")
            and ent is not before
            and a_day(ent)
            and (anchor := resolve_date(ent.text, published, "past")) is not None
        ):
            return anchor - timedelta(days=1), _text_of(before)
    return None


_PART_OF_DAY = re.compile(r"\b(?:last night|tonight|this (?:morning|afternoon|evening))\b", re.I)


# Verbs of saying: the day of one is not the day of what it reports.
_SPEECH_VERBS = frozenset("say tell announce confirm report reveal disclose tweet recall".split())


def _said_on(token: Token, verb: Token) -> bool:
    """Whether a date belongs to a verb of saying other than the meeting's own."""
    for ancestor in token.ancestors:
        if ancestor.i == verb.i:
            return False  # "the meeting on Sunday": the meeting's own
        if ancestor.pos_ in ("VERB", "AUX"):
            return ancestor.lemma_.lower() in _SPEECH_VERBS
    return False


def said_on(token: Token) -> bool:
    """Whether a date belongs to a verb of saying: "the company said in a statement on Monday"
    dates the statement, not what it reports."""
    verb = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return verb is not None and verb.lemma_.lower() in _SPEECH_VERBS


def _in_a_who_clause(token: Token, verb: Token) -> bool:
    """Whether a date is told of someone in a "who" clause other than the meeting's own: "A
    received B and his wife, who attended the Mass on Sunday," dates the Mass."""
    for ancestor in token.ancestors:
        if ancestor.i == verb.i:
            return False
        if ancestor.pos_ in ("VERB", "AUX"):
            return ancestor.dep_ == "relcl" and any(
                c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("who", "whom")
                for c in ancestor.children
            )
    return False


def _governed_by(token: Token, verb: Token) -> bool:
    """Whether the token belongs to the verb's own clause (no other verb in between)."""
    for ancestor in [token, *token.ancestors]:
        if ancestor.i == verb.i:
            return True
        if ancestor.i != token.i and ancestor.pos_ in ("VERB", "AUX"):
            return False
    return False
