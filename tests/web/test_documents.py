"""The register on the web: the Documents panel, downloads by permission, and the public
verification page a QR code leads to."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from initiatives.documents.models import Document

SPECIALIST = "specialist@orozbekov.example"


def text(response) -> str:
    return response.get_data(as_text=True)


def one(db, competition_id: int, kind: str) -> Document:
    return db.session.scalars(
        select(Document).where(Document.competition_id == competition_id, Document.kind == kind)
    ).one()


def test_verify_shows_the_registered_facts_and_the_hash_of_the_file(client, build, db):
    run = build("announced", proposals=0)
    doc = one(db, run.c.id, "announcement")
    page = client.get(f"/verify/{doc.token}")
    assert page.status_code == 200
    db.session.refresh(doc)
    body = text(page)
    assert doc.register_number in body and doc.sha256 in body
    assert run.c.title_en in body or run.c.title_ky in body
    pdf = client.get(f"/verify/{doc.token}/document.pdf")
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.data).hexdigest() == doc.sha256  # the file is the registered one
    again = client.get(f"/documents/{doc.id}.pdf")
    assert again.data == pdf.data  # served from storage, not re-rendered differently


def test_a_forged_token_is_not_found(client, build, db):
    run = build("announced", proposals=0)
    doc = one(db, run.c.id, "announcement")
    forged = doc.token[:-4] + ("AAAA" if not doc.token.endswith("AAAA") else "BBBB")
    assert client.get(f"/verify/{forged}").status_code == 404
    assert client.get(f"/verify/{forged}/document.pdf").status_code == 404
    assert client.get("/verify/" + "x" * 200).status_code == 404


def test_private_documents_are_verified_but_not_served_to_strangers(client, build, db):
    run = build("announced", proposals=1)
    receipt = db.session.scalars(select(Document).filter_by(kind="receipt")).one()
    page = client.get(f"/verify/{receipt.token}")
    assert page.status_code == 200
    assert f"/verify/{receipt.token}/document.pdf" not in text(page)
    assert client.get(f"/verify/{receipt.token}/document.pdf").status_code == 404
    assert client.get(f"/documents/{receipt.id}.pdf").status_code == 404
    application = run.c.applications[0]
    assert application.applicant_name not in text(page)


def test_unpublished_competition_documents_are_for_staff(client, build, login, db):
    run = build("funded")
    doc = one(db, run.c.id, "budget_allocation")
    assert client.get(f"/documents/{doc.id}.pdf").status_code == 404
    staff = login(SPECIALIST)
    assert staff.get(f"/documents/{doc.id}.pdf").status_code == 200


def test_the_documents_panel_lists_the_register(build, login, db):
    run = build("announced", proposals=0)
    page = text(login(SPECIALIST).get(f"/competitions/{run.c.id}"))
    for kind in ("budget_allocation", "commission_order", "announcement", "application_form"):
        doc = one(db, run.c.id, kind)
        assert f"/documents/{doc.id}.pdf" in page
        assert doc.register_number in page


def test_the_public_announcement_page(client, build, db):
    run = build("announced", proposals=0)
    client.post("/language/ru")
    page = client.get(f"/announcements/{run.c.id}")
    assert page.status_code == 200
    body = text(page)
    assert run.c.title_ru in body
    assert "Физическая культура" in body
    doc = one(db, run.c.id, "application_form")
    assert f"/documents/{doc.id}.pdf" in body
    draft = build("draft")
    assert client.get(f"/announcements/{draft.c.id}").status_code == 404
