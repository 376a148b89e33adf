"""Every document kind the demo makes, read back in Kyrgyz, Russian and both side by side, as
a reader would: no "2025 г..", no sentence glued to the next ("регистрация.Заявка"), no
English left from the demo's data or an untranslated message, no empty body; and the
sentences of the scoring papers, the form and the notices put dates in the case they need."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from initiatives.demo.builder import CANCEL_REASON, CONFLICT_NATURE, scoring_under_way
from initiatives.documents.models import Document
from initiatives.documents.rendering import register_of, render, renderer
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring_ops
from reports.inflect import ky_date
from tests.reports.test_documents import pdf_text

LANGUAGES = ("ky", "ru", "ky+ru")
# Latin words a Kyrgyz or Russian document may print: the name of the hash.
LATIN_ALLOWED = {"SHA"}

_CACHE: dict = {}


def demo_runs(build, db) -> list:
    """The demo's competitions that between them make every kind of document: one carried
    to the end (a paper application, a rejected one), one in scoring with a declared
    conflict, one cancelled and one that failed, with the demo's own free texts."""
    closed = build("closed", proposals=4, paper=2, rejected=3)
    scoring = build("screening", proposals=4, paper=2, rejected=3)
    scoring_under_way(scoring)
    # The member who declared the demo's conflict finishes declaring: the declaration is made.
    seat = list(scoring.c.seats)[3]
    rest = {a.id: (False, None) for a, _p in scoring.admitted()[1:]}
    scoring_ops.declare_conflicts(seat, seat.user, rest, at=scoring.t0 + timedelta(days=27))
    cancelled = build("announced", proposals=2)
    fire(
        cancelled.c,
        "cancel",
        cancelled.cast.head,
        now=cancelled.t0 + timedelta(days=1),
        reason=CANCEL_REASON,
    )
    failed = build("applications_closed", proposals=0)
    fire(failed.c, "declare_failed", failed.cast.specialist, now=failed.t0 + timedelta(days=23))
    db.session.commit()
    return [closed, scoring, cancelled, failed]


def fullest_of_each_kind(runs, db) -> dict[str, Document]:
    """Per kind, the document with the most in its snapshot (the receipt of the paper
    application, the declaration that names a conflict)."""
    ids = [r.c.id for r in runs]
    docs = db.session.scalars(select(Document).where(Document.competition_id.in_(ids)))
    best: dict[str, Document] = {}
    for d in docs:
        size = len(json.dumps(d.snapshot, default=str))
        kind = d.kind.value
        if kind not in best or size > len(json.dumps(best[kind].snapshot, default=str)):
            best[kind] = d
    return best


@pytest.fixture
def read(build, db):
    """{(kind, languages): (pdf text, html)} for the demo, rendered once per test session:
    the texts are plain data, the database rows are gone after each test."""
    if not _CACHE:
        docs = fullest_of_each_kind(demo_runs(build, db), db)
        for kind, doc in docs.items():
            for lang in LANGUAGES:
                doc.languages = lang
                html = renderer().html(register_of(doc), doc.snapshot)
                _CACHE[kind, lang] = (pdf_text(render(doc).pdf), html, doc.token, doc.snapshot)
        db.session.rollback()  # the languages were changed for reading only
    return _CACHE


def _without_identifiers(text: str, token: str) -> str:
    """The text without what is meant to be Latin: links, e-mails, file names, hashes, the
    verification token (cut anywhere where a line wrapped) and numbers like PO-2026-1."""
    text = re.sub(r"https?://\s?\S+", " ", text)
    text = re.sub(r"\S+@\S+", " ", text)
    text = re.sub(r"\S+\.p ?df\b", " ", text)
    words = []
    for word in text.split():
        bare = word.strip(".,;:()«»\"'")
        if len(bare) >= 4 and bare in token:
            continue
        if re.fullmatch(r"[0-9a-f]{12}", bare) or re.search(r"\d", bare):
            continue
        words.append(word)
    return " ".join(words)


