"""A person's own account: profile, password, the list of their logged-in browsers, and
the proof of a new phone number. Everything here acts on ``current_user`` only, so there
is nobody else's account to reach."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from forms.account import CodeForm, ConfirmForm, PasswordChangeForm, ProfileForm, SessionForm
from forms.base import Form
from initiatives.auth import codes, messages, operations, passwords, sessions
from initiatives.extensions import db
from initiatives.i18n import _

bp = Blueprint("account", __name__, url_prefix="/account")

PHONE_CHANGE = "phone_change"
PENDING_PHONE = "pending_phone"


def _relogin(user) -> None:
    """This browser stays logged in after the generation was bumped: a new session row
    under the new generation (the others, and any stolen cookie, stay ended)."""
    remember = bool(request.cookies.get("remember_token"))
    login_user(user, remember=remember)
    sessions.start(user)


@bp.route("", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=None if request.method == "POST" else user)
    status = 200
    if form.validate_on_submit():
        new_phone = form.phone.data or None
        field = form.email
        try:
            operations.update_profile(
                user,
                full_name=form.full_name.data,
                locale=form.locale.data,
                email=form.email.data or None,
            )
            field = form.phone
            if new_phone and new_phone != user.phone:
                operations.check_new_phone(user, new_phone)
        except operations.AccountError as exc:
            db.session.rollback()
            field.errors = [*field.errors, _(str(exc))]
            status = 422
        else:
            session["locale"] = user.locale
            if new_phone and new_phone != user.phone:
                _row, code = codes.issue_code(PHONE_CHANGE, user=user, login=new_phone)
                messages.send_code(
                    new_phone, code, purpose="phone_proof", locale=user.locale, user_id=user.id
                )
                db.session.commit()
                session[PENDING_PHONE] = new_phone
                flash(_("We sent a code by SMS to %(phone)s.", phone=new_phone), "info")
                return redirect(url_for(".phone"), 303)
            db.session.commit()
            flash(_("Your account is saved."), "success")
            return redirect(url_for(".profile"), 303)
    elif form.is_submitted():
        status = 422
    return render_template("account/profile.html", form=form), status


@bp.route("/phone", methods=["GET", "POST"])
@login_required
def phone():
    """The code sent to the new number: typed here, the number becomes the login."""
    pending = session.get(PENDING_PHONE)
    if not pending:
        return redirect(url_for(".profile"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        row = codes.redeem_code(PHONE_CHANGE, form.code.data, user=current_user, login=pending)
        if row is not None:
            try:
                operations.confirm_new_phone(current_user._get_current_object(), pending)
            except operations.AccountError as exc:
                db.session.rollback()
                form.code.errors = [_(str(exc))]
                return render_template("account/phone.html", form=form, phone=pending), 422
            db.session.commit()
            session.pop(PENDING_PHONE, None)
            flash(_("Your phone number is confirmed and saved."), "success")
            return redirect(url_for(".profile"), 303)
        db.session.commit()  # the wrong try is counted
        form.code.errors = [_("The code is wrong or expired.")]
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("account/phone.html", form=form, phone=pending), status


@bp.post("/phone/resend")
@login_required
def resend_phone_code():
    pending = session.get(PENDING_PHONE)
    if not pending:
        return redirect(url_for(".profile"), 303)
    if Form().validate_on_submit():
        _row, code = codes.issue_code(PHONE_CHANGE, user=current_user, login=pending)
        messages.send_code(
            pending,
            code,
            purpose="phone_proof",
            locale=current_user.locale,
            user_id=current_user.id,
        )
        db.session.commit()
        flash(_("We sent a new code by SMS to %(phone)s.", phone=pending), "info")
    return redirect(url_for(".phone"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            operations.change_own_password(user, form.current.data, form.password.data)
        except operations.AccountError as exc:
            db.session.rollback()
            field = form.password if str(exc) in passwords.MESSAGES else form.current
            field.errors = [*field.errors, _(str(exc))]
            status = 422
        else:
            _relogin(user)
            db.session.commit()
            flash(_("Your password is changed. Your other sessions have ended."), "success")
            return redirect(url_for(".profile"), 303)
    elif form.is_submitted():
        status = 422
    return render_template("account/password.html", form=form), status


@bp.get("/sessions")
@login_required
def sessions_list():
    return render_template(
        "account/sessions.html",
        rows=sessions.active(current_user),
        this=sessions.current_id(),
        form=SessionForm(),
    )


@bp.post("/sessions/end")
@login_required
def end_session():
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_("Choose the session to end."), "warning")
        return redirect(url_for(".sessions_list"), 303)
    ended = sessions.end(current_user, form.session.data)
    db.session.commit()
    if ended and form.session.data == sessions.current_id():
        return redirect(url_for("auth.login"), 303)
    if ended:
        flash(_("The session has ended."), "success")
    else:
        flash(_("This session has already ended."), "info")
    return redirect(url_for(".sessions_list"), 303)


@bp.route("/sessions/end-all", methods=["GET", "POST"])
@login_required
def end_all_sessions():
    """Log out everywhere, this browser included: every session row ends and the
    generation moves on, so a remember-me cookie kept anywhere is refused too."""
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            form.confirm.errors = [_("Tick the box to end every session.")]
            return render_template("account/end_all.html", form=form), 422
        operations.end_sessions(current_user)
        db.session.commit()
        from initiatives.auth.views import leave

        return leave(_("You have logged out on every device."))
    return render_template("account/end_all.html", form=form)
