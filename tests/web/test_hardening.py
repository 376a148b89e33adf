"""Web hardening with the real configuration: CSRF on every state-changing route, headers
and cookies, the session renewed at login, login throttling and password rules."""

from __future__ import annotations

import re

import pytest

from initiatives import create_app
from initiatives.auth import operations as accounts
from initiatives.auth import passwords
from initiatives.demo import loader
from tests.web.conftest import disposed

SPECIALIST = "specialist@orozbekov.example"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def log_in(client, login: str, password: str = loader.DEMO_PASSWORD, **environ):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def test_every_state_changing_route_needs_the_csrf_token(real_app, build, db):
    """Every rule that accepts POST, logged in as the specialist (who may do the most), is
    refused without a token and changes nothing."""
    run = build("scoring", proposals=2)
    a = run.c.applications[0]
    values = {
        "competition_id": run.c.id,
        "application_id": a.id,
        "municipality_id": run.c.municipality_id,
        "attachment_id": 1,
        "seat_id": 1,
        "source_id": 1,
        "name": "initiative",
        "trigger": "close_scoring",
        "code": "ru",
        "token": "no-such-token",  # a reset link, an invitation link (issue 22)
        "grant_id": 1,
        "user_id": 1,
        "invitation_id": 1,
    }
    client = real_app.test_client()
    assert log_in(client, SPECIALIST).status_code == 302
    before = (run.c.state, [x.state for x in run.c.applications])
    # The gateway's delivery reports carry a shared secret instead of a session, so no CSRF
    # token: without the secret they are 404 (tests/web/test_sms_gateway.py).
    token_authenticated = {"sms.delivery"}
    posts = [
        r
        for r in real_app.url_map.iter_rules()
        if "POST" in r.methods and r.endpoint not in token_authenticated
    ]
    for rule in posts:
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        response = client.post(url, data={"confirm": "y", "title": "changed"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "коопсуздук белгиси" in response.text  # our page, in the language chosen
    db.session.expire_all()
    assert (run.c.state, [x.state for x in run.c.applications]) == before
    print(f"\ncsrf: {len(posts)} POST routes refused without a token")
    assert len(posts) >= 35


def test_headers_and_production_cookies(app, tmp_path, world):
    production = create_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "INITIATIVES_ENV": "production",
            "SECRET_KEY": "p" * 40,
            "RATELIMIT_STORAGE_URI": "memory://",
            "UPLOADS_DIR": str(tmp_path / "u"),
            "DOCUMENTS_DIR": str(tmp_path / "d"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    client = production.test_client()
    response = log_in(client, SPECIALIST, base_url="https://localhost")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = next(c for c in headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    disposed(production)


def test_the_session_is_renewed_at_login(real_app, world):
    client = real_app.test_client()
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        token_before = before.get("csrf_token")
    assert log_in(client, SPECIALIST).status_code == 302
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != token_before
        assert after["_user_id"]


def test_failed_logins_are_throttled_per_account_and_per_address(real_app, world):
    client = real_app.test_client()
    statuses = [log_in(client, SPECIALIST, "wrong-password-1").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    page = log_in(client, SPECIALIST, "wrong-password-1").get_data(as_text=True)
    assert "Too many failed attempts" in page or "аракет" in page
    assert f'value="{SPECIALIST}"' in page, page[page.find("<main") :]  # typed is kept
    # The account stays held even with the right password, from another address too.
    assert log_in(client, SPECIALIST, REMOTE_ADDR="10.0.0.9").status_code == 429
    # Another person at the same address is not held by the first one's attempts...
    assert log_in(client, "head@orozbekov.example").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/dashboard").text)})
    # ...until the address itself has failed too often, whatever logins it tries.
    other = real_app.test_client()
    for n in range(3):
        other.post("/logout")
        log_in(other, f"nobody{n}@example.org", "wrong-password-1", REMOTE_ADDR="10.0.0.7")
    held = log_in(other, "member1@orozbekov.example", REMOTE_ADDR="10.0.0.7")
    assert held.status_code == 302  # 3 + 0 failures: under the address limit of 8
    for n in range(8):
        log_in(
            real_app.test_client(),
            f"x{n}@example.org",
            "wrong-password-1",
            REMOTE_ADDR="10.0.0.8",
        )
    assert log_in(real_app.test_client(), SPECIALIST, REMOTE_ADDR="10.0.0.8").status_code == 429


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", passwords.TOO_SHORT),
        ("password2026!", passwords.GUESSABLE),
        ("1234567890", passwords.GUESSABLE),
        ("йцукенгшщз", passwords.GUESSABLE),
        ("zzzzzzzzzzzz", passwords.GUESSABLE),
        ("toktosunova-2026", passwords.PERSONAL),
        ("my-700123456-pw", passwords.PERSONAL),
    ],
)
def test_password_rules(password, message):
    with pytest.raises(passwords.PasswordRefused) as refused:
        passwords.check(password, login="+996 700 123 456", name="Айгүл Toktosunova")
    assert str(refused.value) == message


def test_a_refused_password_is_explained_and_the_form_kept(real_app, world):
    client = real_app.test_client()
    client.post("/language/en", data={"csrf_token": csrf_of(client.get("/register").text)})
    token = csrf_of(client.get("/register").get_data(as_text=True))
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "full_name": "Asel Nurlanova",
            "login": "asel@example.kg",
            "password": "qwerty12345",
            "password_again": "qwerty12345",
            "locale": "en",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "too easy to guess" in page
    assert 'value="asel@example.kg"' in page and 'value="Asel Nurlanova"' in page
    assert accounts.find_by_login("asel@example.kg") is None
