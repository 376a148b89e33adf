"""Pages anyone may read, without login. No personal data here, ever."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import Competition
from initiatives.core.enums import PRIORITIES, REQUIRED_DOCUMENTS, ApplicantKind
from initiatives.extensions import db
from initiatives.grants import summary
from initiatives.municipalities.models import Municipality
from initiatives.public import portal

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Open competitions first, then every municipality with its published competitions."""
    competitions = portal.competitions_of()
    return render_template(
        "public/index.html",
        open_now=[c for c in competitions if c.state == "announced"],
        recent=[c for c in competitions if c.state != "announced"][:12],
        municipalities=portal.municipalities(),
    )


@bp.get("/m/<slug>")
def municipality(slug: str):
    m = db.session.scalars(select(Municipality).where(Municipality.slug == slug)).one_or_none()
    if m is None:
        abort(404)
    return render_template(
        "public/municipality.html", m=m, competitions=portal.competitions_of(m.id)
    )


@bp.get("/announcements/<int:competition_id>")
def competition(competition_id: int):
    """The public announcement: what the announcement document says, in the visitor's
    language, with the registered PDFs (announcement and the blank form) to download."""
    c = db.session.scalars(
        select(Competition)
        .where(Competition.id == competition_id, Competition.state.in_(queries.PUBLIC_STATES))
        .options(
            selectinload(Competition.municipality),
            selectinload(Competition.funding_sources),
            selectinload(Competition.criteria),
        )
    ).one_or_none()
    if c is None:
        abort(404)
    close_if_due(c)
    figures = summary.figures(c) if c.state in ("implementation", "closed") else None
    return render_template(
        "public/competition.html",
        c=c,
        documents=portal.documents(c),
        timeline=portal.timeline(c),
        applications=portal.application_count(c) if c.state in portal.COUNTS_FROM else None,
        results=portal.results(c),
        grants=portal.grants(c),
        figures=figures,
        priority_titles=PRIORITIES,
        document_titles=REQUIRED_DOCUMENTS,
        applicant_titles={k.value: k.title for k in ApplicantKind},
    )
