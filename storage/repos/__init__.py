"""Repositories: the only code that writes queries."""
