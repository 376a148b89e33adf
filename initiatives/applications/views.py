"""An application from the first click to the receipt: start, fill in sections, attach,
check, submit, withdraw; and the applicant's own list.

Every section saves a draft even when it is half-done; only the submit step applies the
competition's rules. A form with errors comes back (422) with everything typed in it.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.applications import (
    ApplicantForm,
    AttachmentForm,
    BudgetForm,
    ConfirmForm,
    InitiativeForm,
    PlanForm,
    participants_form,
)
from forms.base import option
from initiatives.applications import access, operations
from initiatives.applications.files import BadFile, sniff
from initiatives.applications.models import BUDGET_AMOUNTS, Application, Attachment
from initiatives.audit.models import AuditEvent
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import Competition
from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.db import utcnow
from initiatives.core.enums import (
    EXTRA_ATTACHMENTS,
    PARTICIPANT_GROUPS,
    PRIORITIES,
    REQUIRED_DOCUMENTS,
    ApplicantKind,
    Channel,
    InitiativeKind,
)
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle.after import after_commit
from initiatives.lifecycle.operations import available, fire
from workflows import Context, GuardsFailed
from workflows.application import window_open

bp = Blueprint("applications", __name__)
INVALID = 422

SECTIONS = [
    ("applicant", _l("Applicant")),
    ("initiative", _l("Initiative")),
    ("plan", _l("Plan")),
    ("people", _l("Participants")),
    ("budget", _l("Budget")),
    ("documents", _l("Documents")),
    ("review", _l("Check and submit")),
]
SECTION_NAMES = [name for name, _title in SECTIONS]


# --- loading and permissions ----------------------------------------------------------------


def load(application_id: int) -> Application:
    """The application if the user may see it (else 404), after the deadline check."""
    a = db.session.scalars(
        select(Application)
        .where(Application.id == application_id)
        .options(
            selectinload(Application.competition).selectinload(Competition.municipality),
            selectinload(Application.competition).selectinload(Competition.seats),
            selectinload(Application.budget_lines),
            selectinload(Application.activities),
            selectinload(Application.attachments),
        )
    ).one_or_none()
    if a is None or not access.can_view(current_user, a):
        abort(404)
    close_if_due(a.competition)
    return a


def load_editable(application_id: int) -> Application:
    a = load(application_id)
    if not access.can_edit(current_user, a):
        abort(403 if a.state == "draft" else 409)
    return a


def public_competition(competition_id: int) -> Competition:
    c = db.session.get(Competition, competition_id)
    if c is None or c.state not in PUBLIC_STATES:
        abort(404)
    close_if_due(c)
    return c


def window_reason(c: Competition, *, channel=Channel.ONLINE, received_at=None) -> str | None:
    probe = SimpleNamespace(competition=c, channel=channel, received_at=received_at)
    reason = window_open(probe, Context(data={}, now=utcnow()))
    return explain(reason) if reason else None


def submit_problems(a: Application) -> list[str]:
    """Why the application cannot be submitted now, in the user's language (empty: it can)."""
    for transition, reasons in available(a, current_user):
        if transition.trigger == "submit":
            return [explain(r) for r in reasons]
    return []


# --- starting -------------------------------------------------------------------------------


@bp.route("/competitions/<int:competition_id>/apply", methods=["GET", "POST"])
@login_required
def start(competition_id: int):
    c = public_competition(competition_id)
    mine = db.session.scalars(
        select(Application)
        .where(Application.competition_id == c.id, Application.owner_id == current_user.id)
        .order_by(Application.id)
    ).all()
    closed = window_reason(c)
    form = ConfirmForm()
    if request.method == "POST":
        if closed:
            return render_template(
                "applications/start.html", c=c, mine=mine, closed=closed, form=form
            ), 409
        if not form.validate_on_submit():
            abort(400)
        a = operations.start_draft(
            c,
            current_user,
            owner=current_user,
            applicant_name=current_user.full_name,
            contact_phone=current_user.phone or "",
            contact_email=current_user.email or "",
        )
        db.session.commit()
        flash(_("Your draft is saved as you go: you can stop and come back at any time."), "info")
        return redirect(url_for(".section", application_id=a.id, name="applicant"))
    return render_template("applications/start.html", c=c, mine=mine, closed=closed, form=form)


