"""Setting a competition up: money, commission, terms and criteria, until the announcement.

Each page shows what is recorded and a form; after the announcement the same pages show the
record read-only and any POST is refused (409) by the operations. Form errors re-render the
page with everything the user typed, with status 422.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from forms.base import option
from forms.competitions import (
    CriteriaForm,
    NewCompetitionForm,
    OrderForm,
    SeatForm,
    SourceForm,
    TermsForm,
)
from forms.scoring import ScoringRulesForm
from initiatives.auth.models import RoleGrant, User
from initiatives.competitions import operations, queries
from initiatives.competitions.models import CommissionSeat, Competition, FundingSource
from initiatives.competitions.operations import EDITABLE_STATES
from initiatives.competitions.rules import CHAIN, terms_problems
from initiatives.core.enums import ApplicantKind, Role, SeatCategory, SeatRole, SourceKind
from initiatives.extensions import db
from initiatives.i18n import _, explain
from initiatives.lifecycle.permissions import roles_for
from initiatives.municipalities.models import Municipality
from initiatives.notifications import operations as notifications
from workflows import COMPETITION, Context

bp = Blueprint("setup", __name__)

EDITORS = {"specialist", "head", "admin"}
BISHKEK = ZoneInfo("Asia/Bishkek")
INVALID = 422
LANGUAGES = ("ky", "ru", "en")


def to_utc(local: datetime | None) -> datetime | None:
    """Deadlines are typed in Bishkek time and stored in UTC."""
    return None if local is None else local.replace(tzinfo=BISHKEK).astimezone(UTC)


def to_local(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(BISHKEK).replace(tzinfo=None)


def _competition(competition_id: int) -> Competition:
    c = queries.one_visible_or_404(current_user, competition_id)
    if not roles_for(current_user, c) & EDITORS:
        abort(403)
    return c


def _render(template: str, c: Competition, status: int = 200, **context):
    return (
        render_template(template, c=c, editable=c.state in EDITABLE_STATES, **context),
        status,
    )


def _back(c: Competition, endpoint: str):
    return redirect(url_for(endpoint, competition_id=c.id))


# --- a new competition ----------------------------------------------------------------------


def _municipalities_for(user: User) -> list[Municipality]:
    stmt = select(Municipality).order_by(Municipality.name_ru)
    if not user.is_admin:
        ids = [
            g.municipality_id
            for g in user.grants
            if g.role in (Role.SPECIALIST, Role.HEAD) and g.municipality_id is not None
        ]
        stmt = stmt.where(Municipality.id.in_(ids))
    return list(db.session.scalars(stmt))


@bp.route("/competitions/new", methods=["GET", "POST"])
@login_required
def new():
    municipalities = _municipalities_for(current_user)
    if not municipalities:
        abort(403)
    form = NewCompetitionForm()
    locale = str(get_locale())
    form.municipality_id.choices = [option(m.id, m.name(locale)) for m in municipalities]
    if request.method == "GET":
        form.year.data = datetime.now(BISHKEK).year
    if form.validate_on_submit():
        municipality = db.session.get(Municipality, form.municipality_id.data)
        c = operations.create_competition(
            municipality,
            form.year.data,
            current_user,
            title_ky=form.title_ky.data.strip(),
            title_ru=form.title_ru.data.strip(),
            title_en=(form.title_en.data or "").strip(),
        )
        db.session.commit()
        flash(_("The competition is created. Record its money first."), "success")
        return _back(c, "setup.budget")
    status = INVALID if form.is_submitted() else 200
    return render_template("setup/new.html", form=form), status


# --- money --------------------------------------------------------------------------------


@bp.route("/competitions/<int:competition_id>/budget", methods=["GET", "POST"])
@login_required
def budget(competition_id: int):
    c = _competition(competition_id)
    form = SourceForm()
    editing = None
    if request.method == "GET" and request.args.get("edit", type=int):
        editing = _source(c, request.args.get("edit", type=int))
        form = SourceForm(obj=editing, source_id=editing.id, kind=editing.kind.value)
    if form.validate_on_submit() and _save_source(c, form):
        db.session.commit()
        flash(_("The source of money is saved."), "success")
        return _back(c, "setup.budget")
    status = INVALID if form.is_submitted() else 200
    if form.is_submitted() and form.source_id.data:
        editing = _source(c, int(form.source_id.data))
    return _render("setup/budget.html", c, status, form=form, editing=editing, kinds=SourceKind)


def _save_source(c: Competition, form: SourceForm) -> bool:
    """Save the form's source; False when a rule refused it, with the reason on its field."""
    source = _source(c, int(form.source_id.data)) if form.source_id.data else None
    try:
        operations.save_funding_source(
            c,
            current_user,
            source,
            kind=SourceKind(form.kind.data),
            name=form.name.data.strip(),
            name_ru=(form.name_ru.data or "").strip(),
            amount=form.amount.data,
            decision_number=(form.decision_number.data or "").strip() or None,
            decision_date=form.decision_date.data,
            budget_line=(form.budget_line.data or "").strip() or None,
            **{
                f"conditions_{code}": (getattr(form, f"conditions_{code}").data or "").strip()
                for code in LANGUAGES
            },
            per_winner_cap=form.per_winner_cap.data,
        )
    except operations.FieldRefused as refused:
        getattr(form, refused.field).errors.append(explain(refused.reason))
        return False
    return True


