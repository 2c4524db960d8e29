"""The store (SQLAlchemy models, FAISS index) and everything that turns questions into answers."""

__all__: list[str] = []
