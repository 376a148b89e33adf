"""The staff dashboard: competitions grouped by state, each with its next steps and, where
a step is not yet possible, the sentence saying why."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.lifecycle import StepForm
from initiatives.applications.models import Application
from initiatives.competitions import queries
from initiatives.extensions import db
from initiatives.lifecycle.operations import available
from workflows import COMPETITION

bp = Blueprint("competitions", __name__)


@bp.get("/dashboard")
@login_required
def dashboard():
    competitions = db.session.scalars(queries.visible_to(current_user)).unique().all()
    groups = []
    for state in COMPETITION.states:
        items = [c for c in competitions if c.state == state.value]
        if items:
            groups.append((state, [(c, available(c, current_user)) for c in items]))
    own = db.session.scalars(
        select(Application)
        .where(Application.owner_id == current_user.id)
        .order_by(Application.id.desc())
    ).all()
    return render_template("competitions/dashboard.html", groups=groups, own=own, form=StepForm())


@bp.get("/competitions/<int:competition_id>")
@login_required
def detail(competition_id: int):
    competition = (
        db.session.scalars(queries.one_for(current_user, competition_id)).unique().one_or_none()
    )
    if competition is None:
        abort(404)  # another municipality's competition does not exist for this user
    applications = [(a, available(a, current_user)) for a in competition.applications]
    return render_template(
        "competitions/detail.html",
        c=competition,
        steps=available(competition, current_user),
        applications=applications,
        form=StepForm(),
    )
