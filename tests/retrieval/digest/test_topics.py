"""Digest topics as typed: wanted, excluded with a minus, merged and described."""

from __future__ import annotations

import pytest

from retrieval.digest import topics


@pytest.mark.parametrize(
    ("words", "parsed"),
    [(["climate,", "-football"], ["climate", "-football"]),
     (["climate", "−football"], ["climate", "-football"]),  # a phone's Unicode minus
     (["central", "banks,", "-", "football"], ["central banks", "-football"]),
     (["climate", "-", "golf"], ["climate", "-golf"]),
     (["climate", "climate"], ["climate"]),
     (["a,", ",", "b"], ["a", "b"])],
)  # fmt: skip
def test_parse(words: list[str], parsed: list[str]) -> None:
    assert topics.parse(words) == parsed


@pytest.mark.parametrize(
    ("current", "new", "merged"),
    [(["climate", "football"], ["-football"], ["climate", "-football"]),
     (["-Football"], ["football"], ["football"]),
     (["climate"], ["banks"], ["climate", "banks"]),
     (["climate", "Ukraine"], ["ukraine", "golf"], ["climate", "Ukraine", "golf"])],
)  # fmt: skip
def test_merge_a_topic_and_its_exclusion_cancel(
    current: list[str], new: list[str], merged: list[str]
) -> None:
    assert topics.merge(current, new) == merged


@pytest.mark.parametrize(
    ("stored", "text"),
    [([], "all news"), (["climate", "-football"], "climate, not football"),
     (["-football", "-golf"], "all news but football, golf")],
)  # fmt: skip
def test_describe(stored: list[str], text: str) -> None:
    assert topics.describe(stored) == text
