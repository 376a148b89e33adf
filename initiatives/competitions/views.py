"""The staff dashboard: competitions grouped by state, each with its next steps and, where
a step is not yet possible, the sentence saying why."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.lifecycle import StepForm
from initiatives.applications.models import Application
from initiatives.competitions import dashboard as board
from initiatives.competitions import operations, queries
from initiatives.competitions.clock import close_if_due
from initiatives.core.enums import Role
from initiatives.documents.access import can_read
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.lifecycle.operations import available
from initiatives.lifecycle.permissions import roles_for
from initiatives.routes import arg_int
from workflows import COMPETITION

bp = Blueprint("competitions", __name__)
OFFICE = {"specialist", "head", "admin"}


@bp.get("/dashboard")
@login_required
def dashboard():
    """Competitions by state, a page at a time: a national reader's dashboard lists the
    whole country (see ``initiatives.competitions.dashboard``)."""
    board.close_due(current_user)
    by_state = board.counts(current_user)
    total = sum(by_state.values())
    invitations = operations.invitations_for(current_user)
    if not total and not current_user.grants and not invitations:
        return redirect(url_for("applications.mine"))  # a citizen: their applications
    page, competitions = board.page_of(current_user, arg_int("page", 1), total)
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
    can_create = current_user.is_admin or any(
        g.role in (Role.SPECIALIST, Role.HEAD) for g in current_user.grants
    )
    return render_template(
        "competitions/dashboard.html",
        invitations=invitations,
        groups=groups,
        by_state=by_state,
        page=page,
        own=own,
        form=StepForm(),
        can_create=can_create,
        overdue=_overdue_count() if can_create else 0,
        to_score=board.to_score(current_user, competitions),
    )


def _overdue_count() -> int:
    """Overdue tranches and reports in the user's municipalities: the dashboard's alarm."""
    from initiatives.grants import reminders

    ids = None if current_user.is_admin else set(current_user.municipality_ids)
    return sum(1 for d in reminders.due_items(reminders.followed_applications(ids)) if d.overdue)


@bp.get("/competitions/<int:competition_id>")
@login_required
def detail(competition_id: int):
    competition = queries.one_visible_or_404(current_user, competition_id)
    close_if_due(competition)
    office = bool(roles_for(current_user, competition) & OFFICE)
    # A draft is its author's work in progress (and the office's, which may type it in):
    # the commission and oversight meet an application once it is submitted.
    applications = [
        (a, available(a, current_user))
        for a in competition.applications
        if office or a.state != "draft"
    ]
    documents = [
        d
        for d in db.session.scalars(
            select(Document)
            .where(Document.competition_id == competition.id)
            .order_by(Document.year, Document.number)
        )
        if can_read(current_user, d)
    ]
    return render_template(
        "competitions/detail.html",
        c=competition,
        documents=documents,
        can_setup=office,
        public_states=queries.PUBLIC_STATES,
        steps=available(competition, current_user),
        applications=applications,
        form=StepForm(),
    )
