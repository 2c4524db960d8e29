"""The `eval` commands: MultiHop-RAG retrieval and refusals, answerability, and a meetings
set, each on a scratch store of its own (the loops are in retrieval/eval/runs.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.commands.common import fail, load_settings, open_or_fail, with_mode
from retrieval.config import Settings
from retrieval.service import Services

__all__ = ["eval_answerability", "eval_meetings", "eval_multihop"]


def _scratch(data_dir: Path | None, default: str) -> Settings:
    """The settings of an evaluation's own store: SQLite in `data_dir`, by default the folder
    `default` of DATA_DIR, never the database the bot uses."""
    base = load_settings()
    return base.model_copy(
        update={"data_dir": data_dir or base.data_dir / default, "database_url": None}
    )


def _ingest_all(services: Services, settings: Settings, source: Path, what: str) -> None:
    """Ingest an evaluation's articles (what is stored already is skipped), or fail naming
    the first problems: a score over part of a corpus would mislead."""
    from ingest.pipeline import ingest as run_ingest

    summary = run_ingest([str(source)], settings.ingest, services.store, services.embedder)
    if summary.failed:
        raise fail(f"{what} did not ingest cleanly: {summary.errors[:3]}")


def eval_multihop(
    queries: Annotated[Path, typer.Option(help="MultiHop-RAG queries JSON.", exists=True)],
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus JSON (default: corpus.json beside the queries).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Scratch data dir, reused when it holds the corpus (DATA_DIR/eval-multihop)."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Score only the first N answerable queries.")
    ] = None,
    modes: Annotated[str, typer.Option(help="Retrieval modes to score, comma-separated.")] = (
        "hybrid,dense,lexical"
    ),
    refusals: Annotated[
        bool,
        typer.Option(
            help="Also ask every query through the answer service and count refusals "
            "(null queries should be refused, answerable ones not)."
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Retrieval metrics of the MultiHop-RAG benchmark (Hits@4, Hits@10, MRR@10, MAP@10),
    and the answer service's refusal rates on null and answerable queries."""
    from retrieval.eval.multihop import format_table
    from retrieval.eval.runs import run_multihop

    settings = _scratch(data_dir, "eval-multihop")
    services = open_or_fail(settings)
    try:
        _ingest_all(services, settings, corpus or queries.parent / "corpus.json", "the corpus")
        mode_names = [with_mode(settings, mode).search_mode for mode in modes.split(",")]
        run = run_multihop(services, queries, mode_names, limit, refusals)
    finally:
        services.close()
    if as_json:
        payload = {
            "passage_words": [settings.passage_min_words, settings.passage_max_words],
            "model": settings.embedding_model,
            "results": {
                mode: {name: scores.to_json() for name, scores in by_type.items()}
                for mode, by_type in run.results.items()
            },
            "refusals": run.refusals.to_json() if run.refusals else None,
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(
        f"passages of {settings.passage_min_words}..{settings.passage_max_words} words, "
        f"model {settings.embedding_model}, top 10, null queries excluded"
    )
    for mode, by_type in run.results.items():
        typer.echo(f"\n{mode}:\n{format_table(by_type)}")
    if run.refusals:
        typer.echo(f"\nanswers ({settings.search_mode}): {run.refusals.line()}")


def eval_answerability(
    offtopic: Annotated[Path, typer.Option(help="Off-topic questions (JSONL).", exists=True)],
    queries: Annotated[Path, typer.Option(help="MultiHop-RAG queries JSON.", exists=True)],
    data_dir: Annotated[Path, typer.Option(help="A data dir `eval multihop` built.", exists=True)],
    limit: Annotated[int | None, typer.Option(help="Ask the first N queries of each type.")] = None,
) -> None:
    """Refused / answered per kind: off-topic questions (to refuse) and MultiHop-RAG queries
    (answerable ones to answer, null ones to refuse), with the share refused by each rule."""
    from retrieval.eval.answerability import evaluate_answerability, format_report

    services = open_or_fail(_scratch(data_dir, "eval-multihop"))
    try:
        asked = evaluate_answerability(offtopic, queries, services.answerer.ask, limit)
        threshold = services.answerer.answerability.threshold
    finally:
        services.close()
    typer.echo(format_report(asked, threshold))


def eval_meetings(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A folder like eval/meetings-dev: articles/NNN.txt and questions.jsonl.",
            exists=True,
            file_okay=False,
        ),
    ],
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Scratch data dir, reused across runs (DATA_DIR/eval-meetings)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    show: Annotated[
        bool, typer.Option("--show", help="Also print each question with what was answered.")
    ] = False,
) -> None:
    """Who / when / where / none accuracy on a meetings set, with citations checked against
    the evidence articles."""
    from retrieval.eval.meeting_set import (
        SPLIT_RULE,
        MeetingQuestion,
        half_of,
        load_groups,
        load_questions,
        with_metadata,
    )
    from retrieval.eval.meetings import format_table
    from retrieval.eval.runs import run_meetings

    questions = load_questions(folder / "questions.jsonl")
    groups = load_groups(folder / "articles.jsonl")
    settings = _scratch(data_dir, "eval-meetings")
    services = open_or_fail(settings)
    try:
        articles = with_metadata(folder, settings.data_dir / "articles")
        _ingest_all(services, settings, articles, "the articles")

        def echo(question: MeetingQuestion, answer: dict[str, object], cited: set[str]) -> None:
            typer.echo(
                f"{question.qid} {question.type} [{half_of(question, groups)}]: "
                f"{question.question}\n  gold {list(question.gold)}; answered {answer['values']} "
                f"found={answer['found']} cited {sorted(cited)}",
                err=as_json,
            )

        run = run_meetings(services, questions, groups, echo if show else None)
    finally:
        services.close()
    if as_json:
        payload = run.report.to_json()
        payload["halves"] = {h: r.to_json() | {"questions": None} for h, r in run.halves.items()}
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"{len(questions)} questions from {folder}")
    typer.echo(format_table(run.report))
    for name, report in run.halves.items():
        typer.echo(f"\n{name} half ({report.overall.count} questions; {SPLIT_RULE}):")
        typer.echo(format_table(report))
