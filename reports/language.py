"""One language of a document: its catalogue, and how it writes money, dates and amounts.

A document may be printed in Kyrgyz and Russian side by side, so the language is a value
passed to each section of a template rather than the request's locale.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

from reports.amounts import som_in_words

BISHKEK = ZoneInfo("Asia/Bishkek")


class Lang:
    def __init__(self, code: str, translations: gettext.NullTranslations):
        self.code = code
        self._translations = translations

    def gettext(self, message: str, **params) -> str:
        text = self._translations.gettext(message)
        return text % params if params else text

    def pick(self, values: dict | None) -> str:
        """A text given per language (titles), falling back to the other official one."""
        values = values or {}
        return values.get(self.code) or values.get("ru") or values.get("ky") or ""

    def number(self, value) -> str:
        if value in (None, ""):
            return "—"
        return format_decimal(Decimal(str(value)), format="#,##0.##", locale=self.code)

    def figures(self, value) -> str:
        """An amount without its unit, for table columns headed "som"."""
        if value in (None, ""):
            return "—"
        return format_decimal(Decimal(str(value)), format="#,##0.00", locale=self.code)

    def money(self, value) -> str:
        if value in (None, ""):
            return "—"
        return f"{self.figures(value)} {self.gettext('som')}"

    def words(self, value) -> str:
        """The amount in words, as agreements and statements write it next to the figures."""
        if value in (None, ""):
            return ""
        amount = Decimal(str(value))
        if self.code in ("ky", "ru"):
            return som_in_words(amount, self.code)
        whole, tyiyn = divmod(amount.quantize(Decimal("0.01")) * 100, 100)
        return f"{num2words(int(whole), lang='en')} som {int(tyiyn):02d} tyiyn"

    def date(self, value) -> str:
        if not value:
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_date(value, format="long", locale=self.code)

    def datetime(self, value) -> str:
        """A moment in Bishkek time (UTC+6): deadlines are read by people in Kyrgyzstan."""
        if not value:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        local = value.astimezone(BISHKEK)
        return f"{format_date(local.date(), format='long', locale=self.code)}, {local:%H:%M}"

    def stamp(self, value) -> str:
        """A moment in Bishkek time in figures, for the narrow columns of tables."""
        if not value:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return f"{value.astimezone(BISHKEK):%d.%m.%Y %H:%M}"
