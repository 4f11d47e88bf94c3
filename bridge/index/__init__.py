"""Search indexes: the embedder, the FAISS vector index and rank fusion (heavy imports are lazy)."""
