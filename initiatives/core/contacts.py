"""Phones and e-mail addresses, each kept in one spelling.

A number typed as "0555123456", "555 12 34 56" or "+996 555 123 456" is one number: stored
as typed, the same person could not log in with another spelling and could register twice.
Phones are kept in E.164 ("+996555123456"), read with Google's numbering plan data
(``phonenumbers``) where a number without a country code is Kyrgyz; a number the plan says
cannot be dialled is refused. E-mail addresses are checked for their form only
(``email-validator`` without DNS: the server may have no network) and kept lowercased, as
people do not expect the case of an address to matter.

Every place a person types a phone or an address goes through here: the forms (with the
validators below), the account operations, the ``flask users`` commands and the migration
that brought the stored rows into this spelling.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from workflows.i18n import N_

DEFAULT_REGION = "KG"
PHONE_REFUSED = N_(
    "This does not look like a phone number. Type all its digits, such as 0555 123 456 or "
    "+996 555 123 456."
)
EMAIL_REFUSED = N_("This does not look like an e-mail address.")
# What a person types in a phone number: digits, a leading plus, and the separators of the
# usual spellings. Letters are refused here, since the library would read "ext 7" as an
# extension and "0555123456x" as a valid number.
TYPED_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


class ContactError(ValueError):
    """Carries the message id saying why a phone or an address is refused."""


def normalise_phone(typed: str, region: str = DEFAULT_REGION) -> str:
    """The number in E.164, or ``ContactError`` when it cannot be a number."""
    typed = (typed or "").strip()
    if not TYPED_PHONE.match(typed) or len(typed) > 32:
        raise ContactError(PHONE_REFUSED)
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        raise ContactError(PHONE_REFUSED) from None
    if not phonenumbers.is_valid_number(number):
        raise ContactError(PHONE_REFUSED)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def canonical_email(typed: str) -> str:
    """The address as it is stored and looked up, without judging it (an address stored
    before the check existed is still found)."""
    return (typed or "").strip().lower()


def normalise_email(typed: str) -> str:
    """The address stripped and lowercased, or ``ContactError`` when its form is wrong."""
    address = canonical_email(typed)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ContactError(EMAIL_REFUSED) from None
    return address


def split_login(typed: str) -> tuple[str | None, str | None]:
    """(email, phone) from a login: an address when it has an @, else a phone number."""
    if "@" in (typed or ""):
        return normalise_email(typed), None
    return None, normalise_phone(typed)


def legacy_phone(typed: str) -> str:
    """The spelling numbers were stored in before E.164 (digits and plus kept): the one a
    number that is not valid today still has in the database."""
    return re.sub(r"[^0-9+]", "", typed or "")


def lookup_login(typed: str) -> tuple[str | None, str | None]:
    """(email, phone) to look an account up by, never refusing: a number not valid today
    is looked up in the spelling it was stored in before, so its account still logs in."""
    typed = (typed or "").strip()
    if "@" in typed:
        return canonical_email(typed), None
    try:
        return None, normalise_phone(typed)
    except ContactError:
        return None, legacy_phone(typed) or None


# --- WTForms validators: refuse with a translated message, or store the normal spelling ------


class _Normalise:
    """A validator that replaces the field's data by its normal spelling; on a refusal the
    data stays as typed, so the form shows it again with the message, and the validators
    after it are not run on what is already refused."""

    normalise = staticmethod(lambda value: value)

    def __call__(self, form, field):
        if not (field.data or "").strip():
            return
        try:
            field.data = self.normalise(field.data)
        except ContactError as refused:
            raise StopValidation(_l(str(refused))) from None


class Phone(_Normalise):
    normalise = staticmethod(normalise_phone)


class Email(_Normalise):
    normalise = staticmethod(normalise_email)


class Login(_Normalise):
    """A phone number or, with an @, an e-mail address."""

    @staticmethod
    def normalise(value: str) -> str:
        email, phone = split_login(value)
        return email or phone
