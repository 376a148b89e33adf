"""A forgotten password: by an e-mailed link, by an SMS code, by a code printed at the
office. The same answer whether or not an account exists; codes work once, expire, and
five wrong tries end them; every session ends on a reset."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select, update

from initiatives.audit.models import AuditEvent
from initiatives.auth import operations as accounts
from initiatives.auth.models import OneTimeCode
from initiatives.core.db import utcnow
from initiatives.demo import loader
from tests.web.account_helpers import PHONE_USER, browser, code_in, last_sms, logged_in
from tests.web.test_hardening import csrf_of

AIGUL = f"aigul@{loader.DOMAIN}"
SPECIALIST = f"specialist@{loader.DOMAIN}"
NEW = "a quiet river Tulip-7391"


def anonymous(app):
    client = app.test_client()
    client.post("/language/en")
    return client


def answer(client, login: str):
    """The response to /forgot and the page it leads to, without the per-session token."""
    response = client.post("/forgot", data={"login": login})
    page = client.get(response.location).get_data(as_text=True)
    page = re.sub(r'value="[^"]{40,}"', "", page).replace(login, "LOGIN")
    return response.status_code, response.location, page


def wait_for_mail(smtp, address: str, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if smtp.to(address):
            return smtp.to(address)[-1]
        time.sleep(0.05)
    raise AssertionError(f"no e-mail to {address}")


def new_password(code=None, login=PHONE_USER, password=NEW):
    return {"login": login, "code": code, "password": password, "password_again": password}


def test_forgot_answers_alike_for_accounts_that_exist_and_that_do_not(app, world, smtp):
    for real, unknown in ((AIGUL, "nobody@nowhere.example"), (PHONE_USER, "+996555999888")):
        assert answer(anonymous(app), real) == answer(anonymous(app), unknown)
    assert last_sms(app, "+996555999888") is None
    assert last_sms(app, PHONE_USER).purpose == "password_reset"


def test_the_e_mailed_link_works_once_and_ends_every_session(app, world, db, smtp):
    before = browser(app, AIGUL)
    anonymous(app).post("/forgot", data={"login": AIGUL.upper()})
    mail = wait_for_mail(smtp, AIGUL)
    link = re.search(r"https://initiatives\.example\.kg(/forgot/link/\S+)", mail.get_content())
    path = link.group(1)
    client = anonymous(app)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200, "opening it does not use it up"
    done = client.post(path, data={"password": NEW, "password_again": NEW})
    assert done.status_code == 303
    assert not logged_in(before)
    again = anonymous(app).post(path, data={"password": NEW + "x", "password_again": NEW + "x"})
    assert again.status_code == 404
    browser(app, AIGUL, NEW)


def test_an_sms_code_resets_the_password(app, world, db):
    client = anonymous(app)
    response = client.post("/forgot", data={"login": "0555 000 111"})
    assert response.status_code == 303 and response.location == "/forgot/code"
    assert 'value="+996555000111"' in client.get("/forgot/code").get_data(as_text=True)
    code = code_in(last_sms(app, PHONE_USER))
    done = client.post("/forgot/code", data=new_password(code))
    assert done.status_code == 303, done.get_data(as_text=True)
    browser(app, PHONE_USER, NEW)
    reused = anonymous(app).post("/forgot/code", data=new_password(code, password=NEW + "y"))
    assert reused.status_code == 422


def test_an_expired_code_is_refused(app, world, db):
    anonymous(app).post("/forgot", data={"login": PHONE_USER})
    code = code_in(last_sms(app, PHONE_USER))
    db.session.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = anonymous(app).post("/forgot/code", data=new_password(code))
    assert response.status_code == 422
    assert "The code is wrong or expired." in response.get_data(as_text=True)
    db.session.expire_all()
    assert accounts.find_by_login(PHONE_USER).check_password(loader.DEMO_PASSWORD)


def test_five_wrong_tries_end_the_code(app, world, db):
    anonymous(app).post("/forgot", data={"login": PHONE_USER})
    code = code_in(last_sms(app, PHONE_USER))
    wrong = "0" * 6 if code != "0" * 6 else "1" * 6
    client = anonymous(app)
    for _ in range(5):
        assert client.post("/forgot/code", data=new_password(wrong)).status_code == 422
    response = client.post("/forgot/code", data=new_password(code))
    assert response.status_code == 422, "the right code comes too late"
    db.session.expire_all()
    assert accounts.find_by_login(PHONE_USER).check_password(loader.DEMO_PASSWORD)


def office_form(login=AIGUL, checked=True, tail="1234"):
    data = {"login": login, "passport_tail": tail}
    if checked:
        data["passport_checked"] = "y"
    return data


def test_the_office_page_is_for_specialists(app, world):
    assert browser(app, AIGUL).get("/office/reset").status_code == 404
    assert browser(app, f"head@{loader.DOMAIN}").get("/office/reset").status_code == 404
    assert anonymous(app).get("/office/reset").status_code == 302
    assert browser(app, SPECIALIST).get("/office/reset").status_code == 200


def test_the_office_code_needs_the_passport_check_and_is_audited(app, world, db):
    specialist = browser(app, SPECIALIST)
    refused = specialist.post("/office/reset", data=office_form(checked=False))
    assert refused.status_code == 422
    assert not db.session.scalars(select(OneTimeCode)).all()
    staff = specialist.post("/office/reset", data=office_form(login=f"head@{loader.DOMAIN}"))
    assert staff.status_code == 422, "no code for staff accounts"
    before = browser(app, AIGUL)
    printed = specialist.post("/office/reset", data=office_form(tail="ab12"))
    assert printed.status_code == 200
    assert printed.headers["Cache-Control"] == "no-store"
    page = printed.get_data(as_text=True)
    code = re.search(r'class="code">(\d{4}) (\d{4})<', page)
    assert code and "Кыргызча" in page and "По-русски" in page
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.office_reset_code")
    )
    assert event.actor_id == accounts.find_by_login(SPECIALIST).id
    assert event.subject_id == accounts.find_by_login(AIGUL).id
    assert event.data == {"passport_tail": "AB12"}
    assert event.municipality_id == world[0].id
    typed = f"{code.group(1)} {code.group(2)}"
    done = anonymous(app).post("/forgot/code", data=new_password(typed, login=AIGUL))
    assert done.status_code == 303
    assert not logged_in(before), "every session ends on a reset"
    browser(app, AIGUL, NEW)
    again = anonymous(app).post("/forgot/code", data=new_password(typed, login=AIGUL))
    assert again.status_code == 422, "a printed code works once"


def test_forgot_is_throttled_per_login(real_app, world):
    client = real_app.test_client()
    statuses = []
    for _ in range(4):
        token = csrf_of(client.get("/forgot").get_data(as_text=True))
        response = client.post("/forgot", data={"login": PHONE_USER, "csrf_token": token})
        statuses.append(response.status_code)
    assert statuses == [303, 303, 303, 429]
