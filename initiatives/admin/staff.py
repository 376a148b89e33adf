"""A municipality's staff, invitations to it, and the person's answer.

The operator invites a municipality's head and specialists (``/admin/.../staff``); the
office itself invites more specialists (``/municipalities/<id>/staff``). The invited person
answers on ``/join/<token>`` (the e-mailed link) or ``/join`` (the code of an SMS), logged
in with the login the invitation was sent to. The link page says the same to a visitor
whether or not an account with that login exists: log in, or register, and come back.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.admin import STAFF_ROLES, AnswerForm, ConfirmForm, InviteForm, JoinCodeForm
from initiatives.admin import delivery, operations
from initiatives.admin.models import StaffInvitation
from initiatives.auth.models import RoleGrant
from initiatives.core.enums import MUNICIPAL_ROLES
from initiatives.core.errors import Refused
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.municipalities.models import Municipality

bp = Blueprint("staff", __name__)

OFFICE = {"specialist", "head"}


def staff_of(m: Municipality) -> list[RoleGrant]:
    return db.session.scalars(
        select(RoleGrant)
        .where(RoleGrant.municipality_id == m.id, RoleGrant.role.in_(MUNICIPAL_ROLES))
        .options(selectinload(RoleGrant.user))
        .order_by(RoleGrant.role, RoleGrant.id)
    ).all()


def invite_page(m: Municipality, *, roles, endpoint: str, may_end: bool):
    """The staff page, shared by the operator's and the office's: who holds which role,
    the invitations pending, and the form to invite (with the roles this page may give)."""
    form = InviteForm()
    form.role.choices = [(v, t) for v, t in STAFF_ROLES if v in roles]
    if request.method == "GET":
        form.locale.data = current_app.config["DEFAULT_LOCALE"]
    handed = None
    if form.validate_on_submit():
        try:
            invitation, secret = operations.invite(
                current_user,
                login=form.login.data,
                role=form.role.data,
                municipality_id=m.id,
                locale=form.locale.data,
            )
        except Refused as refused:
            db.session.rollback()
            form.login.errors = [*form.login.errors, _(refused.reason.message)]
        else:
            db.session.commit()
            if invitation.by_phone:
                flash(_("The invitation is sent by SMS with a code."), "success")
                return redirect(url_for(endpoint, municipality_id=m.id))
            sent = delivery.send_link(invitation, secret)
            if sent:
                flash(_("The invitation is sent by e-mail."), "success")
                return redirect(url_for(endpoint, municipality_id=m.id))
            if sent is False:
                flash(
                    _("The e-mail could not be sent now. Invite the person again later."),
                    "warning",
                )
                return redirect(url_for(endpoint, municipality_id=m.id))
            handed = delivery.link(secret)  # no mail server: the inviter passes it on
    status = 422 if form.is_submitted() and handed is None else 200
    return render_template(
        "admin/staff.html",
        m=m,
        form=form,
        grants=staff_of(m),
        invitations=operations.pending_for_municipality(m.id),
        may_end=may_end,
        handed=handed,
        endpoint=endpoint,
        confirm=ConfirmForm(),
    ), status


@bp.route("/municipalities/<int:municipality_id>/staff", methods=["GET", "POST"])
@login_required
def municipal(municipality_id: int):
    m = db.get_or_404(Municipality, municipality_id)
    if not current_user.roles_in(m.id) & (OFFICE | {"admin"}):
        abort(404)
    return invite_page(m, roles=("specialist",), endpoint="staff.municipal", may_end=False)


def may_manage(invitation: StaffInvitation) -> bool:
    if current_user.is_admin:
        return True
    if invitation.municipality_id is None:
        return False
    return bool(current_user.roles_in(invitation.municipality_id) & OFFICE) and (
        invitation.role not in ("head",)
    )


@bp.route("/staff-invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(invitation_id: int):
    invitation = db.get_or_404(StaffInvitation, invitation_id)
    if not may_manage(invitation):
        abort(404)
    endpoint = "admin.staff" if current_user.is_admin else "staff.municipal"
    back = (
        url_for(endpoint, municipality_id=invitation.municipality_id)
        if invitation.municipality_id
        else url_for("admin.municipalities")
    )
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.revoke(invitation, current_user)
        db.session.commit()
        flash(_("The invitation is withdrawn: its link or code no longer works."), "success")
        return redirect(back)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/confirm.html",
        form=form,
        title=_("Withdraw an invitation"),
        question=_(
            "The invitation sent to %(login)s will stop working. You can invite the person "
            "again later.",
            login=invitation.login,
        ),
        button=_("Withdraw the invitation"),
        back=back,
    ), status


# --- the invited person's side ----------------------------------------------------------------


def _gone():
    return render_template("admin/gone.html"), 410


@bp.route("/join/<token>", methods=["GET", "POST"])
def join_link(token: str):
    invitation = operations.find_by_token(token)
    if invitation is None:
        abort(404)
    if not invitation.pending():
        return _gone()
    here = url_for("staff.join_link", token=token)
    if not current_user.is_authenticated:
        return render_template("admin/join.html", invitation=invitation, here=here, form=None)
    mine = operations.addressed_to(invitation, current_user)
    form = AnswerForm()
    if mine and form.validate_on_submit():
        if form.answer.data == "accept":
            operations.accept(invitation, current_user)
            db.session.commit()
            flash(_("You have accepted the role."), "success")
            return redirect(url_for("competitions.dashboard"))
        if form.answer.data == "decline":
            operations.decline(invitation, current_user)
            db.session.commit()
            flash(_("You have declined the invitation."), "info")
            return redirect(url_for("invitations.index"))
    status = 422 if form.is_submitted() else 200
    if form.is_submitted() and not mine:
        status = 403
    return render_template(
        "admin/join.html", invitation=invitation, here=here, form=form, mine=mine
    ), status


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join_code():
    form = JoinCodeForm()
    if form.validate_on_submit():
        invitation = operations.redeem_code(current_user, form.code.data)
        if invitation is not None:
            operations.accept(invitation, current_user)
            db.session.commit()
            flash(_("You have accepted the role."), "success")
            return redirect(url_for("competitions.dashboard"))
        db.session.commit()  # the wrong attempt counts
        form.code.errors = [
            _(
                "This code does not open an invitation for the phone of your account. "
                "Check the SMS, or ask the office to invite you again."
            )
        ]
    status = 422 if form.is_submitted() else 200
    return render_template("admin/join_code.html", form=form), status


def install_throttle(app) -> None:
    """Codes are guessed by trying many: at most a few tries per account and address
    (``JOIN_CODE_LIMITS``), on top of the attempts counted on each invitation."""
    limiter = app.extensions.get("initiatives.limiter")
    if limiter is None:
        return
    views = app.view_functions
    views["staff.join_code"] = limiter.limit(
        lambda: app.config.get("JOIN_CODE_LIMITS", "10 per 15 minutes"),
        key_func=lambda: f"join:{current_user.get_id() if current_user else request.remote_addr}",
        methods=["POST"],
        deduct_when=lambda response: response.status_code != 302,
        scope="join-code",
    )(views["staff.join_code"])