# --- the sections -----------------------------------------------------------------------------


def _next_url(a: Application, name: str) -> str:
    if "add" in request.form:
        return url_for(".section", application_id=a.id, name=name, add=1) + "#last-row"
    if "next" in request.form:
        following = SECTION_NAMES[SECTION_NAMES.index(name) + 1]
        return url_for(".section", application_id=a.id, name=following)
    return url_for(".section", application_id=a.id, name=name)


def _applicant(a: Application, form_data):
    form = ApplicantForm(obj=None if form_data else a, data=None)
    if not form_data:
        form.group_members.data = "\n".join(
            f"{m.get('name', '')} — {m['role']}" if m.get("role") else m.get("name", "")
            for m in a.group_members or []
        )
        form.applicant_kind.data = a.applicant_kind.value

    def save():
        members = []
        for line in (form.group_members.data or "").splitlines():
            name, _sep, role = line.partition("—")
            if name.strip():
                members.append({"name": name.strip()[:200], "role": role.strip()[:200]})
        operations.update_draft(
            a,
            current_user,
            applicant_kind=ApplicantKind(form.applicant_kind.data or "individual"),
            applicant_name=(form.applicant_name.data or "").strip(),
            organisation_name=(form.organisation_name.data or "").strip(),
            group_members=members,
            contact_phone=(form.contact_phone.data or "").strip(),
            contact_email=(form.contact_email.data or "").strip(),
            village=(form.village.data or "").strip(),
            address=(form.address.data or "").strip(),
            id_document_number=(form.id_document_number.data or "").strip(),
        )

    return form, save, {}


def _initiative(a: Application, form_data):
    form = InitiativeForm(obj=None if form_data else a)
    if not form_data:
        form.initiative_kind.data = a.initiative_kind.value
    topics = a.competition.priorities or list(PRIORITIES)
    form.priority_topic.choices = [option("", _("Choose a topic"))] + [
        option(code, _(PRIORITIES.get(code, code))) for code in topics
    ]

    def save():
        operations.update_draft(
            a,
            current_user,
            title=(form.title.data or "").strip(),
            initiative_kind=InitiativeKind(form.initiative_kind.data or "co_financing"),
            priority_topic=form.priority_topic.data or "",
            problem=(form.problem.data or "").strip(),
            goal=(form.goal.data or "").strip(),
            target_groups=(form.target_groups.data or "").strip(),
            sustainability=(form.sustainability.data or "").strip(),
        )

    return form, save, {}


def _rows_form(form_class, field: str, records, posted: bool, **columns):
    """A form of rows (activities, budget lines): what was posted, or the stored records
    with one empty row to type into when there are none or the user asked for one."""
    if posted:
        return form_class()
    rows = [{name: read(x) for name, read in columns.items()} for x in records]
    form = form_class(data={field: rows})
    if request.args.get("add") or not records:
        getattr(form, field).append_entry()
    return form


def _attr(name: str):
    return lambda x: getattr(x, name)


def _plan(a: Application, form_data):
    form = _rows_form(
        PlanForm,
        "activities",
        a.activities,
        form_data,
        **{k: _attr(k) for k in ("description", "starts_on", "ends_on", "responsible")},
    )

    def save():
        rows = [
            {
                "description": (r.description.data or "").strip(),
                "starts_on": r.starts_on.data,
                "ends_on": r.ends_on.data,
                "responsible": (r.responsible.data or "").strip(),
            }
            for r in (entry.form for entry in form.activities)
            if not r.remove.data and (r.description.data or "").strip()
        ]
        operations.set_activities(a, current_user, rows)

    return form, save, {}


def _groups(a: Application) -> list[tuple[str, str]]:
    codes = a.competition.municipality.participant_groups or list(PARTICIPANT_GROUPS)
    return [(code, PARTICIPANT_GROUPS.get(code, code)) for code in codes]


def _people(a: Application, form_data):
    groups = _groups(a)
    form = participants_form(groups, None if form_data else a.expected_participants)

    def save():
        counts = {
            code: getattr(form, f"group_{code}").data
            for code, _title in groups
            if getattr(form, f"group_{code}").data is not None
        }
        operations.update_draft(a, current_user, expected_participants=counts)

    return form, save, {"groups": groups}


