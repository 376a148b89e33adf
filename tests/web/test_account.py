"""A person's own account: profile, change of password, the list of sessions with "end"
and "log out everywhere", and a new phone saved only once its SMS code is typed."""

from __future__ import annotations

from sqlalchemy import select

from initiatives.audit.models import AuditEvent
from initiatives.auth import operations as accounts
from initiatives.auth.models import UserSession
from initiatives.auth.sessions import describe_agent, mask_address
from initiatives.demo import loader
from tests.web.account_helpers import browser, code_in, last_sms, logged_in

AIGUL = f"aigul@{loader.DOMAIN}"
BAKYT = f"bakyt@{loader.DOMAIN}"
NEW_PASSWORD = "a quiet river Tulip-7391"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def user(db, login):
    db.session.expire_all()
    return accounts.find_by_login(login)


def test_the_profile_saves_name_language_and_e_mail(app, world, db):
    client = browser(app, AIGUL)
    page = client.get("/account")
    assert page.status_code == 200 and AIGUL in page.get_data(as_text=True)
    response = client.post(
        "/account", data={"full_name": "Айгүл Т.", "locale": "ru", "email": "aigul@mail.kg"}
    )
    assert response.status_code == 303
    u = user(db, "aigul@mail.kg")
    assert (u.full_name, u.locale) == ("Айгүл Т.", "ru")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.profile"))


def test_a_taken_e_mail_gets_the_words_of_registration(app, world, db):
    client = browser(app, AIGUL)
    response = client.post(
        "/account", data={"full_name": "Aigul", "locale": "en", "email": BAKYT.upper()}
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "an account with this e-mail or phone already exists" in body
    assert 'value="Aigul"' in body, "what was typed is kept"
    assert user(db, AIGUL) is not None


def test_a_new_phone_is_saved_only_after_its_code(app, world, db):
    client = browser(app, AIGUL)
    response = client.post(
        "/account",
        data={"full_name": "Aigul", "locale": "ky", "email": AIGUL, "phone": "0700 123 456"},
    )
    assert response.status_code == 303 and response.location.endswith("/account/phone")
    assert user(db, AIGUL).phone is None, "not before the code"
    sms = last_sms(app, "+996700123456")
    assert sms.purpose == "phone_proof"
    wrong = client.post("/account/phone", data={"code": "000000"})
    assert wrong.status_code == 422
    ok = client.post("/account/phone", data={"code": code_in(sms)})
    assert ok.status_code == 303
    u = user(db, AIGUL)
    assert u.phone == "+996700123456" and u.phone_confirmed_at is not None


def test_a_wrong_current_password_is_refused(app, world, db):
    client = browser(app, AIGUL)
    response = client.post(
        "/account/password",
        data={
            "current": "not-my-password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert "the current password is wrong" in response.get_data(as_text=True)
    assert user(db, AIGUL).check_password(loader.DEMO_PASSWORD)


def test_a_change_of_password_ends_the_other_sessions_and_keeps_this_one(app, world, db):
    here, there = browser(app, AIGUL), browser(app, AIGUL)
    response = here.post(
        "/account/password",
        data={
            "current": loader.DEMO_PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert logged_in(here), "the browser that changed it stays logged in"
    assert not logged_in(there)
    assert user(db, AIGUL).check_password(NEW_PASSWORD)


def test_the_session_list_ends_another_session(app, world, db):
    phone = browser(app, AIGUL, HTTP_USER_AGENT=ANDROID, REMOTE_ADDR="212.42.101.77")
    office = browser(app, AIGUL)
    page = office.get("/account/sessions").get_data(as_text=True)
    assert "Chrome, Android" in page and "212.42.101.0/24" in page
    assert "this device" in page
    rows = db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all()
    assert len(rows) == 2
    android = next(r for r in rows if r.user_agent == "Chrome, Android")
    response = office.post("/account/sessions/end", data={"session": android.id})
    assert response.status_code == 303
    assert not logged_in(phone), "the ended browser is logged out"
    assert logged_in(office)
    assert "Chrome, Android" not in office.get("/account/sessions").get_data(as_text=True)


def test_nobody_ends_the_session_of_another_person(app, world, db):
    bakyt = browser(app, BAKYT)
    aigul = browser(app, AIGUL)
    theirs = db.session.scalars(select(UserSession)).all()
    bakyt_row = next(r for r in theirs if r.user_id == user(db, BAKYT).id)
    aigul.post("/account/sessions/end", data={"session": bakyt_row.id})
    assert logged_in(bakyt)


def test_log_out_everywhere_asks_first_then_ends_every_session(app, world, db):
    one, two = browser(app, AIGUL), browser(app, AIGUL)
    assert one.get("/account/sessions/end-all").status_code == 200
    refused = one.post("/account/sessions/end-all", data={})
    assert refused.status_code == 422 and logged_in(one) and logged_in(two)
    done = one.post("/account/sessions/end-all", data={"confirm": "y"})
    assert done.status_code == 302
    assert not logged_in(one) and not logged_in(two)
    assert not db.session.scalars(select(UserSession).where(UserSession.ended_at.is_(None))).all()


def test_logout_ends_only_this_browser(app, world, db):
    one, two = browser(app, AIGUL), browser(app, AIGUL)
    one.post("/logout")
    assert not logged_in(one) and logged_in(two)


def test_a_session_row_carries_browser_and_network_not_the_device():
    assert describe_agent(ANDROID) == "Chrome, Android"
    assert describe_agent("") == ""
    assert mask_address("212.42.101.77") == "212.42.101.0/24"
    assert mask_address("2a02:2168:8f00:1::5") == "2a02:2168:8f00::/48"
    assert mask_address("not an address") == ""


def test_the_menu_links_to_my_account(app, world):
    page = browser(app, AIGUL).get("/dashboard").get_data(as_text=True)
    assert 'href="/account"' in page
