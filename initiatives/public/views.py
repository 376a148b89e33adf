"""Pages anyone may read, without login. No personal data here, ever.

The portal home, a competition's page and the oversight dashboard are served through
``initiatives.public.cache``: rendered once per change of what they show.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.core.enums import PRIORITIES, REQUIRED_DOCUMENTS, ApplicantKind
from initiatives.extensions import db
from initiatives.grants import summary
from initiatives.municipalities.models import Municipality
from initiatives.public import cache, portal

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Open competitions first, then every municipality with its published competitions."""
    return cache.serve(("index",), cache.national_stamp(), "public/index.html", _index)


def _index() -> dict:
    return {
        "open_now": portal.open_competitions(),
        "recent": portal.recent_competitions(12),
        "municipalities": portal.municipalities(),
    }


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
    stamp = cache.competition_stamp(competition_id, queries.PUBLIC_STATES)
    if stamp is None:
        abort(404)
    state, deadline = stamp[0], stamp[3]
    if state == "announced" and deadline is not None and utcnow() >= deadline:
        # The intake closes at its deadline whoever reads the page first; then the page
        # (and its stamp) is that of the closed intake.
        close_if_due(_competition(competition_id))
        stamp = cache.competition_stamp(competition_id, queries.PUBLIC_STATES)
        if stamp is None:
            abort(404)
    return cache.serve(
        ("competition", competition_id),
        stamp,
        "public/competition.html",
        lambda: _competition_page(competition_id),
    )


def _competition(competition_id: int) -> Competition:
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
    return c


def _competition_page(competition_id: int) -> dict:
    c = _competition(competition_id)
    figures = summary.figures(c) if c.state in ("implementation", "closed") else None
    return {
        "c": c,
        "documents": portal.documents(c),
        "timeline": portal.timeline(c),
        "applications": portal.application_count(c),
        "results": portal.results(c),
        "grants": portal.grants(c),
        "figures": figures,
        "priority_titles": PRIORITIES,
        "document_titles": REQUIRED_DOCUMENTS,
        "applicant_titles": {k.value: k.title for k in ApplicantKind},
    }
