"""from_row: records built from rows by their fields' names."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from retrieval.store.records import PassageRecord, from_row


@dataclass(frozen=True)
class _Pair:
    name: str
    tags: tuple[str, ...]
    note: str = "none"


def test_fields_come_from_the_rows_attributes_of_the_same_name() -> None:
    row = SimpleNamespace(id=7, article_id=2, position=0, char_start=0, char_end=5, text="Hello")
    assert from_row(PassageRecord, row) == PassageRecord(7, 2, 0, 0, 5, "Hello")


@pytest.mark.parametrize(
    ("row", "converted", "expected"),
    [
        (SimpleNamespace(name="a", tags=["x"]), {"tags": ("x",)}, _Pair("a", ("x",))),
        # A field with a default is not read from the row, even when the row has it...
        (SimpleNamespace(name="a", tags=(), note="row"), {}, _Pair("a", ())),
        # ... unless it is given converted.
        (SimpleNamespace(name="a", tags=()), {"note": "given"}, _Pair("a", (), "given")),
    ],
)
def test_converted_values_and_defaults(
    row: SimpleNamespace, converted: dict[str, object], expected: _Pair
) -> None:
    assert from_row(_Pair, row, **converted) == expected


def test_a_row_without_a_field_is_an_error() -> None:
    with pytest.raises(AttributeError, match="tags"):
        from_row(_Pair, SimpleNamespace(name="a"))
