"""Pages after the awards without dead ends (issue 26): the report is accepted or returned
where it is read (item 15), the agreement's draft carries no QR code to a staff page (item
15), and the tranches' sum is refused on the tranches, not on the number (item 13)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.core.enums import DocumentKind
from initiatives.documents.models import Document
from tests.web.test_grants import (
    OROZBEKOV,
    SPECIALIST,
    document_pdf,
    owner_login,
    pdf_text,
    report_form,
    text,
    winners,
)


@pytest.fixture
def login(login):
    def do(who: str):
        client = login(who)
        client.post("/language/en")
        return client

    return do


def submitted(client, login, db, a: Application, participants: dict) -> None:
    login(owner_login(a))
    client.get(f"/applications/{a.id}/report")
    data = report_form(db, a, participants, results="Six events took place.", submit=True)
    assert client.post(f"/applications/{a.id}/report", data=data).status_code == 302


def state_of(db, a: Application) -> str:
    db.session.expire_all()
    return db.session.get(Application, a.id).state


def test_the_report_is_accepted_or_returned_where_it_is_read(build, client, login, db):
    run = build("implementation", proposals=4)
    first, second = winners(run)
    submitted(client, login, db, first, OROZBEKOV[0])
    submitted(client, login, db, second, OROZBEKOV[1])

    # The initiator reads the report, and is offered nothing to decide.
    login(owner_login(first))
    page = text(client.get(f"/applications/{first.id}/report"))
    assert "Six events took place." in page and "/steps/accept_report" not in page

    login(SPECIALIST)
    report_url = f"/applications/{first.id}/report"
    page = text(client.get(report_url))
    assert "Six events took place." in page
    accept = re.search(
        r'<form method="post" action="([^"]*/steps/accept_report)">(.*?)</form>', page, re.S
    )
    assert accept and accept.group(1) == f"/applications/{first.id}/steps/accept_report"
    assert 'name="csrf_token"' in accept.group(2) and f'value="{report_url}"' in accept.group(2)
    assert f'action="/applications/{first.id}/steps/return_report"' in page

    response = client.post(
        f"/applications/{first.id}/steps/accept_report",
        data={"confirm": "1", "next": report_url},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(report_url)
    assert state_of(db, first) == "completed"
    assert "/steps/accept_report" not in text(client.get(report_url))  # decided

    # Returned from its page with a comment, as from the grant page.
    second_url = f"/applications/{second.id}/report"
    assert f'action="/applications/{second.id}/steps/return_report"' in text(client.get(second_url))
    response = client.post(
        f"/applications/{second.id}/steps/return_report",
        data={"reason": "Attach the receipts for the costumes.", "next": second_url},
    )
    assert response.status_code == 302
    assert state_of(db, second) == "returned"

    # The same permission checks: a member of the commission reads, never decides.
    submitted(client, login, db, second, OROZBEKOV[1])
    login("member1@orozbekov.example")
    page = client.get(second_url)
    assert "/steps/accept_report" not in text(page)
    response = client.post(f"/applications/{second.id}/steps/accept_report", data={"confirm": "1"})
    assert response.status_code in (403, 404)
    assert state_of(db, second) == "report_submitted"


def test_the_agreement_draft_has_no_qr_code_to_a_staff_page(build, client, login, db):
    run = build("winners_announced", proposals=4)
    a = winners(run)[0]
    login(SPECIALIST)
    data = {
        "number": "2026/7",
        "tranches-0-due": "2026-04-20",
        "tranches-0-amount": "12000",
    }
    assert client.post(f"/applications/{a.id}/agreement", data=data).status_code == 302
    for who in (SPECIALIST, owner_login(a)):
        login(who)
        draft = client.get(f"/applications/{a.id}/agreement/draft.pdf")
        assert draft.status_code == 200
        words = pdf_text(draft.data)
        assert "/grant" not in words and "/applications/" not in words
        assert "Check this document" not in words  # the verification block and its QR
        assert "Draft" in words or "Долбоор" in words or "Проект" in words

    # The signed agreement, registered, points at its public verification page.
    from initiatives.demo.builder import sign_agreement

    a = db.session.get(Application, a.id)
    sign_agreement(run, a, 1)
    db.session.commit()
    words = document_pdf(client, db, DocumentKind.GRANT_AGREEMENT, application_id=a.id)
    token = db.session.scalars(
        select(Document.token).where(
            Document.application_id == a.id, Document.kind == DocumentKind.GRANT_AGREEMENT
        )
    ).one()
    assert f"/verify/{token}" in words.replace(" ", "")
    assert "/applications/" not in words


def test_the_tranche_sum_error_is_shown_on_the_tranches(build, client, login, db):
    run = build("winners_announced", proposals=4)
    a = winners(run)[0]
    login(SPECIALIST)
    response = client.post(
        f"/applications/{a.id}/agreement",
        data={
            "number": "2026/7",
            "tranches-0-due": "2026-04-20",
            "tranches-0-amount": "5000",
            "tranches-1-due": "2026-06-01",
            "tranches-1-amount": "5000",
        },
    )
    assert response.status_code == 422
    page = text(response)
    message = "the tranches add up to 10,000.00 som, not to the award of 12,000.00 som"
    assert message in page
    assert 'id="number-error"' not in page and 'value="2026/7"' in page
    fieldset = re.search(r"<fieldset><legend>Tranches.*?</fieldset>", page, re.S)
    assert fieldset and message in fieldset.group(0)

    # A report due before the implementation ends is said on the report's date.
    response = client.post(
        f"/applications/{a.id}/agreement",
        data={
            "number": "2026/7",
            "implementation_due": "2026-12-20",
            "report_due": "2026-12-01",
            "tranches-0-due": "2026-04-20",
            "tranches-0-amount": "12000",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="report_due-error"' in page and 'id="number-error"' not in page
