"""Persistence: SQLModel tables, the async engine, units of work and repositories."""
