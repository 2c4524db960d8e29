"""The people a participant phrase names, read from spaCy's parse: its run of proper nouns,
its conjuncts and appositions, the person a pronoun stands for, a title before a name kept as a
role ("Foreign Minister Ana Talvela" is Ana Talvela, a foreign minister), short mentions made the
full name the article gives. `Context` carries an article's names, roles and last person from
one sentence to the next."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from retrieval.meetings.names import ArticleNames, display_name, looks_like_a_person
from retrieval.meetings.vocab import (
    EVENT_NOUNS,
    MEET_VERBS,
    PERSONAL_TITLES,
    TALK_VERBS,
    calendar_word,
)
from retrieval.store.events import TITLE_WORDS, normalize_name, same_person

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "Context",
    "names_a_thing",
    "one_other_person",
    "people_of",
    "person_of",
    "role_holder",
    "surname_of_someone",
]


_PLACE_LABELS = {"GPE", "LOC", "FAC"}


_PERSONISH = {"PERSON", "ORG", "NORP", "FAC", ""}


_NUMERIC_LABELS = frozenset("DATE TIME CARDINAL ORDINAL MONEY PERCENT QUANTITY".split())


_PRONOUNS = {"he", "she"}


# A proper noun before one of these is a party to it ("the Varga visit"), not its name.
_EVENT_WORDS = EVENT_NOUNS | MEET_VERBS | TALK_VERBS


class Context:
    """What carries across the sentences of one article: its names and the last person."""

    def __init__(self, names: ArticleNames) -> None:
        self.names = names
        self.last_person: str | None = None
        self.roles: dict[str, str] = {}  # full name -> role, as the article first gives it
        self.last_group: tuple[str, ...] = ()  # the people of the article's latest event


def people_of(token: Token, context: Context) -> list[str]:
    """The people (or organisations) a participant phrase names, with its conjuncts and the
    people inside the phrase ("Prime Minister Fumio Kishida and President Yoon Suk Yeol" is
    sometimes parsed as one noun phrase)."""
    found = []
    heads = [token, *token.conjuncts]
    for head in heads:  # grows: "Chile's minister, Valentina Rojas, and Argentina's minister,
        # Martin Quiroga" is parsed with the second minister a conjunct of the apposition
        person = person_of(head, context)
        if person:
            found.append(person)
        for child in head.children:
            if child.dep_ == "appos":
                person = person_of(child, context)
                if person:
                    found.append(person)
                heads += [c for c in child.conjuncts if c not in heads]
    phrase = {t.i for t in _phrase(token)}
    for ent in token.doc.ents:
        if (
            ent.label_ == "PERSON"
            and ent.root.i in phrase
            and ent.root.i != token.i
            and not names_a_thing(ent.root)
            and not _owner_of_a_named_role(ent.root)
        ):
            person = person_of(ent.root, context)
            if person and person not in found:
                found.append(person)
    return found


def _owner_of_a_named_role(token: Token) -> bool:
    """ "Porto's harbour master, Ines Varga": whose role it is, not someone there; the role's
    holder is named beside it."""
    owned = token.head
    return (
        token.dep_ == "poss"
        and owned.pos_ == "NOUN"
        and any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in owned.children)
    )


def _own_subject(pronoun: Token, context: Context) -> str | None:
    """The person the pronoun's sentence opens with as its main subject, when the pronoun is
    in a clause under it: "A is due to fly to Riga, where he will meet C" (he = A)."""
    root = pronoun.sent.root
    if pronoun.head.i == root.i:
        return None  # the main clause's own "he": the sentence before says who
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.i > pronoun.i:
        return None
    if subject.pos_ != "PROPN":
        # a surname opening the sentence, tagged a common noun: a person the article names
        full = context.names.resolve(subject.text) if subject.is_title else ""
        return full if len(full.split()) >= 2 else None
    return person_of(subject, context)


def _phrase(token: Token) -> Iterable[Token]:
    """A noun phrase without its clauses and prepositional phrases (who, which, in ...)."""
    yield token
    for child in token.children:
        if child.dep_ not in ("relcl", "acl", "advcl", "prep", "punct", "cc"):
            yield from _phrase(child)
        elif child.dep_ == "cc":
            yield child


def person_of(token: Token, context: Context) -> str | None:
    """The name a participant token stands for, resolved within the article, or None when it
    is a place, a date, a pronoun without a known person, or a common noun."""
    if token.lower_ in _PRONOUNS:
        # "A is due to fly to Riga, where he will meet C": the person the sentence is about
        # before the one the sentence before was about.
        return _own_subject(token, context) or context.last_person
    if token.pos_ != "PROPN":
        # "Varga held talks with Ruiz": a surname opening a sentence, tagged a common noun,
        # is the person the article names in full with it
        return surname_of_someone(token, context) or role_holder(token, context)
    titled = _after_a_title(token)
    # "met Ana Ruiz two days ago" tagged one date: a name is no word of a date
    misdated = token.ent_type_ in _NUMERIC_LABELS and not calendar_word(token.text)
    if token.ent_type_ and token.ent_type_ not in _PERSONISH and not titled and not misdated:
        # The small model calls some people places ("Infantino" as a GPE): a lone word that
        # the article names in full elsewhere is that person.
        full = context.names.resolve(token.text)
        surname = full.split()[-1] == token.text  # "Gianni Infantino", not "Washington DC"
        a_place = any(e.text == full for e in token.doc.ents if e.label_ in _PLACE_LABELS)
        # (a lone "Brant" tagged a product is the article's "Louis Brant" too)
        if token.ent_type_ not in _NUMERIC_LABELS and len(full.split()) >= 2 and surname:
            return None if a_place else full  # "San Francisco" is not Mr Francisco
        return None
    if token.ent_type_ == "PERSON" or token.ent_type_ == "ORG":
        span = _entity_of(token)
        words = [t for t in span if t.i <= token.i or t.pos_ == "PROPN"]
        text = _as_written(words)
    else:
        text = _as_written(_propn_run(token))
    name = display_name(text)
    if not name or normalize_name(name) == "" or name.split()[-1].lower() in TITLE_WORDS:
        return None  # a role ("the FIFA President"), not a name
    resolved = context.names.resolve(name)
    if context.names.is_author(resolved):
        return None  # the article's author, not someone in the news
    if (
        len(normalize_name(resolved).split()) < 2
        and token.ent_type_ not in ("PERSON", "ORG")
        and not titled
    ):
        return None  # a lone capitalised word that is no one the article names in full
    if resolved not in context.roles and (role := _role(token, name)):
        context.roles[resolved] = role
    return resolved


def surname_of_someone(token: Token, context: Context) -> str | None:
    """The article's full name a capitalised common-noun token is the surname of, or None."""
    if (
        token.pos_ not in ("NOUN", "ADJ")
        or not token.is_title
        or token.ent_type_ in _NUMERIC_LABELS
    ):
        return None
    full = context.names.resolve(token.text)
    words = full.split()
    return full if len(words) >= 2 and words[-1] == token.text else None


