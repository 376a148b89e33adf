"""A phone given at registration is proved by an SMS code: until then the account logs
in and drafts, but submitting asks for the proof first. E-mail registrations and paper
applications need nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from initiatives.applications.models import Application
from initiatives.auth import operations as accounts
from initiatives.core.db import utcnow
from tests.web.account_helpers import code_in, last_sms
from tests.web.test_applications import fill, start, submit, text

PHONE = "+996700123456"


@pytest.fixture
def open_run(build):
    return build("announced", proposals=0, t0=utcnow() - timedelta(days=2))


def register(client, login=PHONE, next_="/my/applications", locale="en"):
    client.post("/language/en")
    return client.post(
        f"/register?next={next_}",
        data={
            "full_name": "Чолпон Керимбаева",
            "login": login,
            "password": "a-good-password",
            "password_again": "a-good-password",
            "locale": locale,
        },
    )


def account(db, login=PHONE):
    db.session.expire_all()
    return accounts.find_by_login(login)


def test_registering_by_phone_sends_a_code_and_asks_for_it(app, client, db, world):
    response = register(client)
    assert response.status_code == 302
    assert response.location.startswith("/register/confirm")
    assert account(db).phone_confirmed_at is None
    sms = last_sms(app, PHONE)
    assert sms.purpose == "phone_proof" and sms.segments == 1
    page = client.get(response.location)
    assert page.status_code == 200 and PHONE in text(page)
    assert client.post("/register/confirm", data={"code": "12"}).status_code == 422
    done = client.post("/register/confirm?next=/my/applications", data={"code": code_in(sms)})
    assert done.status_code == 303 and done.location == "/my/applications"
    assert account(db).phone_confirmed_at is not None
    assert client.get("/register/confirm").status_code == 302, "nothing left to prove"


def test_a_new_code_may_be_asked_for_and_only_the_last_works(app, client, db, world):
    register(client)
    first = code_in(last_sms(app, PHONE))
    assert client.post("/register/confirm/resend").status_code == 303
    second = code_in(last_sms(app, PHONE))
    if first != second:
        assert client.post("/register/confirm", data={"code": first}).status_code == 422
    assert client.post("/register/confirm", data={"code": second}).status_code == 303


def test_an_e_mail_registration_has_nothing_to_prove(app, client, db, world):
    response = register(client, login="cholpon@mail.kg")
    assert response.status_code == 302 and response.location == "/my/applications"
    assert not account(db, "cholpon@mail.kg").needs_phone_proof


def test_submitting_asks_for_the_phone_proof_first(app, client, db, open_run):
    register(client)
    aid = start(client, open_run.c.id)  # drafting is allowed
    fill(client, aid)
    response = client.post(f"/applications/{aid}/submit", data={"confirm": "y"})
    assert response.status_code == 303
    assert response.location.startswith("/register/confirm")
    page = client.get(response.location)
    assert "Confirm your phone number before you submit" in text(page)
    assert db.session.get(Application, aid).state == "draft"
    code = code_in(last_sms(app, PHONE))
    client.post("/register/confirm", data={"code": code})
    submit(client, aid)
    db.session.expire_all()
    assert db.session.get(Application, aid).state == "submitted"


def test_the_resend_is_throttled(real_app, world):
    from tests.web.test_hardening import csrf_of

    client = real_app.test_client()
    token = csrf_of(client.get("/register").get_data(as_text=True))
    client.post(
        "/register",
        data={
            "full_name": "Чолпон Керимбаева",
            "login": "+996700654321",
            "password": "a-good-password",
            "password_again": "a-good-password",
            "locale": "ky",
            "csrf_token": token,
        },
    )
    sent = []
    for _ in range(4):
        token = csrf_of(client.get("/register/confirm").get_data(as_text=True))
        response = client.post("/register/confirm/resend", data={"csrf_token": token})
        assert response.status_code == 303
        sent.append(last_sms(real_app, "+996700654321").id)
    assert len(set(sent)) == 3, "the fourth code in 15 minutes is not sent"
    page = client.get(response.location).get_data(as_text=True)
    assert "Too many codes sent" in page or "Өтө көп код" in page
