"""How long a text column is, read from the model: checks before the database use these."""

from __future__ import annotations

from sqlmodel import SQLModel


def max_length(model: type[SQLModel], field: str) -> int | None:
    """The column's length limit in characters, or None when it has none."""
    column = model.__table__.c[field]  # type: ignore[attr-defined]
    return getattr(column.type, "length", None)


def overlong(row: SQLModel) -> list[tuple[str, int, int]]:
    """(field, limit, length) for every text value longer than its column allows."""
    found = []
    for column in row.__table__.c:  # type: ignore[attr-defined]
        limit = getattr(column.type, "length", None)
        value = getattr(row, column.key, None)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            found.append((column.key, limit, len(value)))
    return found
