"""Screening: the secretary checks each submitted application against the announcement and
admits it to scoring or rejects it with a reason the applicant will read.

The checklist is pre-filled from the same guards the submit step applied, so the secretary
confirms facts rather than recomputing them; what they tick is what the protocol shows.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.applications import ScreeningForm, screening_meeting_form
from initiatives.applications.access import SCREENERS, STAFF
from initiatives.applications.models import Application
from initiatives.applications.views import load
from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.core.enums import PRIORITIES, SCREENING_CHECKS
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.operations import available, fire
from initiatives.lifecycle.permissions import roles_for
from workflows import Context, GuardsFailed
from workflows.application import (
    budget_consistent,
    documents_attached,
    own_share_met,
    request_within_max,
    required_fields,
    topic_in_priorities,
)


def suggested_checks(a: Application) -> dict[str, bool]:
    """What the record shows for each check; the secretary confirms or corrects it."""
    ctx = Context(data={}, now=a.submitted_at)
    c = a.competition
    deadline = c.submission_deadline
    eligible = c.settings.get("eligible_applicants") or []
    return {
        "on_time": bool(a.received_at and deadline and a.received_at < deadline),
        "complete": required_fields(a, ctx) is None
        and documents_attached(a, ctx) is None
        and budget_consistent(a, ctx) is None,
        "eligible_applicant": not eligible or a.applicant_kind.value in eligible,
        "topic": topic_in_priorities(a, ctx) is None,
        "within_max": request_within_max(a, ctx) is None,
        "own_contribution": own_share_met(a, ctx) is None,
    }


BISHKEK = ZoneInfo("Asia/Bishkek")
INVALID = 422

bp = Blueprint("screening", __name__)


def meeting_defaults(c) -> dict:
    """Today at the ayil okmotu with everybody present: the usual case, which the secretary
    corrects. The votes are never filled in for them."""
    now = datetime.now(BISHKEK).replace(second=0, microsecond=0, tzinfo=None)
    place = c.municipality.address or ""
    return {"held_at": now, "place": place, **{f"present_{s.id}": True for s in c.seats}}


def meeting_of(form, seats) -> dict:
    """What ``finish_screening`` records: the meeting as typed, the votes of those present."""
    present = form.present()
    votes = form.votes({"approve": present})["approve"]
    return {
        "held_at": form.held_at.data.replace(tzinfo=BISHKEK),
        "place": form.place.data.strip(),
        "present": sorted(present),
        "votes": {k: v for k, v in votes.items() if k in present},
        "minutes": (form.minutes.data or "").strip(),
    }


def finish(c):
    """The step ``finish_screening``, posted from the overview with its meeting: taken with
    the meeting in one transaction, or the form is shown again with what was typed."""
    seats = list(c.seats)
    form = screening_meeting_form(seats)()
    if form.validate_on_submit():
        meeting = meeting_of(form, seats)
        if set(meeting["present"]) - set(meeting["votes"]):
            form.form_errors.append(_("record the vote of every member present"))
        else:
            try:
                done = fire(c, "finish_screening", current_user, meeting=meeting)
            except GuardsFailed as exc:
                db.session.rollback()
                form.form_errors.extend(explain(r) for r in exc.reasons)
            else:
                db.session.commit()
                after_commit(done.documents)
                flash(_("Done: %(step)s.", step=_(done.transition.title)), "success")
                return redirect(url_for("screening.overview", competition_id=c.id))
    elif "csrf_token" in form.errors:
        abort(400)
    return overview_page(c, form, INVALID)


@bp.get("/competitions/<int:competition_id>/screening")
@login_required
def overview(competition_id: int):
    c = queries.one_visible_or_404(current_user, competition_id)
    held = roles_for(current_user, c)
    if not held & (SCREENERS | {"head", "oversight", "member"}):
        abort(403)
    if c.state == "scoring" and (c.settings or {}).get("blind_scoring") and not held & STAFF:
        abort(404)  # the list names the applicants: members score by codes meanwhile
    close_if_due(c)
    return overview_page(c, screening_meeting_form(list(c.seats))(data=meeting_defaults(c)))


def overview_page(c, meeting_form, status: int = 200):
    applications = db.session.scalars(
        select(Application)
        .where(Application.competition_id == c.id, Application.number.is_not(None))
        .options(selectinload(Application.screening), selectinload(Application.budget_lines))
        .order_by(Application.number)
    ).all()
    steps = available(c, current_user)
    return render_template(
        "applications/screening_overview.html",
        c=c,
        applications=applications,
        steps=steps,
        can_screen=bool(roles_for(current_user, c) & SCREENERS),
        meeting_form=meeting_form,
        seats=list(c.seats),
    ), status


@bp.route("/applications/<int:application_id>/screening", methods=["GET", "POST"])
@login_required
def screen(application_id: int):
    a = load(application_id)
    if not roles_for(current_user, a) & SCREENERS:
        abort(403)
    suggested = suggested_checks(a)
    form = ScreeningForm(data={f"check_{k}": v for k, v in suggested.items()})
    status = 200
    problems = [
        explain(r)
        for t, reasons in available(a, current_user)
        if t.trigger in ("admit", "reject")
        for r in reasons
        if not r.message.startswith("a comment")
    ]
    if form.validate_on_submit():
        checklist = {k: bool(getattr(form, f"check_{k}").data) for k in SCREENING_CHECKS}
        if form.decision.data == "admit" and not all(checklist.values()):
            form.decision.errors.append(
                _(
                    "An application with an unmet check cannot be admitted: "
                    "reject it with the reason."
                )
            )
            status = 422
        else:
            done = fire(
                a,
                form.decision.data,
                current_user,
                checklist=checklist,
                reason=(form.reason.data or "").strip(),
            )
            db.session.commit()
            after_commit(done.documents)
            flash(
                _(
                    "Application No. %(number)s: %(step)s.",
                    number=a.number,
                    step=_(done.transition.title),
                ),
                "success",
            )
            return redirect(url_for(".overview", competition_id=a.competition_id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "applications/screen.html",
        a=a,
        form=form,
        suggested=suggested,
        checks=SCREENING_CHECKS,
        problems=problems,
        priority_titles=PRIORITIES,
    ), status
