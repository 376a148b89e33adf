"""The documents of intake and screening (receipt, register of applications, screening
protocol), rendered in Kyrgyz and in Russian and read back with a real PDF text extractor:
the facts are on the page, and the public ones carry no contacts of applicants."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from initiatives.applications import operations as applications
from initiatives.core.enums import SCREENING_CHECKS, DocumentKind
from initiatives.demo.builder import Proposal, at, draft_application, screening_meeting
from initiatives.documents import snapshots
from initiatives.documents.models import Document
from initiatives.documents.rendering import _translations, copy_of, render, renderer
from initiatives.lifecycle.operations import fire
from reports.language import Lang
from tests.reports.test_documents import pdf_text

PHONE, EMAIL = "+996 700 123 456", "cholpon@example.kg"
PHOTO = b"\x89PNG demo photo of the music room"
REASON = "Демилгечи айыл аймагынын тургуну эмес."
SUMMARY = "Applications screened: %(n)s. Admitted to scoring: %(admitted)s. Rejected: %(rejected)s."
ALL_YES = dict.fromkeys(SCREENING_CHECKS, True)
NOT_ELIGIBLE = {**ALL_YES, "eligible_applicant": False}

INDIVIDUAL = Proposal(
    "Комуз үйрөнүү ийрими",
    "culture",
    "Үч-Коргон",
    Decimal("9000"),
    Decimal("0"),
    Decimal("2000"),
    {"girls": 12, "boys": 10},
    scores=6,
    applicant_kind="individual",
)
WITHDRAWN = Proposal(
    "Үй-бүлөлүк зомбулуксуз айыл",
    "family_violence",
    "Орозбеков",
    Decimal("8000"),
    Decimal("0"),
    Decimal("800"),
    {"women": 40, "men": 15},
    scores=5,
)


@dataclass
class Intake:
    run: object
    apps: list  # by registration number: online group, paper group, individual, withdrawn
    docs: dict  # kind -> Document, receipts by application number

    def receipt(self, number: int) -> Document:
        return self.docs["receipt"][number]


def submit_individual(run):
    """An individual with contacts and a photo besides the required documents."""
    c, cast = run.c, run.cast
    applicant = cast.applicants[2]
    a = draft_application(c, applicant, INDIVIDUAL, run.t0)
    applications.update_draft(
        a, applicant, contact_phone=PHONE, contact_email=EMAIL, address="Ленин көчөсү, 5"
    )
    applications.attach(
        a,
        applicant,
        doc_type="photo",
        filename="room.png",
        content=PHOTO,
        content_type="image/png",
        at=at(run.t0, 3),
    )
    fire(a, "submit", applicant, now=at(run.t0, 8))
    return a


def submit_and_withdraw(run):
    applicant = run.cast.applicants[3]
    a = draft_application(run.c, applicant, WITHDRAWN, run.t0)
    fire(a, "submit", applicant, now=at(run.t0, 9))
    fire(a, "withdraw", applicant, now=at(run.t0, 10))
    return a


def screen(run, apps) -> None:
    secretary = run.secretary
    fire(run.c, "close_applications", run.cast.specialist, now=at(run.t0, 22))
    fire(run.c, "start_screening", secretary, now=at(run.t0, 23))
    fire(apps[0], "admit", secretary, now=at(run.t0, 24), checklist=ALL_YES)
    fire(apps[1], "admit", secretary, now=at(run.t0, 24), checklist=ALL_YES)
    fire(apps[2], "reject", secretary, now=at(run.t0, 24), checklist=NOT_ELIGIBLE, reason=REASON)
    fire(
        run.c,
        "finish_screening",
        secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )


@pytest.fixture
def intake(build, db) -> Intake:
    run = build("announced", proposals=2, paper=1)
    apps = [a for a, _p in run.apps]
    apps += [submit_individual(run), submit_and_withdraw(run)]
    screen(run, apps)
    db.session.commit()
    docs: dict = {"receipt": {}}
    for d in db.session.scalars(select(Document).where(Document.competition_id == run.c.id)):
        if d.kind == DocumentKind.RECEIPT:
            docs["receipt"][d.snapshot["application"]["number"]] = d
        else:
            docs[d.kind.value] = d
    return Intake(run, apps, docs)


def rendered(doc: Document, lang: str) -> str:
    doc.languages = lang
    return pdf_text(render(doc).pdf)


def word(lang: str, message: str, **params) -> str:
    """A label as the document's catalogue writes it (translated or not yet)."""
    return Lang(lang, _translations(lang)).gettext(message, **params)


