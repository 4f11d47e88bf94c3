"""Who knows what: degree of authorship, bus factor per topic, departure simulation (pure functions)."""
