"""The operator's pages under /admin: municipalities, their import, their staff, departures.

Only an administrator (the national operator) reaches them; to anyone else the whole
/admin address space does not exist (404), so it does not advertise itself.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from forms.admin import ConfirmForm, ConfirmImportForm, ImportForm, MunicipalityForm
from initiatives.admin import importing, operations, preview
from initiatives.admin.staff import invite_page
from initiatives.auth.models import RoleGrant, User
from initiatives.core.enums import PARTICIPANT_GROUPS
from initiatives.core.errors import Refused
from initiatives.extensions import db, login_manager
from initiatives.i18n import _
from initiatives.municipalities.models import Municipality
from initiatives.paging import paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
SEARCHED = ("slug", "name_ky", "name_ru", "name_en", "region", "district")
MAX_UPLOAD = 5 * 1024 * 1024  # a list of every municipality is some 200 KB


@bp.before_request
def administrators_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(404)


# --- the list -------------------------------------------------------------------------------


@bp.get("/")
def municipalities():
    q = (request.args.get("q") or "").strip()[:100]
    rows = db.session.scalars(
        select(Municipality).order_by(Municipality.region, Municipality.name_ru)
    ).all()
    if q:
        # Compared in Python: SQLite's lower() leaves Cyrillic as it is, and the country's
        # 453 municipalities are a short list.
        wanted = q.casefold()
        rows = [
            m for m in rows if any(wanted in (getattr(m, c) or "").casefold() for c in SEARCHED)
        ]
    page = paginate(list(rows), request.args.get("page", type=int), PAGE_SIZE)
    return render_template("admin/municipalities.html", page=page, q=q)


# --- one municipality ------------------------------------------------------------------------


def _editable_columns() -> list[str]:
    form = MunicipalityForm(meta={"csrf": False}, formdata=None)
    names = [f.name for f in form if f.name not in ("csrf_token", "standard_groups", "own_groups")]
    return [n for n in names if hasattr(Municipality, n)] + ["participant_groups"]


def _stored(m: Municipality | None) -> dict:
    if m is None:  # the model regulation's defaults
        data = {
            "min_commission_size": 5,
            "odd_commission": True,
            "min_application_days": 14,
            "min_own_share": 10,
            "document_languages": "ky+ru",
            "reminder_days": 7,
            "standard_groups": list(PARTICIPANT_GROUPS),
        }
        return data
    data = {name: getattr(m, name) for name in _editable_columns() if name != "participant_groups"}
    if m.regulation_date:
        data["regulation_date"] = date.fromisoformat(m.regulation_date)
    groups = list(m.participant_groups or [])
    data["standard_groups"] = [g for g in groups if g in PARTICIPANT_GROUPS]
    data["own_groups"] = "\n".join(g for g in groups if g not in PARTICIPANT_GROUPS)
    return data


def _values(form: MunicipalityForm) -> dict:
    values = {}
    for name in _editable_columns():
        if name == "participant_groups":
            values[name] = form.participant_groups()
            continue
        value = getattr(form, name).data
        if isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    day = values.get("regulation_date")
    values["regulation_date"] = day.isoformat() if day else None
    if not values.get("name_en"):
        values["name_en"] = values["name_ru"]
    return values


def _municipality_form(m: Municipality | None):
    form = MunicipalityForm(data=_stored(m))
    if form.validate_on_submit():
        try:
            if m is None:
                m = operations.create_municipality(current_user, **_values(form))
                flash(_("The municipality is created."), "success")
            else:
                operations.update_municipality(m, current_user, **_values(form))
                flash(_("The municipality is saved."), "success")
        except Refused as refused:
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, _(refused.reason.message)]
        else:
            db.session.commit()
            return redirect(url_for("admin.edit_municipality", municipality_id=m.id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/municipality.html", form=form, m=m), status


@bp.route("/municipalities/new", methods=["GET", "POST"])
def new_municipality():
    return _municipality_form(None)


@bp.route("/municipalities/<int:municipality_id>", methods=["GET", "POST"])
def edit_municipality(municipality_id: int):
    return _municipality_form(db.get_or_404(Municipality, municipality_id))


# --- import ----------------------------------------------------------------------------------


def _message(message: str, params: dict) -> str:
    try:
        return _(message, **params)
    except (KeyError, ValueError, TypeError):
        return message


@bp.route("/municipalities/import", methods=["GET", "POST"])
def import_municipalities():
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("admin/import.html", form=form, rows=None), status
    upload = form.spreadsheet.data
    content = upload.read(MAX_UPLOAD + 1) if upload else b""
    if not content:
        form.spreadsheet.errors = [_("Choose the file to import.")]
        return render_template("admin/import.html", form=form, rows=None), 422
    if len(content) > MAX_UPLOAD:
        form.spreadsheet.errors = [_("The file is larger than 5 MB.")]
        return render_template("admin/import.html", form=form, rows=None), 422
    filename = (upload.filename or "")[:200]
    try:
        rows = importing.parse(filename, content)
    except importing.ImportError_ as refused:
        form.spreadsheet.errors = [_message(refused.message, refused.params)]
        return render_template("admin/import.html", form=form, rows=None), 422
    valid = [r.values for r in rows if r.valid]
    key = preview.keep(current_user.id, filename, valid) if valid else ""
    return render_template(
        "admin/import.html",
        form=form,
        rows=rows,
        valid=len(valid),
        confirm=ConfirmImportForm(data={"key": key}),
        columns=importing.columns(),
        row_error=_message,
        filename=filename,
    )


@bp.post("/municipalities/import/confirm")
def confirm_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    kept = preview.take(current_user.id, form.key.data or "")
    if kept is None:
        flash(_("This preview is no longer available: upload the file again."), "warning")
        return redirect(url_for("admin.import_municipalities"))
    made = operations.import_municipalities(
        current_user, kept["rows"], filename=kept.get("filename", "")
    )
    db.session.commit()
    skipped = len(kept["rows"]) - len(made)
    flash(_("%(count)d municipalities imported.", count=len(made)), "success")
    if skipped:
        flash(
            _("%(count)d rows were skipped: their slug was taken meanwhile.", count=skipped),
            "warning",
        )
    return redirect(url_for("admin.municipalities"))


@bp.get("/municipalities/template.<any(csv, xlsx):fmt>")
def import_template(fmt: str):
    if fmt == "xlsx":
        body = importing.template_xlsx()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, kind = importing.template_csv(), "text/csv; charset=utf-8"
    return Response(
        body,
        mimetype=kind,
        headers={"Content-Disposition": f"attachment; filename=municipalities.{fmt}"},
    )


# --- staff and departures ----------------------------------------------------------------------


@bp.route("/municipalities/<int:municipality_id>/staff", methods=["GET", "POST"])
def staff(municipality_id: int):
    m = db.get_or_404(Municipality, municipality_id)
    return invite_page(m, roles=("specialist", "head"), endpoint="admin.staff", may_end=True)


@bp.route("/grants/<int:grant_id>/end", methods=["GET", "POST"])
def end_role(grant_id: int):
    grant = db.get_or_404(RoleGrant, grant_id)
    user, m = grant.user, grant.municipality
    back = url_for("admin.staff", municipality_id=m.id) if m else url_for("admin.municipalities")
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.end_role(grant, current_user)  # a refusal is a 409 page with the reason
        db.session.commit()
        flash(_("The role of %(name)s has ended.", name=user.full_name), "success")
        return redirect(back)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/confirm.html",
        form=form,
        title=_("End a role"),
        question=_(
            "%(name)s will no longer act as %(role)s. What they signed, scored and did stays "
            "under their name.",
            name=user.full_name,
            role=_(grant.role.title).lower(),
        ),
        button=_("End the role"),
        back=back,
    ), status


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if not user.active:
        abort(404)
    form = ConfirmForm()
    back = request.args.get("back", type=int)
    back_url = (
        url_for("admin.staff", municipality_id=back)
        if back and db.session.get(Municipality, back)
        else url_for("admin.municipalities")
    )
    if form.validate_on_submit():
        operations.deactivate_account(user, current_user)  # refused: a 409 page
        db.session.commit()
        flash(_("The account of %(name)s is closed.", name=user.full_name), "success")
        return redirect(back_url)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/confirm.html",
        form=form,
        title=_("Close an account"),
        question=_(
            "%(name)s will no longer be able to log in; every session of the account ends "
            "now and every role of it ends. Their signed documents, scores and the audit "
            "trail stay.",
            name=user.full_name,
        ),
        button=_("Close the account"),
        back=back_url,
    ), status
