from __future__ import annotations

import json

import pytest

from ingest.formats import detect, parse_archive, parse_feed, parse_html, parse_json
from retrieval.errors import SourceError
from tests.support.hostile import hostile_feeds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (" date 2022-03-08 Headline\n\nBody.", "archive"),
        ('[{"title": "t"}]', "json"),
        ('\ufeff{"title": "t"}\n{"title": "u"}', "json"),
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', "feed"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
        ("<!DOCTYPE html><html><body>x</body></html>", "html"),
    ],
)
def test_detect(text: str, kind: str) -> None:
    assert detect(text) == kind


@pytest.mark.parametrize("text", ["hello world", "date 22-3-8 no", "# README\n"])
def test_detect_refuses_unknown(text: str) -> None:
    with pytest.raises(SourceError, match="unrecognised format"):
        detect(text)


def test_archive_with_optional_headers() -> None:
    text = "date 2025-03-10 Talks set\noutlet: The Ledger\nurl: https://x.example/a\n\nBody one.\n"
    [article], problems = parse_archive(text, "a.txt")
    assert (article.title, article.outlet, article.url) == (
        "Talks set",
        "The Ledger",
        "https://x.example/a",
    )
    assert article.published_at is not None and article.published_at.isoformat().startswith(
        "2025-03-10"
    )
    assert article.body.strip() == "Body one."
    assert problems == []


def test_archive_without_body_is_an_error() -> None:
    with pytest.raises(SourceError, match="no body"):
        parse_archive("date 2025-03-10 Title only\n\n", "a.txt")


def test_json_fields_and_bad_items() -> None:
    items = [
        {"title": "A", "body": "Para.", "published_at": "2023-10-01T12:00:00+00:00", "url": "u1",
         "source": "Outlet", "author": "Ann"},
        {"title": "B", "text": "Para.", "date": "2023-10-02"},
        {"title": "C"},
        "not an object",
    ]  # fmt: skip
    articles, problems = parse_json(json.dumps(items), "c.json")
    assert [a.title for a in articles] == ["A", "B"]
    assert articles[0].outlet == "Outlet" and articles[0].author == "Ann"
    assert articles[1].published_at is not None and articles[1].published_at.tzinfo is not None
    assert problems == [
        "item 2 lacks a `title` and a `body` (or `text`)",
        "item 3 is not an object",
    ]


def test_jsonl_and_its_errors() -> None:
    good = '{"title": "A", "body": "x"}\n{"title": "B", "body": "y"}\n'
    assert [a.title for a in parse_json(good, "f.jsonl")[0]] == ["A", "B"]
    with pytest.raises(SourceError, match=r"invalid JSON \(line 3: Expecting value\)"):
        parse_json('\n\n{"title": oops}\n{"title": still bad\n', "f.jsonl")
    with pytest.raises(SourceError, match="line 1"):
        parse_json('[{"title": "A", "body": "x"}', "broken.json")  # one broken document


def test_jsonl_bad_lines_are_reported_by_number_and_the_good_ones_kept() -> None:
    good = [json.dumps({"title": f"T{n}", "body": f"Body {n}.\u2028More."}) for n in range(7)]
    lines = [*good[:2], '{"title": "broken", "body": ', *good[2:5], "", "{oops}", *good[5:]]
    lines += ['"a string"', json.dumps({"title": "no body"})]
    articles, problems = parse_json("\n".join(lines) + "\n", "f.jsonl")
    assert [a.title for a in articles] == [f"T{n}" for n in range(7)]
    assert [a.place for a in articles] == ["line 1", "line 2", "line 4", "line 5", "line 6",
                                           "line 9", "line 10"]  # fmt: skip
    assert articles[0].body == "Body 0.\u2028More."  # a line is cut at newlines only
    assert problems == [
        "line 3: invalid JSON (Expecting value)",
        "line 8: invalid JSON (Expecting property name enclosed in double quotes)",
        "line 11 is not an object",
        "line 12 lacks a `title` and a `body` (or `text`)",
    ]


