"""Pages as users meet them: login, languages, steps, refusals, tenant isolation."""

from __future__ import annotations

import re

import pytest

from initiatives import create_app
from initiatives.auth import operations as accounts
from initiatives.core.enums import Role
from initiatives.demo.builder import seat_commission
from initiatives.municipalities.models import Municipality

SPECIALIST = "specialist@orozbekov.example"
HEAD = "head@orozbekov.example"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_public_pages_need_no_login(client, build):
    run = build("announced", proposals=2)
    response = client.get("/")
    assert response.status_code == 200
    assert run.c.title_en in text(response)
    client.post("/language/ky")
    assert run.c.title_ky in text(client.get("/"))
    assert "+996555000111" not in text(response)  # no personal data in public


def test_staff_pages_need_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location


def test_login_by_email_or_phone_and_a_wrong_password(client, world):
    assert (
        client.post(
            "/login", data={"login": "+996 555 000 111", "password": "demo-password"}
        ).status_code
        == 302
    )
    client.post("/logout")
    bad = client.post("/login", data={"login": SPECIALIST, "password": "nope"})
    assert bad.status_code == 400
    assert "The login or the password is wrong." in text(bad)


def test_login_renews_the_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"login": SPECIALIST, "password": "demo-password"})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_language_switch_is_remembered(client, world, db):
    client.post("/language/ru", data={"next": "/login"})
    assert "Войти" in text(client.get("/login"))
    client.post("/login", data={"login": SPECIALIST, "password": "demo-password"})
    from initiatives.auth.operations import find_by_login

    assert find_by_login(SPECIALIST).locale == "ru"
    client.post("/language/en")
    db.session.expire_all()
    assert find_by_login(SPECIALIST).locale == "en"
    assert client.post("/language/xx").status_code == 404


def test_dashboard_shows_steps_and_why_not(login, build):
    build("funded")
    page = text(login(HEAD).get("/dashboard"))
    assert "the commission has 0 members; the regulation asks for at least 5" in page


def test_a_failed_guard_is_a_409_page_in_the_users_language(login, build, client):
    run = build("funded")
    login(HEAD)
    client.post("/language/ru")
    response = client.post(f"/competitions/{run.c.id}/steps/form_commission")
    assert response.status_code == 409
    assert "в составе комиссии 0 чел." in text(response)


def test_an_impossible_step_is_a_409(login, build):
    run = build("draft")
    response = login(SPECIALIST).post(f"/competitions/{run.c.id}/steps/close")
    assert response.status_code == 409
    assert "this step is not possible in the current state" in text(response)


def test_a_step_through_the_page(login, build, db):
    run = build("funded")
    seat_commission(run.c, run.cast, run.t0)
    db.session.commit()
    client = login(HEAD)
    response = client.post(
        f"/competitions/{run.c.id}/steps/form_commission", data={"version": run.c.version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert run.c.state == "commission_formed"
    assert "Done: Form the commission." in text(client.get(response.location))


def test_a_final_step_needs_confirmation(login, build, db):
    run = build("commission_formed", t0=_future())
    db.session.commit()
    client = login(SPECIALIST)
    client.post(f"/competitions/{run.c.id}/steps/announce")
    db.session.expire_all()
    assert run.c.state == "commission_formed"
    client.post(f"/competitions/{run.c.id}/steps/announce", data={"confirm": "1"})
    db.session.expire_all()
    assert run.c.state == "announced"


def test_a_stale_page_does_not_overwrite(login, build, db):
    run = build("funded")
    seat_commission(run.c, run.cast, run.t0)
    db.session.commit()
    response = login(HEAD).post(
        f"/competitions/{run.c.id}/steps/form_commission",
        data={"version": run.c.version - 1},
        follow_redirects=True,
    )
    assert "changed by someone else" in text(response)
    db.session.expire_all()
    assert run.c.state == "funded"


def test_the_wrong_role_gets_403(login, build):
    run = build("draft")
    response = login(HEAD).post(f"/competitions/{run.c.id}/steps/allocate_budget")
    assert response.status_code == 403


def test_another_municipality_gets_404_never_data(login, build, db):
    run = build("funded")
    other = Municipality(
        slug="ak-tal",
        name_ky="Ак-Тал",
        name_ru="Ак-Тал",
        name_en="Ak-Tal",
        region="Нарын",
        district="Ак-Талаа",
    )
    db.session.add(other)
    db.session.flush()
    accounts.create_user(
        login="spec@ak-tal.example",
        full_name="Other specialist",
        password="demo-password",
        roles=[(Role.SPECIALIST, other.id)],
    )
    db.session.commit()
    client = login("spec@ak-tal.example")
    assert client.get(f"/competitions/{run.c.id}").status_code == 404
    assert client.post(f"/competitions/{run.c.id}/steps/form_commission").status_code == 404
    assert run.c.title_ky not in text(client.get("/dashboard"))


def test_unknown_pages_are_translated_404s(client):
    client.post("/language/ky")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Табылган жок" in text(response) or "табылган жок" in text(response).lower()


def test_csrf_is_required_on_every_form(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
            "SECRET_KEY": "x" * 40,
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"login": "a@b.c", "password": "whatever"})
    assert response.status_code == 400
    assert client.post("/language/ru").status_code == 400


def test_pages_link_only_local_assets(client, world):
    page = text(client.get("/login"))
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http:", "https:", "//")), url


def test_security_headers(client):
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def _future():
    from datetime import timedelta

    from initiatives.core.db import utcnow

    return (utcnow() + timedelta(days=3)).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _english(client):
    client.post("/language/en")