def _source(c: Competition, source_id: int) -> FundingSource:
    source = next((s for s in c.funding_sources if s.id == source_id), None)
    if source is None:
        abort(404)
    return source


@bp.post("/competitions/<int:competition_id>/budget/<int:source_id>/delete")
@login_required
def delete_source(competition_id: int, source_id: int):
    c = _competition(competition_id)
    operations.remove_funding_source(c, current_user, _source(c, source_id))
    db.session.commit()
    flash(_("The source of money is removed."), "success")
    return _back(c, "setup.budget")


# --- commission -------------------------------------------------------------------------------


def _candidates(c: Competition) -> list[User]:
    """People the municipality already knows: its staff and anyone who sat on one of its
    commissions. Others are found by their e-mail or phone, so the page never lists the
    users of other municipalities."""
    staff = select(RoleGrant.user_id).where(RoleGrant.municipality_id == c.municipality_id)
    seated = (
        select(CommissionSeat.user_id)
        .join(Competition, Competition.id == CommissionSeat.competition_id)
        .where(Competition.municipality_id == c.municipality_id)
    )
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), or_(User.id.in_(staff), User.id.in_(seated)))
            .order_by(User.full_name)
        )
    )


def _seat_form(c: Competition, **kwargs) -> SeatForm:
    form = SeatForm(prefix="seat", **kwargs)
    seated = {s.user_id for s in c.seats}
    form.user_id.choices = [option(0, _("— an outside person —"))] + [
        option(u.id, u.full_name) for u in _candidates(c) if u.id not in seated
    ]
    return form


def _commission_rules(c: Competition) -> list:
    t = COMPETITION.any_transition("form_commission")
    ctx = Context(data={}, now=datetime.now(UTC))
    return [r for g in t.guards if (r := g(c, ctx)) is not None]


