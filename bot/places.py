"""Imereti's twelve municipalities (ids are stable; names in Georgian and English)."""

from __future__ import annotations

from bot.i18n import N_

MUNICIPALITIES: dict[str, str] = {
    "kutaisi": N_("Kutaisi"), "baghdati": N_("Baghdati"), "vani": N_("Vani"),
    "zestaponi": N_("Zestaponi"), "terjola": N_("Terjola"), "samtredia": N_("Samtredia"),
    "sachkhere": N_("Sachkhere"), "tkibuli": N_("Tkibuli"), "tskaltubo": N_("Tskaltubo"),
    "chiatura": N_("Chiatura"), "kharagauli": N_("Kharagauli"), "khoni": N_("Khoni"),
    "other": N_("Other / outside Imereti"),
}
