"""The frame every document shares: the letterhead, one number and one date, the place of
the seal, one signature block per person on a bilingual copy, no page holding only the
verification block, days without clock times, and a PDF an archive takes (PDF/A-2b, with
its title, author and language). Read back from the PDF with pypdf, as a reader would."""

from __future__ import annotations

import copy
import gettext
import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.documents.models import Document
from initiatives.documents.rendering import register_of, render, renderer
from initiatives.municipalities.models import Municipality
from reports.language import Lang
from reports.render import own_number, signers

HEAD = "head@orozbekov.example"
HEAD_ROLE = "Head of the ayil okmotu"


def text_of(data: bytes, pages=None) -> str:
    reader = PdfReader(io.BytesIO(data))
    chosen = reader.pages if pages is None else [reader.pages[i] for i in pages]
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in chosen))


def same(text: str) -> str:
    """Letterheads print the office's name in capitals: compare without case."""
    return text.casefold()


@pytest.fixture
def decided(build, db):
    run = build("winners_announced", proposals=4)
    docs = {
        d.kind.value: d
        for d in db.session.scalars(select(Document).where(Document.competition_id == run.c.id))
    }
    return run, docs


def pdf_in(doc: Document, languages: str) -> bytes:
    doc.languages = languages
    return render(doc).pdf


# --- the letterhead -----------------------------------------------------------------------

LETTERHEAD = {
    "ky": [
        "Кыргыз Республикасы",
        "Баткен облусу, Кадамжай району",
        "Орозбеков айыл аймагынын айыл өкмөтү",
        "Орозбеков айылы, Ош көчөсү, 1",
        "+996 3655 51234",
    ],
    "ru": [
        "Кыргызская Республика",
        "Баткенская область, Кадамжайский район",
        "Айыл окмоту Орозбековского айылного аймака",
        "село Орозбеков, улица Ошская, 1",  # the Russian spelling of the address
        "+996 3655 51234",
    ],
}


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("kind", ["commission_order", "announcement", "winners_decision"])
def test_the_letterhead_names_the_office_where_it_is(decided, kind, lang):
    _run, docs = decided
    first_page = same(text_of(pdf_in(docs[kind], lang), pages=[0]))
    for fact in LETTERHEAD[lang]:
        assert same(fact) in first_page, fact


def test_a_bilingual_letterhead_carries_both_languages(decided):
    _run, docs = decided
    first_page = same(text_of(pdf_in(docs["commission_order"], "ky+ru"), pages=[0]))
    for fact in LETTERHEAD["ky"] + LETTERHEAD["ru"]:
        assert same(fact) in first_page, fact


def test_russian_spells_the_aimak_one_way(decided):
    """Whatever spelling the record has ("айыльный"), the office is "айылного аймака"."""
    _run, docs = decided
    doc = docs["commission_order"]
    snapshot = copy.deepcopy(doc.snapshot)
    snapshot["municipality"]["name"]["ru"] = "Орозбековский айыльный аймак"
    html = renderer().html(replace(register_of(doc), languages="ru"), snapshot)
    assert "Айыл окмоту Орозбековского айылного аймака" in html
    assert "айыльн" not in html


def test_a_document_registered_before_the_phone_still_renders(decided):
    _run, docs = decided
    doc = docs["announcement"]
    snapshot = copy.deepcopy(doc.snapshot)
    del snapshot["municipality"]["phone"]
    html = renderer().html(replace(register_of(doc), languages="ky"), snapshot)
    assert "Орозбеков айыл аймагынын айыл өкмөтү" in html and "тел." not in html


# --- the seal -----------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "mark"), [("ky", "М.О."), ("ru", "М.П.")])
@pytest.mark.parametrize("kind", ["commission_order", "winners_decision"])
def test_the_head_signs_beside_the_place_of_the_seal(decided, kind, lang, mark):
    _run, docs = decided
    assert mark in text_of(pdf_in(docs[kind], lang))


def test_no_seal_where_the_head_does_not_sign(decided):
    _run, docs = decided
    text = text_of(pdf_in(docs["announcement"], "ky"))  # the commission's chair and secretary
    assert "М.О." not in text and "М.П." not in text


