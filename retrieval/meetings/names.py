"""People's names within one article: "Ms Truss" is the "Liz Truss" the article names in full,
and titles ("US Secretary of State") are not part of a name."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from retrieval.meetings.vocab import CALENDAR_WORDS, INSTITUTION_WORDS, PERSONAL_TITLES
from retrieval.store.events import TITLE_WORDS, normalize_name, same_person

__all__ = ["ArticleNames", "display_name", "is_title_case", "looks_like_a_person"]


_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*)+")
# Capitalised only because they start a sentence: never the first word of a name.
_FUNCTION_WORDS = frozenset(
    "a an as at but by during for from however if in meanwhile on since so then there these "
    "this those though when where while with yet after before although because".split()
)
# Capitalised pronouns that open a sentence or a quote: never the end of a name.
_PRONOUNS = frozenset("I We You He She They It".split())
# English words long enough never to be part of a name in any language (unlike "So", "An" or
# "In", Korean surnames): a capitalised run holding one is a headline's.
_HEADLINE_WORDS = frozenset(
    "after before because although however meanwhile though during while when where there "
    "these those this with from into about against".split()
)
# Capitalised words that end a run without being part of the name: "... Joe Biden Tuesday".
_CALENDAR = CALENDAR_WORDS


# Nouns a definite "the ..." uses for a thing or a crowd, never for one person named before.
_NOT_ROLES = frozenset(
    """meeting talks summit visit call time day week year country city capital government
    company team group people crowd public press media statement report""".split()
)


_BYLINE = re.compile(
    r"^By\s+((?:[A-Z][\w'’.-]*\s?){1,4}(?:(?:,|\s+and)\s+(?:[A-Z][\w'’.-]*\s?){1,4})*)"
    r"(?:\s*[-–—|,]|\s*$)"
)


class ArticleNames:
    """The people an article names in full, so that short mentions resolve to them."""

    def __init__(self, title: str, passages: Iterable[str], preferred: Iterable[str] = ()) -> None:
        # `preferred`: the names a question asks about; a short mention resolves to one of
        # them before a more frequent full name of the article ("Elgin" is the "Tomas Elgin"
        # asked about, not a headline's "Lyonbank Elgin").
        self.preferred = {normalize_name(n): n for n in preferred if len(n.split()) >= 2}
        counts, self._text, self._body, self.bylines = _read_names(title, tuple(passages))
        self.full_names = Counter(counts)  # the cached one stays as read
        self._resolved: dict[str, str] = {}

    def by_role(self, noun: str) -> str | None:
        """The one person the article gives a role noun to, before the name or after it
        ("trade commissioner Ana Talvela", "Ana Talvela, the commissioner"), so that "the
        commissioner" stands for her; None when no one or several people hold it."""
        if not noun.isalpha() or noun.lower() in _NOT_ROLES:
            return None
        holders = set()
        for full in self.full_names:
            name = re.escape(full)
            before = rf"\b{noun}\s+{name}\b"
            after = rf"\b{name},\s+(?:the|a|an|its|their)\s+(?:[\w'’-]+\s+){{0,3}}?{noun}\b"
            if re.search(before, self._text, re.I) or re.search(after, self._text, re.I):
                holders.add(full)
        return holders.pop() if len(holders) == 1 else None

    def names_no_one(self, name: str) -> bool:
        """Whether the article writes a name as a team's or a place's, not a person's: "the
        Harbour Rays" (a plural after "the"), "in Port Orla" (a place no one is "in")."""
        quoted = re.escape(name)
        alone = r"(?!['’]s\b)(?!\s+[A-Z])"
        plural = name.endswith("s") and not name.endswith("ss")
        if plural and re.search(rf"\bthe\s+{quoted}\b{alone}", self._text):
            return True
        # (what follows a place is a stop or a preposition: "in Port Orla on Monday", not
        # "a rise in Ruiz support")
        after_a_place = (
            r"(?=\s*[,.;:)]|\s+(?:on|in|at|last|this|next|to|for|and|with|where|when)\b)"
        )
        return re.search(rf"\bin\s+{quoted}\b{alone}{after_a_place}", self._text) is not None

    def is_author(self, name: str) -> bool:
        """Whether a name is one of the article's authors (its byline)."""
        return any(same_person(name, author) for author in self.bylines)

    def resolve(self, mention: str) -> str:
        """The full form of a mention: "Ms Varga" -> "Ana Varga" when the article has it; not
        a full name the article gives only after it used the short form, which is someone
        else's ("President Ruiz said ..." before "his wife, Ana Ruiz")."""
        if (known := self._resolved.get(mention)) is None:
            known = self._resolved[mention] = self._resolve(mention)
        return known

    def _resolve(self, mention: str) -> str:
        clean = display_name(mention)
        tokens = normalize_name(clean).split()
        if not tokens:
            return clean
        for key, name in self.preferred.items():
            # the surname of the person asked about, whatever else the article runs it into
            # ("Lyonbank Elgin-Ruiz" in a run of capitals)
            if tokens[-1] == key.split()[-1] and set(tokens) <= set(key.split()):
                return name
        best: tuple[int, int, int, str] | None = None
        for full, count in self.full_names.items():
            full_tokens = normalize_name(full).split()
            if len(full_tokens) <= len(tokens) or not set(tokens) <= set(full_tokens):
                continue
            if self._used_before(clean, full):
                continue
            # The surname (last token) matching is the strongest sign of the same person.
            rank = (
                int(normalize_name(full) in self.preferred),
                int(full_tokens[-1] == tokens[-1]),
                count,
                full,
            )
            if best is None or rank[:3] > best[:3]:
                best = rank
        return best[3] if best else clean

    def stands_for(self, mention: str, person: str) -> bool:
        """Whether a mention ("Elgin", a question's name) can be a person the article names
        ("Mira Elgin"): not when the article's full form of the mention is someone else, nor
        when it gives that person in full but the mention does not resolve to them."""
        full = self.resolve(mention)
        if not same_person(person, full):
            return False
        if len(person.split()) <= len(full.split()):
            return True
        known = {normalize_name(f) for f in self.full_names}
        return normalize_name(person) not in known

    def _used_before(self, short: str, full: str) -> bool:
        """Whether the full name is a relative's ("his wife, Ana Ruiz", "first lady Ana
        Ruiz") whom the article introduces after it used the short form: news names a person
        in full first, so the short form was someone else's."""
        words = full.split()
        name = r"[\s.]+".join(map(re.escape, words))
        introduced = re.search(rf"\b{_RELATIVES}\W+(?:\w+\W+)?{name}", self._body, re.I)
        if introduced is None:
            return False
        surname = re.escape(short.split()[-1])
        return re.search(rf"\b{surname}\b", self._body[: introduced.start()]) is not None


