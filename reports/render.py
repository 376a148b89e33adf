"""Snapshot -> Jinja -> HTML -> WeasyPrint -> PDF.

The renderer receives a frozen snapshot and the document's register data and nothing else,
so rendering the same document twice gives the same bytes (the PDF identifier and dates come
from the register, not from the clock). That is what lets the verification page publish a
SHA-256 a reader can compare with the paper in their hand.
"""

from __future__ import annotations

import gettext
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import HTML

from reports import chunks
from reports.charts import bar_chart
from reports.fetcher import ASSETS, BundledOnlyFetcher
from reports.language import Lang
from reports.qr import qr_svg

Translator = Callable[[str], gettext.NullTranslations]


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated per document language."""
    return message


PAGE, OF = N_("Page"), N_("of")  # "Page 1 of 3" in the footer of every page
TRANSLATION = N_(
    "Translation for information. The registered original is № %(number)s in %(languages)s; "
    "only the original is verified at the address below."
)
REDACTED_COPY = N_(
    "Copy for oversight: the citizens' contacts and identity documents are removed. The "
    "registered original № %(number)s is kept by the ayil okmotu."
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
        data = document.write_pdf(pdf_identifier=identifier)
        return Rendered(data, hashlib.sha256(data).hexdigest(), len(document.pages))

    @staticmethod
    def is_large(html: str) -> bool:
        return chunks.is_large(html)


def _css_text(text: str) -> str:
    """Catalogue text placed in a CSS string: quotes and backslashes cannot break out."""
    return "".join(ch for ch in text if ch not in "\"'\\<>{};")
