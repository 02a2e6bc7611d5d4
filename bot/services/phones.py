"""Georgian phone numbers: parse what people type (555123456, 0555…, +995…) into E.164."""

from __future__ import annotations

import phonenumbers


def normalise_phone(text: str) -> str | None:
    """The number as +995XXXXXXXXX, or None if it is not a valid number."""
    cleaned = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if cleaned.startswith("995") and len(cleaned) == 12:
        cleaned = "+" + cleaned
    if cleaned.startswith("0") and len(cleaned) == 10:
        cleaned = cleaned[1:]
    try:
        number = phonenumbers.parse(cleaned, "GE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