# Words that introduce someone as another's relative.
_RELATIVES = (
    r"(?:wife|husband|first lady|first gentleman|son|daughter|mother|father|brother|sister|"
    r"widow|widower|partner|spouse|niece|nephew|cousin|grandson|granddaughter)"
)


# An answer builds the names of the same few articles several times (the question-time reader,
# the completion of each meeting, the names a question requires), and the next answer often
# those of the same articles again: they depend on the texts alone.
@functools.lru_cache(maxsize=512)
def _read_names(
    title: str, passages: tuple[str, ...]
) -> tuple[Counter[str], str, str, frozenset[str]]:
    """An article's full names with how often each is given, its whole text, its body, its
    authors."""
    counts: Counter[str] = Counter()
    # A headline in title case ("Leader Is Welcomed To Capital") is one capitalised run:
    # its names are found in the body instead.
    for text in (title, *passages) if not is_title_case(title) else passages:
        for match in _CAPITALISED_RUN.finditer(text):
            if match.group(0).isupper():
                continue  # a dateline or a caption in capitals ("PORTO VERDE - ..."): no one
            for full in _names_in_run(match.group(0)):
                counts[full] += 1
    # "By Ana Ruiz and Tom Kell - 9 March": the authors, never people in the story.
    bylines = frozenset(
        name
        for text in passages
        for line in text.splitlines()
        if (byline := _BYLINE.match(line.strip()))
        for name in (n.strip() for n in re.split(r",\s*|\s+and\s+", byline.group(1)))
        if len(name.split()) >= 2
    )
    return counts, "\n".join((title, *passages)), "\n".join(passages), bylines


def is_title_case(text: str) -> bool:
    """Whether a headline capitalises most of its words ("Leader Is Welcomed To Capital"):
    its capitals say nothing of names, and the parser reads it badly."""
    words = [w for w in text.split() if w[:1].isalpha()]
    # Sentence case writes its verbs and nouns in lower case ("Ana Ruiz meets Tomas Elgin in
    # Porto"); title case leaves at most the short words so ("Leader Is Welcomed to Capital").
    if any(w[:1].islower() and len(w) >= 4 for w in words[1:]):
        return False
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) / len(words) > 0.6