def _body_text(html: str) -> str:
    """The document's own content: between the letterhead and the verification block,
    without its title and subtitle."""
    body = html.split("</header>", 1)[-1].split('<section class="verify">', 1)[0]
    body = re.sub(r"<h1>.*?</h1>|<p class=\"subtitle\">.*?</p>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def test_every_demo_document_reads_as_a_clean_official_text(read):
    kinds = {kind for kind, _ in read}
    assert {"receipt", "conflict_declaration", "score_sheet", "results_notice"} <= kinds
    assert {"cancellation_notice", "failure_notice", "final_report"} <= kinds
    problems = []
    for (kind, lang), (text, html, token, _snap) in sorted(read.items()):
        where = f"{kind}/{lang}"
        clean = _without_identifiers(text, token)
        for match in re.finditer(r"(?<!\.)\.\.(?!\.)", clean):
            problems.append(f"{where}: double period: {clean[match.start() - 40 : match.end()]}")
        if "г.." in text:
            problems.append(f"{where}: 'г..'")
        for match in re.finditer(r"[a-zа-яёөүң»)]\.[A-ZА-ЯЁӨҮҢ]", clean):
            problems.append(f"{where}: no space: {clean[match.start() - 30 : match.end() + 15]}")
        latin = [w for w in re.findall(r"[A-Za-z]{3,}", clean) if w not in LATIN_ALLOWED]
        if latin:
            problems.append(f"{where}: English words: {' '.join(dict.fromkeys(latin))[:200]}")
        body = _body_text(html)
        if len(body) < 80:
            problems.append(f"{where}: body almost empty: {body!r}")
        for column in re.findall(r'<div class="col" lang="\w+">(.*?)</div>', html, flags=re.S):
            if not re.sub(r"<[^>]+>|\s", "", column):
                problems.append(f"{where}: an empty column of a bilingual section")
    assert not problems, "\n".join(problems)


def test_demo_free_texts_are_kyrgyz_and_russian():
    """What the demo's people type is printed in ky and ru documents: never English."""
    for text in (CANCEL_REASON, CONFLICT_NATURE):
        assert not re.search(r"[A-Za-z]", text)
        assert re.search(r"[өүң]", text) and re.search(r"[ыяё]|[еэ]", text)


def test_dates_and_names_take_the_case_of_their_sentence(read):
    allocation = read["budget_allocation", "ky"][3]["competition"]["sources"][0]
    decided = ky_date(allocation["decision_date"], "attr")
    assert f"Айылдык кеңеш {decided} № 226 токтому менен" in read["budget_allocation", "ky"][0]
    assert "бюджеттин 2821 бюджеттик беренеси" in read["budget_allocation", "ky"][0]

    notice = read["results_notice", "ky"]
    held = notice[3]["results"]["meeting"]["held_at"]
    assert f"{ky_date(held, 'loc')} өткөн отурумда" in notice[0]
    assert f"{ky_date(notice[3]['decision']['date'], 'attr')} №" in notice[0]

    receipt = read["receipt", "ky"]
    submitted = receipt[3]["application"]["submitted_at"]
    assert f"Билдирме {ky_date(submitted, 'loc')} саат" in receipt[0]

    form = read["application_form", "ky"][0]
    assert "Орозбеков айыл аймагынын айыл өкмөтүнүн сынак комиссиясына" in form
    form_ru = read["application_form", "ru"][0]
    assert "В конкурсную комиссию Айыл окмоту Орозбековского айылного аймака" in form_ru
    both = read["application_form", "ky+ru"][0]
    assert "айыл өкмөтүнүн сынак комиссиясына" in both and "Орозбековского айылного" in both


def test_the_member_declares_in_their_own_seat(read):
    ky = read["conflict_declaration", "ky"]
    member = ky[3]["member"]["name"]
    assert f"Мен, сынак комиссиясынын мүчөсү {member}, бааланып жаткан ар бир билдирме" in ky[0]
    assert "кагылышуусу бар деп мен билдирген билдирмелерди баалабайм" in ky[0]
    assert "Демилгечи менин жакын тууганым" in ky[0]  # the demo's conflict, in Kyrgyz
    ru = read["conflict_declaration", "ru"][0]
    assert f"Я, {member}, член конкурсной комиссии, по каждой заявке" in ru
    sheet = read["score_sheet", "ky"][0]
    assert "ар бир критерий боюнча коюлган балл анын салмагына көбөйтүлүп, кошулат" in sheet
    notice_ru = read["results_notice", "ru"][0]
    assert "на заседании" in notice_ru and "г. утвердила его итоги" in notice_ru
