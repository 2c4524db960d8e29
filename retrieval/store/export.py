"""Export the bundled MiniLM to ONNX, once, and check it against torch before keeping it.

The one place besides `SentenceTransformerEmbedder` that imports torch. Run by
`ensure_exported` (retrieval/store/onnx.py) in a child process, and by `newsbot encoder`.

Why torch's own exporter (`torch.onnx.export`) and not a library's: the exporters that wrap it
for Hugging Face models (optimum-onnx, which sentence-transformers' ONNX backend also uses)
require transformers < 4.58, while sentence-transformers 6 requires transformers >= 5, so
they cannot be installed beside the model's own library (docs/benchmarks.md).

The exported graph is the whole sentence-transformers pipeline of the model (modules.json:
Transformer, mean Pooling, Normalize): token ids in, unit vectors out. Its weights are written
to a file of their own beside it (`DATA_FILE`, which ONNX Runtime maps); an export made before
that is split so once, checked to give the very same vectors, without torch.

    python -m retrieval.store.export DIRECTORY
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.config import DEFAULT_MODEL
from retrieval.errors import ConfigError
from retrieval.store.onnx import (
    DATA_FILE,
    INPUTS,
    MANIFEST_FILE,
    ONNX_FILE,
    OUTPUT,
    EncoderManifest,
    OnnxEmbedder,
    bundled_model_dir,
    read_manifest,
)

__all__ = ["MIN_COSINE", "OPSET", "Export", "check_texts", "export", "main"]

logger = logging.getLogger(__name__)

MIN_COSINE = 0.9999  # below this the ONNX vectors would not be the stored vectors' space
OPSET = 17


@dataclass(frozen=True)
class Export:
    """What an export produced."""

    directory: Path
    manifest: EncoderManifest


def check_texts() -> list[str]:
    """Real paragraphs to compare the two encoders on, shipped with the model itself (its
    model card), with a short one and one longer than the model reads (truncation)."""
    card = (bundled_model_dir() / "README.md").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in card.split("\n\n") if len(p.split()) >= 5]
    return [*paragraphs, "News.", " ".join(paragraphs)]


def _pipeline() -> Any:
    """The model as one torch module: token ids -> mean-pooled, normalised vectors."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    # Eager attention traces to plain ONNX operators; the result is the same numbers.
    bert = AutoModel.from_pretrained(str(bundled_model_dir()), attn_implementation="eager")

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pipeline().eval()


