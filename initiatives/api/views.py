"""/api/v1: read-only open data, as JSON pages or whole CSV files.

Lists take ``page`` (from 1) and ``per_page`` (1-200, 50 by default) and answer
``{"items": [...], "page", "per_page", "total", "next"}``; ``<list>.csv`` gives every row at
once. Filters: ``municipality`` (slug), ``year``, ``state``, ``competition`` (id). A bad
parameter is a 400 with a JSON ``error``; an unknown id a 404. Every error under /api/v1,
including an unknown path or method, is JSON (``error_response``). Only published
competitions appear, and only public fields: no individual's name, contact, ID number or
file; applications and winners as ``initiatives.public.publication`` allows.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from initiatives.api import serialize
from initiatives.api.openapi import YEARS, spec
from initiatives.applications.models import Application
from initiatives.competitions.models import Competition
from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.spreadsheet import neutralise
from initiatives.extensions import db
from initiatives.grants.models import Agreement, ImplementationReport
from initiatives.municipalities.models import Municipality
from initiatives.public import portal
from initiatives.public.publication import APPLICATIONS_PUBLIC, DECISIONS_PUBLIC
from initiatives.routes import MAX_ID
from workflows.competition import AWARDED_OR_LATER

bp = Blueprint("api", __name__)

PER_PAGE, MAX_PER_PAGE = 50, 200
PREFIX = "/api/"


class BadRequest(ValueError):
    pass


@bp.errorhandler(BadRequest)
def bad_request(exc: BadRequest):
    return jsonify(error=str(exc)), 400


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(exc: HTTPException) -> Response:
    """An HTTP error under /api/v1 as the OpenAPI document says: a JSON ``error``, and the
    methods allowed with a 405. Routing errors (an unknown path, a number too large for an
    id) never reach the blueprint, so the application's error handler asks here."""
    response = jsonify(error=(exc.name or "error").lower())
    response.status_code = exc.code or 400
    for header, value in exc.get_headers():
        if header == "Allow":
            response.headers["Allow"] = value
    return response


def _arg(name: str) -> str | None:
    """The one value of a parameter; given twice, it is ambiguous."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} may be given once")
    return values[0] if values else None


def _int(name: str, default: int | None = None, low: int = 1, high: int = MAX_ID):
    """A whole number within [low, high]: an id beyond MAX_ID could not even be compared in
    the database. Present but empty is an error, not the default."""
    raw = _arg(name)
    if raw is None:
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
    if value is None or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return value


def _competition_filters(stmt, competition_column=Competition.id):
    """Filters shared by every list: published competitions only, then the asked ones."""
    stmt = stmt.where(Competition.state.in_(PUBLIC_STATES))
    slug = _arg("municipality")
    if slug:
        stmt = stmt.join(Municipality, Municipality.id == Competition.municipality_id).where(
            # No slug has a NUL, and PostgreSQL refuses to compare text that does.
            Municipality.slug == slug if "\x00" not in slug else false()
        )
    year = _int("year", low=YEARS[0], high=YEARS[1])
    if year is not None:
        stmt = stmt.where(Competition.year == year)
    state = _arg("state")
    if state is not None:
        if state not in PUBLIC_STATES:
            raise BadRequest(f"state must be one of {', '.join(PUBLIC_STATES)}")
        stmt = stmt.where(Competition.state == state)
    competition = _int("competition")
    if competition is not None:
        stmt = stmt.where(competition_column == competition)
    return stmt


def _page(name: str, stmt, row, fmt: str):
    """One page of JSON, or the whole list as CSV."""
    if fmt == "csv":
        return _csv(name, [row(x) for x in db.session.scalars(stmt)])
    page = _int("page", 1)
    per_page = _int("per_page", PER_PAGE, high=MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    more = page * per_page < total
    return jsonify(
        items=[row(x) for x in items],
        page=page,
        per_page=per_page,
        total=total,
        next=url_for(
            request.endpoint,
            **{**request.view_args, **request.args.to_dict(), "page": page + 1},
            _external=True,
        )
        if more
        else None,
    )


def _csv(name: str, rows: list[dict]) -> Response:
    """Every row at once; text that a spreadsheet would run as a formula is neutralised
    (titles and names are typed by the public)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    k: json.dumps(v, ensure_ascii=False)
                    if isinstance(v, dict | list)
                    else neutralise(v)
                    for k, v in r.items()
                }
            )
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _fmt(fmt: str | None) -> str:
    return "csv" if fmt == ".csv" else "json"