def _budget(a: Application, form_data):
    form = _rows_form(
        BudgetForm,
        "lines",
        a.budget_lines,
        form_data,
        **{k: _attr(k) for k in ("item", "unit", "quantity", *BUDGET_AMOUNTS)},
    )

    def save():
        rows = []
        for r in (entry.form for entry in form.lines):
            if r.remove.data or not (r.item.data or "").strip():
                continue
            rows.append(
                {
                    "item": r.item.data.strip(),
                    "unit": (r.unit.data or "").strip(),
                    "quantity": r.quantity.data if r.quantity.data is not None else 1,
                    **{k: getattr(r, k).data or 0 for k in BUDGET_AMOUNTS},
                }
            )
        operations.set_budget_lines(a, current_user, rows)

    return form, save, {}


def _doc_types(a: Application) -> list[tuple[str, str]]:
    required = list(a.competition.required_documents or [])
    extras = ["scan", "photo", "other"] if a.channel == Channel.PAPER else ["photo", "other"]
    return [(code, REQUIRED_DOCUMENTS.get(code, code)) for code in required] + [
        (code, EXTRA_ATTACHMENTS[code]) for code in extras
    ]


def _documents(a: Application, form_data):
    form = AttachmentForm()
    form.doc_type.choices = [option(code, _(title)) for code, title in _doc_types(a)]
    have = {x.doc_type for x in a.attachments}
    missing = [
        REQUIRED_DOCUMENTS.get(code, code)
        for code in a.competition.required_documents or []
        if code not in have
    ]
    return form, None, {"missing": missing, "doc_titles": dict(_doc_types(a))}


def _review(a: Application, form_data):
    return ConfirmForm(), None, {"problems": submit_problems(a)}


SECTION_FORMS = {
    "applicant": _applicant,
    "initiative": _initiative,
    "plan": _plan,
    "people": _people,
    "budget": _budget,
    "documents": _documents,
    "review": _review,
}


@bp.route("/applications/<int:application_id>/edit/<name>", methods=["GET", "POST"])
@login_required
def section(application_id: int, name: str):
    if name not in SECTION_FORMS:
        abort(404)
    a = load(application_id)
    if a.state != "draft":
        flash(_("This application is submitted; it can no longer be changed."), "info")
        return redirect(url_for(".view", application_id=a.id))
    if not access.can_edit(current_user, a):
        abort(403)
    posted = request.method == "POST"
    form, save, extra = SECTION_FORMS[name](a, posted)
    status = 200
    if posted:
        if save is None:
            abort(405)
        if form.validate_on_submit():
            save()
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(_next_url(a, name))
        status = INVALID
    return render_template(
        f"applications/section_{name}.html",
        a=a,
        form=form,
        name=name,
        sections=SECTIONS,
        problems=extra.pop("problems", None),
        **extra,
    ), status


# --- attachments ------------------------------------------------------------------------------


@bp.post("/applications/<int:application_id>/attachments")
@login_required
def upload(application_id: int):
    a = load_editable(application_id)
    form, _save, extra = _documents(a, True)
    if form.validate_on_submit():
        content = form.file.data.read()
        try:
            content_type = sniff(content, current_app.config["MAX_ATTACHMENT_BYTES"])
        except BadFile as bad:
            form.file.errors = [_(bad.message, **bad.params)]
        else:
            operations.attach(
                a,
                current_user,
                doc_type=form.doc_type.data,
                filename=form.file.data.filename or "file",
                content=content,
                content_type=content_type,
            )
            db.session.commit()
            flash(_("The file is attached."), "success")
            return redirect(url_for(".section", application_id=a.id, name="documents"))
    return render_template(
        "applications/section_documents.html",
        a=a,
        form=form,
        name="documents",
        sections=SECTIONS,
        problems=None,
        **extra,
    ), INVALID


