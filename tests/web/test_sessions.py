"""Sessions end when they should: logout ends a "Remember me" login too, and logout, a
change of password and deactivation revoke on the server every session and remember-me
cookie issued before, wherever it is kept (another browser, a copied cookie)."""

from __future__ import annotations

import re

import pytest

from initiatives.auth import operations as accounts
from initiatives.auth.models import User
from initiatives.demo import loader
from tests.web.test_hardening import csrf_of

SPECIALIST = "specialist@orozbekov.example"


def remembered_login(app):
    """A browser that logged in with "Remember me", then lost its session cookie (closed):
    only the remember-me cookie carries it back in."""
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "login": SPECIALIST,
            "password": loader.DEMO_PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None
    return client


def forget_session(client) -> None:
    client.delete_cookie("session")


def logged_in(client) -> bool:
    response = client.get("/dashboard")
    return response.status_code == 200


def copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    target.set_cookie(name, cookie.value)


def test_logout_ends_a_remember_me_login(real_app, world):
    client = remembered_login(real_app)
    forget_session(client)
    assert logged_in(client)  # remembered
    page = client.get("/dashboard").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get_cookie("remember_token") is None, "the cookie must be deleted"
    forget_session(client)
    assert not logged_in(client)


def test_a_copied_remember_me_cookie_dies_with_logout_elsewhere(real_app, world):
    """Server-side: a cookie kept elsewhere (another browser, a thief) stops working."""
    office = remembered_login(real_app)
    thief = real_app.test_client()
    copy_cookie(office, thief, "remember_token")
    assert logged_in(thief)
    page = office.get("/dashboard").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    office.post("/logout", data={"csrf_token": token})
    thief.delete_cookie("session")
    assert not logged_in(thief)


@pytest.mark.parametrize("how", ["password", "deactivate", "logout"])
def test_a_change_of_password_or_deactivation_ends_every_session(real_app, world, how):
    phone = remembered_login(real_app)
    other = real_app.test_client()
    copy_cookie(phone, other, "remember_token")
    args = {
        "password": ["users", "password", SPECIALIST, "--password", "a new long Tulip-7391"],
        "deactivate": ["users", "deactivate", SPECIALIST],
        "logout": ["users", "logout", SPECIALIST],
    }[how]
    result = real_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert not logged_in(phone), "the live session is revoked at its next request"
    assert not logged_in(other), "and so is the remember-me cookie"
    with real_app.app_context():
        user = accounts.find_by_login(SPECIALIST)
        assert user.session_generation == 1
        if how == "password":
            assert user.check_password("a new long Tulip-7391")


def test_a_session_cookie_of_the_old_form_loads_nobody(app, world):
    """Sessions signed before the generation existed named the bare id: log in again."""
    from initiatives.auth.loader import load_user

    with app.app_context():
        user = accounts.find_by_login(SPECIALIST)
        assert load_user(str(user.id)) is None
        assert load_user(user.get_id()).id == user.id
        assert load_user(f"{user.id}.{user.session_generation + 1}") is None
        assert load_user("9" * 100) is None
        assert isinstance(load_user(user.get_id()), User)
