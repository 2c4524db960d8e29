"""Citation quality of the answer service on MultiHop-RAG dev: are the sentences an answer
quotes from the articles that hold the answer?

Every answerable dev query is asked through the answer service, as the bot asks it. For the
answers given, each citation is checked against the query's gold evidence (the articles, and
the facts quoted from them):

- precision: the share of citations whose article is a gold evidence article;
- coverage: the share of a query's evidence articles that some citation comes from;
- fact quoted: the share of citations whose sentence is part of a gold fact (or holds one);
- answer in quotes: the share of answers whose quoted sentences contain the gold answer (only
  queries whose gold answer is not yes/no);
- fact chosen: of the citations whose passage holds a gold fact, the share quoting that fact
  (how well the sentence is chosen within its passage).

Same-run reference: the top three passages of the same search, taken as citations whole (what
citing the retriever's best passages, without choosing sentences, would give).

    .venv/bin/python bench/citations.py [--data-dir /tmp/nbe] [--limit N] [--show N]

The data dir is the one `newsbot eval multihop --data-dir` builds (it is built here too, the
first time: about 7 minutes).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.service import open_services  # noqa: E402

DEFAULT_QUERIES = ROOT.parent / "shared" / "eval" / "multihop-rag" / "queries-dev.json"
YES_NO = {"yes", "no"}


def squeeze(text: str) -> str:
    """Text without whitespace, lower-cased: how facts are matched (the authors' rule)."""
    return re.sub(r"\s+", "", text).lower()


@dataclass
class Tally:
    """Counts over the answers of one way of citing."""

    answers: int = 0
    citations: int = 0
    from_evidence: int = 0
    fact_quoted: int = 0
    coverage: list[float] = field(default_factory=list)
    with_answer: int = 0
    answer_checked: int = 0
    passage_has_fact: int = 0  # citations whose passage holds a gold fact ...
    fact_chosen: int = 0  # ... and whose quote is that fact

    def add(
        self,
        cited: Sequence[tuple[str | None, str]],
        evidence: dict[str, list[str]],
        gold: str,
        passages: Sequence[str] = (),
    ) -> None:
        """One answer: its citations as (article URL, quoted text), and the passages they
        quote from (for how often the sentence chosen is the passage's fact)."""
        self.answers += 1
        self.citations += len(cited)
        facts = [squeeze(f) for fs in evidence.values() for f in fs]
        urls = {url for url, _ in cited}
        self.from_evidence += sum(url in evidence for url, _ in cited)
        for _, quote in cited:
            q = squeeze(quote)
            if q and any(q in f or f in q for f in facts):
                self.fact_quoted += 1
        for (_, quote), passage in zip(cited, passages, strict=False):
            held = [f for f in facts if f in squeeze(passage)]
            if held:
                self.passage_has_fact += 1
                q = squeeze(quote)
                self.fact_chosen += any(q in f or f in q for f in held)
        self.coverage.append(len(urls & evidence.keys()) / len(evidence))
        if gold.lower().strip(" .") not in YES_NO:
            self.answer_checked += 1
            quoted = squeeze(" ".join(q for _, q in cited))
            self.with_answer += squeeze(gold.strip(" .")) in quoted

    def line(self, name: str) -> str:
        share = lambda a, b: a / b if b else 0.0  # noqa: E731
        return (
            f"{name:<34} {self.answers:5d} answers  {share(self.citations, self.answers):4.2f} "
            f"cites/answer  precision {share(self.from_evidence, self.citations):.3f}  "
            f"coverage {share(sum(self.coverage), len(self.coverage)):.3f}  "
            f"fact quoted {share(self.fact_quoted, self.citations):.3f}  "
            f"answer in quotes {share(self.with_answer, self.answer_checked):.3f} "
            f"(of {self.answer_checked})"
            + (
                f"  fact chosen {share(self.fact_chosen, self.passage_has_fact):.3f} "
                f"(of {self.passage_has_fact} passages holding one)"
                if self.passage_has_fact
                else ""
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    parser.add_argument("--show", type=int, default=0, help="print N answers with a miss")
    args = parser.parse_args()

    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir)  # type: ignore[call-arg]
    services = open_services(settings)
    if services.store.stats()["articles"] == 0:
        ingest([str(args.queries.parent / "corpus.json")], settings.ingest, services.store,
               services.embedder)  # fmt: skip
        services.refresh()
    queries = [
        q for q in json.loads(args.queries.read_text()) if q["question_type"] != "null_query"
    ]
    if args.limit:
        queries = queries[: args.limit]

    answered, top3 = Tally(), Tally()
    refused = 0
    shown = 0
    started = time.monotonic()
    for query in queries:
        evidence: dict[str, list[str]] = {}
        for item in query["evidence_list"]:
            evidence.setdefault(item["url"], []).append(item["fact"])
        answer = services.answerer.ask(query["query"])
        if not answer.found:
            refused += 1
            continue
        cited = [(c.hit.url, c.quote) for c in answer.citations]
        answered.add(cited, evidence, query["answer"], [c.hit.text for c in answer.citations])
        hits = services.answerer.searcher.search(query["query"], 3)
        top3.add([(h.url, h.text) for h in hits], evidence, query["answer"])
        if shown < args.show and any(url not in evidence for url, _ in cited):
            shown += 1
            print(f"\nQ: {query['query']}\n   gold: {query['answer']}")
            for c in answer.citations:
                mark = "+" if c.hit.url in evidence else "-"
                print(f"   {mark} [{c.n}] {c.hit.title[:60]} | {c.quote[:160]}")
    elapsed = time.monotonic() - started
    services.close()

    print(f"# bench/citations.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"{len(queries)} answerable MultiHop-RAG dev queries, {refused} refused, "
        f"{elapsed:.0f} s ({elapsed / max(len(queries), 1) * 1000:.0f} ms per query)"
    )
    print(answered.line("answer service (quoted sentences)"))
    print(top3.line("reference: top 3 passages whole"))


if __name__ == "__main__":
    main()