@bp.post("/applications/<int:application_id>/attachments/<int:attachment_id>/delete")
@login_required
def detach(application_id: int, attachment_id: int):
    a = load_editable(application_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    operations.detach(a, current_user, attachment)
    db.session.commit()
    flash(_("The file is removed from the application."), "info")
    return redirect(url_for(".section", application_id=a.id, name="documents"))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.application is None:
        abort(404)
    a = attachment.application
    if not access.can_download(current_user, a, attachment):
        abort(404)
    response = send_file(
        operations.stored_path(attachment.stored_as),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- submit, withdraw --------------------------------------------------------------------------


def _final_step(a: Application, trigger: str, template_on_refusal: str | None):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        flash(_("This step is final: tick the confirmation box to take it."), "warning")
        return None
    try:
        done = fire(a, trigger, current_user)
    except GuardsFailed as refused:
        db.session.rollback()
        reasons = [explain(r) for r in refused.reasons]
        if template_on_refusal is None:
            for reason in reasons:
                flash(reason, "error")
            return None
        a = load(a.id)
        return render_template(
            template_on_refusal,
            a=a,
            form=form,
            name="review",
            sections=SECTIONS,
            problems=reasons,
        ), 409
    db.session.commit()
    after_commit(done.documents)
    return done


@bp.post("/applications/<int:application_id>/submit")
@login_required
def submit(application_id: int):
    a = load(application_id)
    if a.number is not None and a.state != "draft" and access.was_editor(current_user, a):
        # Submit pressed again after the answer was lost (a dropped connection, a restart):
        # the first press registered it. Say so, with its number, instead of an error.
        flash(
            _("This application is already registered under No. %(number)s.", number=a.number),
            "info",
        )
        return redirect(url_for(".view", application_id=a.id), 303)
    a = load_editable(application_id)
    outcome = _final_step(a, "submit", "applications/section_review.html")
    if outcome is None:
        return redirect(url_for(".section", application_id=a.id, name="review"))
    if isinstance(outcome, tuple):
        return outcome
    flash(
        _(
            "Your application is registered under No. %(number)s. The receipt is below.",
            number=a.number,
        ),
        "success",
    )
    return redirect(url_for(".view", application_id=a.id))


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    a = load(application_id)  # the workflow checks the role: owner or specialist
    if _final_step(a, "withdraw", None) is not None:
        flash(_("The application is withdrawn."), "info")
    return redirect(url_for(".view", application_id=a.id))


# --- reading ----------------------------------------------------------------------------------


def timeline(a: Application) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "application",
            AuditEvent.subject_id == a.id,
            AuditEvent.to_state.is_not(None),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


def messages_for(a: Application):
    from initiatives.notifications.operations import for_application

    return for_application(a) if access.is_owner(current_user, a) else []


@bp.get("/applications/<int:application_id>")
@login_required
def view(application_id: int):
    a = load(application_id)
    documents = db.session.scalars(
        select(Document).where(Document.application_id == a.id).order_by(Document.id)
    ).all()
    # The withdraw step, if the user's roles allow it: None, or why it is not possible now.
    withdraw = next(
        (reasons for t, reasons in available(a, current_user) if t.trigger == "withdraw"), None
    )
    return render_template(
        "applications/view.html",
        a=a,
        events=timeline(a)
        if not access.is_owner(current_user, a)
        else access.public_events(a, timeline(a)),
        messages=messages_for(a),
        documents=documents,
        personal=access.sees_personal_data(current_user, a),
        editable=access.can_edit(current_user, a),
        can_withdraw=withdraw is not None,
        withdraw_problems=[explain(r) for r in (withdraw or [])],
        doc_titles={**REQUIRED_DOCUMENTS, **EXTRA_ATTACHMENTS},
        groups=_groups(a),
        priority_titles=PRIORITIES,
        can_download=lambda x: access.can_download(current_user, a, x),
        form=ConfirmForm(),
    )


@bp.get("/my/applications")
@login_required
def mine():
    applications = db.session.scalars(
        select(Application)
        .where(Application.owner_id == current_user.id)
        .options(
            selectinload(Application.competition).selectinload(Competition.municipality),
            selectinload(Application.budget_lines),
        )
        .order_by(Application.id.desc())
    ).all()
    for a in applications:
        close_if_due(a.competition)
    events = {}
    if applications:
        for e in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "application",
                AuditEvent.subject_id.in_([a.id for a in applications]),
                AuditEvent.to_state.is_not(None),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        ):
            events.setdefault(e.subject_id, []).append(e)
    events = {a.id: access.public_events(a, events.get(a.id, [])) for a in applications}
    return render_template("applications/mine.html", applications=applications, events=events)