# --- lists -----------------------------------------------------------------------------------


@bp.get("/api/v1/municipalities", defaults={"ext": None})
@bp.get("/api/v1/municipalities<any('.csv'):ext>")
def municipalities(ext):
    stmt = select(Municipality).order_by(Municipality.region, Municipality.slug)
    return _page("municipalities", stmt, serialize.municipality, _fmt(ext))


@bp.get("/api/v1/competitions", defaults={"ext": None})
@bp.get("/api/v1/competitions<any('.csv'):ext>")
def competitions(ext):
    stmt = _competition_filters(
        select(Competition)
        .options(selectinload(Competition.municipality), selectinload(Competition.funding_sources))
        .order_by(Competition.id)
    )
    return _page("competitions", stmt, serialize.competition, _fmt(ext))


def _applications(states=None, published=APPLICATIONS_PUBLIC):
    """Registered applications of competitions whose ``published`` states make them public
    (``initiatives.public.publication``): the list of an open intake is not."""
    stmt = (
        select(Application)
        .join(Competition, Competition.id == Application.competition_id)
        .where(Application.number.is_not(None))
        .options(
            selectinload(Application.competition),
            selectinload(Application.budget_lines),
            selectinload(Application.award_shares),
            selectinload(Application.agreement).selectinload(Agreement.payments),
            selectinload(Application.agreement).selectinload(Agreement.refunds),
            selectinload(Application.reports).selectinload(ImplementationReport.spending),
            selectinload(Application.reports).selectinload(ImplementationReport.activities),
        )
        .where(Competition.state.in_(published))
        .order_by(Application.competition_id, Application.number)
    )
    if states is not None:
        stmt = stmt.where(Application.state.in_(states))
    return _competition_filters(stmt, Application.competition_id)


@bp.get("/api/v1/applications", defaults={"ext": None})
@bp.get("/api/v1/applications<any('.csv'):ext>")
def applications(ext):
    return _page("applications", _applications(), serialize.application, _fmt(ext))


@bp.get("/api/v1/awards", defaults={"ext": None})
@bp.get("/api/v1/awards<any('.csv'):ext>")
def awards(ext):
    """Winners once the head has announced them (the commission's proposal is not news)."""
    stmt = _applications(AWARDED_OR_LATER, DECISIONS_PUBLIC)
    return _page("awards", stmt, serialize.award, _fmt(ext))


@bp.get("/api/v1/reports", defaults={"ext": None})
@bp.get("/api/v1/reports<any('.csv'):ext>")
def reports(ext):
    """Accepted implementation reports."""
    stmt = _applications({"completed"}, DECISIONS_PUBLIC)
    return _page("reports", stmt, serialize.report, _fmt(ext))


# --- one competition --------------------------------------------------------------------------


def _published(competition_id: int) -> Competition:
    c = db.session.get(Competition, competition_id)
    if c is None or c.state not in PUBLIC_STATES:
        return None
    return c


@bp.get("/api/v1/competitions/<int:competition_id>")
def competition(competition_id: int):
    c = _published(competition_id)
    if c is None:
        return jsonify(error="no such published competition"), 404
    body = serialize.competition(c)
    body["applications"] = portal.application_count(c)
    body["criteria"] = [
        {
            "position": k.position,
            "title_ky": k.title_ky,
            "title_ru": k.title_ru,
            "title_en": k.title_en,
            "scale_min": k.scale_min,
            "scale_max": k.scale_max,
            "weight": f"{k.weight:.2f}",
        }
        for k in c.criteria
    ]
    return jsonify(body)


@bp.get("/api/v1/competitions/<int:competition_id>/results", defaults={"ext": None})
@bp.get("/api/v1/competitions/<int:competition_id>/results<any('.csv'):ext>")
def results(competition_id: int, ext):
    c = _published(competition_id)
    if c is None:
        return jsonify(error="no such published competition"), 404
    published = portal.results(c)
    if published is None:
        return jsonify(error="the results are not published yet"), 404
    snap_rows = published["document"].snapshot["results"]["rows"]
    rows = [serialize.result_row(r, c.id) for r in snap_rows]
    if _fmt(ext) == "csv":
        return _csv(f"results-{c.id}", rows)
    return jsonify(
        items=rows,
        document=url_for("documents.verify", token=published["document"].token, _external=True),
    )


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(spec(request.url_root.rstrip("/")))


@bp.get("/open-data")
def docs():
    """A page for people: what the API offers, and the CSV files to download."""
    return render_template("public/open_data.html")
