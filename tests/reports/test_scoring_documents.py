"""The documents of scoring and results (each member's score sheets and conflict
declaration, the head's decision on the winners, the public results notice), rendered in
Kyrgyz and in Russian and read back with a real PDF text extractor: the facts are on the
page, and the public notice carries neither names of applicants nor their contacts."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.core.enums import DocumentKind
from initiatives.demo.builder import advance, at, screening_meeting
from initiatives.documents.models import Document
from initiatives.documents.rendering import copy_of, ensure_pdf, renderer
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring
from tests.reports.test_documents import pdf_text
from tests.reports.test_intake_documents import assert_language, rendered, word

PHONE = "+996 777 55 44 33"
ORGANISATION = "ОО «Келечек нуру»"
NATURE = "Демилгечи менин бир тууганым."
COMMENT = "Бюджетте спорт шаймандарынын баасы негизделген."
RECUSED = "recused (conflict of interest)"
WINNERS = {"Папа, мама и я": "12 000,00", "Путешествие в сказку": "11 000,00"}
LOSERS = ["Комуз үйрөнүү ийрими", "Үй-бүлөлүк зомбулуксуз айыл"]


@dataclass
class Scored:
    run: object
    docs: dict  # kind -> [Document], in the order of the register

    def one(self, kind: str) -> Document:
        (document,) = self.docs[kind]
        return document

    def member(self, kind: str, seat) -> Document:
        return next(d for d in self.docs[kind] if d.snapshot["member"]["seat_id"] == seat.id)


def documents(run, db) -> dict:
    found: dict = {}
    query = select(Document).where(Document.competition_id == run.c.id).order_by(Document.id)
    for d in db.session.scalars(query):
        found.setdefault(d.kind.value, []).append(d)
    return found


@pytest.fixture
def winners(build, db) -> Scored:
    """The demo competition up to the announced winners, one applicant an organisation and
    another with a phone of its own."""
    run = build("results_approved", proposals=4)
    run.apps[0][0].organisation_name = ORGANISATION
    run.apps[1][0].contact_phone = PHONE
    advance(run, "winners_announced")
    db.session.commit()
    return Scored(run, documents(run, db))


@pytest.fixture
def conflicted(build, db) -> Scored:
    """Blind scoring where the fourth member declares a conflict on application № 1 and
    comments on the first criterion of every application they score."""
    run = build("screening", proposals=4)
    c = run.c
    c.settings = {**(c.settings or {}), "blind_scoring": True}
    fire(
        c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(c, at(run.t0, 25)),
    )
    seats = list(c.seats)
    for i, (a, p) in enumerate(run.admitted()):
        for seat in seats:
            conflict = seat is seats[3] and i == 0
            answer = (True, NATURE) if conflict else (False, None)
            scoring.declare_conflicts(seat, seat.user, {a.id: answer}, at=at(run.t0, 27))
            if conflict:
                continue
            values = {
                k.id: (p.scores, COMMENT if seat is seats[3] and k.position == 1 else "")
                for k in c.criteria
            }
            sheet = scoring.save_sheet(seat, a, seat.user, values, at=at(run.t0, 28))
            scoring.submit_sheet(sheet, seat.user, at=at(run.t0, 29))
        fire(a, "mark_scored", run.secretary, now=at(run.t0, 30))
    db.session.commit()
    return Scored(run, documents(run, db))


def stored_text(document: Document) -> str:
    """The stored PDF of the document, as the register serves it, page by page."""
    reader = PdfReader(ensure_pdf(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def contacts(run) -> list[str]:
    found = [PHONE] + [a.contact_phone for a, _p in run.apps if a.contact_phone]
    found += [u.phone for u in run.cast.applicants if u.phone]
    assert "+996555000111" in found  # the applicant who logs in by phone
    return found


def criterion(k, lang: str) -> str:
    return getattr(k, f"title_{lang}")


# --- score sheets -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_score_sheet_shows_the_members_scores_and_totals(winners, lang):
    run = winners.run
    sheets = winners.docs["score_sheet"]
    assert len(sheets) == len(run.c.seats) == 5  # one per member, when they were done
    chair = run.c.seats[0]
    text = rendered(winners.member("score_sheet", chair), lang)
    facts = [
        word(lang, "Score sheet"),
        chair.name,
        word(lang, "Chair"),
        word(lang, "Ayil kenesh deputy"),
        run.c.title_ky if lang == "ky" else run.c.title_ru,
        # every member gave the proposal's points on each of the 5 criteria of weight 1
        "1 Папа, мама и я 9 9 9 9 9 45,00",
        "2 Путешествие в сказку 8 8 8 8 8 40,00",
        f"3 {LOSERS[0]} 6 6 6 6 6 30,00",
        f"4 {LOSERS[1]} 5 5 5 5 5 25,00",
        "31.03.2026 10:00",  # submitted at(t0, 29), Bishkek time
        word(
            lang,
            "Applications scored: %(scored)s. Recused for a conflict of interest: %(recused)s.",
            scored=4,
            recused=0,
        ),
    ]
    for fact in facts:
        assert fact in text, f"score sheet/{lang}: {fact!r} missing"
    for k in run.c.criteria:
        assert criterion(k, lang) in text
    assert word(lang, RECUSED) not in text
    assert word(lang, "Comments") not in text  # nobody commented
    for other in run.c.seats[1:]:
        assert other.name not in text  # a member's own sheets only
    assert_language(text, lang)


def test_score_sheet_of_a_recused_member_in_blind_scoring(conflicted):
    run = conflicted.run
    seats = list(run.c.seats)
    text = rendered(conflicted.member("score_sheet", seats[3]), "ru")
    code = f"{run.c.id}-00"
    facts = [
        seats[3].name,
        word("ru", "Member"),
        word("ru", "Code"),  # blind: codes, not registration numbers
        f"{code}1 Папа, мама и я {word('ru', RECUSED)}",
        f"{code}2 Путешествие в сказку 8 8 8 8 8 40,00",
        f"{code}4 {LOSERS[1]} 5 5 5 5 5 25,00",
        word("ru", "Comments"),
        f"{code}2 1 {COMMENT}",
        f"{code}3 1 {COMMENT}",
        word(
            "ru",
            "Applications scored: %(scored)s. Recused for a conflict of interest: %(recused)s.",
            scored=3,
            recused=1,
        ),
    ]
    for fact in facts:
        assert fact in text, f"score sheet: {fact!r} missing"
    assert "45,00" not in text  # the application they did not score
    assert f"{code}1 1 {COMMENT}" not in text
    # The others scored all four, the first one too.
    other = rendered(conflicted.member("score_sheet", seats[0]), "ru")
    assert f"{code}1 Папа, мама и я 9 9 9 9 9 45,00" in other
    assert word("ru", RECUSED) not in other and COMMENT not in other


# --- conflict declarations --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_conflict_declaration_lists_every_application_and_applicant(winners, lang):
    run = winners.run
    assert len(winners.docs["conflict_declaration"]) == 5
    seat = run.c.seats[2]
    text = rendered(winners.member("conflict_declaration", seat), lang)
    no = word(lang, "no")
    for a, _p in run.apps:
        row = f"{a.number} {a.title} {a.applicant_name}"
        assert row in text, f"declaration/{lang}: {row!r} missing"
    facts = [
        seat.name,
        word(lang, "Conflict-of-interest declaration"),
        f"1 Папа, мама и я {run.apps[0][0].applicant_name} {no} — 29.03.2026 10:00",
        word(
            lang,
            "Applications: %(n)s. Conflicts of interest declared: %(conflicts)s.",
            n=4,
            conflicts=0,
        ),
        word(lang, "Member"),
    ]
    for fact in facts:
        assert fact in text, f"declaration/{lang}: {fact!r} missing"
    assert_language(text, lang)


def test_conflict_declaration_states_the_nature_of_the_conflict(conflicted):
    """Blind: the member declared on names, so the declaration lists names only (no number
    or title beside them; tests/security/test_blind_crawl.py attacks the rest)."""
    seats = list(conflicted.run.c.seats)
    text = rendered(conflicted.member("conflict_declaration", seats[3]), "ru")
    first = conflicted.run.apps[0][0]
    assert f"{first.applicant_name} {word('ru', 'yes')} {NATURE}" in text
    assert "Папа, мама и я" not in text
    assert (
        word(
            "ru",
            "Applications: %(n)s. Conflicts of interest declared: %(conflicts)s.",
            n=4,
            conflicts=1,
        )
        in text
    )
    assert f"Бакыт Исаков {word('ru', 'no')} —" in text and "Путешествие в сказку" not in text
    other = rendered(conflicted.member("conflict_declaration", seats[0]), "ru")
    assert NATURE not in other


def test_member_documents_are_private(winners, conflicted):
    for scored in (winners, conflicted):
        for kind in ("score_sheet", "conflict_declaration"):
            assert all(not d.public for d in scored.docs[kind])
    for kind in ("winners_decision", "results_notice"):
        assert winners.one(kind).public


# --- the head's decision on the winners ---------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_winners_decision_finances_the_winners(winners, lang):
    run = winners.run
    text = rendered(winners.one("winners_decision"), lang)
    papa, skazka = (a for a, _p in run.apps[:2])
    facts = [
        word(
            lang,
            "Decision № %(number)s of %(date)s",
            number="2026-42",
            date={"ky": "2026-жылдын 7-апрели", "ru": "7 апреля 2026 г."}[lang],
        ),
        {"ky": "4-апрел", "ru": "4 апреля 2026"}[lang],  # the results meeting
        run.c.title_ky if lang == "ky" else run.c.title_ru,
        # The signed decision names the group and its leader (the public copy: the group).
        f"1 1 Папа, мама и я {ORGANISATION}",
        "12 000,00 25 000,00 37 000,00",
        "2 2 Путешествие в сказку",
        "11 000,00 25 000,00 36 000,00",
        "23 000,00 50 000,00 73 000,00",  # the totals row
        {"ky": "жыйырма үч миң сом", "ru": "двадцать три тысячи сомов"}[lang],
        {"ky": "элүү миң сом", "ru": "пятьдесят тысяч сомов"}[lang],  # the donor pool
        # The source by its name in the copy's language (and never the other one).
        {"ky": "Донордук долбоор", "ru": "Донорский проект"}[lang],
        word(lang, "Head of the ayil okmotu"),
        run.cast.head.full_name,
    ]
    for fact in facts:
        assert fact in text, f"decision/{lang}: {fact!r} missing"
    assert {"ky": "Донорский проект", "ru": "Донордук долбоор"}[lang] not in text
    for title in LOSERS:
        assert title not in text  # the decision finances the winners only
    for contact in contacts(run):
        assert contact not in text
    # The head signs a decision naming each recipient; the public copy names nobody.
    assert papa.applicant_name in text and skazka.applicant_name in text
    public = pdf_text(renderer().pdf(*copy_of(winners.one("winners_decision"), "public")).pdf)
    assert papa.applicant_name not in public and skazka.applicant_name not in public
    assert word(lang, "Chair of the commission") not in text  # the head alone signs
    assert_language(text, lang)


# --- the public results notice ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_results_notice_ranks_without_names_or_contacts(winners, lang):
    run = winners.run
    text = rendered(winners.one("results_notice"), lang)
    yes, no = word(lang, "yes"), word(lang, "no")
    facts = [
        word(lang, "Results of the competition"),
        f"1 1 Папа, мама и я {ORGANISATION} 45 {yes} 12 000,00 25 000,00 37 000,00",
        f"2 2 Путешествие в сказку 40 {yes} 11 000,00 25 000,00 36 000,00",
        f"3 3 {LOSERS[0]} 30 {no} — — —",
        f"4 4 {LOSERS[1]} 25 {no} — — —",
        "23 000,00 50 000,00 73 000,00",
        "23 000,00 23 000,00 0,00",  # local budget: allocated, awarded, left
        "50 000,00 50 000,00 0,00",  # the donor pool
        {"ky": "жыйырма үч миң сом", "ru": "двадцать три тысячи сомов"}[lang],
        {"ky": "2026-жылдын 4-апрелинде", "ru": "4 апреля 2026"}[lang],  # the meeting, inflected
        "2026-42",
        word(
            lang,
            "The winners are invited to the ayil okmotu to sign the grant agreements; "
            "the money is paid under a signed agreement.",
        ),
        word(lang, "Head of the ayil okmotu"),
        run.cast.head.full_name,
    ]
    for fact in facts:
        assert fact in text, f"notice/{lang}: {fact!r} missing"
    for a, _p in run.apps:
        assert a.applicant_name not in text
    for contact in contacts(run):
        assert contact not in text
    for seat in run.c.seats:
        assert seat.name not in text  # no signature but the head's
    assert word(lang, "Chair of the commission") not in text
    assert_language(text, lang)


# --- all four ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["score_sheet", "conflict_declaration", "winners_decision", "results_notice"]
)
def test_stored_side_by_side_and_warning_free(winners, kind, caplog):
    document = winners.docs[kind][0]
    assert document.languages == "ky+ru"  # the municipality's default
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        text = stored_text(document)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert document.sha256 and document.pdf_path
    assert_language(text, "ky")
    assert_language(text, "ru")
    assert word("ky", DocumentKind(kind).title) in text
    assert word("ru", DocumentKind(kind).title) in text
