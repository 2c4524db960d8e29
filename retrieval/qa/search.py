"""Passage search: a question in, passages with their article metadata out.

Two retrievers, dense (MiniLM vectors in FAISS) and lexical (BM25), each rank every passage;
the hybrid mode fuses them by reciprocal rank fusion (RRF). Questions about the news usually
name outlets and ask about one article of each ("Does the TechCrunch article suggest X, while
the Fortune report claims Y?"), so:

- a global ranking fuses both retrievers over the whole question, plus the same rankings
  restricted to the passages that fit the outlets and dates it names (a boost, not a wall);
- each named outlet gets a sub-query (retrieval/qa/filters.py: its clause and dates), ranked
  within that outlet: the whole question, dense and BM25 (passage with title, outlet, date),
  and the clause by a second BM25 over the passage text alone, which tells apart the
  passages of one article; all again restricted to the clause's dates when it gives any;
  fused with a small RRF constant;
- the sub-query rankings are interleaved, one passage of each in turn, so that every article
  the question asks about reaches the top ten; the sub-query whose best passage stands
  highest in the global ranking goes first; the global ranking fills what is left.

Constants were calibrated on the MultiHop-RAG dev set (docs/evaluation.md) and kept where the
results were flat around them. What lost there: encoding the clause for the dense retriever
too (slower, and worse MRR/MAP); capping or delaying a second passage of the same article
(facts often sit in an article's second-best passage); a stop list of question words;
merging the sub-query rankings by RRF instead of interleaving them; taking the clause before
"according to X" as X's; leaving the outlet names out of the dense query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np

from retrieval.qa.filters import QueryFilters, SubQuery, parse_filters, split_by_outlet
from retrieval.safety import replace_surrogates
from retrieval.store import Store
from retrieval.store.embedder import Embedder
from retrieval.store.lexical import LexicalSource, reciprocal_rank_fusion, top_positions
from retrieval.store.records import Hit, Placements

__all__ = [
    "CANDIDATES",
    "DENSE_DEPTH",
    "FILTERED_DEPTH",
    "MODES",
    "RRF_K",
    "SUB_DEPTH",
    "SUB_RRF_K",
    "Hit",
    "Searcher",
    "search_json",
]


MODES = ("hybrid", "dense", "lexical")
CANDIDATES = 50  # per retriever, before fusion
FILTERED_DEPTH = 1000  # how deep to look for passages that fit a query's outlets and dates
# The dense retriever reads this deep: asking FAISS for all 15k passages and mapping them
# back cost ~25 ms a query, and the outlets' own rankings lost nothing measurable at 1000.
DENSE_DEPTH = 1000
SUB_DEPTH = 100  # per ranking of a sub-query, within its outlet
RRF_K = 60  # global fusion: agreement deep in the lists counts
# Sub-query fusion trusts the top of each list: with k=5 instead of 60, dev MAP@10 rose
# 0.415 -> 0.443 and MRR@10 0.643 -> 0.659 (k=2..20 all did better than 60).
SUB_RRF_K = 5

# Each retriever's scores of the catalogue by query, in the current
# `Searcher.remembering_scores` block (per thread).
_REMEMBERED: ContextVar[dict[tuple[Any, ...], tuple[object, Any]] | None] = ContextVar(
    "remembered_scores", default=None
)
# A retriever's scores: one array, or the dense scores with the positions they cover.
_Scores = TypeVar("_Scores", np.ndarray, tuple[np.ndarray, np.ndarray])


@dataclass(frozen=True)
class _Ranked:
    """A passage in the final ranking and where it came from."""

    passage_id: int
    score: float
    fused: float
    source: SubQuery | None  # None: the global ranking
    source_rank: int


class Searcher:
    """Passage retrieval over the store: dense (FAISS), lexical (BM25) or both fused by
    reciprocal rank fusion (the default)."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        mode: str = "hybrid",
        auto_refresh: bool = True,
        lexical: LexicalSource | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {MODES}")
        self.store = store
        # The store's own lexical index unless another source is given (bench/lexical.py
        # compares it so with bm25s built in memory).
        self._source = lexical
        self.embedder = embedder
        self.mode = mode
        # Pick up the lexical index's new segments at each search.
        self.auto_refresh = auto_refresh
        self._loaded: object = None  # the lexical manifest the positions follow
        self._outlets: set[str] = set()
        # Per position (the lexical index's live passages, ids ascending): passage id, outlet
        # code, publication day (ordinal, 0 if none).
        self._ids = np.zeros(0, dtype=np.int64)
        self._outlet_codes: dict[str, int] = {}
        self._outlet_of = np.zeros(0, dtype=np.int32)
        self._day_of = np.zeros(0, dtype=np.int32)

    def stale(self) -> bool:
        """Whether the lexical index changed on disk since the searcher last read it (a
        stat of its manifest: cheap enough for every search)."""
        lexical = self._lexical_source()
        return self._loaded is not lexical.manifest or lexical.changed()

    def refresh(self) -> None:
        """Take up the lexical index's new state and the new passages' outlets and dates now
        if it changed. A front end that answers from several threads passes
        `auto_refresh=False` and calls this while no search runs (retrieval/service.py), so
        that no search sees a half-updated catalogue."""
        if self.stale():
            self._update()

    def _refresh(self) -> None:
        if self.auto_refresh or self._loaded is None:
            self.refresh()

    def _update(self) -> None:
        """Positions follow the lexical index's live ids; the passages seen before keep their
        outlet and day, only the new ones are read from the database (at a million passages
        a whole catalogue read is many seconds, an ingest's thousand a few milliseconds)."""
        lexical = self._lexical_source()
        lexical.refresh()
        ids = lexical.ids
        at = np.minimum(np.searchsorted(self._ids, ids), max(len(self._ids) - 1, 0))
        known = (self._ids[at] == ids) if len(self._ids) else np.zeros(len(ids), dtype=bool)
        outlet_of = np.zeros(len(ids), dtype=np.int32)
        day_of = np.zeros(len(ids), dtype=np.int32)
        outlet_of[known] = self._outlet_of[at[known]]
        day_of[known] = self._day_of[at[known]]
        new = ids[~known]
        if len(new):
            self._place(ids, known, self.store.placements(int(new.min())), outlet_of, day_of)
        self._ids, self._outlet_of, self._day_of = ids, outlet_of, day_of
        names = {code: name for name, code in self._outlet_codes.items()}
        self._outlets = {names[int(c)] for c in np.unique(outlet_of) if c}
        self._loaded = lexical.manifest

    def _place(
        self,
        ids: np.ndarray,
        known: np.ndarray,
        places: Placements,
        outlet_of: np.ndarray,
        day_of: np.ndarray,
    ) -> None:
        """Fill in the outlet code and day of the positions not `known`, from `places`."""
        where = np.minimum(np.searchsorted(ids, places.ids), max(len(ids) - 1, 0))
        wanted = (ids[where] == places.ids) & ~known[where]
        for row in np.flatnonzero(wanted).tolist():
            position = int(where[row])
            outlet = places.outlets[row]
            if outlet:
                code = self._outlet_codes.setdefault(outlet, len(self._outlet_codes) + 1)
                outlet_of[position] = code
            published = places.published[row]
            day_of[position] = published.toordinal() if published else 0

    def _positions(self, passage_ids: Sequence[int]) -> np.ndarray:
        """The position of each passage id, -1 for one not in the catalogue."""
        wanted = np.asarray(passage_ids, dtype=np.int64)
        if not len(self._ids):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids, wanted), len(self._ids) - 1)
        return np.where(self._ids[at] == wanted, at, -1)

    def _lexical_source(self) -> LexicalSource:
        return self.store.lexical_index if self._source is None else self._source

    def lexical(self) -> LexicalSource:
        """The lexical index, brought up to date when it changed on disk."""
        self._refresh()
        return self._lexical_source()

    def catalogue(self) -> object:
        """What the searches follow, brought up to date: the same object until a write or a
        refresh changes the passages (what depends only on the stored articles, such as
        their outlets, can be kept while it stays)."""
        self._refresh()
        return self._loaded

    def filters(self, query: str) -> QueryFilters:
        """Outlets and dates the query names."""
        self._refresh()
        return parse_filters(query, self._outlets)

    def sub_queries(self, query: str) -> list[SubQuery]:
        """One sub-query per outlet the query names (retrieval/qa/filters.py); the same outlet
        with the same clause twice is asked once."""
        self._refresh()
        return self._sub_queries(query)

    def _sub_queries(self, query: str) -> list[SubQuery]:
        unique = {(sub.outlets, sub.text): sub for sub in split_by_outlet(query, self._outlets)}
        return list(unique.values())

    # -- scores and masks over the catalogue ---------------------------------------------

    @contextmanager
    def remembering_scores(self) -> Iterator[None]:
        """Within it (in this thread), each retriever scores the catalogue for a query once:
        one answer may search for the same query several times (a meeting question's best
        passages, then their deeper ranking; a refusal's related reading). Nothing is kept
        past it: the next answer scores against the index as it is then."""
        token = _REMEMBERED.set({})
        try:
            yield
        finally:
            _REMEMBERED.reset(token)

    def _remembered(self, key: tuple[str, ...], score: Callable[[], _Scores]) -> _Scores:
        remembered = _REMEMBERED.get()
        if remembered is None:
            return score()
        # Scores follow the catalogue as loaded (`_loaded`); a refresh in between makes new.
        entry = remembered.get((id(self), *key))
        if entry is None or entry[0] is not self._loaded:
            values = score()
            for array in values if isinstance(values, tuple) else (values,):
                array.setflags(write=False)  # shared by the searches of the same answer
            entry = remembered[(id(self), *key)] = (self._loaded, values)
        return entry[1]

    def _lexical_scores(self, lexical: LexicalSource, text: str, field: str) -> np.ndarray:
        return self._remembered(("lexical", field, text), lambda: lexical.scores(text, field))

    def _dense_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        return self._remembered(("dense", query), lambda: self._score_dense(query))

    def _score_dense(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Cosine with the query of the DENSE_DEPTH nearest catalogue passages (-inf for the
        rest, and for passages not indexed), and those passages' positions, ascending: the
        rankings read only them (at a million passages a scan of every score, masked, cost
        a few milliseconds per ranking, a search makes up to twenty)."""
        scores = np.full(len(self._ids), -np.inf, dtype=np.float32)
        found = self.store.index.search(self.embedder.encode_query(query), DENSE_DEPTH)
        if not found:
            return scores, np.zeros(0, dtype=np.int64)
        positions = self._positions([pid for pid, _ in found])
        cosines = np.array([cosine for _, cosine in found], dtype=np.float32)
        scores[positions[positions >= 0]] = cosines[positions >= 0]
        return scores, np.unique(positions[positions >= 0])

    # Masks by comparisons, not np.isin: at a million passages np.isin of a few outlet codes
    # or days took 5-60 ms a mask (a sort of the million), == and <= about 1 ms.

    def _outlet_mask(self, outlets: Iterable[str]) -> np.ndarray:
        mask = np.zeros(len(self._outlet_of), dtype=bool)
        for outlet in outlets:
            mask |= self._outlet_of == self._outlet_codes[outlet]
        return mask

    def _date_mask(self, wanted: QueryFilters) -> np.ndarray:
        # One day either side, as QueryFilters.matches: publication times are UTC.
        mask = np.zeros(len(self._day_of), dtype=bool)
        for day in (d.toordinal() for d in wanted.dates):
            mask |= (self._day_of >= day - 1) & (self._day_of <= day + 1)
        return mask & (self._day_of > 0)

    def _fits_mask(self, wanted: QueryFilters) -> np.ndarray:
        return self._outlet_mask(wanted.outlets) | self._date_mask(wanted)

    # -- ranking -----------------------------------------------------------------------------

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Passage ids with scores, best first, by the searcher's mode (see the module
        docstring for how the rankings are built and combined)."""
        return [(r.passage_id, r.score) for r in self._rank(query, k)[0]]

    def _rank(
        self, query: str, k: int
    ) -> tuple[list[_Ranked], QueryFilters, dict[str, np.ndarray]]:
        """The ranking, the query's filters and each retriever's scores of the whole query
        (the last two for explanations)."""
        lexical = self.lexical()  # brings the catalogue up to date too, once per search
        wanted = parse_filters(query, self._outlets)
        scores: dict[str, np.ndarray] = {}
        among: dict[str, np.ndarray] = {}  # the only positions with a score, when few
        if self.mode in ("dense", "hybrid"):
            scores["dense"], among["dense"] = self._dense_scores(query)
        if self.mode in ("lexical", "hybrid"):
            scores["lexical"] = self._lexical_scores(lexical, query, "titled")
        floors = {"dense": -np.inf, "lexical": 0.0}

        def top(name: str, values: np.ndarray, depth: int, mask: np.ndarray | None) -> list[int]:
            positions = top_positions(values, depth, mask, floors[name], among.get(name))
            return [int(p) for p in self._ids[positions]]

        depth = FILTERED_DEPTH if wanted else max(k, CANDIDATES)
        if len(scores) == 1 and not wanted:
            # One retriever and nothing to boost: keep its own scores (cosine or BM25).
            [(name, values)] = scores.items()
            positions = top_positions(values, k, None, floors[name], among.get(name))
            ranked = [
                _Ranked(int(self._ids[p]), float(values[p]), float(values[p]), None, rank)
                for rank, p in enumerate(positions, 1)
            ]
            return ranked, wanted, scores
        rankings = [top(name, values, depth, None) for name, values in scores.items()]
        if wanted:
            fits = self._fits_mask(wanted)
            rankings += [top(name, values, depth, fits) for name, values in scores.items()]
        fused_global = reciprocal_rank_fusion(rankings, RRF_K)

        per_sub: list[tuple[SubQuery, list[tuple[int, float]]]] = []
        for sub in self._sub_queries(query):
            sub_rankings: list[list[int]] = []
            masks = [self._outlet_mask(sub.outlets)]
            if sub.dates:
                masks.append(masks[0] & self._date_mask(QueryFilters(dates=sub.dates)))
            # Within one outlet the title only says which article; the passage text says
            # where in it. Dev, the clause by the text field instead of the titled one:
            # MRR@10 0.680 -> 0.686, MAP@10 0.452 -> 0.458, Hits@10 unchanged.
            clause = (
                self._lexical_scores(lexical, sub.text, "text") if "lexical" in scores else None
            )
            for mask in masks:
                sub_rankings += [top(n, v, SUB_DEPTH, mask) for n, v in scores.items()]
                if clause is not None:
                    sub_rankings.append(top("lexical", clause, SUB_DEPTH, mask))
            per_sub.append((sub, reciprocal_rank_fusion(sub_rankings, SUB_RRF_K)))
        # The sub-query whose best passage the global ranking trusts most goes first: dev
        # MRR@10 0.659 -> 0.676 over taking them in the order the question names them.
        global_rank = {pid: rank for rank, (pid, _) in enumerate(fused_global)}
        per_sub.sort(
            key=lambda item: (
                global_rank.get(item[1][0][0], len(global_rank))
                if item[1]
                else len(global_rank) + 1
            )
        )
        return _interleave(per_sub, fused_global, k), wanted, scores

    def search(self, query: str, k: int = 10, explain: bool = False) -> list[Hit]:
        """The k best passages for the query, best first; with `explain`, each hit's `why`
        says how it ranked."""
        query = replace_surrogates(query).strip()
        if not query:
            return []
        ranked, wanted, scores = self._rank(query, k)
        stored = self.store.hits(r.passage_id for r in ranked)
        return [
            replace(
                stored[entry.passage_id],
                score=entry.score,
                why=self._why(entry, scores, wanted, stored[entry.passage_id]) if explain else None,
            )
            for entry in ranked
            if entry.passage_id in stored  # else deleted by another process since
        ]

    def _why(
        self, entry: _Ranked, scores: dict[str, np.ndarray], wanted: QueryFilters, hit: Hit
    ) -> dict[str, Any]:
        """Where a passage stood in each retriever's ranking of the whole query, which of the
        query's filters it fits, and the ranking it was taken from."""
        found = int(self._positions([entry.passage_id])[0])
        position = None if found < 0 else found
        why: dict[str, Any] = {}
        labels = {"dense": "cosine", "lexical": "bm25"}
        for name, values in scores.items():
            if position is None or not np.isfinite(values[position]):
                why[name] = None
                continue
            value = float(values[position])
            rank = int(np.count_nonzero(values > value)) + 1
            matched = name == "dense" or value > 0
            why[name] = {"rank": rank if matched else None, labels[name]: round(value, 6)}
        outlet = hit.outlet
        why["filters"] = {
            "outlet": outlet if outlet is not None and outlet in wanted.outlets else None,
            "date": wanted.matches_date(hit.published_at),
        }
        why["sub_query"] = (
            {
                "outlets": sorted(entry.source.outlets),
                "text": entry.source.text,
                "dates": sorted(d.isoformat() for d in entry.source.dates),
            }
            if entry.source
            else None
        )
        why["from_rank"] = entry.source_rank
        why["fused"] = round(entry.fused, 6)
        return why


def _interleave(
    per_sub: Sequence[tuple[SubQuery, Sequence[tuple[int, float]]]],
    fallback: Sequence[tuple[int, float]],
    k: int,
) -> list[_Ranked]:
    """One passage of each sub-query's ranking in turn, skipping passages already taken,
    then the fallback ranking. A score never exceeds the one before it, so scores stay in
    rank order though they come from rankings of different scales."""
    taken: list[_Ranked] = []
    seen: set[int] = set()
    cursors = [0] * len(per_sub)
    active = list(range(len(per_sub)))

    def take(pid: int, fused: float, source: SubQuery | None, source_rank: int) -> None:
        score = min(fused, taken[-1].score) if taken else fused
        taken.append(_Ranked(pid, score, fused, source, source_rank))
        seen.add(pid)

    while active and len(taken) < k:
        for number in list(active):
            sub, ranking = per_sub[number]
            while cursors[number] < len(ranking) and ranking[cursors[number]][0] in seen:
                cursors[number] += 1
            if cursors[number] == len(ranking):
                active.remove(number)
                continue
            pid, fused = ranking[cursors[number]]
            cursors[number] += 1
            take(pid, fused, sub, cursors[number])
            if len(taken) >= k:
                break
    for rank, (pid, fused) in enumerate(fallback, 1):
        if len(taken) >= k:
            break
        if pid not in seen:
            take(pid, fused, None, rank)
    return taken


def search_json(query: str, hits: list[Hit]) -> dict[str, Any]:
    """The JSON contract of `newsbot search --json`."""
    return {"query": query, "results": [hit.to_json() for hit in hits]}
