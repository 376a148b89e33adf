"""The commission at work, page by page: a member's workspace, the conflict declaration,
score sheets, the secretary's progress, the ranking with the proposal of winners, and the
results meeting. Thin: load, check the role, call ``operations``, commit once.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forms.lifecycle import DecisionForm, StepForm
from forms.scoring import (
    CONFLICT,
    NO_CONFLICT,
    PartialForm,
    conflict_form,
    meeting_form,
    sheet_form,
)
from initiatives.applications.access import SCREENERS, competition_blind
from initiatives.applications.views import _groups
from initiatives.competitions import queries
from initiatives.core.enums import PRIORITIES, SheetState
from initiatives.core.errors import Refused
from initiatives.documents.snapshots import TIE_BREAK_TITLES
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.operations import available, fire
from initiatives.lifecycle.permissions import roles_for
from initiatives.paging import Page, paginate
from initiatives.routes import arg_int, local_redirect_target
from initiatives.scoring import operations, ranking
from initiatives.scoring.results import compute, load, load_frame, scoring_applications
from initiatives.scoring.standing import commission_matrix, standing_of
from workflows.competition import latest_results_meeting

bp = Blueprint("scoring", __name__)

BISHKEK = ZoneInfo("Asia/Bishkek")
INVALID = 422
LEADS = {"chair", "secretary", "admin"}
# Who follows the scoring without sitting on the commission.
WATCHERS = {"specialist", "head", "admin", "oversight"}
AFTER_SCORING = {"results_approved", "winners_announced", "implementation", "closed"}


def _plain_number(value):
    """7 rather than 7.00 in a score field; 7.5 stays 7.5."""
    return value.quantize(1) if value == value.to_integral() else value.normalize()


def _competition(competition_id: int, *, frame_only: bool = False, members: bool = True):
    """Visible to the user (else 404), with everything the results read loaded (and each
    member's declarations, sheets and votes unless ``members`` is false: the ranking page),
    or only the frame a member's own pages need."""
    queries.ensure_visible(current_user, competition_id)
    if frame_only:
        return load_frame(competition_id)
    return load(competition_id, members=members, votes=members, budgets=members)


def _button(competition_id: int, roles: set[str]):
    """A one-button POST: the competition, if the user holds one of ``roles`` (else 403)
    and the form carries its CSRF token (else 400)."""
    c = _competition(competition_id)
    if not _roles(c) & roles:
        abort(403)
    if not StepForm().validate_on_submit():
        abort(400)
    return c


def _seat(c):
    seat = c.seat_of(current_user.id)
    if seat is None:
        abort(403)
    return seat


def _roles(c) -> set[str]:
    return roles_for(current_user, c)


def blind(c) -> bool:
    """Members see codes, not names, while they score."""
    return competition_blind(c)


def _application(c, application_id: int):
    a = next((x for x in scoring_applications(c) if x.id == application_id), None)
    if a is None:
        abort(404)
    return a


def _guard_post(c, subject, action: str) -> None:
    """A POST to a locked competition is refused before anything else, and recorded (see
    ``operations.ensure_open``); the pages' own refusals below are ones the user can fix."""
    if request.method == "POST":
        operations.ensure_open(c, current_user, subject, action)


def _fail(exc: Refused) -> int:
    """A refusal the user can fix on the same page: shown above the form they filled."""
    flash(explain(exc.reason), "warning")
    return exc.status if exc.status >= 400 else 409


def member_status(seat, a) -> str:
    declaration = operations.declaration_of(seat, a)
    if declaration is None:
        return "undeclared"
    if declaration.has_conflict:
        return "recused"
    sheet = operations.sheet_of(seat, a)
    if sheet is None:
        return "not_started"
    return "submitted" if sheet.state == SheetState.SUBMITTED else "draft"


# --- a member's workspace -------------------------------------------------------------------


@bp.get("/competitions/<int:competition_id>/scoring")
@login_required
def workspace(competition_id: int):
    c = _competition(competition_id, frame_only=True)
    seat = c.seat_of(current_user.id)
    if seat is None:
        if _roles(c) & WATCHERS:
            return redirect(url_for(".progress", competition_id=c.id))
        abort(403)
    applications = scoring_applications(c)
    standing = standing_of(seat)
    rows = [(a, standing.status(a.id), standing.sheets.get(a.id)) for a in applications]
    undeclared = [a for a, status, _s in rows if status == "undeclared" and a.state == "admitted"]
    # Opened without a page: the page of the first application still to score.
    wanted = arg_int("page")
    to_do = next(
        (i for i, (_a, status, _s) in enumerate(rows) if status in ("not_started", "draft")),
        None,
    )
    page = paginate(rows, wanted, RANKING_PAGE, showing=None if wanted else to_do)
    return render_template(
        "scoring/workspace.html",
        c=c,
        seat=seat,
        rows=rows,
        page=page,
        undeclared=undeclared,
        blind=blind(c),
        criteria_count=len(c.criteria),
        is_lead=bool(_roles(c) & LEADS),
        done=standing.done(a.id for a in applications if a.state == "admitted"),
        scored=standing.scored,
    )


def declaration_keys(c, seat, applications) -> dict[int, str]:
    """The declaration form's field names, by application id.

    Open scoring names the fields by the application's id. In blind scoring the page lists
    the applicants by name, and the id is what the score sheets' links carry: a field named
    by it would pair each name with its sheet. There each key is an HMAC of the seat and the
    application under the app's secret, so the member can neither read nor recompute it."""
    if not blind(c):
        return {a.id: str(a.id) for a in applications}
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return {
        a.id: hmac.new(secret, f"conflict:{seat.id}:{a.id}".encode(), "sha256").hexdigest()[:20]
        for a in applications
    }


@bp.route("/competitions/<int:competition_id>/scoring/conflicts", methods=["GET", "POST"])
@login_required
def conflicts(competition_id: int):
    c = _competition(competition_id)
    seat = _seat(c)
    _guard_post(c, seat, "declare_conflicts")
    applications = [a for a in scoring_applications(c) if a.state == "admitted"]
    keys = declaration_keys(c, seat, applications)
    ids = {k: i for i, k in keys.items()}
    form_class = conflict_form(list(keys.values()))
    declared = {a.id: operations.declaration_of(seat, a) for a in applications}
    if request.method == "GET":
        data = {}
        for a in applications:
            d = declared[a.id]
            if d is not None:
                data[f"answer_{keys[a.id]}"] = CONFLICT if d.has_conflict else NO_CONFLICT
                data[f"nature_{keys[a.id]}"] = d.nature or ""
        form = form_class(data=data)
    else:
        form = form_class()
    status = 200
    if form.validate_on_submit():
        answers = {ids[k]: answer for k, answer in form.answers().items()}
        try:
            documents = operations.declare_conflicts(seat, current_user, answers)
        except Refused as exc:
            db.session.rollback()
            status = _fail(exc)
        else:
            db.session.commit()
            after_commit(documents)
            flash(_("Your declaration is recorded."), "success")
            return redirect(url_for(".workspace", competition_id=c.id))
    elif form.is_submitted():
        status = INVALID
    # Blind: the names, which a member needs to recognise a relative, in alphabetical order
    # and apart from the codes and titles they will score.
    if blind(c):
        applications = sorted(applications, key=operations.by_applicant_name)
    return render_template(
        "scoring/conflicts.html",
        c=c,
        form=form,
        applications=applications,
        keys=keys,
        declared=declared,
        blind=blind(c),
        groups={a.id: a.group_members or [] for a in applications},
    ), status


@bp.route(
    "/competitions/<int:competition_id>/scoring/applications/<int:application_id>",
    methods=["GET", "POST"],
)
@login_required
def sheet(competition_id: int, application_id: int):
    c = _competition(competition_id, frame_only=True)
    seat = _seat(c)
    a = _application(c, application_id)
    _guard_post(c, a, "save_sheet")
    if operations.declaration_of(seat, a) is None and c.state == "scoring":
        flash(_("First declare whether you have a conflict of interest."), "warning")
        return redirect(url_for(".conflicts", competition_id=c.id))
    existing = operations.sheet_of(seat, a)
    form_class = sheet_form(list(c.criteria))
    if request.method == "GET":
        data = {"version": existing.version if existing else ""}
        for s in existing.scores if existing else []:
            data[f"score_{s.criterion_id}"] = _plain_number(s.value)
            data[f"comment_{s.criterion_id}"] = s.comment
        form = form_class(data=data)
    else:
        form = form_class()
    status = 200
    if form.validate_on_submit():
        # The page's version of the sheet; empty when it was opened before the sheet existed
        # (0: a sheet saved meanwhile from another window makes this page stale). A post
        # without the field at all (a script) is not checked.
        typed = (form.version.data or "").strip()
        version = int(typed) if typed.isdigit() else (0 if "version" in request.form else None)
        try:
            saved = operations.save_sheet(seat, a, current_user, form.values(), version=version)
            documents = []
            if form.action.data == "submit":  # the form has checked the box
                documents = operations.submit_sheet(saved, current_user)
        except Refused as exc:
            db.session.rollback()
            status = _fail(exc)
        else:
            db.session.commit()
            after_commit(documents)
            if form.action.data == "submit":
                flash(_("Your score sheet is submitted."), "success")
                return redirect(url_for(".workspace", competition_id=c.id))
            flash(_("Saved as a draft."), "success")
            return redirect(url_for(".sheet", competition_id=c.id, application_id=a.id))
    elif form.is_submitted():
        status = INVALID
    return render_template(
        "scoring/sheet.html",
        c=c,
        a=a,
        seat=seat,
        form=form,
        sheet=existing,
        status=member_status(seat, a),
        blind=blind(c),
        groups=_groups(a),
        priority_titles=PRIORITIES,
    ), status


# --- the secretary's progress -------------------------------------------------------------


@bp.get("/competitions/<int:competition_id>/scoring/progress")
@login_required
def progress(competition_id: int):
    c = _competition(competition_id, frame_only=True)
    held = _roles(c)
    if not held & (LEADS | WATCHERS):
        abort(403)
    applications = scoring_applications(c)
    seats = list(c.seats)
    known = commission_matrix(c.id)
    matrix = {
        (seat.id, a.id): known.status.get((seat.id, a.id), "undeclared")
        for seat in seats
        for a in applications
    }
    counts = {
        seat.id: {
            "done": sum(
                1 for a in applications if matrix[(seat.id, a.id)] in ("submitted", "recused")
            ),
            "recused": sum(1 for a in applications if matrix[(seat.id, a.id)] == "recused"),
        }
        for seat in seats
    }
    missing = {
        seat: [
            a
            for a in applications
            if a.state == "admitted" and matrix[(seat.id, a.id)] not in ("submitted", "recused")
        ]
        for seat in seats
    }
    seat_ids = [seat.id for seat in seats]
    closable = [a for a in applications if a.state == "admitted" and known.complete(a.id, seat_ids)]
    return render_template(
        "scoring/progress.html",
        c=c,
        seats=seats,
        applications=applications,
        page=paginate(applications, arg_int("page"), RANKING_PAGE),
        matrix=matrix,
        counts=counts,
        missing={seat: left for seat, left in missing.items() if left},
        closable=closable,
        can_close=bool(held & SCREENERS) and c.state == "scoring",
        blind=blind(c),
        form=StepForm(),
    )


@bp.post("/competitions/<int:competition_id>/scoring/close")
@login_required
def close(competition_id: int):
    c = _button(competition_id, SCREENERS)
    n = operations.close_scoring(c, current_user)
    db.session.commit()
    after_commit()
    flash(_("Scoring closed for %(n)s applications.", n=n), "success")
    return redirect(url_for(".progress", competition_id=c.id))


# --- ranking and the proposal of winners ----------------------------------------------------


def _may_read_results(c) -> bool:
    held = _roles(c)
    if held & (LEADS | WATCHERS):
        return True
    return "member" in held and c.state in AFTER_SCORING


@bp.get("/competitions/<int:competition_id>/results")
@login_required
def results(competition_id: int):
    c = _competition(competition_id, members=False)
    if not _may_read_results(c):
        abort(403)
    return _results_page(c, PartialForm(), 200)


# Places shown per page of the ranking and of a member's list (see ``paging``).
RANKING_PAGE = 100


def ranking_page(rows: list, wanted: int | None, showing: int | None = None) -> Page:
    """The page asked for, or the page showing one application (the amount just set, or
    refused, comes back where it was typed)."""
    index = next((i for i, r in enumerate(rows) if r.application.id == showing), None)
    return paginate(rows, wanted, RANKING_PAGE, showing=index)


def funding_line(rows: list, page: Page) -> int | None:
    """The page with the last proposed award: where the money runs out."""
    awarded = [i for i, r in enumerate(rows) if r.proposed.outcome == ranking.AWARD]
    return page.page_of(awarded[-1]) if awarded else None


def _results_page(c, partial_form, status: int, editing: int | None = None, decision_form=None):
    outcome = compute(c, means=False)
    showing = editing or arg_int("row")
    page = ranking_page(outcome.rows, arg_int("page"), showing)
    can_lead = bool(_roles(c) & LEADS) and c.state == "scoring"
    return render_template(
        "scoring/results.html",
        c=c,
        results=outcome,
        page=page,
        funding_line=funding_line(outcome.rows, page),
        can_lead=can_lead,
        blind=blind(c),
        partial_form=partial_form,
        editing=editing,
        form=StepForm(),
        steps=[(t, r) for t, r in available(c, current_user) if t.trigger == "announce_winners"],
        decision_form=decision_form or _decision_form(c),
        meeting=latest_results_meeting(c),
        sources={s.id: s for s in c.funding_sources},
        tie_titles=TIE_BREAK_TITLES,
    ), status


def _decision_form(c) -> DecisionForm:
    """The head's decision as first shown: dated today in Bishkek, the page's version."""
    today = datetime.now(BISHKEK).date()
    return DecisionForm(formdata=None, data={"decision_date": today, "version": c.version})


def decide(c):
    """The head's decision on financing (``/steps/announce_winners`` of the competition).

    Taken on the ranking page, beside the winners and the money it approves. A refused
    decision (no number, no confirmation, a date that is not one) comes back on that page
    with what was typed and the field to correct; the role and the state were checked by
    the step's endpoint, and are checked again by ``fire``."""
    form = DecisionForm()
    status = INVALID
    if form.validate_on_submit():
        if form.version.data is not None and form.version.data != c.version:
            flash(
                _(
                    "This record was changed by someone else after you opened the page. "
                    "Check it and try again."
                ),
                "warning",
            )
            status = 409
        else:
            done = fire(c, "announce_winners", current_user, **form.step_data())
            db.session.commit()
            flash(_("Done: %(step)s.", step=_(done.transition.title)), "success")
            after_commit(done.documents)
            target = local_redirect_target(request.form.get("next"))
            return redirect(target or url_for("competitions.detail", competition_id=c.id))
    return _results_page(
        load(c.id, members=False, votes=False, budgets=False),
        PartialForm(),
        status,
        decision_form=form,
    )


@bp.post("/competitions/<int:competition_id>/results/partial/<int:application_id>")
@login_required
def partial(competition_id: int, application_id: int):
    c = _competition(competition_id, members=False)
    if not _roles(c) & LEADS:
        abort(403)
    a = _application(c, application_id)
    _guard_post(c, a, "set_partial")
    form = PartialForm()
    if not form.validate_on_submit():
        return _results_page(c, form, INVALID, editing=a.id)
    try:
        operations.set_partial(a, current_user, form.amount.data)
    except Refused as exc:
        db.session.rollback()
        form.amount.errors = [explain(exc.reason)]
        return _results_page(
            load(c.id, members=False, votes=False, budgets=False),
            form,
            exc.status,
            editing=application_id,
        )
    db.session.commit()
    flash(_("The amount for application No. %(n)s is set.", n=a.number), "success")
    return redirect(url_for(".results", competition_id=c.id, row=a.id) + f"#row-{a.id}")


@bp.post("/competitions/<int:competition_id>/results/apply")
@login_required
def apply(competition_id: int):
    c = _button(competition_id, LEADS)
    operations.apply_proposal(c, current_user)
    db.session.commit()
    after_commit()
    flash(_("The proposal is recorded. Put it to the vote at the results meeting."), "success")
    return redirect(url_for(".meeting", competition_id=c.id))


# --- the results meeting --------------------------------------------------------------------


@bp.route("/competitions/<int:competition_id>/results/meeting", methods=["GET", "POST"])
@login_required
def meeting(competition_id: int):
    c = _competition(competition_id)
    held = _roles(c)
    if not _may_read_results(c):
        abort(403)
    seats = list(c.seats)
    motions = operations.results_motions(c)
    recorded = latest_results_meeting(c)
    form_class = meeting_form(seats, motions)
    can_record = bool(held & LEADS) and c.state == "scoring"
    if request.method == "GET":
        form = form_class(data=_meeting_data(recorded, seats))
    else:
        if not held & LEADS:  # the role first: a refused stranger leaves no trace
            abort(403)
        _guard_post(c, c, "hold_results_meeting")
        if not can_record:
            abort(409)
        form = form_class()
    status = 200
    eligible = {
        m["key"]: operations.eligible_voters(c, {s.id for s in seats}, m["application_id"])
        for m in motions
    }
    if request.method == "POST" and form.validate_on_submit():
        try:
            operations.hold_results_meeting(
                c,
                current_user,
                held_at=form.held_at.data.replace(tzinfo=BISHKEK),
                present=form.present(),
                votes=form.votes(eligible),
                place=(form.place.data or "").strip(),
                minutes=(form.minutes.data or "").strip(),
            )
        except Refused as exc:
            db.session.rollback()
            status = _fail(exc)
        else:
            db.session.commit()
            flash(_("The meeting and its votes are recorded."), "success")
            return redirect(url_for(".meeting", competition_id=c.id))
    elif form.is_submitted():
        status = INVALID
    return render_template(
        "scoring/meeting.html",
        c=c,
        seats=seats,
        motions=motions,
        eligible=eligible,
        applications={a.id: a for a in c.applications},
        sources={s.id: s for s in c.funding_sources},
        recorded=recorded,
        form=form,
        can_record=can_record,
        blind=blind(c),
        steps=[(t, r) for t, r in available(c, current_user) if t.trigger == "approve_results"],
        step_form=StepForm(),
    ), status


def _meeting_data(recorded, seats) -> dict:
    if recorded is None:
        now = datetime.now(BISHKEK).replace(second=0, microsecond=0, tzinfo=None)
        return {"held_at": now, **{f"present_{s.id}": True for s in seats}}
    data = {
        "held_at": recorded.held_at.astimezone(BISHKEK).replace(tzinfo=None),
        "place": recorded.place,
        "minutes": recorded.minutes,
    }
    for a in recorded.attendance:
        data[f"present_{a.seat_id}"] = a.present
    for m in recorded.motions:
        for v in m.votes:
            data[f"vote_{m.key}_{v.seat_id}"] = v.choice.value
    return data
