"""Page furniture removal: pure functions from a raw body to the article's real paragraphs.

Archive pages keep what sat around the article: photo captions (often twice), "READ MORE" and a
linked headline, bylines and date lines, "Updated: ..." stamps, section labels in capitals
("EDITOR'S PICKS", "NEWSLETTERS", "MORE FROM ..."), teaser links to other stories. Every rule here
names a kind of furniture, not a particular page.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from retrieval.safety import strip_controls

__all__ = ["SHORT_LINE_WORDS", "clean_paragraphs", "content_hash", "normalise", "paragraphs_of"]

# A line that announces a link to another story; the next line is that story's headline.
_LINK_LABEL = re.compile(
    r"^(read more|read also|also read|more on this|related|related articles?|see also|"
    r"recommended|you may also like|most read)\s*:?\s*$",
    re.IGNORECASE,
)
# A line that *is* a link to elsewhere: "Read more: ...", "Live updates: ...", "Sign up ...".
_LINK_LINE = re.compile(
    r"^(read more|read also|also read|related|see also|live updates?|live|watch|listen|"
    r"sign up|subscribe|follow us|click here|download our app)(\s*[:|]\s|\s+[-–—]\s)",
    re.IGNORECASE,
)
_STAMP = re.compile(
    r"^(updated|published|last updated|first published|posted|modified)\s*(:|on\b)[^.!?]*\d",
    re.IGNORECASE,
)
SHORT_LINE_WORDS = 12  # labels, stamps and links are short; a real paragraph rarely is
_TEASER = re.compile(
    r"^(an image that illustrates this article|image:|photo:|picture:|video:|gallery:)|"
    r"(story gallery icon|video icon)\s*$",
    re.IGNORECASE,
)
_MONTHS = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^({_MONTHS}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"([\s,]+\d{1,2}:\d{2}\s*(am|pm)?\s*\w{0,5})?$",
    re.IGNORECASE,
)
_CREDIT = (
    r"(getty( images)?|reuters|afp|ap( photo)?|epa(-efe)?|pa( media| wire)?|bloomberg|"
    r"shutterstock|alamy|anadolu|xinhua|efe|wana|the national)"
)
# A caption ends with the picture agency's name after the sentence: "... in Odessa. Reuters".
_CAPTION_CREDIT = re.compile(rf"[.!?)”\"]\s+(photo:\s*)?{_CREDIT}(\s*/\s*[\w .]+)?\.?$", re.I)
# The agencies' own caption format: "LONDON, ENGLAND - MARCH 08: ...".
_AGENCY_CAPTION = re.compile(r"^[A-Z][A-Z .,'-]+ - [A-Z]+ \d{1,2}:\s")
_PHOTO_BY = re.compile(r"^\(?(photo|picture|image)s? (by|credit|courtesy)\b", re.IGNORECASE)
_BYLINE_NAME = re.compile(r"^(by\s+)?[A-Z][\w'’.-]+(\s+[A-Z][\w'’.-]+){1,3}$")


def paragraphs_of(text: str) -> list[str]:
    """Split a body into blocks at blank lines; each block a list of stripped lines joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [block for block in re.split(r"\n\s*\n", text) if block.strip()]


def _is_section_label(line: str) -> bool:
    """A short line in capitals with no sentence in it: 'EDITOR'S PICKS', 'MORE FROM X'."""
    words = line.split()
    letters = [c for c in line if c.isalpha()]
    return (
        0 < len(words) <= 6
        and bool(letters)
        and all(c.isupper() for c in letters)
        and not line.rstrip().endswith((".", "?", "!", "”", '"'))
    ) or (line.upper().startswith("MORE FROM ") and len(words) <= 6 and ":" not in line)


def _is_caption(line: str) -> bool:
    return bool(
        _CAPTION_CREDIT.search(line) or _AGENCY_CAPTION.match(line) or _PHOTO_BY.match(line)
    )


# A widget's placeholder left between two sentences of a scraped paragraph: "... think.
# Loading Ana Ruiz had seen ...", "... said. Advertisement The talks ...".
_PLACEHOLDER = re.compile(
    r"(?<=[.!?”\"’]) (?:Loading|Advertisement|ADVERTISEMENT)(?:\.\.\.|…)?(?= [A-Z“\"])"
)


def _clean_block(lines: list[str]) -> list[str]:
    """Drop furniture lines from one block; what is left are paragraph lines."""
    kept: list[str] = []
    skip_next = False
    for i, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if _LINK_LABEL.match(line):
            skip_next = True  # the linked headline follows the label
            continue
        short = len(line.split()) <= SHORT_LINE_WORDS
        if (
            (short and (_LINK_LINE.match(line) or _STAMP.match(line)))
            or _TEASER.search(line)
            or _DATE_LINE.match(line)
            or _is_section_label(line)
            or _is_caption(line)
        ):
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _BYLINE_NAME.match(line) and _DATE_LINE.match(following):
            continue  # "Soraya Ebrahimi" above "Mar 08, 2022"
        kept.append(_PLACEHOLDER.sub("", line))
    return kept


def clean_paragraphs(text: str) -> list[str]:
    """The article's real paragraphs, in order, once each.

    Lines inside a block are judged one by one. A block whose lines read as one hard-wrapped
    paragraph is joined, unless most of its lines are furniture (a stack of labels and links);
    a wrapped paragraph with one unlucky line is judged whole. A paragraph that occurs more
    than once is a caption or a pull quote shown twice, so every copy goes. No control
    character is left (whoever calls it), and cleaning what it returns changes nothing.
    """
    paragraphs: list[str] = []
    for block in paragraphs_of(strip_controls(text)):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        kept = _clean_block(lines)
        wrapped = len(lines) > 1 and not any(map(_looks_standalone, lines[:-1]))
        if wrapped and len(kept) * 2 > len(lines):
            paragraphs.extend(_clean_block([" ".join(lines)]))
        else:
            paragraphs.extend(kept)
    counts = Counter(paragraphs)
    return [p for p in paragraphs if counts[p] == 1]


def _looks_standalone(line: str) -> bool:
    """Whether a line ends like a paragraph (so the block holds several, not one wrapped one)."""
    return line.rstrip().endswith((".", "?", "!", "”", '"', ":"))


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form used for the content hash."""
    return " ".join(text.lower().split())


def content_hash(title: str, paragraphs: list[str]) -> str:
    """sha256 of the normalised title and body: the same article from anywhere hashes alike."""
    payload = normalise(title) + "\n" + normalise("\n".join(paragraphs))
    return hashlib.sha256(payload.encode()).hexdigest()
