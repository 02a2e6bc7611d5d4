"""How an organisation reads in a message: the form's review, /myorg and the directory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import N_, Translate
from bot.services.org_catalog import area_label, legal_form_label, municipality_label
from bot.services.org_validation import display_phone
from storage.models_orgs import APPROVED, PENDING, Organisation

# Field → its label (also the label of its edit button on the review screen).
FIELD_LABELS: dict[str, str] = {
    "name_ka": N_("Name (Georgian)"),
    "name_en": N_("Name (English)"),
    "legal_form": N_("Legal form"),
    "id_code": N_("Identification code"),
    "municipality": N_("Municipality"),
    "areas": N_("Areas of work"),
    "contact_name": N_("Contact person"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "description": N_("Description"),
    "consent_public": N_("Public listing"),
}
PUBLIC_FIELDS = ("legal_form", "municipality", "areas", "phone", "email", "website",
                 "description")


def _value(name: str, value: Any, _: Translate) -> str:
    if name == "legal_form":
        return _(legal_form_label(value))
    if name == "municipality":
        return _(municipality_label(value))
    if name == "areas":
        return ", ".join(_(area_label(key)) for key in value)
    if name == "phone":
        return display_phone(value)
    if name == "consent_public":
        return _(N_("yes, in the directory and the booklet")) if value else _(N_("no"))
    if name == "id_code" and not value:
        return _(N_("none (informal group)"))
    return str(value)


def organisation_summary(values: Mapping[str, Any], _: Translate) -> str:
    """Every answer of the form, one per line (for the person who registers)."""
    lines = []
    for name, label in FIELD_LABELS.items():
        if name not in values or (values[name] in (None, "") and name in ("name_en", "website")):
            continue
        lines.append(f"{_(label)}: {_value(name, values[name], _)}")
    return "\n".join(lines)


def public_entry(organisation: Organisation, _: Translate) -> str:
    """An organisation as the directory shows it: name, then what it agreed to publish."""
    title = organisation.name_ka
    if organisation.name_en:
        title += f" ({organisation.name_en})"
    lines = [f"🏢 {title}"]
    for name in PUBLIC_FIELDS:
        value = getattr(organisation, name)
        if value:
            lines.append(f"{_(FIELD_LABELS[name])}: {_value(name, value, _)}")
    return "\n".join(lines)


def status_line(organisation: Organisation, _: Translate) -> str:
    """Where the registration stands."""
    if organisation.status == PENDING:
        return _(N_("Status: waiting for the hub's staff to review it."))
    if organisation.status == APPROVED:
        return _(N_("Status: approved."))
    return _(N_("Status: not approved. Reason: {reason}")).format(
        reason=organisation.reject_reason or "—")
