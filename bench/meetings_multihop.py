"""Our own meeting questions on the MultiHop-RAG corpus: who met whom, when and where.

The questions (`tests/data/meetings-multihop/questions.jsonl`, written by hand from meetings the
609 real 2023 articles report, plus questions about meetings no article reports) are asked
through the answer service, as the bot asks them, over the whole corpus. Each answer is scored
by the rules of the meetings set (`retrieval/eval/meetings.py`: set F1 for who, the exact ISO
date for when, a matching place for where, a refusal for none); a citation is right when it
points to one of the question's evidence articles, named by their URL.

Same-run reference: for the answerable questions, the share whose evidence article is among the
articles of the top 10 passages of a plain hybrid search (what the reader had to work with).

    .venv/bin/python bench/meetings_multihop.py [--data-dir /tmp/nbe] [--corpus PATH]
                                                [--questions PATH] [--show] [--json]

The data dir is the one `newsbot eval multihop --data-dir` builds: the corpus is ingested into
it the first time (about 7 minutes) and found unchanged afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.eval.meeting_set import MeetingQuestion, load_questions  # noqa: E402
from retrieval.eval.meetings import aggregate, format_table, score_answer  # noqa: E402
from retrieval.service import open_services  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
DEFAULT_QUESTIONS = ROOT / "tests" / "data" / "meetings-multihop" / "questions.jsonl"


def show_line(question: MeetingQuestion, answer: dict[str, object], cited: set[str]) -> str:
    """One question with what was answered and whether a citation is one of its evidence."""
    if question.type == "none":
        citation = "-"
    else:
        citation = "evidence" if question.evidence & cited else "no evidence article"
    return (
        f"{question.qid} {question.type}: {question.question}\n"
        f"  gold {list(question.gold)}; answered {answer['values']} found={answer['found']} "
        f"cited {len(cited)} articles: {citation}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--show", action="store_true", help="print each question and answer")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    questions = load_questions(args.questions)
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir)  # type: ignore[call-arg]
    services = open_services(settings)
    summary = ingest([str(args.corpus)], settings.ingest, services.store, services.embedder)
    if summary.failed:
        raise SystemExit(f"the corpus did not ingest cleanly: {summary.errors[:3]}")
    services.refresh()
    stats = services.store.stats()

    scores = []
    in_top10 = 0
    asking = 0.0
    for question in questions:
        started = time.perf_counter()
        answer = services.ask(question.question)
        asking += time.perf_counter() - started
        cited = {c.hit.url for c in answer.citations if c.hit.url}
        payload = answer.to_json()
        scores.append(score_answer(question, payload, cited))
        if question.type != "none":
            urls = {hit.url for hit in services.search(question.question, 10)}
            in_top10 += bool(question.evidence & urls)
        if args.show:
            print(show_line(question, payload, cited), file=sys.stderr if args.json else sys.stdout)
    services.close()

    report = aggregate(scores)
    answerable = sum(q.type != "none" for q in questions)
    reference = in_top10 / answerable if answerable else 0.0
    if args.json:
        print(json.dumps(report.to_json() | {"evidence_in_top10": round(reference, 4)}))
        return
    print(f"# bench/meetings_multihop.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"{len(questions)} questions from {args.questions.name}; corpus {stats['articles']} "
        f"articles, {stats['passages']} passages (ingest this run: {summary.new} new, "
        f"{summary.unchanged} unchanged); asking took {asking:.0f} s "
        f"({asking / max(len(questions), 1) * 1000:.0f} ms per question)"
    )
    print(format_table(report))
    print(
        f"reference: evidence article in the top 10 hybrid passages for {in_top10}/{answerable} "
        f"answerable questions ({reference:.4f})"
    )


if __name__ == "__main__":
    main()
