"""The console's Report page: the form downloads the month's report; its pages, rendered by the
browser, show the charts."""

from __future__ import annotations

import io
from pathlib import Path

import numpy
from openpyxl import load_workbook
from PIL import Image
from playwright.async_api import Page, expect

from bot.exports.report_charts import BARS
from tests.console_harness import ConsoleHarness
from tests.test_report import pdf_text, seed_month


def accent_pixels(png: bytes) -> int:
    """Pixels of a screenshot in the bars' colour (no text is drawn in it)."""
    pixels = numpy.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=numpy.int16)
    return int((numpy.abs(pixels - numpy.array(BARS)) < 12).all(axis=2).sum())


async def _download(page: Page, button: str) -> bytes:
    async with page.expect_download() as info:
        await page.get_by_role("button", name=button).click()
    path = await (await info.value).path()
    return Path(path).read_bytes()


async def test_report_page_downloads_the_month_in_pdf_and_xlsx(console: ConsoleHarness,
                                                                tmp_path: Path) -> None:
    await seed_month(console.hub)
    page = await console.sign_in()
    await page.get_by_role("link", name=console.ka("Report")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        console.ka("Activity report for donors"))
    await page.get_by_label("English").check()
    content = await _download(page, console.ka("Download"))
    text = pdf_text(content)
    assert "Tickets opened 7" in text and "Vani <3" in text

    # the first page as the browser draws it: a picture with the charts' bars on it
    report = tmp_path / "report.pdf"
    report.write_bytes(content)
    viewer = await console.new_page()
    await viewer.set_viewport_size({"width": 900, "height": 1200})
    await viewer.goto(report.as_uri())
    await viewer.wait_for_timeout(1500)  # the viewer draws after the load event
    assert accent_pixels(await viewer.screenshot()) > 2000

    await page.get_by_label("XLSX").check()
    book = load_workbook(io.BytesIO(await _download(page, console.ka("Download"))))
    assert "tickets_place" in book.sheetnames


async def test_report_page_refuses_a_backwards_period(console: ConsoleHarness) -> None:
    page = await console.sign_in()
    answer = await page.goto("/console/reports/download?from=2026-03-01&to=2026-01-01"
                             "&format=pdf&lang=en")
    assert answer is not None and answer.status == 400
    await expect(page.get_by_role("alert")).to_have_text(
        console.ka("The last day is before the first."))
