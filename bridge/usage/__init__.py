"""Usage of the knowledge base: event model, query hashing, unanswered-question clusters, importance and risk.

Pure functions over usage events and domain objects, plus the background writer that keeps logging off the
search path; the store keeps the events and the workspace joins them with the rest.
"""