# --- signatures on a bilingual copy -------------------------------------------------------


@pytest.mark.parametrize("kind", ["commission_order", "winners_decision"])
def test_a_bilingual_copy_has_one_signature_block_per_person(decided, kind):
    run, docs = decided
    text = text_of(pdf_in(docs[kind], "ky+ru"))
    ky, ru = renderer().languages("ky+ru")
    assert text.count(run.cast.head.full_name) == 1
    assert f"{ky.gettext(HEAD_ROLE)} / {ru.gettext(HEAD_ROLE)}" in text
    assert text.count("М.О. / М.П.") == 1


def test_the_commissions_signatures_are_printed_once_each(decided):
    _run, docs = decided
    text = text_of(pdf_in(docs["winners_decision"], "ky+ru"))
    ky, ru = renderer().languages("ky+ru")
    assert text.count(f"{ky.gettext('signature')} / {ru.gettext('signature')}") == 1


def test_a_person_under_two_roles_signs_once():
    people = [
        ("AO specialist", "Гулнара Осмонова"),
        ("Secretary of the commission", "Гулнара Осмонова"),
        ("The initiator", None),
        ("Member of the commission", None),
    ]
    assert signers(people) == [
        (["AO specialist", "Secretary of the commission"], "Гулнара Осмонова"),
        (["The initiator"], None),
        (["Member of the commission"], None),
    ]


# --- one number and one date --------------------------------------------------------------


def header_lines(html: str) -> tuple[str, str | None]:
    docid = re.search(r'<p class="docid-line">(.*?)</p>', html, re.DOTALL).group(1)
    registered = re.search(r'<p class="registered-line">(.*?)</p>', html, re.DOTALL)
    return docid, registered.group(1) if registered else None


@pytest.mark.parametrize(
    ("kind", "part", "key"),
    [
        ("commission_order", "commission", "order_number"),
        ("winners_decision", "decision", "number"),
    ],
)
def test_the_heads_acts_carry_their_own_number_and_the_register_entry_apart(
    decided, kind, part, key
):
    _run, docs = decided
    doc = docs[kind]
    number = doc.snapshot[part][key]
    assert number and number != doc.register_number
    html = renderer().html(replace(register_of(doc), languages="ru"), doc.snapshot)
    docid, registered = header_lines(html)
    assert f"№ {number}" in docid and doc.register_number not in docid
    assert registered and doc.register_number in registered


def test_other_documents_are_numbered_by_the_register(decided):
    _run, docs = decided
    doc = docs["announcement"]
    assert own_number("announcement", doc.snapshot) is None
    html = renderer().html(replace(register_of(doc), languages="ky"), doc.snapshot)
    docid, registered = header_lines(html)
    assert f"№ {doc.register_number}" in docid and registered is None


# --- the verification block and the days --------------------------------------------------


def padded(doc: Document, words: int) -> bytes:
    """A document of the generic layout whose body grows with ``words``."""
    snapshot = copy.deepcopy(doc.snapshot)
    snapshot["reason"] = " ".join(["жер"] * words)
    register = replace(register_of(doc), kind="a_kind_without_layout", languages="ky")
    return renderer().pdf(register, snapshot).pdf


def test_the_qr_block_never_stands_alone_on_the_last_page(decided):
    """Where the body just fills the first page, the verification block would go over to a
    page of its own; it takes the signatures with it instead."""
    _run, docs = decided
    doc = docs["announcement"]
    low, high = 0, 4000
    assert PdfReader(io.BytesIO(padded(doc, high))).get_num_pages() > 1
    while high - low > 1:  # the fewest words that make a second page
        middle = (low + high) // 2
        pages = PdfReader(io.BytesIO(padded(doc, middle))).get_num_pages()
        low, high = (middle, high) if pages == 1 else (low, middle)
    data = padded(doc, high)
    last = PdfReader(io.BytesIO(data)).get_num_pages() - 1
    last_page = text_of(data, pages=[last])
    ky = renderer().languages("ky")[0]
    assert ky.gettext("signature") in last_page  # the signatures came along


