"""Files staff download from the console (CSV, XLSX, PDF), streamed in pieces.

Heavy files (a workbook, the booklet) are built in a worker thread, so the bot keeps answering
people meanwhile; the response is then written a piece at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import quote

from aiohttp import web

CHUNK = 64 * 1024
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


async def send_file(request: web.Request, content: bytes, *, filename: str,
                    content_type: str) -> web.StreamResponse:
    """Stream `content` as an attachment named `filename`."""
    response = web.StreamResponse(headers={
        "Content-Type": content_type,
        "Content-Disposition": f"attachment; filename=\"{filename}\"; "
                               f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",  # organisations' contact details: never kept by a proxy
        "X-Content-Type-Options": "nosniff",
    })
    response.content_length = len(content)
    await response.prepare(request)
    for start in range(0, len(content), CHUNK):
        await response.write(content[start:start + CHUNK])
    await response.write_eof()
    return response


async def send_built(request: web.Request, build: Callable[[], bytes], *, filename: str,
                     content_type: str) -> web.StreamResponse:
    """Build the file in a worker thread, then stream it."""
    content = await asyncio.to_thread(build)
    return await send_file(request, content, filename=filename, content_type=content_type)


def csv_bytes(text: str) -> bytes:
    """CSV text as Excel opens Georgian correctly: UTF-8 with a byte-order mark."""
    return text.encode("utf-8-sig")