HTML = """<!DOCTYPE html><html><head><title>Leaders meet in Geneva | Daily Planet</title>
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="2024-05-02T09:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Leaders meet in Geneva</h1>
<p>The two presidents met in Geneva on Tuesday for talks that lasted nearly four hours,
officials said after the meeting ended.</p>
<p>They agreed to resume arms control negotiations and to return ambassadors to their posts,
according to a joint statement issued by both delegations in the evening.</p>
<p>Analysts said the summit lowered tensions but left the main disputes unresolved, and
further meetings would be needed before any agreement could be signed.</p>
</article><footer>Subscribe to our newsletter. Copyright Daily Planet.</footer></body></html>"""


def test_html_main_text_and_metadata() -> None:
    [article], _ = parse_html(HTML, "page.html", "https://planet.example/geneva")
    assert "Geneva" in article.title
    assert article.outlet == "Daily Planet"
    assert (
        article.published_at is not None and article.published_at.date().isoformat() == "2024-05-02"
    )
    assert "presidents met in Geneva" in article.body
    assert "Subscribe" not in article.body and "Home" not in article.body
    assert article.body.count("\n\n") == 2


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Ledger News</title>
<item><title>Full item</title><link>https://ledger.example/full</link>
<pubDate>Tue, 08 Mar 2022 10:00:00 GMT</pubDate>
<description>&lt;p&gt;{long}&lt;/p&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;</description></item>
<item><title>Summary item</title><link>https://ledger.example/short</link>
<description>Just a teaser.</description></item>
</channel></rss>""".format(long=" ".join(["word"] * 150))


def test_rss_items_and_summary_only_items_marked_for_fetch() -> None:
    articles, _ = parse_feed(RSS, "feed.xml")
    assert [a.title for a in articles] == ["Full item", "Summary item"]
    full, short = articles
    assert full.outlet == "Ledger News" and full.url == "https://ledger.example/full"
    assert full.published_at is not None and full.published_at.isoformat().startswith(
        "2022-03-08T10:00"
    )
    assert "Second paragraph." in full.body and "<p>" not in full.body
    assert not full.needs_fetch and short.needs_fetch


def test_atom_feed() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Outlet</title>
    <entry><title>Entry</title><link href="https://a.example/e"/>
    <updated>2023-12-01T08:00:00Z</updated><summary>Short.</summary></entry></feed>"""
    [entry], _ = parse_feed(atom, "a.atom")
    assert (entry.title, entry.url, entry.outlet) == ("Entry", "https://a.example/e", "Atom Outlet")


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="s.xsl"?>\n',
        '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd">\n',
    ],
)
def test_feeds_with_stylesheets_or_doctypes(prolog: str) -> None:
    assert detect(prolog + '<rss version="2.0"><channel></channel></rss>') == "feed"


def test_json_fields_of_other_types() -> None:
    item = {"title": "A", "body": "x", "source": {"id": None, "name": "Reuters"}, "url": 5}
    articles, _ = parse_json(json.dumps([item, {"title": "B", "body": "y"}]), "n.json")
    assert (articles[0].outlet, articles[0].url) == ("Reuters", None)
    assert not articles[0].origin_is_key  # an item of many without a URL: known by its content


@pytest.mark.parametrize("name", list(hostile_feeds("http://127.0.0.1:9")))
def test_feeds_declaring_entities_are_feeds_and_refused(name: str) -> None:
    text = hostile_feeds("http://127.0.0.1:9")[name]
    assert detect(text) == "feed"
    with pytest.raises(SourceError, match="DOCTYPE declares entities"):
        parse_feed(text, name)


def test_an_html_page_with_an_internal_subset_is_still_html() -> None:
    assert detect('<!DOCTYPE html [<!ENTITY a "b">]><html><body>x</body></html>') == "html"
