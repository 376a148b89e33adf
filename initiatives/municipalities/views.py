"""The municipality's regulation page: the head (or an administrator) records the
parameters the ayil kenesh adopted; the specialist reads them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forms.municipalities import RegulationForm
from initiatives.core.enums import PARTICIPANT_GROUPS
from initiatives.extensions import db
from initiatives.i18n import _
from initiatives.municipalities import operations
from initiatives.municipalities.models import Municipality

bp = Blueprint("municipalities", __name__)


@bp.route("/municipalities/<int:municipality_id>/regulation", methods=["GET", "POST"])
@login_required
def regulation(municipality_id: int):
    m = db.get_or_404(Municipality, municipality_id)
    held = current_user.roles_in(m.id)
    if not held & {"specialist", "head", "admin"}:
        abort(404)
    editable = bool(held & {"head", "admin"})
    stored = {name: getattr(m, name) for name in operations.REGULATION}
    if m.regulation_date:  # kept as ISO text
        stored["regulation_date"] = date.fromisoformat(m.regulation_date)
    groups = list(m.participant_groups or [])
    stored["standard_groups"] = [g for g in groups if g in PARTICIPANT_GROUPS]
    stored["own_groups"] = "\n".join(g for g in groups if g not in PARTICIPANT_GROUPS)
    form = RegulationForm(data=stored)
    if form.is_submitted() and not editable:
        abort(403)
    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data
            for name in operations.REGULATION
            if name != "participant_groups"
        }
        values["participant_groups"] = form.participant_groups()
        day = values["regulation_date"]
        values["regulation_date"] = day.isoformat() if day else None
        # An emptied field clears its letterhead line.
        for name in ("address", "address_ru", "phone"):
            values[name] = (values[name] or "").strip() or None
        operations.update_regulation(m, current_user, **values)
        db.session.commit()
        flash(_("The regulation is saved."), "success")
        return redirect(url_for("municipalities.regulation", municipality_id=m.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "municipalities/regulation.html", m=m, form=form, editable=editable
    ), status
