"""Query text normalisation and hashing, so identical searches match whether or not their text is kept."""

from __future__ import annotations

import hashlib
import re

_SPACES = re.compile(r"\s+")


def normalise_query(query: str) -> str:
    """Return query lower-cased with runs of whitespace collapsed and the ends trimmed."""
    return _SPACES.sub(" ", query).strip().casefold()


def query_hash(query: str) -> str:
    """Return the sha256 hex digest of the normalised query (identical wording → identical hash)."""
    return hashlib.sha256(normalise_query(query).encode("utf-8")).hexdigest()