def _names_in_run(run: str) -> list[str]:
    """The full names (two to four words, titles and nationalities dropped) that a run of
    capitalised words ends its sentences with: "Norland President Teo Ruiz Varga" ->
    "Teo Ruiz Varga"; "... joined Dave Elgin. Elgin, ..." -> "Dave Elgin"."""
    raw = run.split()
    # "on Friday. Olek Brandt said": a word with a full stop after it (not an initial, not an
    # abbreviation such as "U.S." or "St.") ends a sentence, and the next name starts after it.
    ends = [i for i, w in enumerate(raw) if len(w) >= 4 and w.endswith(".") and "." not in w[:-1]]
    starts = [0, *(i + 1 for i in ends)]
    found = []
    for start, end in zip(starts, [*(i + 1 for i in ends), len(raw)], strict=True):
        if (name := _name_in(raw[start:end])) is not None:
            found.append(name)
    return found


def _name_in(raw: list[str]) -> str | None:
    """The full name one sentence's part of a capitalised run ends with, or None."""
    words = [_without_stop(w.strip(",;:")) for w in raw]
    while words and words[-1].lower() in _CALENDAR:
        words.pop()
    # "Portugal's Elgin", "Lyonbank's Ana Ruiz": the owner is no part of the name; a name
    # never ends on a word that only starts sentences ("Xi Jinping But").
    owners = [i for i, w in enumerate(words) if re.search(r"['’]s$", w)]
    if owners:
        words = words[owners[-1] + 1 :]
    while words and (words[-1].lower() in _FUNCTION_WORDS or words[-1] in _PRONOUNS):
        words.pop()
    # The name is the run after its last title word.
    titles = [i for i, w in enumerate(words) if w.lower() in TITLE_WORDS]
    if titles:
        words = words[titles[-1] + 1 :]
    while words and words[0].lower() in _FUNCTION_WORDS:
        words.pop(0)
    if not 2 <= len(words) <= 4:
        return None
    if all(w.isupper() and len(w) > 2 for w in words):
        # "BARACK OBAMA said": a lead's or caption's capitals, not how the name is written.
        words = [w.capitalize() for w in words]
    return " ".join(words)


def _without_stop(word: str) -> str:
    """A word of a name without a full stop after it, unless it is an initial or an
    abbreviation, which the name keeps as written ("Tomas J. Elgin", "Teo Varga Jr.")."""
    if word.endswith(".") and not (len(word) == 2 or word[:-1].lower() in ("jr", "sr", "st")):
        return word.rstrip(".")
    return word


def display_name(mention: str) -> str:
    """A mention without leading titles or a possessive: "Mr Blinken's" -> "Blinken"."""
    words = re.sub(r"['’]s$", "", mention.strip()).split()
    while len(words) > 1 and words[0].lower().strip(".,") in TITLE_WORDS:
        words.pop(0)
    # "Norland PM Talvela", "Corvia Senator Ana Ruiz": what comes before a title is
    # the role's, not the name's
    inner = [i for i, w in enumerate(words[:-1]) if i and w.lower().strip(".,") in PERSONAL_TITLES]
    if inner:
        words = words[inner[-1] + 1 :]
    while len(words) > 1 and words[-1] in _PRONOUNS:
        words.pop()  # "Lumo I", "Lumo We": a quote's first word run on
    return " ".join(words).strip(" ,.;:")


def looks_like_a_person(name: str) -> bool:
    """Whether a name can be a person's: no digits ("G7"), not an acronym or a dateline in
    capitals ("NATO", "PORT VERDE"), no institution's noun ("White House", "Grand Hotel")."""
    words = [w for w in re.split(r"[\s-]+", name.strip()) if w]
    if not words or any(ch.isdigit() for ch in name):
        return False
    letters = [w for w in words if any(c.isalpha() for c in w)]
    if letters and all(w.isupper() and len(w.strip(".")) > 1 for w in letters):
        return False
    if any(w.lower() in _HEADLINE_WORDS for w in words):
        return False  # a headline's words, "Reveal After Lyonbank": no one's name
    return not any(w.lower().strip(".,'’") in INSTITUTION_WORDS for w in words)
