"""Checking and normalising what people type into the organisation form.

Each parser returns the clean value or raises `InvalidValue` with a message id that says what
is wrong and how to send it right; handlers translate and show it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.i18n import N_

MAX_NAME = 200
MAX_CONTACT = 128
MAX_DESCRIPTION = 500
MAX_WEBSITE = 300
ID_CODE_DIGITS = 9
PERSONAL_NUMBER_DIGITS = 11

_CODE_SEPARATORS = re.compile(r"[\s\-–.]")
_PHONE_CHARACTERS = re.compile(r"[0-9\s+()\-.]+")
_LETTER = re.compile(r"[^\W\d_]")
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+$")


class InvalidValue(ValueError):
    """A value that cannot be accepted; `message` is a message id with `{params}`."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def parse_name(text: str, limit: int = MAX_NAME) -> str:
    """A name: some letters, at most `limit` characters, spaces squeezed."""
    name = " ".join(text.split())
    if not _LETTER.search(name):
        raise InvalidValue(N_("Please write the name in letters."))
    if len(name) > limit:
        raise InvalidValue(N_("That is {count} characters long; please keep it under {limit}."),
                           count=len(name), limit=limit)
    return name


def parse_id_code(text: str) -> str:
    """A legal entity's 9-digit identification code."""
    digits = _CODE_SEPARATORS.sub("", text)
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidValue(N_("The identification code is made of 9 digits, with no letters. "
                              "Please send the 9 digits."))
    if len(digits) == PERSONAL_NUMBER_DIGITS:
        raise InvalidValue(N_("That has 11 digits, like a personal number. The organisation's "
                              "identification code has 9 digits."))
    if len(digits) != ID_CODE_DIGITS:
        raise InvalidValue(N_("The identification code has 9 digits, but that has {count}. "
                              "Please check it and send it again."), count=len(digits))
    return digits


def parse_phone(text: str) -> str:
    """A phone number in E.164 form; Georgian numbers may be typed without +995."""
    raw = text.strip()
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise InvalidValue(N_("A phone number has only digits (and perhaps + at the start). "
                              "Please send it like +995 555 12 34 56."))
    try:
        number = phonenumbers.parse(raw, "GE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidValue(N_("That does not look like a complete phone number. Please send it "
                              "like +995 555 12 34 56."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A stored E.164 number, grouped for reading (+995 555 12 34 56)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def parse_email(text: str) -> str:
    """An e-mail address, checked for form only (no network look-ups)."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidValue(N_("That e-mail address is not complete. It should look like "
                              "name@example.ge. Please check it and send it again.")) from None


def parse_website(text: str) -> str:
    """A web address or Facebook page; `https://` is added when missing."""
    raw = text.strip()
    url = raw if re.match(r"(?i)https?://", raw) else f"https://{raw}"
    host = urlsplit(url).hostname or ""
    if " " in raw or not _HOST.match(host) or len(url) > MAX_WEBSITE:
        raise InvalidValue(N_("That does not look like a web address. Please send it like "
                              "example.ge or facebook.com/yourpage."))
    return url


def parse_description(text: str) -> str:
    """A short description of at most 500 characters."""
    description = text.strip()
    if not _LETTER.search(description):
        raise InvalidValue(N_("Please describe the organisation in words."))
    if len(description) > MAX_DESCRIPTION:
        raise InvalidValue(N_("The description is {count} characters long; please shorten it "
                              "to {limit} characters at most."),
                           count=len(description), limit=MAX_DESCRIPTION)
    return description
