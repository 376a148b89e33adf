"""Login, logout. The session is renewed at login so a planted session id is useless."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import LoginForm, RegisterForm
from initiatives.auth import operations, passwords, phone_proof, sessions
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.routes import local_redirect_target

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("competitions.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = operations.find_by_login(form.login.data)
        if user is None:
            passwords.waste_a_check(form.password.data)  # as long as a wrong password
        if user is not None and user.check_password(form.password.data) and user.active:
            locale = session.get("locale")
            session.clear()  # new session at login
            if locale:
                session["locale"] = locale
                operations.set_locale(user, locale)  # the choice made before login is kept
            login_user(user, remember=form.remember.data)
            sessions.start(user)
            operations.record_login(user)
            db.session.commit()
            return redirect(
                local_redirect_target(request.args.get("next")) or url_for("competitions.dashboard")
            )
        form.password.errors.append(_("The login or the password is wrong."))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Ends this browser's session and its remember-me cookie, wherever a copy of either is
    kept (each carries the session row). A session from before rows existed has none:
    then, as before, every session of the user ends by the generation ("log out
    everywhere" on the account page does that on purpose)."""
    row_id = sessions.current_id()
    if row_id is None or not sessions.end(current_user, row_id):
        operations.end_sessions(current_user)
    db.session.commit()
    return leave(_("You have logged out."))


def leave(message: str):
    """Log this browser out. The session is emptied before ``logout_user``, which leaves in
    it the marker that deletes the remember-me cookie."""
    locale = session.get("locale")
    session.clear()
    logout_user()
    if locale:
        session["locale"] = locale
    flash(message, "info")
    return redirect(url_for("public.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A citizen creates an account and is logged in at once, then goes where they were
    going (the application they started from the announcement)."""
    target = local_redirect_target(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("applications.mine"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = session.get("locale") or get_locale().language
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                login=form.login.data,
                full_name=form.full_name.data,
                password=form.password.data,
                locale=form.locale.data,
            )
        except operations.AccountError as exc:
            field = form.password if str(exc) in passwords.MESSAGES else form.login
            field.errors = [*field.errors, _(str(exc))]
            db.session.rollback()
            status = 422
        else:
            if user.phone:  # proved by the code sent now (``phone_proof``)
                phone_proof.send(user)
            session.clear()
            session["locale"] = user.locale
            login_user(user)
            sessions.start(user)
            db.session.commit()
            flash(_("Your account is created. Welcome!"), "success")
            if user.phone:
                return redirect(url_for("auth.confirm_phone", next=target))
            return redirect(target or url_for("applications.mine"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/register.html", form=form), status


@bp.route("/register/confirm", methods=["GET", "POST"])
@login_required
def confirm_phone():
    return phone_proof.confirm_page()


@bp.post("/register/confirm/resend")
@login_required
def resend_phone_code():
    return phone_proof.resend()
