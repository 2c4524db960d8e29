"""An article's names, read once for the same texts."""

from __future__ import annotations

from retrieval.meetings.names import ArticleNames

TITLE = "Ana Ruiz meets Tomas Elgin in Lyon"
PASSAGES = ["By Mira Holt and Teo Varga", "Ana Ruiz met Tomas Elgin. Later Ms Ruiz spoke."]


def test_names_of_the_same_article_are_the_same_and_independent() -> None:
    first = ArticleNames(TITLE, PASSAGES)
    second = ArticleNames(TITLE, list(PASSAGES), ["Tomas Elgin"])
    assert first.full_names == second.full_names
    assert first.full_names["Ana Ruiz"] == 2 and first.bylines == {"Mira Holt", "Teo Varga"}
    assert first.resolve("Ms Ruiz") == "Ana Ruiz" and second.resolve("Elgin") == "Tomas Elgin"
    first.full_names["Lumo Varga"] = 5  # one instance's change is its own
    assert "Lumo Varga" not in ArticleNames(TITLE, PASSAGES).full_names
    assert "Lumo Varga" not in second.full_names
    other = ArticleNames(TITLE, [*PASSAGES, "Teo Varga met Mira Holt."])
    assert other.full_names["Teo Varga"] == 2  # the byline and the sentence


def test_a_team_or_a_place_is_no_one() -> None:
    names = ArticleNames(
        "Harbour Rays meet Teo Varga",
        [
            "Ana Ruiz and the Harbour Rays met Teo Varga in Port Orla on Monday.",
            "The Ana Ruiz Foundation paid for the trip; Ruiz's staff came too.",
            "Polls show a rise in Teo Varga support.",
        ],
    )
    assert names.names_no_one("Harbour Rays")  # "the Harbour Rays": a team
    assert names.names_no_one("Port Orla")  # "in Port Orla": a place
    assert not names.names_no_one("Ana Ruiz")  # "the Ana Ruiz Foundation" is hers
    assert not names.names_no_one("Teo Varga")
