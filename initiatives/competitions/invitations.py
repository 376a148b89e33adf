"""A person's invitations to sit on a commission, and their answer.

The specialist offers a seat (``setup.commission``); it gives no role until the person it
is addressed to accepts it here. The invitation is found by the person's account or by the
e-mail or phone the specialist typed, so it also reaches someone who registers afterwards.
Anyone else asking for a seat's invitation gets a 404: it does not exist for them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forms.base import Form
from initiatives.competitions import operations
from initiatives.competitions.models import CommissionSeat
from initiatives.extensions import db
from initiatives.i18n import _

bp = Blueprint("invitations", __name__)


def _addressed_to_me(seat_id: int) -> CommissionSeat:
    seat = next((s for s in operations.invitations_for(current_user) if s.id == seat_id), None)
    if seat is None:
        abort(404)
    return seat


@bp.get("/invitations")
@login_required
def index():
    from initiatives.admin.operations import pending_for_user

    return render_template(
        "invitations/index.html",
        seats=operations.invitations_for(current_user),
        staff_invitations=pending_for_user(current_user),
        form=Form(),
    )


@bp.post("/invitations/<int:seat_id>/accept")
@login_required
def accept(seat_id: int):
    seat = _addressed_to_me(seat_id)
    if not Form().validate_on_submit():
        abort(400)
    operations.accept_seat(seat, current_user)
    db.session.commit()
    flash(_("You have accepted the seat on the commission."), "success")
    return redirect(url_for("competitions.dashboard"))


@bp.post("/invitations/<int:seat_id>/decline")
@login_required
def decline(seat_id: int):
    seat = _addressed_to_me(seat_id)
    if not Form().validate_on_submit():
        abort(400)
    operations.decline_seat(seat, current_user)
    db.session.commit()
    flash(_("You have declined the seat; the office sees it in the competition's history."), "info")
    return redirect(url_for("invitations.index"))
