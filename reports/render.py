"""Snapshot -> Jinja -> HTML -> WeasyPrint -> PDF.

The renderer receives a frozen snapshot and the document's register data and nothing else,
so rendering the same document twice gives the same bytes (the PDF identifier and dates come
from the register, not from the clock). That is what lets the verification page publish a
SHA-256 a reader can compare with the paper in their hand.
"""

from __future__ import annotations

import gettext
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import HTML

from reports import chunks, letterhead, pdfa
from reports.charts import bar_chart
from reports.fetcher import ASSETS, BundledOnlyFetcher
from reports.inflect import (
    end_sentence,
    ky_amount,
    ky_date,
    ky_suffix,
    ru_amount,
    ru_date,
    ru_genitive_name,
)
from reports.language import Lang
from reports.qr import qr_svg

Translator = Callable[[str], gettext.NullTranslations]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated per document language."""
    return message


REGISTERED = N_("Registered № %(number)s of %(date)s")  # a document with its own number
PAGE, OF = N_("Page"), N_("of")  # "Page 1 of 3" in the footer of every page
TRANSLATION = N_(
    "Translation for information. The registered original is № %(number)s in %(languages)s; "
    "only the original is verified at the address below."
)
REDACTED_COPY = N_(
    "Copy for oversight: the citizens' contacts and identity documents are removed. The "
    "registered original № %(number)s is kept by the ayil okmotu."
)
PUBLIC_COPY = N_(
    "Public copy: the citizens' names and contacts are removed. The signed original "
    "№ %(number)s is kept by the ayil okmotu."
)
# Roles under signature lines: templates pass them to parts.signatures as data, where the
# extractor cannot see them, so they are marked here.
SIGNING_ROLES = (
    N_("Chair of the commission"),
    N_("Secretary of the commission"),
    N_("Member of the commission"),
    N_("Head of the ayil okmotu"),
    N_("AO specialist"),
    N_("The initiator"),
)
# Sentences of the private scoring papers and the form, used through L.gettext only.
DOCUMENT_WORDING = (
    N_("chair of the competition commission"),
    N_("secretary of the competition commission"),
    N_("member of the competition commission"),
    N_(
        "I, %(role)s %(name)s, declare for each application under scoring whether I or my "
        "close relatives have a personal, family, financial or other interest in the "
        "initiative or in its applicant (a conflict of interest)."
    ),
    N_("To the competition commission of %(office)s"),
    # "Returned" alone is also a report's state ("Возвращён"); the chart means money.
    N_("Money returned"),
)


def _ky_amount(amount, case: str = "nom", words: bool = False) -> str:
    return ky_amount(amount, case, words=words)


def _ru_genitive(surname: str, first_name: str | None = None, patronymic: str | None = None):
    return ru_genitive_name(surname, first_name, patronymic)


INFLECTIONS = {
    "ky_date": ky_date,
    "ky_amount": _ky_amount,
    "ky_case": ky_suffix,
    "ru_date": ru_date,
    "ru_amount": ru_amount,
    "ru_genitive": _ru_genitive,
    "end_sentence": end_sentence,
}


# Kinds that carry a number and a date of their own, given by the office (the head's order
# and decision, the agreement), and where the snapshot keeps them. Any other kind may give
# ``own_number``/``own_date`` at the top of its snapshot. The register number of such a
# document is shown as its registration only; every other kind is numbered by the register.
OWN_NUMBERS = {
    "commission_order": ("commission", "order_number", "order_date"),
    "winners_decision": ("decision", "number", "date"),
    "grant_agreement": ("agreement", "number", "signed_on"),
    # The payment order's own number (the bank's reference), the register's under it.
    "payment_record": ("payment", "order", "paid_on"),
}


def own_number(kind: str, snapshot: dict) -> dict | None:
    """{"number", "date"} of the document itself, or None when the register numbers it."""
    number, day = snapshot.get("own_number"), snapshot.get("own_date")
    if not number and kind in OWN_NUMBERS:
        part, number_key, date_key = OWN_NUMBERS[kind]
        values = snapshot.get(part) or {}
        number, day = values.get(number_key), values.get(date_key)
    return {"number": number, "date": day} if number else None


def signers(people) -> list[tuple[list[str], str | None]]:
    """One signature line per person: the roles of a person named twice are joined (the
    specialist who is also the commission's secretary signs once, under both roles)."""
    merged: dict = {}
    for index, (role, name) in enumerate(people):
        key = name.strip() if name and name.strip() else ("unnamed", index)
        roles, _name = merged.setdefault(key, ([], name))
        if role not in roles:
            roles.append(role)
    return list(merged.values())


def numeric_date(value) -> str:
    """ "17.10.2025": a date both languages of a bilingual heading read alike."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value:%d.%m.%Y}"


_SIGNATURES = re.compile(r"<!--signatures-->.*?<!--/signatures-->", re.DOTALL)


def lift_signatures(outputs: list[str]) -> tuple[list[Markup], list[Markup]]:
    """A bilingual section split into its text per language and its signature blocks:
    the blocks are printed once across the page, under the two columns, not once in each.
    The blocks are the same in every language's output (they carry all the languages)."""
    texts = [Markup(_SIGNATURES.sub("", str(out))) for out in outputs]
    blocks = [Markup(block) for block in _SIGNATURES.findall(str(outputs[0]))] if outputs else []
    return texts, blocks


@dataclass(frozen=True)
class Register:
    """What the register knows about a document (its row, as plain data)."""

    kind: str
    kind_title: str  # English message id of the kind's title
    number: str  # "2026/0001"
    created_at: datetime
    languages: str  # "ky", "ru", "en" or "ky+ru"
    token: str
    verify_url: str
    # A copy rendered in another language on request: not registered, not hashed; the
    # document says so and names the registered original.
    translation_of: str | None = None
    # A copy without the citizens' personal data (for oversight): not registered either.
    redacted: bool = False
    # The public copy of a document that names citizens: their names removed as well.
    public_copy: bool = False


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    sha256: str
    pages: int


class DocumentRenderer:
    """Built once per application: the Jinja environment and the catalogues are reused."""

    def __init__(self, templates_dir: Path, translator: Translator):
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir)),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["bar_chart"] = lambda *a, **kw: Markup(bar_chart(*a, **kw))
        # Dates, amounts and names in the case a sentence needs (docs/INFLECTION.md): both
        # as filters ({{ d|ky_date("dat") }}) and as functions ({{ ky_date(d, "dat") }}).
        for name, function in INFLECTIONS.items():
            self.env.filters[name] = function
            self.env.globals[name] = function
        self.env.globals["letterhead"] = letterhead.lines
        self.env.globals["seal_mark"] = letterhead.seal_mark
        self.env.globals["office_name"] = letterhead.office_name
        self.env.globals["signers"] = signers
        self.env.globals["numeric_date"] = numeric_date
        self.env.globals["lift_signatures"] = lift_signatures
        self.translator = translator
        self.css = (ASSETS / "print.css").read_text(encoding="utf-8")
        self.fetcher = BundledOnlyFetcher()

    def languages(self, spec: str) -> list[Lang]:
        return [Lang(code, self.translator(code)) for code in spec.split("+")]

    def html(self, register: Register, snapshot: dict) -> str:
        langs = self.languages(register.languages)
        # Kinds of later steps without their own layout yet get the generic one, which
        # still carries the register facts, the QR code and the signatures.
        template = self.env.select_template([f"{register.kind}.html", "generic.html"])
        return template.render(
            doc=register,
            snap=snapshot,
            langs=langs,
            bilingual=len(langs) > 1,
            own=own_number(register.kind, snapshot),
            css=Markup(self.css),  # our bundled stylesheet, not user text
            qr=Markup(qr_svg(register.verify_url)),
            page_label=" · ".join(_css_text(lang.gettext(PAGE)) for lang in langs),
            of_label=_css_text(langs[0].gettext(OF)) if len(langs) == 1 else "/",
        )

    def pdf(self, register: Register, snapshot: dict) -> Rendered:
        return self.pdf_of_html(self.html(register, snapshot), register.token)

    def pdf_of_html(self, html: str, token: str) -> Rendered:
        """Lay out HTML with the bundled-only fetcher: whatever the HTML asks for, nothing
        outside the bundled assets is read. A large document (a national competition's
        protocol) is laid out in pieces in parallel processes (``reports.chunks``); any
        other in this process, as it always was."""
        identifier = hashlib.md5(token.encode(), usedforsecurity=False).digest()
        plan = chunks.plan(html)
        if plan is not None:
            try:
                data, pages = chunks.render(plan, identifier)
                return Rendered(data, hashlib.sha256(data).hexdigest(), pages)
            except chunks.CannotJoin:
                pass  # laid out at once below, as any small document
        document = HTML(string=html, base_url="asset:/", url_fetcher=self.fetcher).render()
        data = pdfa.write(document, identifier=identifier)
        return Rendered(data, hashlib.sha256(data).hexdigest(), len(document.pages))

    @staticmethod
    def is_large(html: str) -> bool:
        return chunks.is_large(html)


def _css_text(text: str) -> str:
    """Catalogue text placed in a CSS string: quotes and backslashes cannot break out."""
    return "".join(ch for ch in text if ch not in "\"'\\<>{};")
