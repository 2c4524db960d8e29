"""The words of meetings and of the calendar, in one place: the extractor (ingest), the question
reader and the question-time passage reader all use these.

Meetings are said with verbs ("met", "hosted", "was received by", "sat down with", "shook
hands with") and with nouns ("talks between", "a summit of", "their meeting"), and English news
uses a small, stable set of both. Words here are general English, never the wording of one
article.
"""

from __future__ import annotations

import re

__all__ = [
    "CALENDAR_WORDS",
    "CALL_VERBS",
    "EVENT_NOUNS",
    "GROUP_WORDS",
    "HOLD_VERBS",
    "INSTITUTION_WORDS",
    "MEETING_WORDS",
    "MEET_VERBS",
    "MONTHS",
    "MONTH_NUMBERS",
    "MONTH_PATTERN",
    "PERSONAL_TITLES",
    "TALK_VERBS",
    "VENUE_NOUNS",
    "WEEKDAYS",
    "calendar_word",
    "inflections",
]


# Verbs whose object is the person met ("met X", "hosted X", "was received by X"); "visit" may
# take a place instead.
MEET_VERBS = frozenset("meet visit host receive welcome greet see join embrace hug".split())
# Verbs that take the other side with "with" / "to": "spoke with", "sat down with", "shook hands
# with", "talked to", "conferred with".
TALK_VERBS = frozenset(
    "speak talk chat confer negotiate meet dine sit phone shake huddle lunch".split()
)
CALL_VERBS = frozenset("call phone telephone ring".split())
# Nouns of a meeting: "held talks with", "a summit between", "their meeting", "an audience".
EVENT_NOUNS = frozenset(
    """talk talks meeting summit call conversation discussion discussions visit audience dinner
    lunch breakfast encounter bilateral tete-a-tete handshake""".split()
)
# Verbs that carry an event noun: "held talks", "had a meeting", "paid a visit".
HOLD_VERBS = frozenset(
    """hold have conduct attend host begin start open conclude make pay chair convene set
    arrange organise organize schedule""".split()
)
# Words that stand for the people of a meeting named before: "the two", "they", "both men".
GROUP_WORDS = frozenset("they their both two them pair duo".split())

# Common nouns of the rooms and buildings people meet in: "in his Lyon office", "at the royal
# palace", "at her residence in Nice".
VENUE_NOUNS = frozenset(
    """office offices residence residences palace home house headquarters hotel embassy
    consulate villa lodge ranch resort mansion compound estate chancellery ministry library
    garden gardens tower hall chamber chambers room studio""".split()
)

# Any form of the words above as written: a sentence without one is not read for a meeting.
MEETING_WORDS = re.compile(
    r"\b(meet|meets|meeting|meetings|met|talks?|talked|talking|visit|visits|visited|visiting|"
    r"host|hosts|hosted|hosting|receive|receives|received|receiving|welcome|welcomes|welcomed|"
    r"welcoming|greet|greets|greeted|greeting|call|calls|called|phoned|spoke|speak|speaks|"
    r"speaking|summit|summits|sat down|sit down|sits down|sitting down|conferred|dined|"
    r"audience|embraced?|embracing|hugged|shook hands|shake hands|shakes hands|shaking hands|"
    r"lunch|lunched|dinner|breakfast|dine|dines|dining|introduced|introduces|"
    r"ran into|run into|runs into|running into|bumped into|"
    r"bilateral|face-to-face|face to face|tete-a-tete|huddled|to see)\b",
    re.I,
)


def inflections(verbs: frozenset[str]) -> frozenset[str]:
    """The written forms of verbs ("hope" -> hopes, hoped, hoping), for when the small
    model's lemma is wrong ("hopes" -> "hop", "dined" -> "din"); a made-up form matches
    nothing."""
    return frozenset(
        form
        for verb in verbs
        for form in (
            verb, verb + "s", verb + "d", verb + "ed", verb + verb[-1] + "ed", verb + "ing",
            verb[:-1] + "ing", verb[:-1] + "ied", verb[:-1] + "ies", verb + "es",
        )
    )  # fmt: skip


MONTHS = (
    "january february march april may june july august september october november december"
).split()
# Month names and their abbreviations, by number ("sept" is September).
MONTH_NUMBERS = {
    name: number
    for number, month in enumerate(MONTHS, start=1)
    for name in {month, month[:3], *(("sept",) if month == "september" else ())}
}
# A regular-expression alternation of those, the longest first ("june" before "jun").
MONTH_PATTERN = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CALENDAR_WORDS = frozenset([*MONTHS, *WEEKDAYS])
_CALENDAR_SHORT = frozenset([*MONTH_NUMBERS, *(d[:3] for d in WEEKDAYS), "tues", "thurs"])


def calendar_word(word: str) -> bool:
    """Whether a word names a month or a weekday, in full or short ("Nov.", "Tues")."""
    bare = word.lower().rstrip(".")
    return bare in CALENDAR_WORDS or bare in _CALENDAR_SHORT


# Nouns that make a name an institution, a building or a gathering, never a person: "the White
# House", "the Foreign Ministry", "the Security Council", "the Grand Hotel", "the Asia Forum".
INSTITUTION_WORDS = frozenset(
    """house office palace ministry department forum council committee commission assembly
    parliament congress senate court university college school institute tower hotel hall
    square summit league federation association union party bank agency embassy consulate
    church cathedral mosque temple see government administration cabinet army navy police
    company corporation group foundation organisation organization club team airport
    station stadium centre center museum conference games olympics cup championship
    times post news press herald journal tribune gazette guardian telegraph network bureau
    authority board fund trust labs laboratory inc corp ltd llc plc holdings partners service
    services""".split()
)


# Titles written right before a person's name, capitalised: "PM Talvela", "President Elgin",
# "Archbishop Moro". What follows one is a person whatever the tagger calls it (the small
# model reads "Nauru PM Talvela" as a work of art).
PERSONAL_TITLES = frozenset(
    """mr mrs ms dr sir dame lord lady prof professor president premier pm chancellor king
    queen prince princess emperor pope senator sen rep congressman congresswoman governor
    mayor ambassador envoy minister secretary archbishop bishop cardinal rev reverend
    rabbi imam sheikh emir sultan gen col lt sgt capt adm marshal""".split()
)
