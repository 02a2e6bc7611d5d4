"""Writing export files: where staff said, with the full path printed, refusals in one line."""

from __future__ import annotations

from pathlib import Path


class OutputError(Exception):
    """The file cannot be written there; told in one line."""


def write_file(output: Path, content: bytes, *, default_name: str | None = None) -> Path:
    """Write `content` to `output` (into it under `default_name` when it is a folder);
    returns the absolute path written."""
    target = output / default_name if default_name and output.is_dir() else output
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target.resolve()
