"""One rule for citizens' personal data, over every document kind: oversight reads each
document, and wherever the original carries a citizen's contacts or identity papers it gets
a copy without them, marked as such; the office and the applicant read the original."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.demo.builder import advance
from initiatives.documents.models import Document
from initiatives.documents.redaction import carries_personal_data, redact
from initiatives.extensions import db as _db

OVERSIGHT = "oversight@demo.example"
# The mark of a copy for oversight, in whichever language the copy is.
MARKS = ("Copy for oversight", "Копия для надзорного органа", "Көзөмөл органы үчүн көчүрмө")
SPECIALIST = "specialist@orozbekov.example"
PHONE = "+996 700 123 456"
ADDRESS, PASSPORT = "ул. Токтогула 17, кв. 4", "ID1234567"


def text_of(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def closed(build, db):
    """A competition carried to closing; every applicant gave a phone or an e-mail (their
    receipts carry them), and each gave an address before the agreements were made."""
    run = build("results_approved", proposals=4)
    for a, _p in run.apps:
        a.address, a.id_document_number = f"{ADDRESS} ({a.number})", PASSPORT
    db.session.commit()
    advance(run, "closed")
    db.session.commit()
    return run


def secrets(run) -> list[str]:
    found = [ADDRESS, PASSPORT]
    for a, _p in run.apps:
        found += [v for v in (a.contact_phone, a.contact_email) if v]
    return found


def test_oversight_reads_every_kind_without_personal_data(closed, login, db):
    run = closed
    documents = db.session.scalars(
        select(Document).where(Document.competition_id == run.c.id).order_by(Document.id)
    ).all()
    kinds = {d.kind for d in documents}
    assert len(kinds) >= 12, sorted(k.value for k in kinds)
    carrying = [d for d in documents if carries_personal_data(d.snapshot)]
    assert {d.kind.value for d in carrying} >= {"receipt", "grant_agreement"}

    secret = secrets(run)
    assert len(secret) >= 6
    oversight = login(OVERSIGHT)
    checked = set()
    for d in documents:
        for url in (f"/documents/{d.id}.pdf", f"/documents/{d.id}.pdf?lang=en"):
            response = oversight.get(url)
            assert response.status_code == 200, (d.kind.value, url, response.status_code)
            text = text_of(response.data)
            leaked = [s for s in secret if s in text]
            assert leaked == [], (d.kind.value, url, leaked)
            if d in carrying:
                assert any(mark in text for mark in MARKS), d.kind
        # The verification page offers the same copy, never the original.
        verify = oversight.get(f"/verify/{d.token}/document.pdf")
        assert not [s for s in secret if s in text_of(verify.data)], d.kind.value
        checked.add(d.kind)
    assert checked == kinds

    # The office reads the originals, with the contacts the applicant gave.
    office = login(SPECIALIST)
    a = run.apps[0][0]
    contact = a.contact_email or a.contact_phone
    receipt = next(d for d in carrying if d.kind.value == "receipt" and d.application_id == a.id)
    original = office.get(f"/documents/{receipt.id}.pdf")
    assert contact in text_of(original.data)
    db.session.refresh(receipt)
    assert original.headers.get("ETag", "").strip('"') == receipt.sha256


def test_the_redacted_copy_is_rendered_once_and_kept(closed, login, db, app):
    """Like a translation, a copy is kept beside the originals (anonymous visitors and
    oversight must not cost a render per request)."""
    from initiatives.documents import rendering

    receipt = db.session.scalars(
        select(Document)
        .join(Application, Application.id == Document.application_id)
        .where(Application.id == closed.apps[0][0].id, Document.kind == "receipt")
    ).first()
    oversight = login(OVERSIGHT)
    first = oversight.get(f"/documents/{receipt.id}.pdf").data
    with app.app_context():
        kept = rendering.translation_file(_db.session.get(Document, receipt.id), "redacted")
    assert kept.is_file() and kept.read_bytes() == first
    assert oversight.get(f"/documents/{receipt.id}.pdf").data == first


def test_redaction_keeps_the_office_and_empties_citizens_fields():
    snap = {
        "municipality": {"address": "Орозбеков, ул. Ленина 1", "phone": "+996 3622 5 00 00"},
        "application": {
            "applicant_name": "Айгүл",
            "contact_phone": PHONE,
            "group_members": [{"name": "Бакыт", "phone": "+996 555 000 111"}],
        },
    }
    out = redact(snap)
    assert out["municipality"] == snap["municipality"]
    assert out["application"]["applicant_name"] == "Айгүл"
    assert out["application"]["contact_phone"] == ""
    assert out["application"]["group_members"][0] == {"name": "Бакыт", "phone": ""}
    assert carries_personal_data(snap) and not carries_personal_data(out)
