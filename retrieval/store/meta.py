"""The `meta` table: which model (and dimension) made the stored vectors, and which encoder
runtimes compute that same space. Opening a store with another model is refused here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from retrieval.errors import IndexError_
from retrieval.store.models import Meta

__all__ = ["ENCODER_KEY", "VECTORS_MODEL_KEY", "MetaRecords", "ensure_vectors_model"]

VECTORS_MODEL_KEY = "vectors_model"
ENCODER_KEY = "encoder:"


class MetaRecords:
    """Reads and writes the facts about the store itself."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def vectors_model(self) -> str | None:
        """`model/dim` of the vectors stored in the database, or None before the first one."""
        with self.sessions() as session:
            row = session.get(Meta, VECTORS_MODEL_KEY)
        return row.value if row else None

    def set_vectors_model(self, space: str) -> None:
        """Record `model/dim` as the maker of the stored vectors (after a re-encode)."""
        with self.sessions.begin() as session:
            session.merge(Meta(key=VECTORS_MODEL_KEY, value=space))

    def check_vectors_model(self, space: str) -> None:
        """Refuse a store whose vectors another model made (IndexError_ naming the fix)."""
        recorded = self.vectors_model()
        if recorded is not None and recorded != space:
            raise IndexError_(
                f"the stored vectors were made by {recorded}, the settings name "
                f"{space}: run `newsbot reindex --reencode`"
            )

    def encoders(self) -> dict[str, str]:
        """The encoders recorded as making this store's vector space: runtime -> the space
        and the evidence (`encoder:onnx-fp32` -> "bundled:all-MiniLM-L6-v2/384: same vectors
        as torch ...")."""
        with self.sessions() as session:
            rows = session.scalars(select(Meta).where(Meta.key.startswith(ENCODER_KEY))).all()
        return {row.key[len(ENCODER_KEY) :]: row.value for row in rows}

    def record_encoder(self, runtime: str, note: str) -> None:
        """Record that `runtime` computes this store's vector space (`note`: which space, and
        the evidence), once: a second runtime of the same space needs no re-encode."""
        key = f"{ENCODER_KEY}{runtime}"
        try:
            with self.sessions.begin() as session:
                row = session.get(Meta, key)
                if row is None:
                    session.add(Meta(key=key, value=note))
                elif row.value != note:
                    row.value = note
        except IntegrityError:
            pass  # another process recorded it at the same moment


def ensure_vectors_model(session: Session, space: str) -> None:
    """Inside a writer's transaction: record `space` as the vectors' maker if none is yet."""
    if session.get(Meta, VECTORS_MODEL_KEY) is None:
        session.add(Meta(key=VECTORS_MODEL_KEY, value=space))