def _export_graph(path: Path) -> str:
    import torch

    example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer's warnings are about branches on shapes that the padding mask fixes.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _pipeline(),
            example,
            str(path),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={**axes, OUTPUT: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    return f"torch {torch.__version__} onnx opset {OPSET}"


def _split_weights(graph: Path, directory: Path) -> tuple[int, int]:
    """The single-file ONNX model `graph` written into `directory` as ONNX_FILE with its
    weights in DATA_FILE; the two sizes."""
    import onnx

    model = onnx.load(str(graph))
    onnx.save_model(model, str(directory / ONNX_FILE), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=DATA_FILE)  # fmt: skip
    # onnx makes the weights file private (0600): readable by whoever may read the graph.
    os.chmod(directory / DATA_FILE, (directory / ONNX_FILE).stat().st_mode & 0o777)
    return (directory / ONNX_FILE).stat().st_size, (directory / DATA_FILE).stat().st_size


def _put_in_place(scratch: Path, directory: Path) -> None:
    """The manifest goes last and away first: a reader sees all three files or no manifest."""
    (directory / MANIFEST_FILE).unlink(missing_ok=True)
    os.replace(scratch / DATA_FILE, directory / DATA_FILE)
    os.replace(scratch / ONNX_FILE, directory / ONNX_FILE)
    os.replace(scratch / MANIFEST_FILE, directory / MANIFEST_FILE)


def _split_in_place(directory: Path, manifest: EncoderManifest) -> EncoderManifest:
    """An export whose weights are inside the graph (made before they had a file of their
    own), split: kept only if it gives the very same vectors on the check texts."""
    with tempfile.TemporaryDirectory(dir=directory, prefix=".split-") as tmp:
        scratch = Path(tmp)
        onnx_bytes, data_bytes = _split_weights(directory / ONNX_FILE, scratch)
        split = EncoderManifest(
            **{**manifest.__dict__, "onnx_bytes": onnx_bytes, "data_bytes": data_bytes}
        )
        (scratch / MANIFEST_FILE).write_text(split.to_json())
        texts = check_texts()
        before = OnnxEmbedder(directory, batch_size=8).encode_documents(texts)
        after = OnnxEmbedder(scratch, batch_size=8).encode_documents(texts)
        if not np.array_equal(before, after):
            raise ConfigError("the ONNX encoder's weights, split out, gave other vectors")
        _put_in_place(scratch, directory)
    logger.info("split the weights of %s into %s", directory / ONNX_FILE, DATA_FILE)
    return split


def export(directory: Path, force: bool = False) -> Export:
    """Export the bundled model into `directory`, check it against torch on real paragraphs
    (cosine >= MIN_COSINE for each) and only then put it in place, manifest last. Several
    processes may ask at once: one exports, the others wait and reuse it (unless `force`).
    An older export with the weights inside the graph is split (`_split_in_place`)."""
    from retrieval.store.embedder import SentenceTransformerEmbedder

    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            try:
                found = read_manifest(directory)
            except ConfigError:
                pass  # missing or corrupt: export it
            else:
                if not found.data_bytes:
                    found = _split_in_place(directory, found)
                return Export(directory, found)
        with tempfile.TemporaryDirectory(dir=directory, prefix=".export-") as tmp:
            scratch = Path(tmp)
            exported_with = _export_graph(scratch / "whole.onnx")
            onnx_bytes, data_bytes = _split_weights(scratch / "whole.onnx", scratch)
            config = json.loads((bundled_model_dir() / "sentence_bert_config.json").read_text())
            torch_model = SentenceTransformerEmbedder(DEFAULT_MODEL)
            draft = EncoderManifest(
                space=DEFAULT_MODEL,
                dim=torch_model.dim,
                max_seq_length=int(config["max_seq_length"]),
                onnx_bytes=onnx_bytes,
                min_cosine=0.0,
                checked=0,
                exported_with=exported_with,
                data_bytes=data_bytes,
            )
            (scratch / MANIFEST_FILE).write_text(draft.to_json())
            texts = check_texts()
            got = OnnxEmbedder(scratch, batch_size=8).encode_documents(texts)
            want = torch_model.encode_documents(texts)
            cosine = float(np.min(np.sum(got * want, axis=1)))
            if cosine < MIN_COSINE:
                raise ConfigError(
                    f"the exported ONNX model differs from torch's (min cosine {cosine:.6f} "
                    f"< {MIN_COSINE}): not kept"
                )
            manifest = EncoderManifest(
                **{**draft.__dict__, "min_cosine": cosine, "checked": len(texts)}
            )
            (scratch / MANIFEST_FILE).write_text(manifest.to_json())
            _put_in_place(scratch, directory)
    logger.info("exported %s (%s)", directory / ONNX_FILE, manifest.note())
    return Export(directory, manifest)


def main() -> None:
    """`python -m retrieval.store.export DIRECTORY`: one line on stdout, or the reason on
    stderr and exit status 1."""
    if len(sys.argv) != 2:
        sys.exit("usage: python -m retrieval.store.export DIRECTORY")
    try:
        done = export(Path(sys.argv[1]))
    except (ConfigError, OSError) as exc:
        sys.exit(f"export failed: {exc}")
    print(f"{done.directory / ONNX_FILE}: {done.manifest.note()}")


if __name__ == "__main__":
    main()
