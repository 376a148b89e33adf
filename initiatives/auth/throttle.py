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
    _limit_recovery(app, limiter)
    return limiter


# Each request of these sends an SMS or an e-mail, or tries a code: counted per login typed
# and per address, all of them for sending, the failed ones for codes.
RECOVERY_DEFAULTS = {
    "FORGOT_LIMITS": "3 per 15 minutes; 10 per day",  # per login typed
    "FORGOT_LIMITS_PER_ADDRESS": "20 per hour",
    "CODE_LIMITS": "10 per hour",  # failed codes, per login typed and per address
    "RESEND_LIMITS": "3 per 15 minutes; 10 per day",  # new SMS codes, per address
}


def _setting(name: str):
    return lambda: current_app.config.get(name, RECOVERY_DEFAULTS[name])


def _limit_recovery(app: Flask, limiter: Limiter) -> None:
    views = app.view_functions
    forgot = limiter.limit(
        _setting("FORGOT_LIMITS"),
        key_func=login_typed,
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 303,
        on_breach=too_many_recovery("recovery/forgot.html", "ForgotForm"),
        scope="forgot-account",
    )(views["recovery.forgot"])
    views["recovery.forgot"] = limiter.limit(
        _setting("FORGOT_LIMITS_PER_ADDRESS"),
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 303,
        on_breach=too_many_recovery("recovery/forgot.html", "ForgotForm"),
        scope="forgot-address",
    )(forgot)
    code = limiter.limit(
        _setting("CODE_LIMITS"),
        key_func=login_typed,
        methods=["POST"],
        deduct_when=failed_code,
        on_breach=too_many_recovery("recovery/code.html", "CodeResetForm"),
        scope="code-account",
    )(views["recovery.code"])
    views["recovery.code"] = limiter.limit(
        _setting("CODE_LIMITS"),
        methods=["POST"],
        deduct_when=failed_code,
        on_breach=too_many_recovery("recovery/code.html", "CodeResetForm"),
        scope="code-address",
    )(code)
    views["account.profile"] = limiter.limit(  # a new phone in the profile sends a code
        _setting("RESEND_LIMITS"),
        methods=["POST"],
        deduct_when=lambda response: (response.location or "").endswith("/account/phone"),
        on_breach=too_many_resends,
        scope="sms-new-phone",
    )(views["account.profile"])
    for endpoint in ("auth.resend_phone_code", "account.resend_phone_code"):
        views[endpoint] = limiter.limit(
            _setting("RESEND_LIMITS"),
            methods=["POST"],
            on_breach=too_many_resends,
            scope="sms-resend",
        )(views[endpoint])


def failed_code(response) -> bool:
    return response.status_code not in (302, 303)


def too_many_recovery(template: str, form_name: str):
    def breach(limit):
        import forms.account

        form = getattr(forms.account, form_name)()
        form.login.errors = [
            _(
                "Too many attempts. Try again in %(minutes)s min.",
                minutes=_minutes_left(limit),
            )
        ]
        return make_response(render_template(template, form=form), 429)

    return breach


def too_many_resends(limit):
    """Back to the page where the code is typed, saying when a new one may be asked."""
    from flask import flash, redirect, url_for

    flash(
        _("Too many codes sent. Try again in %(minutes)s min.", minutes=_minutes_left(limit)),
        "warning",
    )
    page = {
        "account.profile": "account.profile",
        "account.resend_phone_code": "account.phone",
    }.get(request.endpoint, "auth.confirm_phone")
    return redirect(url_for(page), 303)


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
