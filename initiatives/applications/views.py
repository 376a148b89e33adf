"""An application from the first click to the receipt: start, fill in sections, attach,
check, submit, withdraw; the office's record of a withdrawal asked for on paper; and the
applicant's own list.

Every section saves a draft even when it is half-done; only the submit step applies the
competition's rules. Every way out of a section (next, back, the step list, and with
scripts a pause in typing) saves it. What is valid is saved; a field with an error keeps
what is stored, and comes back (422) with what was typed and a list of what was not saved.
"""

from __future__ import annotations

from types import SimpleNamespace

from babel.numbers import get_decimal_symbol, get_group_symbol
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
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import FieldList

from forms.applications import (
    ApplicantForm,
    AttachmentForm,
    BudgetForm,
    ConfirmForm,
    InitiativeForm,
    PlanForm,
    WithdrawalRecordForm,
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
from initiatives.lifecycle.permissions import roles_for
from workflows import Context, GuardsFailed
from workflows.application import window_open
from workflows.i18n import N_

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
# Files of an application that no announcement asks for, by their titles.
OFFICE_FILES = {operations.WITHDRAWAL_REQUEST: N_("Written request to withdraw")}
# How long a scan chosen on the withdrawal form is kept for a corrected submission.
KEPT_FILE_SECONDS = 24 * 3600


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


def _target(a: Application, name: str) -> str | None:
    """The section a button or the step list asked for, or None to stay."""
    goto = request.form.get("goto")
    if goto in SECTION_NAMES:
        return goto
    if "next" in request.form and name != SECTION_NAMES[-1]:
        return SECTION_NAMES[SECTION_NAMES.index(name) + 1]
    return None


def _next_url(a: Application, name: str) -> str:
    if "add" in request.form:
        return url_for(".section", application_id=a.id, name=name, add=1) + "#last-row"
    return url_for(".section", application_id=a.id, name=_target(a, name) or name)


def _valid(form, converters: dict) -> dict:
    """The converted values of the fields that passed their checks. A field with an error is
    left out, so the draft keeps what it had; its input comes back on the page, marked."""
    return {
        name: convert(form[name]) for name, convert in converters.items() if not form[name].errors
    }


def _text(field) -> str:
    return (field.data or "").strip()


def _row(row, before, converters: dict, defaults: dict) -> dict:
    """One row of a table form: a valid field as typed; a field with an error as the row
    stored at the same place had it (else its default), so an error never erases a saved
    figure."""
    return {
        name: convert(row[name])
        if not row[name].errors
        else (getattr(before, name) if before is not None else defaults.get(name))
        for name, convert in converters.items()
    }


def _stored_row(stored: list, i: int, kept: int, row, key: str, convert):
    """The stored row a posted row stands for, if it can be told. The page shows the rows
    in their stored order, so it is the row at the same place (``i``); but a background save
    drops a removed or emptied row while the page still shows it, and then it is the row
    after those kept so far (``kept``). Where the two differ, the name (the description, the
    item) decides; when nothing decides, None: no figure is taken from the wrong row."""
    candidates = [stored[n] for n in dict.fromkeys((i, kept)) if n < len(stored)]
    if not row[key].errors:
        named = [x for x in candidates if getattr(x, key) == convert(row[key])]
        if named:
            return named[0]
    return candidates[0] if len(candidates) == 1 and i == kept else None


def _applicant(a: Application, form_data):
    form = ApplicantForm(obj=None if form_data else a, data=None)
    if not form_data:
        form.group_members.data = "\n".join(
            f"{m.get('name', '')} — {m['role']}" if m.get("role") else m.get("name", "")
            for m in a.group_members or []
        )
        form.applicant_kind.data = a.applicant_kind.value

    def members(field):
        found = []
        for line in (field.data or "").splitlines():
            name, _sep, role = line.partition("—")
            if name.strip():
                found.append({"name": name.strip()[:200], "role": role.strip()[:200]})
        return found

    def save():
        fields = _valid(
            form,
            {
                "applicant_kind": lambda f: ApplicantKind(f.data or "individual"),
                "applicant_name": _text,
                "organisation_name": _text,
                "group_members": members,
                "contact_phone": _text,
                "contact_email": _text,
                "village": _text,
                "address": _text,
                "id_document_number": _text,
            },
        )
        operations.update_draft(a, current_user, **fields)

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
        fields = _valid(
            form,
            {
                "title": _text,
                "initiative_kind": lambda f: InitiativeKind(f.data or "co_financing"),
                "priority_topic": lambda f: f.data or "",
                "problem": _text,
                "goal": _text,
                "target_groups": _text,
                "sustainability": _text,
            },
        )
        operations.update_draft(a, current_user, **fields)

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


def _data(field):
    return field.data


def _plan(a: Application, form_data):
    form = _rows_form(
        PlanForm,
        "activities",
        a.activities,
        form_data,
        **{k: _attr(k) for k in ("description", "starts_on", "ends_on", "responsible")},
    )
    converters = {
        "description": _text,
        "starts_on": _data,
        "ends_on": _data,
        "responsible": _text,
    }

    def save():
        stored = list(a.activities)
        rows = []
        for i, entry in enumerate(form.activities):
            r = entry.form
            if r.remove.data:
                continue
            before = _stored_row(stored, i, len(rows), r, "description", _text)
            row = _row(r, before, converters, {"description": ""})
            if row["starts_on"] and row["ends_on"] and row["starts_on"] > row["ends_on"]:
                row["ends_on" if r.ends_on.errors else "starts_on"] = None  # the kept one
            if row["description"]:
                rows.append(row)
        operations.set_activities(a, current_user, rows)

    return form, save, {"row_title": lambda n: _("Activity %(n)s", n=n), "rows": "activities"}


def _groups(a: Application) -> list[tuple[str, str]]:
    codes = a.competition.municipality.participant_groups or list(PARTICIPANT_GROUPS)
    return [(code, PARTICIPANT_GROUPS.get(code, code)) for code in codes]


def _people(a: Application, form_data):
    groups = _groups(a)
    form = participants_form(groups, None if form_data else a.expected_participants)

    def save():
        stored = a.expected_participants or {}
        counts = {}
        for code, _title in groups:
            field = getattr(form, f"group_{code}")
            value = stored.get(code) if field.errors else field.data
            if value is not None:
                counts[code] = value
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
    converters = {
        "item": _text,
        "unit": _text,
        "quantity": lambda f: f.data if f.data is not None else 1,
        **{k: lambda f: f.data or 0 for k in BUDGET_AMOUNTS},
    }
    defaults = {"item": "", "unit": "", "quantity": 1, **dict.fromkeys(BUDGET_AMOUNTS, 0)}

    def save():
        stored = list(a.budget_lines)
        rows = []
        for i, entry in enumerate(form.lines):
            r = entry.form
            if r.remove.data:
                continue
            before = _stored_row(stored, i, len(rows), r, "item", _text)
            row = _row(r, before, converters, defaults)
            if row["item"]:
                rows.append(row)
        operations.set_budget_lines(a, current_user, rows)

    return (
        form,
        save,
        {
            "row_title": lambda n: _("Item %(n)s", n=n),
            "rows": "lines",
            "figures": money_format(),
            "over_max": _over_max,
        },
    )


def money_format() -> dict:
    """How the page's language writes money, for the live totals to write it as the server
    does ("19 000,00 сом", not "19,000.00")."""
    locale = get_locale()
    percent = locale.percent_formats[None]
    return {
        "group": get_group_symbol(locale),
        "decimal": get_decimal_symbol(locale),
        "unit": _("som"),
        "percent_prefix": percent.prefix[0],
        "percent_suffix": percent.suffix[0],
    }


def _over_max(a: Application) -> bool:
    """Whether the saved request is above the maximum grant: the submit step would refuse
    it, and the budget step, where the figure is typed, says so first."""
    maximum = a.competition.max_grant
    return maximum is not None and a.requested_amount > maximum


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
    return form, None, {"missing": missing, "doc_titles": {**dict(_doc_types(a)), **OFFICE_FILES}}


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


def unsaved(form, row_title=None) -> list[tuple[str, str, str]]:
    """(label, error, field id) of every field whose input was not saved; rows marked for
    removal do not count."""
    found = []
    for field in form:
        if field.name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            for n, entry in enumerate(field.entries, start=1):
                if entry.form.remove.data:
                    continue
                for sub in entry.form:
                    if sub.errors:
                        label = (
                            f"{row_title(n)} · {sub.label.text}" if row_title else sub.label.text
                        )
                        found.append((label, str(sub.errors[0]), sub.id))
        elif field.errors:
            found.append((field.label.text, str(field.errors[0]), field.id))
    return found


def _expired(form) -> bool:
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


@bp.route("/applications/<int:application_id>/edit/<name>", methods=["GET", "POST"])
@login_required
def section(application_id: int, name: str):
    if name not in SECTION_FORMS:
        abort(404)
    a = load(application_id)
    background = request.method == "POST" and "autosave" in request.form
    if a.state != "draft":
        if background:
            return "", 409
        flash(_("This application is submitted; it can no longer be changed."), "info")
        return redirect(url_for(".view", application_id=a.id))
    if not access.can_edit(current_user, a):
        abort(403)
    posted = request.method == "POST"
    form, save, extra = SECTION_FORMS[name](a, posted)
    row_title = extra.pop("row_title", None)
    status, not_saved, leave_to = 200, [], None
    if posted:
        if save is None:
            abort(405)
        form.validate_on_submit()
        if _expired(form):  # nothing is saved from a form whose token expired
            if background:
                return "", 400
            status = INVALID
        else:
            save()
            db.session.commit()
            not_saved = unsaved(form, row_title)
            if not not_saved:
                if background:
                    return "", 204
                flash(_("Saved."), "success")
                return redirect(_next_url(a, name))
            if background:
                return "", INVALID
            status = INVALID
            target = _target(a, name)
            leave_to = (target, dict(SECTIONS)[target]) if target and target != name else None
            if "add" in request.form and extra.get("rows"):
                getattr(form, extra["rows"]).append_entry()
    return render_template(
        f"applications/section_{name}.html",
        a=a,
        form=form,
        name=name,
        sections=SECTIONS,
        problems=extra.pop("problems", None),
        unsaved=not_saved,
        leave_to=leave_to,
        **extra,
    ), status


# --- attachments ------------------------------------------------------------------------------


@bp.post("/applications/<int:application_id>/attachments")
@login_required
def upload(application_id: int):
    """Attach a file; from the step list or "continue", attach the file chosen (if any) and
    go on, so a file picked but not yet attached is not left behind."""
    a = load_editable(application_id)
    form, _save, extra = _documents(a, True)
    goto = request.form.get("goto")
    goto = goto if goto in SECTION_NAMES else None
    chosen = request.files.get("file")
    if goto and not (chosen and chosen.filename):
        return redirect(url_for(".section", application_id=a.id, name=goto))
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
            return redirect(url_for(".section", application_id=a.id, name=goto or "documents"))
    return render_template(
        "applications/section_documents.html",
        a=a,
        form=form,
        name="documents",
        sections=SECTIONS,
        problems=None,
        leave_to=(goto, dict(SECTIONS)[goto]) if goto and goto != "documents" else None,
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
    if a.owner_id == current_user.id and current_user.needs_phone_proof:
        # The receipt and every decision go to this number: it must be theirs (issue 22).
        flash(
            _(
                "Confirm your phone number before you submit: type the code we sent you by "
                "SMS. Your draft is kept."
            ),
            "warning",
        )
        review = url_for(".section", application_id=a.id, name="review")
        return redirect(url_for("auth.confirm_phone", next=review), 303)
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
    """The applicant's own withdrawal. The office records one asked for in writing
    (``record_withdrawal``); it never withdraws for her."""
    a = load(application_id)
    if not access.is_owner(current_user, a):
        abort(403)
    if _final_step(a, "withdraw", None) is not None:
        flash(_("The application is withdrawn."), "info")
    return redirect(url_for(".view", application_id=a.id))


def _kept_files() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="withdrawal-request")


def _kept_file(token: str | None, a: Application) -> dict | None:
    """The scan chosen on a refused submission of the form, if the token is ours, recent,
    and for this application and this staff member."""
    if not token:
        return None
    try:
        kept = _kept_files().loads(token, max_age=KEPT_FILE_SECONDS)
    except BadSignature:
        return None
    if kept.get("application_id") != a.id or kept.get("user_id") != current_user.id:
        return None
    return kept


def _written_request(form: WithdrawalRecordForm, a: Application) -> dict | None:
    """The scan of the applicant's request: a newly chosen file (checked by its content and
    stored at once, so a refused submission does not lose it) or the one kept before."""
    chosen = form.file.data
    if chosen is not None and getattr(chosen, "filename", ""):
        content = chosen.read()
        try:
            content_type = sniff(content, current_app.config["MAX_ATTACHMENT_BYTES"])
        except BadFile as bad:
            form.file.errors = [_(bad.message, **bad.params)]
            return None
        stored_as, digest = operations.store_file(content)
        return {
            "application_id": a.id,
            "user_id": current_user.id,
            "stored_as": stored_as,
            "sha256": digest,
            "filename": chosen.filename,
            "content_type": content_type,
            "size_bytes": len(content),
        }
    kept = _kept_file(form.kept_file.data, a)
    if kept is None:
        form.file.errors = [_("Attach the scan of the applicant's written request.")]
    return kept


def _withdrawal_step(a: Application):
    """(transition, reasons it cannot be taken now), or None when the step does not exist
    in this state."""
    return next(
        ((t, r) for t, r in available(a, current_user) if t.trigger == "record_withdrawal"), None
    )


@bp.route("/applications/<int:application_id>/withdrawal", methods=["GET", "POST"])
@login_required
def record_withdrawal(application_id: int):
    """The office records a withdrawal the applicant asked for on paper: the reason, the
    scan of her signed request, a confirmation; she is told, in her language."""
    a = load(application_id)
    if not roles_for(current_user, a) & access.CLERKS:
        abort(403)
    form = WithdrawalRecordForm()
    step = _withdrawal_step(a)
    page = {"a": a, "form": form, "kept": None, "doc_titles": _titles()}
    if step is None or step[1]:
        problems = [explain(r) for r in step[1]] if step else []
        problems = problems or [_("This application can no longer be withdrawn.")]
        return render_template(
            "applications/record_withdrawal.html", problems=problems, **page
        ), 409
    if request.method == "GET":
        return render_template("applications/record_withdrawal.html", problems=None, **page)
    form.validate_on_submit()
    if _expired(form):  # the page is shown again with what was typed; no file is stored
        return render_template("applications/record_withdrawal.html", problems=None, **page), 400
    written = _written_request(form, a)
    if not form.confirm.data:
        form.confirm.errors = [_("This step is final: tick the confirmation box to take it.")]
    if written is not None and not form.errors:
        try:
            done = operations.record_withdrawal(
                a, current_user, reason=form.reason.data, written_request=written
            )
        except GuardsFailed as refused:
            db.session.rollback()
            a = load(a.id)
            page["a"] = a
            problems = [explain(r) for r in refused.reasons]
            return render_template(
                "applications/record_withdrawal.html", problems=problems, **page
            ), 409
        db.session.commit()
        after_commit(done.documents)
        flash(_("The withdrawal is recorded; the applicant is notified."), "success")
        return redirect(url_for(".view", application_id=a.id))
    if written is not None:
        form.kept_file.data = _kept_files().dumps(written)
        page["kept"] = written
    return render_template("applications/record_withdrawal.html", problems=None, **page), INVALID


# --- reading ----------------------------------------------------------------------------------


def _titles() -> dict:
    return {**REQUIRED_DOCUMENTS, **EXTRA_ATTACHMENTS, **OFFICE_FILES}


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
    recording = _withdrawal_step(a)
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
        can_record_withdrawal=recording is not None,
        record_problems=[explain(r) for r in recording[1]] if recording else [],
        doc_titles=_titles(),
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
