"""Each document of the announcement stage, rendered in Kyrgyz and in Russian, read back
with a real PDF text extractor: the facts it must show are on the page."""

from __future__ import annotations

import copy
import http.server
import io
import logging
import re
import threading
import urllib.request

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.documents.models import Document
from initiatives.documents.rendering import register_of, render, renderer
from reports.fetcher import BundledOnlyFetcher, RefusedURL

KINDS = ["budget_allocation", "commission_order", "announcement", "application_form"]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", raw)  # lines wrap inside table cells


def fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture
def announced(build, db):
    run = build("announced", proposals=0)
    docs = {
        d.kind.value: d
        for d in db.session.scalars(select(Document).where(Document.competition_id == run.c.id))
    }
    return run, docs


def rendered(doc: Document, lang: str) -> str:
    doc.languages = lang
    return pdf_text(render(doc).pdf)


# Facts per document and language: (words that must appear).
def expected(run, kind: str, lang: str) -> list[str]:
    c, cast = run.c, run.cast
    chair, secretary = cast.members[0].full_name, cast.members[1].full_name
    head = cast.head.full_name
    title = c.title_ky if lang == "ky" else c.title_ru
    facts = {
        "budget_allocation": [
            "23 000,00",
            "73 000,00",
            "226",
            "2821",
            head,
            cast.specialist.full_name,
            {"ky": "жыйырма үч миң сом 00 тыйын", "ru": "двадцать три тысячи сомов 00 тыйын"}[lang],
            {"ky": "28-декабр", "ru": "28 декабря 2025"}[lang],
        ],
        "commission_order": [
            c.order_number,
            chair,
            secretary,
            head,
            {"ky": "Төрага", "ru": "Председатель"}[lang],
            {"ky": "Катчы", "ru": "Секретарь"}[lang],
        ],
        "announcement": [
            title,
            "15 000,00",
            {"ky": "он беш миң сом", "ru": "пятнадцать тысяч сомов"}[lang],
            c.criteria[0].title_ky if lang == "ky" else c.criteria[0].title_ru,
            {"ky": "Дене тарбия", "ru": "Физическая культура"}[lang],
            {"ky": "23-март", "ru": "23 марта 2026"}[lang],  # the deadline, Bishkek time
            chair,
            secretary,
        ],
        "application_form": [
            title,
            "15 000,00",
            {"ky": "Бюджет", "ru": "Бюджет"}[lang],
            {"ky": "Дене тарбия", "ru": "Физическая культура"}[lang],
        ],
    }
    return facts[kind]


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_document_shows_its_facts(announced, kind, lang):
    run, docs = announced
    text = rendered(docs[kind], lang)
    for fact in expected(run, kind, lang):
        assert fact in text, f"{kind}/{lang}: {fact!r} missing"
    assert docs[kind].token in text.replace(" ", "")  # the verification link
    assert f"№ {docs[kind].register_number}" in text
    page_word = {"ky": "Бет 1", "ru": "Страница 1 из"}[lang]
    assert page_word in text
    check = {"ky": "текшерүүгө болот", "ru": "Проверить документ"}[lang]
    assert check in text  # the verification block, in the document's language


@pytest.mark.parametrize("kind", KINDS)
def test_kyrgyz_letters_are_drawn_with_the_bundled_font(announced, kind):
    _, docs = announced
    doc = docs[kind]
    snapshot = copy.deepcopy(doc.snapshot)
    snapshot["competition"]["title"]["ky"] = "Көпүрөнү жаңыртуу: ҢӨҮ ңөү"
    doc.languages = "ky"
    result = renderer().pdf(register_of(doc), snapshot)
    text = pdf_text(result.pdf)
    assert "Көпүрөнү жаңыртуу: ҢӨҮ ңөү" in text
    assert fonts(result.pdf) <= {
        "Doc-Sans",
        "Doc-Sans-Bold",
        "Doc-Sans-Oblique",
        "Doc-Sans-Bold-Oblique",
    }


def test_both_languages_side_by_side(announced):
    _, docs = announced
    text = rendered(docs["budget_allocation"], "ky+ru")
    assert "жыйырма үч миң" in text and "двадцать три тысячи" in text


def test_rendering_is_deterministic_and_warning_free(announced, caplog):
    _, docs = announced
    doc = docs["announcement"]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        first, second = render(doc), render(doc)
    assert first.pdf == second.pdf and first.sha256 == second.sha256
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_documents_load_only_bundled_assets():
    fetcher = BundledOnlyFetcher()
    assert fetcher.fetch("asset:fonts/DejaVuSans.ttf").read(4) == b"\x00\x01\x00\x00"
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        "asset:../../../etc/passwd",
        "asset:/etc/passwd",
        "data:text/plain,hello",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_user_text_cannot_pull_files_into_a_document(announced):
    _, docs = announced
    doc = docs["announcement"]
    snapshot = copy.deepcopy(doc.snapshot)
    snapshot["competition"]["text"]["ru"] = '<img src="file:///etc/passwd"> <b>жирный</b>'
    doc.languages = "ru"
    html = renderer().html(register_of(doc), snapshot)
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img" in html


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { background: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A real web server on this machine: a document that reached out would show here."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_markup_that_escaped_escaping_still_cannot_fetch_anything(app, listener, tmp_path):
    """The renderer's last line of defence, tried with the markup itself (as if escaping had
    failed): images, stylesheets, CSS url(), @import, fonts, iframes and PDF attachments
    pointing at the network, at local files and at the data: scheme."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT")
    targets = [f"{listener}/probe", f"file://{secret}", "file:///etc/hostname"]
    markup = []
    for n, url in enumerate(targets):
        markup += [
            f'<img src="{url}/img{n}">',
            f'<link rel="stylesheet" href="{url}/css{n}">',
            f'<link rel="attachment" href="{url}">',
            f'<a rel="attachment" href="{url}">attached</a>',
            f'<div style="background: url({url}/bg{n})">x</div>',
            f"<style>@import url({url}/import{n}); "
            f"@font-face {{ font-family: X{n}; src: url({url}/font{n}) }}</style>",
            f'<iframe src="{url}/frame{n}"></iframe><object data="{url}/obj{n}"></object>',
            f'<svg><image href="{url}/svg{n}"/></svg>',
        ]
    markup.append('<img src="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22/>">')
    html = f"<html><body><p>Hostile</p>{''.join(markup)}</body></html>"
    with app.app_context():
        rendered = renderer().pdf_of_html(html, "token")
    assert Recorder.hits == []
    assert b"TOP-SECRET" not in rendered.pdf and b"/EmbeddedFile" not in rendered.pdf
    assert "Hostile" in pdf_text(rendered.pdf)
    # The listener works: a plain client reaches it, so silence above means refusal.
    with urllib.request.urlopen(f"{listener}/check") as response:
        assert response.status == 200
    assert Recorder.hits == ["/check"]
