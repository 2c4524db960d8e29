"""Scoring of the meetings evaluation set, on small invented questions and answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrieval.eval.matching import (
    match_people,
    name_key,
    person_matches,
    place_key,
    place_matches,
)
from retrieval.eval.meeting_set import MeetingQuestion, half_of, load_groups, load_questions
from retrieval.eval.meetings import QuestionScore, aggregate, format_table, score_answer
from tests.support.settings import SHARED

WHO = MeetingQuestion(
    qid="w1",
    type="who",
    question="Who did Mira Kolbe meet in Tallinn?",
    gold=("Anna Lindqvist", "Jon Baptiste-Ferro", "Ho Min Jae"),
    aliases=("Lindqvist", "Foreign Minister Anna Lindqvist", "Ho", "members of parliament"),
    evidence=frozenset({"007", "009"}),
)
WHEN = MeetingQuestion("t1", "when", "When did they meet?", ("2021-06-04",), (), frozenset({"007"}))
WHERE = MeetingQuestion(
    "p1",
    "where",
    "Where did they meet?",
    ("Tallinn",),
    ("Kadriorg Palace, Tallinn", "the Estonian capital"),
    frozenset({"007"}),
)
NONE = MeetingQuestion("n1", "none", "When did Kolbe meet the Pope?", (), (), frozenset())


def answer(values: list[str] | None = None, found: bool = True, **extra: Any) -> dict[str, Any]:
    """A contract answer holding only what the scorer reads."""
    body: dict[str, Any] = {"question": "?", "answer": "...", "found": found, "events": []}
    if values is not None:
        body["values"] = values
    return {**body, **extra}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Anna Lindqvist", "anna lindqvist"),
        ("  ANNA   lindqvist ", "anna lindqvist"),
        ("Jon Baptiste-Ferro", "jon baptiste ferro"),
        ("Mr. Baptiste-Ferro", "baptiste ferro"),
        ("Secretary of State Anna Lindqvist", "anna lindqvist"),
        ("UK Foreign Secretary Anna Lindqvist", "anna lindqvist"),
        ("the President", ""),
        ("President Ho Min-jae", "ho min jae"),
        ("Dr Zoë O'Hara", "zoe ohara"),
        ("Presidente Ruiz", "presidente ruiz"),  # a title only as a whole word
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("place", "key"),
    [
        ("Tallinn", "tallinn"),
        ("The White House", "white house"),
        ("Washington, D.C.", "washington dc"),
        ("Prime Minister's Office, Tokyo", "prime ministers office tokyo"),
        ("Theatre Square", "theatre square"),
    ],
)
def test_place_key(place: str, key: str) -> None:
    assert place_key(place) == key


@pytest.mark.parametrize(
    ("predicted", "gold", "aliases", "expected"),
    [
        ("Anna Lindqvist", "Anna Lindqvist", (), True),
        ("anna LINDQVIST.", "Anna Lindqvist", (), True),
        ("Foreign Minister Lindqvist", "Anna Lindqvist", (), True),  # surname
        ("Lindqvist", "Anna Lindqvist", (), True),
        ("Anna Berg", "Anna Lindqvist", (), False),  # first name only in common
        ("Baptiste Ferro", "Jon Baptiste-Ferro", (), True),
        ("Ho", "Ho Min Jae", (), False),  # family name first: only an alias can say so
        ("Ho", "Ho Min Jae", ("Ho",), True),
        ("Mr Ho", "Ho Min Jae", ("President Ho",), True),
        ("Annie L.", "Anna Lindqvist", ("Annie L.",), False),  # names neither surname nor words
        ("Annie Lindqvist", "Anna Lindqvist", ("Annie Lindqvist",), True),
        ("members of parliament", "Anna Lindqvist", ("members of parliament",), False),
        ("President", "Anna Lindqvist", (), False),  # nothing left once the title is dropped
    ],
)
def test_person_matches(
    predicted: str, gold: str, aliases: tuple[str, ...], expected: bool
) -> None:
    assert person_matches(predicted, gold, aliases) is expected


def test_alias_of_another_person_does_not_match() -> None:
    aliases = ("Ho",)
    assert match_people(["Ho"], ["Anna Lindqvist", "Ho Min Jae"], aliases) == 1
    assert not person_matches("Ho", "Anna Lindqvist", aliases)


def test_match_people_is_one_to_one_whatever_the_order() -> None:
    # "Lindqvist" could take either Lindqvist; the matching still covers both.
    gold = ["Anna Lindqvist", "Per Lindqvist"]
    assert match_people(["Lindqvist", "Anna Lindqvist"], gold) == 2
    assert match_people(["Anna Lindqvist", "Lindqvist"], gold) == 2
    assert match_people(["Lindqvist"], gold) == 1


@pytest.mark.parametrize(
    ("predicted", "gold", "expected"),
    [
        ("Tallinn", "Tallinn", True),
        ("tallinn.", "Tallinn", True),
        ("The White House", "White House", True),
        ("Washington DC", "Washington, D.C.", True),
        ("Washington", "the White House, Washington", True),  # gold holds the prediction
        ("Kadriorg Palace, Tallinn", "Tallinn", True),  # the prediction holds the gold
        ("Tall", "Tallinn", False),  # whole words only
        ("Riga", "Tallinn", False),
        ("", "Tallinn", False),
        ("The", "Tallinn", False),
    ],
)
def test_place_matches(predicted: str, gold: str, expected: bool) -> None:
    assert place_matches(predicted, gold) is expected


F1_2_OF_3_EXACT = 2 * (1.0 * 2 / 3) / (1.0 + 2 / 3)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Anna Lindqvist", "Jon Baptiste-Ferro", "Ho Min Jae"], 1.0),
        (["Foreign Minister Anna Lindqvist", "Mr Baptiste-Ferro", "Ho"], 1.0),  # titles, alias
        (["Lindqvist", "Baptiste Ferro", "President Ho Min-jae"], 1.0),
        (["Anna Lindqvist", "Jon Baptiste-Ferro"], F1_2_OF_3_EXACT),  # partial: P 1, R 2/3
        # an extra name: P 3/4, R 1
        (["Anna Lindqvist", "Jon Baptiste-Ferro", "Ho Min Jae", "Mira Kolbe"], 6 / 7),
        (["Anna Lindqvist", "anna lindqvist", "Mr. Anna Lindqvist"], 0.5),  # one person: P 1, R 1/3
        (["members of parliament"], 0.0),  # an alias that names nobody
        ([], 0.0),
    ],
)
def test_who_f1(values: list[str], expected: float) -> None:
    got = score_answer(WHO, answer(values), {"007"})
    assert got.score == pytest.approx(expected)
    assert got.predicted == tuple(values)


def test_who_needs_found() -> None:
    assert score_answer(WHO, answer(["Anna Lindqvist"], found=False), {"007"}).score == 0.0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (answer(["2021-06-04"]), 1.0),
        (answer([" 2021-06-04 "]), 1.0),
        (answer(["2021-06-05"]), 0.0),
        (answer(["4 June 2021"]), 0.0),  # exact ISO only
        (answer(["2021-06-04"], found=False), 0.0),
        (answer(None, events=[{"when": "2021-06-04"}, {"when": "2021-06-05"}]), 1.0),
        (answer([], events=[{"when": "2021-06-05"}]), 0.0),
        (answer(None, events=[{"when": None}]), 0.0),
        (answer(None), 0.0),
    ],
)
def test_when_exact(body: dict[str, Any], expected: float) -> None:
    assert score_answer(WHEN, body, {"007"}).score == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Tallinn"], 1.0),
        (["Kadriorg Palace"], 1.0),  # whole words of an alias ("Kadriorg Palace, Tallinn")
        (["Palace"], 1.0),  # containment is loose: any whole words of an alias
        (["Kadriorg Pal"], 0.0),
        (["Kadriorg Palace, Tallinn, Estonia"], 1.0),
        (["Estonian capital"], 1.0),  # an alias, "the" dropped
        (["Riga", "Tallinn"], 1.0),  # any predicted place
        (["Riga"], 0.0),
        ([], 0.0),
    ],
)
def test_where_containment(values: list[str], expected: float) -> None:
    assert score_answer(WHERE, answer(values), {"007"}).score == expected


@pytest.mark.parametrize(("found", "expected"), [(False, 1.0), (True, 0.0)])
def test_none_wants_not_found(found: bool, expected: float) -> None:
    got = score_answer(NONE, answer([], found=found), set())
    assert (got.score, got.cited_ok, got.correct) == (expected, True, expected == 1.0)


@pytest.mark.parametrize(
    ("cited", "cited_ok"),
    [({"007"}, True), ({"001", "009"}, True), ({"001"}, False), (set(), False)],
)
def test_citation_required(cited: set[str], cited_ok: bool) -> None:
    got = score_answer(WHO, answer(["Anna Lindqvist", "Jon Baptiste-Ferro", "Ho"]), cited)
    assert got.score == 1.0
    assert got.cited_ok is cited_ok
    assert got.cited_score == (1.0 if cited_ok else 0.0)
    assert got.correct is cited_ok


def test_partial_who_is_not_correct_even_when_cited() -> None:
    got = score_answer(WHO, answer(["Anna Lindqvist"]), {"007"})
    assert got.cited_ok and 0 < got.score < 1 and not got.correct


def test_aggregate_and_table() -> None:
    scores = [
        QuestionScore("w1", "who", 0.5, True, True, ("Anna Lindqvist",)),
        QuestionScore("w2", "who", 1.0, False, True, ("Ho",)),
        QuestionScore("t1", "when", 1.0, True, True, ("2021-06-04",)),
        QuestionScore("n1", "none", 1.0, True, False, ()),
    ]
    report = aggregate(scores)
    assert list(report.by_type) == ["who", "when", "none"]
    who = report.by_type["who"]
    assert (who.count, who.score, who.cited_score, who.correct) == (2, 0.75, 0.25, 0.0)
    assert who.citation_rate == 0.5
    assert report.by_type["none"].citation_rate is None
    overall = report.overall
    assert (overall.count, overall.score, overall.cited_score, overall.correct) == (
        4,
        0.875,
        0.625,
        0.5,
    )
    assert overall.citation_rate == pytest.approx(2 / 3)  # answerable questions only
    data = report.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["by_type"]["who"]["score_cited"] == 0.25
    assert [q["qid"] for q in data["questions"]] == ["w1", "w2", "t1", "n1"]
    lines = format_table(report).splitlines()
    assert lines[0].split() == ["question", "type", "n", "score", "+cite", "correct", "cited"]
    assert lines[1].split() == ["overall", "4", "0.8750", "0.6250", "0.5000", "0.6667"]
    assert lines[-1].split() == ["none", "1", "1.0000", "1.0000", "1.0000", "-"]


def test_aggregate_of_nothing() -> None:
    report = aggregate([])
    assert report.overall.count == 0 and report.by_type == {}
    assert len(format_table(report).splitlines()) == 2


def test_load_questions(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    rows = [
        {"qid": "a", "type": "who", "question": "Who?", "gold": ["A B"], "gold_aliases": ["B"],
         "evidence": ["001"], "note": ""},
        {"qid": "b", "type": "when", "question": "When?", "gold": "2020-01-02", "weekday": "Thu",
         "gold_aliases": [], "evidence": ["002", "003"]},
        {"qid": "c", "type": "none", "question": "Never?", "gold": None, "gold_aliases": [],
         "evidence": []},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert load_questions(path) == [
        MeetingQuestion("a", "who", "Who?", ("A B",), ("B",), frozenset({"001"})),
        MeetingQuestion("b", "when", "When?", ("2020-01-02",), (), frozenset({"002", "003"})),
        MeetingQuestion("c", "none", "Never?", (), (), frozenset()),
    ]


@pytest.mark.parametrize(
    "line",
    [
        '{"qid": "a", "type": "why", "question": "?", "gold": []}',
        '{"qid": "a", "question": "?"}',
        "not json",
    ],
)
def test_load_questions_names_the_bad_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"qid": "ok", "type": "none", "question": "?", "gold": null}\n' + line)
    with pytest.raises(ValueError, match=r"questions\.jsonl:2"):
        load_questions(path)


@pytest.mark.shared
def test_load_shared_dev_questions() -> None:
    questions = load_questions(SHARED / "eval" / "meetings-dev" / "questions.jsonl")
    assert questions and len({q.qid for q in questions}) == len(questions)
    assert {q.type for q in questions} == {"who", "when", "where", "none"}
    for q in questions:
        if q.type == "none":
            assert q.gold == () and q.evidence == frozenset()
        else:
            assert q.gold and q.evidence
        if q.type == "when":
            assert len(q.gold) == 1 and len(q.gold[0]) == len("YYYY-MM-DD")
    # Every answerable question scores full marks on its own gold answer, cited.
    for q in questions:
        body = answer(list(q.gold), found=q.type != "none")
        got = score_answer(q, body, set(q.evidence))
        assert got.correct, q.qid


def test_halves_keep_an_event_group_together_and_split_the_set(tmp_path: Path) -> None:
    """The split rule is fixed: questions on articles of one event group land in one half, a
    question without evidence is placed by its id, and both halves get questions."""
    rows = [{"id": f"{i:03}", "same_event_group": f"E{i // 2}" if i < 40 else None}
            for i in range(80)]  # fmt: skip
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    groups = load_groups(path)
    assert groups["000"] == groups["001"] == "E0" and groups["050"] == "article:050"

    def q(qid: str, *evidence: str) -> MeetingQuestion:
        return MeetingQuestion(qid, "when", "?", ("2020-01-01",), (), frozenset(evidence))

    for i in range(0, 40, 2):
        a, b = f"{i:03}", f"{i + 1:03}"
        assert (
            half_of(q("x", a), groups)
            == half_of(q("y", b), groups)
            == half_of(q("z", a, b), groups)
        )
    halves = [half_of(q(f"n{i}"), groups) for i in range(40)]
    halves += [half_of(q("a", f"{i:03}"), groups) for i in range(80)]
    assert {"tuning", "checking"} == set(halves)
    assert 0.3 < halves.count("tuning") / len(halves) < 0.7
    assert half_of(q("n1"), groups) == half_of(q("n1"), {})  # no groups needed without evidence
