"""A forgotten password: a link by e-mail, a code by SMS, or a code printed at the office.

/forgot answers the same words, status and page whether or not the login has an account
(and the e-mail leaves off the request), so it cannot be used to learn who is registered.

At the office (/office/reset) any specialist may print a code for a citizen, by the exact
login only, after seeing the passport. Why not only "citizens of their municipality": a
person who forgot the password before applying anywhere has no tie to any municipality
yet, and the people move between villages; the passport is the proof, the exact login
keeps the page from being a directory, and the audit trail names the specialist, the
municipality and the passport's last four characters. Only a citizen's account may be
reset there (``operations.office_may_reset``): one with a staff or national role or a
commission seat is refused, so a specialist can never take over a colleague's, a member's
or the operator's account; those recover by e-mail or SMS.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_required

from forms.account import CodeResetForm, ForgotForm, LinkResetForm, OfficeResetForm
from initiatives.auth import codes, messages, operations, passwords
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.extensions import db
from initiatives.i18n import _

bp = Blueprint("recovery", __name__)

SMS_PURPOSE = "password_reset"
OFFICE_PURPOSE = "office_reset"
OFFICE_HOURS = 24
RESET_LOGIN = "reset_login"


def _sent_message() -> str:
    return _(
        "If an account with this e-mail or phone exists, we sent it a link (e-mail) or a "
        "code (SMS). It works once; a code for 15 minutes, a link for 60."
    )


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    status = 200
    if form.validate_on_submit():
        typed = form.login.data
        user = operations.find_by_login(typed)
        email = None
        if user is not None and user.active:
            if "@" in typed and user.email:
                _row, token = codes.issue_link_token(user)
                base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
                email = messages.reset_email(user, base + url_for(".link", token=token))
            elif user.phone:
                _row, code = codes.issue_code(SMS_PURPOSE, user=user, login=user.phone)
                messages.send_code(
                    user.phone, code, purpose=SMS_PURPOSE, locale=user.locale, user_id=user.id
                )
        db.session.commit()
        if email is not None:
            messages.send_email_later(email)
        flash(_sent_message(), "info")
        if "@" in typed:
            return redirect(url_for(".forgot"), 303)
        session[RESET_LOGIN] = typed  # the code page fills it in; not in the address
        return redirect(url_for(".code"), 303)
    if form.is_submitted():
        status = 422
    return render_template("recovery/forgot.html", form=form), status


@bp.route("/forgot/link/<token>", methods=["GET", "POST"])
def link(token: str):
    """Opening the link shows the form; only the new password sent with it uses the link."""
    row = codes.live_link(token)
    if row is None:
        return render_template("recovery/link_dead.html"), 404
    form = LinkResetForm()
    status = 200
    if form.validate_on_submit():
        user = row.user
        if codes.redeem_link(token) is None:
            db.session.rollback()
            return render_template("recovery/link_dead.html"), 404
        try:
            operations.reset_password(user, form.password.data, how="email_link")
        except operations.AccountError as exc:
            db.session.rollback()  # the link stays usable with a better password
            form.password.errors = [_(str(exc))]
            return render_template("recovery/link.html", form=form), 422
        db.session.commit()
        flash(_("Your password is changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"), 303)
    if form.is_submitted():
        status = 422
    return render_template("recovery/link.html", form=form), status


@bp.route("/forgot/code", methods=["GET", "POST"])
def code():
    """A code from an SMS or from the office's printout, with the login it was given for."""
    form = CodeResetForm()
    if not form.is_submitted():
        form.login.data = form.login.data or _arg_login()
        return render_template("recovery/code.html", form=form)
    if form.validate_on_submit():
        try:  # the rules that do not depend on the account: the same answer for all
            passwords.check(form.password.data, login=form.login.data)
        except passwords.PasswordRefused as refused:
            form.password.errors = [_(str(refused))]
            return render_template("recovery/code.html", form=form), 422
        user = operations.find_by_login(form.login.data)
        row = None
        if user is not None and user.active:
            row = codes.redeem_code(SMS_PURPOSE, form.code.data, user=user) or codes.redeem_code(
                OFFICE_PURPOSE, form.code.data, user=user
            )
        if row is not None:
            try:
                operations.reset_password(user, form.password.data, how=row.purpose)
            except operations.AccountError as exc:
                db.session.rollback()  # the code stays usable with a better password
                form.password.errors = [_(str(exc))]
                return render_template("recovery/code.html", form=form), 422
            db.session.commit()
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"), 303)
        db.session.commit()  # wrong tries are counted
        form.code.errors = [_("The code is wrong or expired.")]
    return render_template("recovery/code.html", form=form), 422


def _arg_login() -> str:
    return str(session.get(RESET_LOGIN) or "")[:254]


# --- at the office ------------------------------------------------------------------------


def _office_municipality() -> int:
    """The municipality whose specialist is at the counter; others do not see the page."""
    ids = sorted(g.municipality_id for g in current_user.grants if g.role == Role.SPECIALIST)
    if not ids:
        abort(404)
    return ids[0]


@bp.route("/office/reset", methods=["GET", "POST"])
@login_required
def office_reset():
    municipality_id = _office_municipality()
    form = OfficeResetForm()
    status = 200
    if form.validate_on_submit():
        user = operations.find_by_login(form.login.data)
        if user is None or not operations.office_may_reset(user):
            form.login.errors = [
                _(
                    "No citizen account has exactly this login. Staff and commission "
                    "accounts are recovered by e-mail or SMS, not here."
                )
            ]
            return render_template("recovery/office.html", form=form), 422
        tail = form.passport_tail.data.strip().upper()
        row, code = codes.issue_code(
            OFFICE_PURPOSE,
            user=user,
            login=user.login,
            ttl_minutes=OFFICE_HOURS * 60,
            digits=8,
            created_by=current_user._get_current_object(),
        )
        operations.record_office_code(
            user, current_user._get_current_object(), municipality_id, tail
        )
        db.session.commit()
        response = make_response(
            render_template(
                "recovery/office_printout.html",
                user=user,
                code=" ".join([code[:4], code[4:]]),
                expires_at=row.expires_at,
                issued_at=utcnow(),
            )
        )
        response.headers["Cache-Control"] = "no-store"  # the code is shown once, never kept
        return response
    if form.is_submitted():
        status = 422
    return render_template("recovery/office.html", form=form), status
