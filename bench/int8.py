"""Would a dynamic int8 quantisation of the ONNX encoder do? Vectors, speed and retrieval
against the fp32 export, in one run.

The int8 model is `onnxruntime.quantization.quantize_dynamic` of the fp32 export (weights of
the MatMul operators only, signed int8, one scale per output channel: of the settings tried,
the closest to fp32; quantizing the embedding table too, or one scale per tensor, moved the
vectors twice as far). Its vectors are another space, so a store must be re-encoded for it.
Printed: cosine of int8 to fp32 vectors on MultiHop-RAG paragraphs, paragraphs/s of each,
then `newsbot eval multihop` (dense and hybrid, no refusals) on a copy of the data dir
re-encoded with int8 against the data dir as it is (fp32), and `newsbot eval meetings` with
each. The condition of issue 15 for adopting int8: Hits@10 and MRR@10 within 0.005 of fp32,
and the meetings set unchanged.

    .venv/bin/python bench/int8.py --data-dir /tmp/onnx-data --scratch /tmp/onnx-int8
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.config import Settings  # noqa: E402
from retrieval.store.onnx import MANIFEST_FILE, ONNX_FILE, OnnxEmbedder, ensure_exported  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"


def quantize(fp32: Path, out: Path) -> None:
    """The int8 model in `out`, with a manifest like the fp32 one (so OnnxEmbedder loads it)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(
        str(fp32 / ONNX_FILE),
        str(out / ONNX_FILE),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        per_channel=True,
    )
    manifest = json.loads((fp32 / MANIFEST_FILE).read_text())
    manifest["onnx_bytes"] = (out / ONNX_FILE).stat().st_size
    manifest["data_bytes"] = 0  # quantize_dynamic writes one file, the weights inside
    manifest["exported_with"] += " + quantize_dynamic int8 (MatMul, per channel)"
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2))


def rate(embedder: OnnxEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.encode_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def newsbot(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"newsbot {args[:2]} failed: {done.stderr[-800:]}")
    return done.stdout


def figures(out: str) -> dict[str, tuple[float, float]]:
    """mode -> (Hits@10, MRR@10) over every query type."""
    results = json.loads(out)["results"]
    return {mode: (r["overall"]["hits@10"], r["overall"]["mrr@10"]) for mode, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a MultiHop-RAG data dir")
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument(
        "--queries", type=Path, default=SHARED / "multihop-rag" / "queries-dev.json"
    )
    parser.add_argument("--meetings", type=Path, default=SHARED / "meetings-dev")
    parser.add_argument("--paragraphs", type=int, default=600)
    args = parser.parse_args()

    data = args.data_dir.resolve()
    scratch = args.scratch.resolve()
    fp32_dir = Settings(_env_file=None, NEWSBOT_DATA_DIR=data).store.onnx_dir  # type: ignore[call-arg]
    ensure_exported(fp32_dir)
    int8_dir = scratch / "int8-model"
    quantize(fp32_dir, int8_dir)

    corpus = json.loads((args.queries.parent / "corpus.json").read_text())
    texts = [p.strip() for a in corpus for p in a["body"].split("\n\n") if p.strip()]
    texts = texts[: args.paragraphs]
    threads = os.cpu_count() or 1
    fp32, int8 = OnnxEmbedder(fp32_dir, threads), OnnxEmbedder(int8_dir, threads)
    cosines = np.sum(fp32.encode_documents(texts) * int8.encode_documents(texts), axis=1)
    rates = {"fp32": [rate(fp32, texts)], "int8": [rate(int8, texts)]}
    rates["fp32"].append(rate(fp32, texts))
    rates["int8"].append(rate(int8, texts))

    base = {k: v for k, v in os.environ.items() if k not in ("ENCODER_RUNTIME", "DATABASE_URL")}
    base["PYTHONPATH"] = str(ROOT)
    int8_data = scratch / "data"
    shutil.rmtree(int8_data, ignore_errors=True)
    shutil.copytree(data, int8_data)
    env = {
        "fp32": {**base, "NEWSBOT_DATA_DIR": str(data), "ENCODER_DIR": str(fp32_dir)},
        "int8": {**base, "NEWSBOT_DATA_DIR": str(int8_data), "ENCODER_DIR": str(int8_dir)},
    }
    started = time.perf_counter()
    newsbot(["reindex", "--reencode"], env["int8"])
    reencode = time.perf_counter() - started
    multihop, meetings = {}, {}
    for name, variables in env.items():
        multihop[name] = figures(
            newsbot(
                ["eval", "multihop", "--queries", str(args.queries), "--modes", "hybrid,dense",
                 "--no-refusals", "--json", "--data-dir", variables["NEWSBOT_DATA_DIR"]],
                variables,
            )
        )  # fmt: skip
        meetings_dir = scratch / f"meetings-{name}"
        shutil.rmtree(meetings_dir, ignore_errors=True)
        meetings[name] = newsbot(
            ["eval", "meetings", str(args.meetings), "--json", "--data-dir", str(meetings_dir)],
            variables,
        )

    print(
        f"# bench/int8.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"int8 against fp32 on {len(texts)} MultiHop-RAG paragraphs: cosine mean "
        f"{cosines.mean():.4f}, min {cosines.min():.4f}; paragraphs/s fp32 "
        f"{' / '.join(f'{r:.1f}' for r in rates['fp32'])}, int8 "
        f"{' / '.join(f'{r:.1f}' for r in rates['int8'])}; model bytes fp32 "
        f"{(fp32_dir / ONNX_FILE).stat().st_size}, int8 {(int8_dir / ONNX_FILE).stat().st_size}"
    )
    print(f"re-encoding the store with int8: {reencode:.0f} s")
    for mode in multihop["fp32"]:
        (h32, m32), (h8, m8) = multihop["fp32"][mode], multihop["int8"][mode]
        print(
            f"multihop {mode}: Hits@10 fp32 {h32:.4f} int8 {h8:.4f} ({h8 - h32:+.4f}); "
            f"MRR@10 fp32 {m32:.4f} int8 {m8:.4f} ({m8 - m32:+.4f})"
        )
    same = meetings["fp32"] == meetings["int8"]
    scores = {name: json.loads(out)["overall"] for name, out in meetings.items()}
    verdict = "identical" if same else "DIFFERENT"
    print(f"meetings: {verdict}; fp32 {scores['fp32']}; int8 {scores['int8']}")
    ok = same and all(
        abs(a - b) <= 0.005
        for mode in multihop["fp32"]
        for a, b in zip(multihop["fp32"][mode], multihop["int8"][mode], strict=True)
    )
    print(f"int8 meets the condition: {ok}")


if __name__ == "__main__":
    main()
