"""Evaluation: MultiHop-RAG retrieval scoring, the meetings set's scoring, and the loops that run
them over a store (`newsbot eval`)."""

__all__: list[str] = []
