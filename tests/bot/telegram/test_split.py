from __future__ import annotations

import html
import random
import re

import pytest

from bot.telegram.loopback import html_error
from bot.telegram.split import split_html, utf16_len

TAG = re.compile(r"<[^<>]+>")
BROKEN_ENTITY = re.compile(r"&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)", re.IGNORECASE)
LINK = '<a href="https://x/?a=1&amp;b=2">'


def visible(text: str) -> str:
    """What Telegram shows of HTML-mode text."""
    return html.unescape(TAG.sub("", text))


def squeezed(text: str) -> str:
    return "".join(text.split())


def split_checked(text: str, limit: int) -> list[str]:
    """split_html, asserting what every split must hold."""
    parts = split_html(text, limit)
    for part in parts:
        assert utf16_len(part) <= limit, part
        assert html_error(part) is None, (html_error(part), part)
        assert "<" not in TAG.sub("", part) and ">" not in TAG.sub("", part), part
        assert not BROKEN_ENTITY.search(part), part
        assert visible(part).strip(), part
        # Whitespace goes at the cuts (text that fits is left alone).
        assert len(parts) == 1 or part == part.strip(), part
    assert squeezed(visible("".join(parts))) == squeezed(visible(text))
    return parts


def words(count: int, stem: str = "word") -> str:
    return " ".join(f"{stem}{n}" for n in range(count))


@pytest.mark.parametrize(
    ("text", "length"),
    [("", 0), ("abc", 3), ("é", 1), ("😀", 2), ("a😀b", 4), ("👍🏽", 4), ("&amp;", 5)],
)
def test_utf16_len(text: str, length: int) -> None:
    assert utf16_len(text) == length


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("Hello", 4096),
        ("", 10),
        ("  <b>bold</b> &amp; plain\n\n", 4096),
        ("x" * 4096, 4096),
        ("😀" * 2048, 4096),
        (f"{LINK}link</a>", utf16_len(f"{LINK}link</a>")),
    ],
)
def test_text_that_fits_comes_back_unchanged(text: str, limit: int) -> None:
    assert split_html(text, limit) == [text]


def test_paragraphs_are_split_at_blank_lines() -> None:
    rng = random.Random(1)
    paragraphs = [f"Paragraph {n}: {words(rng.randint(12, 18))}." for n in range(30)]
    text = "\n\n".join(paragraphs)
    parts = split_checked(text, 300)
    assert len(parts) > 5
    # Every cut fell at a blank line, so the parts put back together are the text itself.
    assert "\n\n".join(parts) == text


def test_lines_are_preferred_to_spaces() -> None:
    text = "\n".join(f"Line {n}: {words(8)}" for n in range(20))
    parts = split_checked(text, 200)
    assert "\n".join(parts) == text


def test_expandable_blockquote_is_closed_and_reopened() -> None:
    text = f"Sources:\n<blockquote expandable>{words(300)}</blockquote>\nThat's all."
    parts = split_checked(text, 200)
    assert len(parts) > 5
    assert parts[0].startswith("Sources:")
    for part in parts[1:-1]:
        assert part.startswith("<blockquote expandable>word")
        assert part.endswith("</blockquote>")
    assert parts[-1].endswith("</blockquote>\nThat's all.")


def test_link_across_cuts_is_reopened_with_its_href() -> None:
    text = f"{LINK}{words(100)}</a>"
    parts = split_checked(text, 120)
    assert len(parts) > 3
    assert all(part.startswith(LINK + "word") and part.endswith("</a>") for part in parts)


@pytest.mark.parametrize("limit", range(45, 110))
def test_link_is_never_cut(limit: int) -> None:
    text = f"{words(12)} {LINK}the story</a> after"
    for part in split_checked(text, limit):
        assert part.count("<a ") == part.count(LINK)


