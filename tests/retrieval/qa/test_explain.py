"""The collector of an answer's decisions."""

from __future__ import annotations

from retrieval.qa.explain import Explain


def test_decisions_are_kept_in_order_only_when_asked_for() -> None:
    wanted = Explain(wanted=True)
    wanted("question: kind=when")
    wanted("2 events involve A and B")
    assert wanted.lines == ("question: kind=when", "2 events involve A and B")
    unwanted = Explain()
    unwanted("question: kind=when")
    assert unwanted.lines == ()