@bp.route("/competitions/<int:competition_id>/commission", methods=["GET", "POST"])
@login_required
def commission(competition_id: int):
    c = _competition(competition_id)
    form = _seat_form(c)
    order = OrderForm(prefix="order", obj=c)
    valid = form.validate_on_submit()
    user = None
    if valid and form.user_id.data:
        # Only the people this municipality knows are offered (``_candidates``).
        user = next((u for u in _candidates(c) if u.id == form.user_id.data), None)
        if user is None:
            form.user_id.errors.append(_("Not a valid choice."))
            valid = False
    if valid:
        valid = _add_seat(c, form, user)
    if valid:
        db.session.commit()
        notifications.deliver_pending()  # the invitation's e-mail, after the commit
        if user is not None or (form.login.data or "").strip():
            # The same words whether or not an account has this login: the page must not
            # tell a specialist who is registered in the country.
            flash(
                _(
                    "The invitation is recorded. The person sees it after logging in with "
                    "this e-mail or phone; the seat counts once they accept it."
                ),
                "success",
            )
        else:
            flash(_("The member is added to the commission."), "success")
        return _back(c, "setup.commission")
    status = INVALID if request.method == "POST" else 200
    return _render(
        "setup/commission.html", c, status, form=form, order=order, rules=_commission_rules(c)
    )


def _add_seat(c: Competition, form: SeatForm, user: User | None) -> bool:
    """Seat the form's person; False when a rule refused it (a second chair, a person
    seated already), with the reason on the field it is about."""
    try:
        seat = operations.add_seat(
            c,
            current_user,
            user=user,
            invited_login=(form.login.data or "").strip() or None,
            outside_name=(form.outside_name.data or "").strip() or None,
            position=(form.position.data or "").strip(),
            position_ru=(form.position_ru.data or "").strip(),
            seat_role=SeatRole(form.seat_role.data),
            category=SeatCategory(form.category.data),
        )
    except operations.FieldRefused as refused:
        field = refused.field
        if field == "user":
            field = "login" if (form.login.data or "").strip() else "user_id"
        getattr(form, field).errors.append(explain(refused.reason))
        return False
    if not seat.accepted:
        notifications.seat_offered(seat)
    return True


@bp.post("/competitions/<int:competition_id>/commission/order")
@login_required
def commission_order(competition_id: int):
    c = _competition(competition_id)
    order = OrderForm(prefix="order")
    if order.validate_on_submit():
        operations.record_commission_order(
            c, current_user, number=order.order_number.data.strip(), on=order.order_date.data
        )
        db.session.commit()
        flash(_("The head's order is recorded."), "success")
        return _back(c, "setup.commission")
    form = _seat_form(c, formdata=None)  # the order was sent, not a member: an empty one
    return _render(
        "setup/commission.html", c, INVALID, form=form, order=order, rules=_commission_rules(c)
    )


@bp.post("/competitions/<int:competition_id>/commission/<int:seat_id>/delete")
@login_required
def delete_seat(competition_id: int, seat_id: int):
    c = _competition(competition_id)
    seat = next((s for s in c.seats if s.id == seat_id), None)
    if seat is None:
        abort(404)
    operations.remove_seat(c, current_user, seat)
    db.session.commit()
    flash(_("The member is removed from the commission."), "success")
    return _back(c, "setup.commission")


# --- terms --------------------------------------------------------------------------------


TEXT_FIELDS = tuple(
    f"{name}_{code}" for name in ("title", "text", "paper_intake") for code in LANGUAGES
)


def _terms_form(c: Competition) -> TermsForm:
    if request.method == "POST":
        form = TermsForm()
    else:
        form = TermsForm(obj=c)
        form.eligible_applicants.data = list((c.settings or {}).get("eligible_applicants", []))
        for name in CHAIN:
            getattr(form, name).data = to_local(getattr(c, name))
    form.set_priority_choices(list(c.regulation.priorities))
    return form


@bp.route("/competitions/<int:competition_id>/terms", methods=["GET", "POST"])
@login_required
def terms(competition_id: int):
    c = _competition(competition_id)
    form = _terms_form(c)
    if form.validate_on_submit():
        values = {name: to_utc(getattr(form, name).data) for name in CHAIN}
        values["max_grant"] = form.max_grant.data
        problems = terms_problems(c, values)
        for name, reason in problems.items():
            getattr(form, name).errors.append(explain(reason))
        if not problems:
            settings = dict(c.settings or {})
            settings["eligible_applicants"] = [
                k.value for k in ApplicantKind if k.value in form.eligible_applicants.data
            ]
            operations.update_terms(
                c,
                current_user,
                **{name: (getattr(form, name).data or "").strip() for name in TEXT_FIELDS},
                **values,
                priorities=list(form.priorities.data),
                required_documents=list(form.required_documents.data),
                min_own_share=form.min_own_share.data,
                settings=settings,
            )
            db.session.commit()
            flash(_("The terms are saved."), "success")
            return _back(c, "setup.terms")
    status = INVALID if form.is_submitted() else 200
    return _render("setup/terms.html", c, status, form=form)


