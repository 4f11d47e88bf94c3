"""bridge: operational knowledge (runbooks and decision records) searchable by people and agents."""

__version__ = "0.1.0"
