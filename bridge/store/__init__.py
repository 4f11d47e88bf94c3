"""Persistence: SQLModel tables, engine, migrations and repository functions (the only place using SQL)."""
