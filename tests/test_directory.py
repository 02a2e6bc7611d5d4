"""/directory through the stand-in Bot API: by municipality, by area, by name in any script."""

from __future__ import annotations

from tests.telegram_harness import TelegramHarness, buttons
from tests.test_orgs_export import _add, _organisation

USER = 5301


async def _seed(telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    many = [_organisation(f"ქუთაისის ორგანიზაცია {i}", "kutaisi", code=f"2000000{i:02d}")
            for i in range(7)]
    await _add(telegram.hub,
               _organisation("ზესტაფონის ქალთა კავშირი", "zestaponi", code="204567892",
                             name_en="Zestaponi Women's Union"),
               _organisation("ხონის სათემო ჯგუფი", "khoni", code=None),
               _organisation("დამალული ორგანიზაცია", "vani", code="204567893", public=False),
               _organisation("განსახილველი ორგანიზაცია", "vani", code="204567894",
                             status="pending"),
               *many)


async def test_browse_by_municipality_pages_through_listed_organisations(
        telegram: TelegramHarness) -> None:
    await _seed(telegram)
    [home] = await telegram.send(USER, "/directory")
    [municipalities] = await telegram.press_label(USER, home, "📍 By municipality")
    labels = list(buttons(municipalities))
    assert "Kutaisi (7)" in labels and "Khoni (1)" in labels
    assert not any(label.startswith("Vani") for label in labels)  # hidden and pending only
    [page] = await telegram.press_label(USER, municipalities, "Kutaisi (7)")
    assert "organisations 1–5 of 7" in page["text"]
    [more] = await telegram.press_label(USER, page, "More")
    assert "organisations 6–7 of 7" in more["text"]
    assert "More ▶️" not in buttons(more)


async def test_browse_by_area(telegram: TelegramHarness) -> None:
    await _seed(telegram)
    [home] = await telegram.send(USER, "/directory")
    [areas] = await telegram.press_label(USER, home, "🎯 By area of work")
    [page] = await telegram.press_label(USER, areas, "Youth (9)")
    assert "of 9" in page["text"]


async def test_search_by_name_in_georgian_english_and_translit(telegram: TelegramHarness) -> None:
    await _seed(telegram)
    for query, expected in (("ქალთა კავშირი", "ზესტაფონის ქალთა კავშირი"),
                            ("women's union", "ზესტაფონის ქალთა კავშირი"),
                            ("xonis satemo", "ხონის სათემო ჯგუფი")):
        [home] = await telegram.send(USER, "/directory")
        [ask] = await telegram.press_label(USER, home, "🔎 Search by name")
        [found] = await telegram.send(USER, query)
        assert expected in found["text"], query
        assert "დამალული" not in found["text"]
    [home] = await telegram.send(USER, "/directory")
    [ask] = await telegram.press_label(USER, home, "🔎 Search by name")
    [nothing] = await telegram.send(USER, "დამალული ორგანიზაცია")
    assert "No listed organisation" in nothing["text"]


async def test_empty_directory_says_so(telegram: TelegramHarness) -> None:
    [home] = await telegram.send(USER, "/directory")
    [empty] = await telegram.press_label(USER, home, "📍 By municipality")
    assert "No organisations are listed" in empty["text"]
    [stale] = await telegram.press(USER, "dir:m:atlantis", message_id=empty["message_id"])
    assert "no longer active" in stale["text"]


async def test_pages_of_a_municipality_follow_each_other_by_name(
        telegram: TelegramHarness) -> None:
    assert telegram.hub is not None
    names = [f"ბაღდათის ორგანიზაცია {letter}" for letter in "ავბგდეზთიკლმ"]
    await _add(telegram.hub, *[_organisation(name, "baghdati", code=f"3000000{i:02d}")
                               for i, name in enumerate(names)],
               _organisation("ბაღდათის დამალული", "baghdati", code="300000099", public=False))
    [home] = await telegram.send(USER, "/directory")
    [municipalities] = await telegram.press_label(USER, home, "📍 By municipality")
    [page] = await telegram.press_label(USER, municipalities, "Baghdati (12)")
    shown, headers = [], []
    while True:
        headers.append(page["text"].split("\n", 1)[0])
        shown += [name for name in names if name in page["text"]]
        if "More ▶️" not in buttons(page):
            break
        [page] = await telegram.press_label(USER, page, "More")
    assert [h.split(": ", 1)[1] for h in headers] == [
        "organisations 1–5 of 12", "organisations 6–10 of 12", "organisations 11–12 of 12"]
    assert shown == sorted(names)  # each once, in name order, across the pages
