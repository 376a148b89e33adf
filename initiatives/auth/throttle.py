"""Login throttling with Flask-Limiter: failed logins are counted per account and per address.

One ``Limiter`` per application, made in the factory: Flask-Limiter keeps its settings on
the instance, so a module-level one would be switched on or off by whichever application
was made last (tests make several). The limits wrap this application's own login and
registration views.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, make_response, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from forms.auth import LoginForm, RegisterForm
from initiatives.core import contacts
from initiatives.i18n import _


def install(app: Flask) -> Limiter:
    limiter = Limiter(key_func=get_remote_address, app=app)
    # The decorators hold the limiter weakly, and a disabled one is not kept by Flask-Limiter
    # itself: the application keeps it alive.
    app.extensions["initiatives.limiter"] = limiter
    views = app.view_functions
    login = views["auth.login"]
    login = limiter.limit(
        lambda: current_app.config["LOGIN_LIMITS"],
        key_func=login_typed,
        methods=["POST"],
        deduct_when=failed,
        on_breach=too_many,
        scope="login-account",
    )(login)
    views["auth.login"] = limiter.limit(
        lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"],
        methods=["POST"],
        deduct_when=failed,
        on_breach=too_many,
        scope="login-address",
    )(login)
    register = limiter.limit(
        lambda: current_app.config["REGISTER_LIMITS"],
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 302,  # accounts made
        scope="register-made",
    )(views["auth.register"])
    views["auth.register"] = limiter.limit(
        lambda: current_app.config["REGISTER_REFUSAL_LIMITS"],
        methods=["POST"],
        deduct_when=failed,
        on_breach=too_many_registrations,
        scope="register-refused",
    )(register)
    return limiter


def login_typed() -> str:
    """The account being tried, however it was spelled: guessing one person's password
    from many addresses still meets one limit."""
    typed = (request.form.get("login") or "").strip()
    email, phone = contacts.lookup_login(typed)
    return "login:" + (email or phone or typed.lower())[:254]


def failed(response) -> bool:
    """Only failed attempts count: a person who logs in many times a day is never held."""
    return response.status_code != 302


def _minutes_left(limit) -> int:
    return max(1, int(limit.reset_at - time.time() + 59) // 60)


def too_many(limit):
    """The login page again, with what was typed (not the password) and when to retry."""
    form = LoginForm()
    form.password.errors = [
        _("Too many failed attempts. Try again in %(minutes)s min.", minutes=_minutes_left(limit))
    ]
    return make_response(render_template("auth/login.html", form=form), 429)


def too_many_registrations(limit):
    """The registration page again, with what was typed (not the password)."""
    form = RegisterForm()
    form.login.errors = [
        _("Too many refused attempts. Try again in %(minutes)s min.", minutes=_minutes_left(limit))
    ]
    return make_response(render_template("auth/register.html", form=form), 429)
