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
from reports.inflect import ky_date

BISHKEK = ZoneInfo("Asia/Bishkek")


class Lang:
    def __init__(self, code: str, translations: gettext.NullTranslations):
        self.code = code
        self._translations = translations

    def gettext(self, message: str, **params) -> str:
        text = self._translations.gettext(message)
        return text % params if params else text

    def pick(self, values: dict | str | None) -> str:
        """A text given per language (titles), falling back to the other official one. A
        plain string is a text written once (documents registered before a field gained
        its Russian spelling) and serves every language."""
        if isinstance(values, str):
            return values
        values = values or {}
        return values.get(self.code) or values.get("ru") or values.get("ky") or ""

    def number(self, value) -> str:
        if value in (None, ""):
            return "—"
        return format_decimal(Decimal(str(value)), format="#,##0.##", locale=self.code)

    def exact(self, value) -> str:
        """A value already rounded (a mean: ``ranking.round_mean``) written with all its
        places and nothing rounded again: Babel would round half to even."""
        if value in (None, ""):
            return "—"
        value = Decimal(str(value))
        places = max(-value.as_tuple().exponent, 0)
        pattern = "#,##0." + "0" * places if places else "#,##0"
        return format_decimal(value, format=pattern, locale=self.code, decimal_quantization=False)

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
        if self.code == "ky":  # "2026-жылдын 30-октябры", as official texts write it, not
            return ky_date(value)  # CLDR's "2026-ж., 30-октябрь"
        return format_date(value, format="long", locale=self.code)

    def day(self, value) -> str:
        """The day of a moment in Bishkek, without the clock: for deadlines that are days
        (implementation, reports), where "23:59" or "00:00" would only mislead."""
        if not value:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(BISHKEK)
        return self.date(value.date() if isinstance(value, datetime) else value)

    def datetime(self, value) -> str:
        """A moment in Bishkek time (UTC+6): deadlines are read by people in Kyrgyzstan."""
        if not value:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        local = value.astimezone(BISHKEK)
        return f"{self.date(local.date())}, {local:%H:%M}"

    def stamp(self, value) -> str:
        """A moment in Bishkek time in figures, for the narrow columns of tables."""
        if not value:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return f"{value.astimezone(BISHKEK):%d.%m.%Y %H:%M}"
