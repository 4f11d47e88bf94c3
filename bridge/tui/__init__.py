"""The Textual front end: search, read, write and review records (the only package that imports textual)."""