def one_other_person(doc: Doc | Span, names: Sequence[str], context: Context) -> list[str]:
    """The one person a parsed sentence (or a part of one) names besides `names` (as a
    list), or none."""
    found = {
        person
        for ent in doc.ents
        # (the small model calls some people organisations)
        if ent.label_ in ("PERSON", "ORG")
        and (person := person_of(ent.root, context))
        and looks_like_a_person(person)
        and len(person.split()) >= 2
        and not any(same_person(person, n) for n in names)
    }
    return list(found) if len(found) == 1 else []


def role_holder(token: Token, context: Context) -> str | None:
    """The person "the commissioner" stands for: a definite singular common noun the article
    ties to one person's name ("trade commissioner Ana Talvela")."""
    if token.tag_ != "NN" or not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
        return None
    return context.names.by_role(token.lower_)


def names_a_thing(token: Token) -> bool:
    """ "visiting the Lyon grotto", "the Varga memorial": a proper noun before a common noun
    names the thing, even a person's name, not someone met; a role stays ("the Norland
    minister Ana Ruiz" is a person's)."""
    head = token.head
    return (
        token.dep_ == "compound"
        and head.pos_ == "NOUN"
        and head.i > token.i
        and head.lower_ not in TITLE_WORDS
        and head.lemma_.lower() not in _EVENT_WORDS
        and not any(c.pos_ == "PROPN" and c.i > head.i for c in head.children)
    )


def _after_a_title(token: Token) -> bool:
    """ "PM Talvela", "Senator Ortiz Vega": the name right after a capitalised personal
    title is a person's, one word or more."""
    first = token
    while first.i and first.i > token.i - 3:
        before = token.doc[first.i - 1]
        if before.lower_.rstrip(".") in PERSONAL_TITLES and before.text[:1].isupper():
            return True  # (the small model may call "PM" a noun)
        if before.pos_ != "PROPN":
            return False
        first = before
    return False


def _role(token: Token, name: str) -> str | None:
    """The title before a name, kept as the person's role: "US Secretary of State" in "US
    Secretary of State Antony Blinken"; None when there is none."""
    doc = token.doc
    first = name.split()[0]
    start = next(
        (t.i for t in reversed(doc[max(0, token.i - 6) : token.i + 1]) if t.text == first),
        token.i,
    )
    words: list[Token] = []
    for t in doc[token.left_edge.i : start]:
        if t.text in ("-", "–", "—", ":", "|"):
            words = []  # "LYON (Wire) - President Ana Ruiz": the dateline is no part of it
        elif t.dep_ not in ("det", "poss", "case", "punct") and t.pos_ not in ("PRON", "DET"):
            words.append(t)
    if not words or len(words) > 7 or not any(t.lower_ in TITLE_WORDS for t in words):
        return None
    if words[-1].lower_ in ("of", "and"):
        return None
    return " ".join(t.text for t in words)


def _as_written(words: Sequence[Token]) -> str:
    """Tokens as the text has them: "Lee Dae-ho", not "Lee Dae - ho"."""
    out = ""
    for previous, word in zip([None, *words[:-1]], words, strict=True):
        if previous is not None and previous.i + 1 == word.i:
            out += previous.whitespace_
        elif previous is not None:
            out += " "
        out += word.text
    return out.strip()


def _entity_of(token: Token) -> Span:
    """The entity a token is in, from after its last "and" or comma before the token: the
    small model tags "Ruiz and Varga" as one name."""
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            cuts = [t.i for t in ent if t.pos_ == "CCONJ" or t.text == ","]
            start = max((i + 1 for i in cuts if i < token.i), default=ent.start)
            end = min((i for i in cuts if i > token.i), default=ent.end)
            return doc[start:end]
    return doc[token.i : token.i + 1]


def _propn_run(token: Token) -> list[Token]:
    """The contiguous proper nouns ending at the token (its compound name), titles included;
    `display_name` drops the titles."""
    doc = token.doc
    start = token.i
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ in ("compound", "flat", "nmod")
        # "the President of the United States Donald Trump": stop at another entity.
        and doc[start - 1].ent_type_ in ("", token.ent_type_)
    ):
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].head.i == token.i:
        end += 1
    return list(doc[start:end])
