"""Proof that the phone given at registration is the person's: an SMS code typed on
/register/confirm. Until then the account may log in and draft; submitting an application
asks for the proof first (``applications.views.submit``), because a receipt, a decision
and an agreement would otherwise go to somebody else's number. Accounts registered with
an e-mail address, and paper applications typed in by the office, need nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.account import CodeForm
from forms.base import Form
from initiatives.auth import codes, messages, operations
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.routes import local_redirect_target

PURPOSE = "phone_proof"


def send(user) -> None:
    """A new code to the account's phone (the caller commits)."""
    _row, code = codes.issue_code(PURPOSE, user=user, login=user.phone)
    messages.send_code(user.phone, code, purpose=PURPOSE, locale=user.locale, user_id=user.id)


def _onward():
    return local_redirect_target(request.args.get("next")) or url_for("applications.mine")


def confirm_page():
    user = current_user._get_current_object()
    if not user.needs_phone_proof:
        return redirect(_onward())
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        if codes.redeem_code(PURPOSE, form.code.data, user=user, login=user.phone):
            operations.confirm_registered_phone(user)
            db.session.commit()
            flash(_("Your phone number is confirmed."), "success")
            return redirect(_onward(), 303)
        db.session.commit()  # the wrong try is counted
        form.code.errors = [_("The code is wrong or expired.")]
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("account/confirm_phone.html", form=form, phone=user.phone), status


def resend():
    user = current_user._get_current_object()
    if user.needs_phone_proof and Form().validate_on_submit():
        send(user)
        db.session.commit()
        flash(_("We sent a new code by SMS to %(phone)s.", phone=user.phone), "info")
    return redirect(url_for("auth.confirm_phone", next=request.args.get("next")), 303)
