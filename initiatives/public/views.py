"""Pages anyone may read, without login. No personal data here, ever."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from initiatives.competitions import queries
from initiatives.competitions.clock import close_if_due
from initiatives.competitions.models import Competition
from initiatives.core.enums import PRIORITIES, REQUIRED_DOCUMENTS, ApplicantKind
from initiatives.documents.access import is_published
from initiatives.documents.models import Document
from initiatives.extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    competitions = db.session.scalars(queries.public()).all()
    return render_template("public/index.html", competitions=competitions)


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
    documents = [
        d
        for d in db.session.scalars(
            select(Document)
            .where(Document.competition_id == c.id, Document.public.is_(True))
            .order_by(Document.year, Document.number)
        )
        if is_published(d)
    ]
    return render_template(
        "public/competition.html",
        c=c,
        documents=documents,
        priority_titles=PRIORITIES,
        document_titles=REQUIRED_DOCUMENTS,
        applicant_titles={k.value: k.title for k in ApplicantKind},
    )