def contacts(intake: Intake) -> list[str]:
    found = [PHONE, EMAIL, "Ленин көчөсү"]
    for a in intake.apps:
        found += [x for x in (a.contact_phone, a.contact_email) if x]
    assert len(found) > 4  # the demo applicants have phones or e-mails of their own
    return found


LETTERS = {"ky": "өүң", "ru": "ыщё"}


def assert_language(text: str, lang: str) -> None:
    assert any(ch in text for ch in LETTERS[lang]), f"no {lang} letters"


# --- receipt --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_receipt_lists_what_was_received(intake, lang):
    a = intake.apps[2]
    text = rendered(intake.receipt(3), lang)
    facts = [
        "№ 3",
        INDIVIDUAL.title,
        a.applicant_name,
        PHONE,
        EMAIL,
        {  # the letterhead
            "ky": "ОРОЗБЕКОВ АЙЫЛ АЙМАГЫНЫН АЙЫЛ ӨКМӨТҮ",
            "ru": "АЙЫЛ ОКМОТУ ОРОЗБЕКОВСКОГО АЙЫЛНОГО АЙМАКА",
        }[lang],
        intake.run.c.title_ky if lang == "ky" else intake.run.c.title_ru,
        "2026",
        "10:00",  # submitted at 04:00 UTC, shown in Bishkek time
        {"ky": "10-март", "ru": "10 марта 2026"}[lang],
        "9 000,00",
        {"ky": "тогуз миң сом", "ru": "девять тысяч сомов"}[lang],
        "11 000,00",  # the whole budget
        {"ky": "Маданият", "ru": "Культура"}[lang],
        {"ky": "Өздүк салым", "ru": "Собственный вклад"}[lang],
        word(lang, "Online"),
        word(lang, "Individual"),
    ]
    for fact in facts:
        assert fact in text, f"receipt/{lang}: {fact!r} missing"
    for x in a.attachments:
        assert x.filename in text and x.sha256[:12] in text
        assert x.sha256[:13] not in text  # the first 12 characters only
    assert {x.doc_type for x in a.attachments} == {"application_letter", "budget", "photo"}
    assert word(lang, "Photo") in text and word(lang, "Application letter") in text
    counts = "Lines in the budget: %(lines)s. Activities in the plan: %(activities)s."
    assert word(lang, counts, lines=3, activities=2) in text
    assert_language(text, lang)


GENERATED = (
    "Generated by the portal %(url)s when the application was submitted online; "
    "it needs no signature."
)


def test_online_receipt_says_the_portal_made_it(intake, app):
    portal = app.config["PUBLIC_BASE_URL"]
    online, paper = rendered(intake.receipt(3), "ru"), rendered(intake.receipt(2), "ru")
    assert word("ru", GENERATED, url=portal) in online
    assert word("ru", "signature") not in online
    assert word("ru", GENERATED, url=portal) not in paper


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_paper_receipt_names_the_clerk_and_the_time_of_receipt(intake, lang):
    run = intake.run
    text = rendered(intake.receipt(2), lang)
    assert word(lang, "On paper") in text
    assert word(lang, "Received by the ayil okmotu") in text
    assert {"ky": "6-март", "ru": "6 марта 2026"}[lang] in text  # received at(t0, 4)
    assert {"ky": "8-март", "ru": "8 марта 2026"}[lang] in text  # registered at(t0, 6)
    assert run.cast.specialist.full_name in text
    assert word(lang, "signature") in text


