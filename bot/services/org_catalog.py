"""The fixed choices of an organisation's record: legal forms, areas of work, municipalities.

Keys are stored in the database and never change; labels are message ids, translated when shown.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.places import MUNICIPALITIES

__all__ = ["AREAS", "LEGAL_FORMS", "MUNICIPALITIES", "NO_CODE_FORMS", "area_label",
           "legal_form_label", "municipality_label"]

LEGAL_FORMS: dict[str, str] = {
    "nnle": N_("Non-commercial legal entity (NNLE)"),
    "foundation": N_("Foundation"),
    "association": N_("Association or union"),
    "informal": N_("Informal initiative group"),
    "cbo": N_("Community-based organisation"),
    "other": N_("Other legal form"),
}
# Forms that may be unregistered, and so may have no identification code.
NO_CODE_FORMS = frozenset({"informal", "cbo", "other"})

AREAS: dict[str, str] = {
    "sp1": N_("SP1: financial sustainability of civil society"),
    "sp2": N_("SP2: accountability and public attitudes"),
    "sp3": N_("SP3: skills of civil-society actors"),
    "sp4": N_("SP4: civil society in public policy"),
    "youth": N_("Youth"),
    "women": N_("Women"),
    "disability": N_("People with disabilities"),
    "environment": N_("Environment"),
    "human_rights": N_("Human rights"),
    "local_democracy": N_("Local democracy"),
    "education": N_("Education"),
    "culture": N_("Culture"),
    "social": N_("Social services"),
    "agriculture": N_("Agriculture"),
    "media": N_("Media"),
}


def legal_form_label(key: str) -> str:
    """The message id naming a legal form (unknown keys are shown as they are)."""
    return LEGAL_FORMS.get(key, key)


def area_label(key: str) -> str:
    """The message id naming an area of work."""
    return AREAS.get(key, key)


def municipality_label(key: str) -> str:
    """The message id naming a municipality."""
    return MUNICIPALITIES.get(key, key)