def test_deadlines_that_are_days_have_no_clock_time(decided):
    _run, docs = decided
    doc = docs["announcement"]
    c = doc.snapshot["competition"]
    for lang in ("ky", "ru"):
        L = renderer().languages(lang)[0]
        text = text_of(pdf_in(doc, lang))
        for key in ("implementation_deadline", "report_deadline"):
            day = re.sub(r"\s+", " ", L.day(c[key]))
            assert day in text
            assert not re.search(re.escape(day) + r",? \d{1,2}:\d\d", text), key


def test_a_day_is_the_day_in_bishkek():
    L = Lang("ru", gettext.NullTranslations())
    assert L.day(datetime(2026, 3, 9, 19, 30, tzinfo=UTC)) == L.date(datetime(2026, 3, 10).date())
    assert ":" not in L.day("2026-03-09T19:30:00+00:00")


# --- the PDF an archive takes -------------------------------------------------------------


def catalogue(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    return reader, reader.trailer["/Root"]


@pytest.mark.parametrize("lang", ["ky", "ru", "ky+ru"])
def test_the_pdf_is_pdf_a_2b_tagged_and_in_its_language(decided, lang):
    _run, docs = decided
    reader, root = catalogue(pdf_in(docs["commission_order"], lang))
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in root
    assert root["/Lang"] == lang.split("+")[0]
    assert "/StructTreeRoot" in root
    for page in reader.pages:  # every font embedded, as PDF/A asks
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            assert any(k.startswith("/FontFile") for k in described["/FontDescriptor"].get_object())


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_pdf_title_names_the_kind_the_competition_and_the_number(decided, lang):
    run, docs = decided
    doc = docs["winners_decision"]
    reader, _root = catalogue(pdf_in(doc, lang))
    L = renderer().languages(lang)[0]
    title = reader.metadata.title
    assert L.gettext(doc.kind.title) in title
    assert (run.c.title_ky if lang == "ky" else run.c.title_ru) in title
    assert doc.snapshot["decision"]["number"] in title
    office = LETTERHEAD[lang][2]
    assert reader.metadata.author == office


def test_a_large_document_joined_from_chunks_is_pdf_a_too(build, db, monkeypatch):
    """The chunks of a large document are joined by pypdf: the join keeps the file's PDF/A
    identification, its output intent and its language."""
    from reports import chunks

    build("results_approved", proposals=4)
    doc = db.session.scalars(select(Document).filter_by(kind="results_protocol")).one()
    doc.languages = "ru"
    snapshot = copy.deepcopy(doc.snapshot)
    model = snapshot["results"]["rows"][0]
    snapshot["results"]["rows"] = [
        {**copy.deepcopy(model), "position": i + 1, "number": i + 1, "winner": i < 3}
        for i in range(150)
    ]
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 40_000)
    try:
        html = renderer().html(register_of(doc), snapshot)
        assert chunks.plan(html) is not None
        data = renderer().pdf_of_html(html, register_of(doc).token).pdf
    finally:
        chunks.shutdown()
    _reader, root = catalogue(data)
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in root and root["/Lang"] == "ru"


# --- the phone on the regulation page -----------------------------------------------------


def regulation_form(**overrides) -> dict:
    return {
        "min_commission_size": "5",
        "odd_commission": "y",
        "min_application_days": "14",
        "min_own_share": "5",
        "document_languages": "ky+ru",
        "reminder_days": "7",
        "standard_groups": ["women", "men", "girls", "boys"],
        "address": "Орозбеков айылы, Ош көчөсү, 1",
        **overrides,
    }


def test_the_head_types_the_offices_phone_for_the_letterhead(world, login, db):
    m, _cast = world
    head = login(HEAD)
    url = f"/municipalities/{m.id}/regulation"
    assert head.post(url, data=regulation_form(phone="03655 5 12 35")).status_code == 302
    db.session.refresh(m)
    assert m.phone == "+996365551235"
    bad = head.post(url, data=regulation_form(phone="12ab"))
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "12ab" in page  # what was typed is shown again, with the reason
    db.session.refresh(m)
    assert db.session.get(Municipality, m.id).phone == "+996365551235"