# --- register -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_register_lists_every_registered_application(intake, lang):
    run = intake.run
    text = rendered(intake.docs["applications_register"], lang)
    for a in intake.apps:  # the signed register names the initiators
        assert a.title in text and a.applicant_name in text
        assert a.organisation_name in text
    # The public copy: titles and organisations, no person's name.
    public = pdf_text(renderer().pdf(*copy_of(intake.docs["applications_register"], "public")).pdf)
    for a in intake.apps:
        assert a.title in public and a.applicant_name not in public
    facts = [
        "Путешествие в сказку",
        "07.03.2026 10:00",  # received, Bishkek time
        "06.03.2026 10:00",  # the paper one counts from the office's receipt
        "12 000,00",
        "(8 000,00)",  # withdrawn: shown, not counted
        "32 000,00",
        {"ky": "отуз эки миң сом", "ru": "тридцать две тысячи сомов"}[lang],
        "23 000,00",
        {"ky": "23-март", "ru": "23 марта 2026"}[lang],  # the deadline
        word(lang, "Withdrawn"),
        word(lang, "On paper"),
        {"ky": "Дене тарбия", "ru": "Физическая культура"}[lang],
        run.cast.specialist.full_name,
        run.secretary.full_name,
    ]
    for fact in facts:
        assert fact in text, f"register/{lang}: {fact!r} missing"
    for number in ("1", "2", "3", "4"):
        assert f" {number} " in text
    for contact in contacts(intake):
        assert contact not in text
    assert_language(text, lang)


# --- screening protocol ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_screening_protocol_shows_the_checks_and_the_outcomes(intake, lang):
    run = intake.run
    text = rendered(intake.docs["screening_protocol"], lang)
    yes, no = word(lang, "yes"), word(lang, "no")
    admitted, rejected = word(lang, "Admitted"), word(lang, "Rejected")
    all_yes = " ".join([yes] * len(SCREENING_CHECKS))
    one_no = " ".join(no if v is False else yes for v in NOT_ELIGIBLE.values())
    org = intake.apps[0].organisation_name
    facts = [
        " ".join(x for x in ("Папа, мама и я", org, all_yes, admitted) if x),
        f"{INDIVIDUAL.title} {one_no} {rejected}",
        REASON,
        word(lang, "The applicant may apply"),
        word(lang, SUMMARY, n=3, admitted=2, rejected=1),
        {"ky": "Төрага", "ru": "Председатель"}[lang],
        {"ky": "Катчы", "ru": "Секретарь"}[lang],
    ]
    for fact in facts:
        assert fact in text, f"protocol/{lang}: {fact!r} missing"
    for seat in run.c.seats:
        assert seat.name in text
    for a in intake.apps:
        assert a.applicant_name not in text
    assert WITHDRAWN.title not in text  # withdrawn before the intake closed: not screened
    for contact in contacts(intake):
        assert contact not in text
    assert_language(text, lang)


# --- all three --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["receipt", "applications_register", "screening_protocol"])
def test_side_by_side_and_warning_free(intake, kind, caplog):
    doc = intake.receipt(2) if kind == "receipt" else intake.docs[kind]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        text = rendered(doc, "ky+ru")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert_language(text, "ky")
    assert_language(text, "ru")


def test_personal_data_stays_in_the_receipt(intake):
    receipt = json.dumps(intake.receipt(3).snapshot, ensure_ascii=False)
    assert PHONE in receipt and EMAIL in receipt
    for kind in ("applications_register", "screening_protocol"):
        public = json.dumps(intake.docs[kind].snapshot, ensure_ascii=False)
        for contact in contacts(intake):
            assert contact not in public, kind
    # A public document about one application gets its public part only.
    a = intake.apps[2]
    notice = snapshots.build(a, DocumentKind.TERMINATION_NOTICE, {"reason": "x"})
    assert PHONE not in json.dumps(notice, ensure_ascii=False)
    assert notice["application"]["applicant_name"] == ""  # never a person's name in public