# --- criteria -----------------------------------------------------------------------------


@bp.route("/competitions/<int:competition_id>/criteria", methods=["GET", "POST"])
@login_required
def criteria(competition_id: int):
    """The criteria and the rules that turn their scores into results: one form, so that
    saving one part never puts back what was typed in the other (it did, as two forms)."""
    c = _competition(competition_id)
    if request.method == "GET":
        form = CriteriaForm(
            data={"criteria": [{"criterion_id": k.id, **_criterion_data(k)} for k in c.criteria]}
        )
        rules = _rules_form(c)
    else:
        form, rules = CriteriaForm(), ScoringRulesForm()
    if request.values.get("add"):  # a row more, and what was typed stays (nothing is saved)
        _add_row(form)
        return _render("setup/criteria.html", c, form=form, rules=rules)
    valid = form.validate_on_submit()
    valid = rules.validate_on_submit() and valid  # both, so that each shows its errors
    if valid:
        operations.set_criteria(c, current_user, _criteria_rows(form))
        operations.update_terms(
            c, current_user, settings={**(c.settings or {}), **rules.settings()}
        )
        db.session.commit()
        flash(_("The criteria and the scoring rules are saved."), "success")
        return _back(c, "setup.criteria")
    status = INVALID if form.is_submitted() else 200
    return _render("setup/criteria.html", c, status, form=form, rules=rules)


def _add_row(form: CriteriaForm) -> None:
    if len(form.criteria) < form.criteria.max_entries:
        form.criteria.append_entry({"scale_min": 0, "scale_max": 10, "weight": 1})


def _criteria_rows(form: CriteriaForm) -> list[dict]:
    return [
        {
            "id": int(row.criterion_id.data) if row.criterion_id.data else None,
            "title_ky": row.title_ky.data.strip(),
            "title_ru": row.title_ru.data.strip(),
            "title_en": (row.title_en.data or "").strip(),
            "scale_min": row.scale_min.data,
            "scale_max": row.scale_max.data,
            "weight": row.weight.data,
        }
        for row in (entry.form for entry in form.criteria)
        if not row.remove.data
    ]


def _rules_form(c: Competition) -> ScoringRulesForm:
    """The rules as recorded. They are published with the announcement, so they are set
    before it and locked with the other terms."""
    settings = c.settings or {}
    breaks = [*list(settings.get("tie_breaks") or ["own_share", "registration"]), "registration"]
    return ScoringRulesForm(
        data={
            "blind_scoring": bool(settings.get("blind_scoring")),
            "tie_break_1": breaks[0],
            "tie_break_2": breaks[1] if breaks[1] != breaks[0] else "registration",
            "min_mean_score": _decimal(settings.get("min_mean_score")),
            "skip_unfit": settings.get("skip_unfit", True),
            "casting_vote": settings.get("casting_vote", True),
        },
    )


def _decimal(stored: str | None) -> Decimal | None:
    """Settings keep numbers as text (JSON); the form's field formats a Decimal only (a
    stored minimum mean made the page fail)."""
    return None if stored in (None, "") else Decimal(str(stored))


def _criterion_data(k) -> dict:
    return {
        "title_ky": k.title_ky,
        "title_ru": k.title_ru,
        "title_en": k.title_en,
        "scale_min": k.scale_min,
        "scale_max": k.scale_max,
        "weight": k.weight,
    }
