from __future__ import annotations

import pytest

from retrieval.eval.multihop import aggregate, score_query


@pytest.mark.parametrize(
    ("passages", "facts", "expected"),
    [
        (["a b", "fact one here", "x"], ["factone"], (True, True, 0.5, 0.5)),
        (["x"] * 4 + ["fact one"], ["fact one"], (False, True, 0.2, 0.2)),
        (["nothing"] * 10 + ["fact"], ["fact"], (False, False, 0.0, 0.0)),
        # two facts: found at ranks 1 and 3 -> AP = (1/1 + 2/3) / 2
        (["f1", "x", "f2"], ["f1", "f2"], (True, True, 1.0, (1 + 2 / 3) / 2)),
        # one passage holding both facts credits both at rank 2: (1/2 + 2/2) / 2
        (["x", "f1 f2"], ["f1", "f2"], (True, True, 0.5, 0.75)),
        # a fact matched again later is not credited twice
        (["f1", "f1"], ["f1", "f2"], (True, True, 1.0, 0.5)),
    ],
)
def test_score_query(
    passages: list[str], facts: list[str], expected: tuple[bool, bool, float, float]
) -> None:
    got = score_query(passages, facts)
    assert got[:2] == expected[:2]
    assert got[2] == pytest.approx(expected[2]) and got[3] == pytest.approx(expected[3])


def test_aggregate() -> None:
    scores = aggregate([(True, True, 1.0, 1.0), (False, False, 0.0, 0.0)])
    assert (scores.queries, scores.hits4, scores.mrr10) == (2, 0.5, 0.5)