@pytest.mark.parametrize("limit", range(20, 70))
def test_entities_are_never_cut(limit: int) -> None:
    text = "Tom " * 8 + "&amp;" * 40 + " &lt;b&gt; &quot;q&quot; &#8364;&#x1F600; end"
    parts = split_checked(text, limit)
    assert sum(part.count("&amp;") for part in parts) == 40


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("x" * 1000, 100, ["x" * 100] * 10),
        ("<code>" + "x" * 174 + "</code>", 100, ["<code>" + "x" * 87 + "</code>"] * 2),
        ("😀" * 10, 5, ["😀😀"] * 5),
        ("😀" * 2049, 4096, ["😀" * 2048, "😀"]),
        # A skin tone stays with its emoji, an accent with its letter.
        ("👍🏽" * 5, 9, ["👍🏽👍🏽", "👍🏽👍🏽", "👍🏽"]),
        ("e\u0301" * 5, 5, ["e\u0301e\u0301", "e\u0301e\u0301", "e\u0301"]),
    ],
)
def test_words_without_spaces_are_cut_anywhere(text: str, limit: int, expected: list[str]) -> None:
    assert split_checked(text, limit) == expected


def test_nested_tags_are_closed_and_reopened_in_order() -> None:
    text = f"<b>Bold start <i>{words(200)}</i> bold end</b> plain"
    parts = split_checked(text, 100)
    assert parts[0].startswith("<b>Bold start <i>word0")
    for part in parts[1:-1]:
        assert part.startswith("<b><i>word") and part.endswith("</i></b>")
    assert parts[-1].endswith("</i> bold end</b> plain")


def test_cut_before_a_tag_leaves_no_empty_element() -> None:
    text = "x" * 10 + " <b><i>bold</i></b>"
    assert split_checked(text, 20) == ["x" * 10, "<b><i>bold</i></b>"]


def test_smallest_workable_limit() -> None:
    assert split_checked("<b>" + "x" * 3 + "</b>", 8) == ["<b>x</b>"] * 3


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("hello world", 0),
        (f"<blockquote expandable>{words(20)}</blockquote>", 30),
        ('before <a href="https://example.com/a/long/path">link</a>', 30),
        ("<b>" + "x" * 3 + "</b>", 7),
    ],
)
def test_too_small_limit_raises(text: str, limit: int) -> None:
    with pytest.raises(ValueError):
        split_html(text, limit)


PIECES = ["news", "Kyiv", "talks", "café", "&amp;", "&lt;b&gt;", "&quot;so&quot;", "&#8364;5",
          "😀", "👍🏽", "e\u0301", "x" * 70, "end."]  # fmt: skip
TAGS = ["b", "i", "u", "s", "tg-spoiler", "code", "blockquote expandable", "blockquote",
        'a href="https://x.example/?a=1&amp;b=2"', 'span class="tg-spoiler"']  # fmt: skip


def random_html(rng: random.Random, depth: int = 0) -> str:
    """Valid HTML-mode text: runs of words, entities and emoji, nested tags, line breaks."""
    out = []
    for _ in range(rng.randint(1, 8)):
        if depth < 3 and rng.random() < 0.3:
            tag = rng.choice(TAGS)
            out.append(f"<{tag}>{random_html(rng, depth + 1)}</{tag.split()[0]}>")
        else:
            out.append(" ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 15))))
        out.append(rng.choice([" ", " ", "\n", "\n\n"]))
    return "".join(out)


def deepest_tags(text: str) -> int:
    """The most that reopening and closing the tags open at any point costs."""
    stack: list[int] = []
    most = 0
    for tag in TAG.findall(text):
        if tag.startswith("</"):
            stack.pop()
        else:
            stack.append(utf16_len(tag) + len(tag.split()[0].strip("<>")) + 3)
            most = max(most, sum(stack))
    return most


def test_random_messages() -> None:
    rng = random.Random(0)
    split = raised = 0
    for _ in range(400):
        text = random_html(rng)
        limit = rng.randint(50, 400)
        try:
            parts = split_checked(text, limit)
        except ValueError:
            # Only when the tags open somewhere, plus one symbol, really don't fit.
            assert limit < deepest_tags(text) + len("&quot;"), (limit, text)
            raised += 1
            continue
        split += len(parts) > 1
    assert split > 200 and raised < 40
