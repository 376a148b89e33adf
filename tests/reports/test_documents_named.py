"""The documents that name the initiator (issue 21): the register of applications, the
decision on winners, the implementation report and its acceptance act. The signed original
(what the office, and the applicant concerned, read) names the initiator; the public copy
anyone downloads is rendered without the names. The register signs once per person and says
why a paper application's number may be out of time order; the acceptance act lists what
was actually attached and never claims receipts that are not there."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import select

from initiatives.demo.builder import at, fill_report, one_page_pdf
from initiatives.documents.models import Document
from initiatives.documents.rendering import register_of, renderer
from initiatives.grants import operations as grants
from initiatives.lifecycle.operations import fire
from tests.reports.test_documents import pdf_text
from tests.reports.test_intake_documents import word

SPECIALIST = "specialist@orozbekov.example"
OVERSIGHT = "oversight@demo.example"
RECEIPT, PHOTO = "chek-tsement-2026.pdf", "ishtin-natyjasy.png"
PUBLIC_MARK = (
    "Public copy: the citizens' names and contacts are removed. The signed original "
    "№ %(number)s is kept by the ayil okmotu."
)
NO_RECEIPTS = "No receipts were attached; accepted on the initiator's statement."
CHECKED_RECEIPTS = (
    "The ayil okmotu has checked the report against the agreement, the budget, the receipts "
    "and the photos, and accepts it: the initiative is carried out."
)
NUMBERING = (
    "Numbers are given in the order of registration: an application sent online is "
    "registered when it is sent; a paper one when the office enters it, which may be later "
    "than the time it was received. A paper application may therefore carry a later number "
    "than one received after it; its time of receipt counts for the deadline."
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def done(build, db):
    """Two winners' reports accepted: the first with a receipt and a photo attached, the
    second with none (as the demo's are)."""
    run = build("implementation", proposals=3, paper=1)
    (first, p1), (second, p2), *_ = run.winners()
    for a, p, files in ((first, p1, True), (second, p2, False)):
        fill_report(run, a, p)
        if files:
            grants.attach_report_file(
                a,
                a.owner or run.cast.specialist,
                doc_type="receipt",
                filename=RECEIPT,
                content=one_page_pdf("receipt"),
                content_type="application/pdf",
                at=at(run.t0, 95),
            )
            grants.attach_report_file(
                a,
                a.owner or run.cast.specialist,
                doc_type="photo",
                filename=PHOTO,
                content=png(),
                content_type="image/png",
                at=at(run.t0, 95),
            )
        fire(a, "submit_report", a.owner or run.cast.specialist, now=at(run.t0, 96))
        fire(a, "accept_report", run.cast.specialist, now=at(run.t0, 100))
    db.session.commit()
    return run, first, second


def documents(run, kind: str, application=None) -> list[Document]:
    from initiatives.extensions import db

    query = select(Document).where(Document.competition_id == run.c.id, Document.kind == kind)
    if application is not None:
        query = query.where(Document.application_id == application.id)
    return list(db.session.scalars(query.order_by(Document.id)))


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return pdf_text(response.data)


def render(doc: Document, lang: str, snapshot: dict | None = None) -> str:
    register = replace(register_of(doc), languages=lang)
    return pdf_text(renderer().pdf(register, snapshot or doc.snapshot).pdf)


KINDS = ["applications_register", "winners_decision", "implementation_report", "acceptance_act"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_original_names_the_initiator_and_the_public_copy_does_not(done, login, kind):
    run, first, second = done
    by_application = kind in ("implementation_report", "acceptance_act")
    doc = documents(run, kind, first if by_application else None)[-1]
    named = [first] if by_application else [first, second]
    assert doc.public

    office = text_of(login(SPECIALIST).get(f"/documents/{doc.id}.pdf"))
    for a in named:
        assert a.applicant_name and a.applicant_name in office, (kind, a.applicant_name)
    assert word(doc.languages.split("+")[0], PUBLIC_MARK, number=doc.register_number) not in office

    client = login(SPECIALIST)
    client.post("/logout")
    for url in (f"/documents/{doc.id}.pdf", f"/documents/{doc.id}.pdf?lang=ru"):
        public = text_of(client.get(url))
        for a in named:
            assert a.applicant_name not in public, (kind, url)
        lang = "ru" if url.endswith("ru") else doc.languages.split("+")[0]
        assert word(lang, PUBLIC_MARK, number=doc.register_number) in public, (kind, url)
    # The verification page hands a stranger the same public copy.
    verify = client.get(f"/verify/{doc.token}/document.pdf")
    assert not [a for a in named if a.applicant_name in text_of(verify)]

    # Oversight reads the names (redaction.py: it audits who got public money), never the
    # citizens' contacts.
    oversight = text_of(login(OVERSIGHT).get(f"/documents/{doc.id}.pdf"))
    for a in named:
        assert a.applicant_name in oversight
        for contact in (a.contact_phone, a.contact_email):
            assert not contact or contact not in oversight


@pytest.mark.parametrize("lang", ["ky", "ru", "ky+ru"])
def test_the_decision_names_each_recipient_with_the_amount(done, lang):
    run, *_ = done
    doc = documents(run, "winners_decision")[-1]
    text = render(doc, lang)
    for a, _p in run.winners():
        amount = f"{a.awarded_amount:,.2f}".replace(",", " ").replace(".", ",")
        assert f"{a.applicant_name}" in text and amount in text, (a.applicant_name, amount)


@pytest.mark.parametrize("lang", ["ky", "ru", "ky+ru"])
def test_the_register_signs_once_per_person_and_explains_its_numbers(done, lang):
    run, *_ = done
    doc = documents(run, "applications_register")[-1]
    snap = doc.snapshot
    # The specialist is often the commission's secretary too: one signature, both roles.
    one = {**snap, "signatories": {**snap["signatories"], "actor": run.secretary.full_name}}
    text = render(doc, lang, one)
    assert text.count(run.secretary.full_name) == 1
    for code in lang.split("+"):
        assert word(code, "AO specialist") in text
        assert word(code, "Secretary of the commission") in text
        assert word(code, "Registered") in text
        assert " ".join(word(code, NUMBERING).split()) in text
    # The paper application: received (day 4) before it was registered (day 6).
    paper = next(r for r in snap["register"]["rows"] if r["paper"])
    assert paper["registered_at"] > paper["received_at"]
    assert [r["number"] for r in snap["register"]["rows"]] == sorted(
        r["number"] for r in snap["register"]["rows"]
    )


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_act_lists_what_was_attached(done, lang):
    run, first, _second = done
    doc = documents(run, "acceptance_act", first)[-1]
    text = render(doc, lang)
    assert RECEIPT in text and PHOTO in text
    assert " ".join(word(lang, CHECKED_RECEIPTS).split()) in text
    assert word(lang, NO_RECEIPTS) not in text
    assert word(lang, "Handed over: the initiator") in text
    assert word(lang, "Accepted: AO specialist") in text
    assert first.applicant_name in text and run.cast.specialist.full_name in text
    # Works with their quantities, the balance of the money.
    for activity in first.activities:
        assert " ".join(activity.description.split())[:30] in text
    assert word(lang, "Balance of the local budget's money") in text
    assert word(lang, "Neither spent nor returned") in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_act_never_claims_receipts_that_are_not_there(done, lang):
    run, _first, second = done
    doc = documents(run, "acceptance_act", second)[-1]
    text = render(doc, lang)
    assert word(lang, NO_RECEIPTS) in text
    assert " ".join(word(lang, CHECKED_RECEIPTS).split()) not in text
    assert word(lang, "No receipt or invoice was attached to the report.") in text
    assert word(lang, "No photo was attached to the report.") in text


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_report_is_signed_by_the_named_initiator_with_captioned_tables(done, lang):
    run, first, _second = done
    doc = documents(run, "implementation_report", first)[-1]
    text = render(doc, lang)
    assert first.applicant_name in text
    assert word(lang, "The initiator") in text and word(lang, "signature") in text
    for caption in ("Participants", "Activities of the plan", "Spending by budget line and source"):
        assert word(lang, caption) in text, caption
    assert word(lang, "Total participants") in text
    report = doc.snapshot["report"]
    total = f"{float(report['actual_total']):,.2f}".replace(",", " ").replace(".", ",")
    assert total in text
