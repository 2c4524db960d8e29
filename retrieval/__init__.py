"""The store (SQLAlchemy models, FAISS index) and everything that turns questions into answers."""
