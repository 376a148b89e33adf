"""What the public portal reads: municipalities with their published competitions, a
competition's timeline, its published results, agreements and reports.

Results come from the frozen snapshot of the public **results notice** (registered when the
head announced the winners), so the page shows exactly what was published, not the live
tables. Nothing here carries personal data: an individual applicant is never named (a group,
an organisation or a company is), and contacts, ID numbers and private files are never
read.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import defer, load_only, selectinload

from initiatives.applications.models import Application
from initiatives.audit.models import AuditEvent
from initiatives.competitions.models import Competition
from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.enums import DocumentKind
from initiatives.documents.access import is_published
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.grants.models import Agreement, ImplementationReport
from initiatives.municipalities.models import Municipality
from initiatives.public.publication import publication
from workflows import CompetitionState

PUBLIC_TITLES = {s.value: s.public_title for s in CompetitionState}


# What the portal's lists read of a municipality and of a competition: not the regulation,
# the texts or the settings, which a list of the whole country does not show.
MUNICIPALITY_LISTED = (
    Municipality.slug,
    Municipality.name_ky,
    Municipality.name_ru,
    Municipality.name_en,
    Municipality.region,
    Municipality.district,
)
COMPETITION_LISTED = (
    Competition.municipality_id,
    Competition.year,
    Competition.state,
    Competition.title_ky,
    Competition.title_ru,
    Competition.title_en,
    Competition.announced_at,
    Competition.submission_deadline,
)
NEWEST_FIRST = (Competition.year.desc(), Competition.announced_at.desc(), Competition.id.desc())


def municipalities() -> list[tuple[Municipality, int]]:
    """Every municipality with the number of its published competitions, by region."""
    counts = (
        select(Competition.municipality_id, func.count(Competition.id))
        .where(Competition.state.in_(PUBLIC_STATES))
        .group_by(Competition.municipality_id)
    )
    published = dict(db.session.execute(counts).all())
    rows = db.session.scalars(
        select(Municipality)
        .options(load_only(*MUNICIPALITY_LISTED))
        .order_by(Municipality.region, Municipality.district, Municipality.slug)
    ).all()
    return [(m, published.get(m.id, 0)) for m in rows]


def _listed(stmt) -> list[Competition]:
    return list(
        db.session.scalars(
            stmt.options(
                load_only(*COMPETITION_LISTED),
                selectinload(Competition.municipality).options(load_only(*MUNICIPALITY_LISTED)),
            ).order_by(*NEWEST_FIRST)
        )
    )


def open_competitions() -> list[Competition]:
    """Competitions taking applications now, newest first: the portal's first list."""
    return _listed(select(Competition).where(Competition.state == "announced"))


def recent_competitions(limit: int) -> list[Competition]:
    """The newest published competitions past their intake, for the portal home."""
    return _listed(
        select(Competition)
        .where(Competition.state.in_(PUBLIC_STATES), Competition.state != "announced")
        .limit(limit)
    )


def competitions_of(municipality_id: int | None = None) -> list[Competition]:
    stmt = (
        select(Competition)
        .where(Competition.state.in_(PUBLIC_STATES))
        .options(selectinload(Competition.municipality), selectinload(Competition.funding_sources))
        .order_by(Competition.year.desc(), Competition.announced_at.desc(), Competition.id.desc())
    )
    if municipality_id is not None:
        stmt = stmt.where(Competition.municipality_id == municipality_id)
    return list(db.session.scalars(stmt))


def timeline(c: Competition) -> list[AuditEvent]:
    """Each public phase the competition entered, with its first moment. States the public
    reads alike ("under review" covers screening, scoring and the commission's approval)
    are shown once: the commission's steps are not news before the head decides."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                # The municipality's events are indexed; its competition's are among them.
                AuditEvent.municipality_id == c.municipality_id,
                AuditEvent.subject_type == "competition",
                AuditEvent.subject_id == c.id,
                AuditEvent.to_state.is_not(None),
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    shown, last = [], None
    for e in events:
        title = PUBLIC_TITLES.get(e.to_state, e.to_state)
        if title != last:
            shown.append(e)
            last = title
    return shown


def application_count(c: Competition) -> int | None:
    """How many applied, once that is public (``initiatives.public.publication``)."""
    if not publication(c.state).applications:
        return None
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.competition_id == c.id, Application.number.is_not(None)
        )
    )


def documents(c: Competition) -> list[Document]:
    return [
        d
        for d in db.session.scalars(
            select(Document)
            .where(Document.competition_id == c.id, Document.public.is_(True))
            # The frozen snapshots are what the PDFs print, not what the list shows.
            .options(defer(Document.snapshot))
            .order_by(Document.year, Document.number)
        )
        if is_published(d)
    ]


def results(c: Competition) -> dict | None:
    """The published results notice: ranking with mean scores, winners and amounts."""
    if not publication(c.state).decisions:
        return None
    notice = db.session.scalars(
        select(Document)
        .where(Document.competition_id == c.id, Document.kind == DocumentKind.RESULTS_NOTICE)
        .order_by(Document.id.desc())
    ).first()
    if notice is None:
        return None
    r = notice.snapshot["results"]
    rows = []
    for row in r["rows"]:
        rows.append(
            {
                "position": row["position"],
                "number": row["number"],
                "title": row["title"],
                # A group, an organisation or a company by its name; never a person's name.
                "applicant": None
                if row.get("applicant_kind") == "individual"
                else (row.get("organisation") or None),
                "mean": row["mean"],
                "qualified": row.get("qualified", True),
                "awarded": row["awarded"] if row["winner"] else None,
                "partners": sum(float(p["amount"] or 0) for p in row["partners"])
                if row["winner"]
                else None,
                "winner": row["winner"],
            }
        )
    return {"rows": rows, "document": notice, "max_total": r.get("max_total")}


def grants(c: Competition) -> list[Application]:
    """Winners with their agreement and accepted report, for the money and results part."""
    if not publication(c.state).decisions:
        return []
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.competition_id == c.id, Application.awarded_amount.is_not(None))
            .options(
                selectinload(Application.agreement).selectinload(Agreement.payments),
                selectinload(Application.agreement).selectinload(Agreement.refunds),
                selectinload(Application.reports).selectinload(ImplementationReport.spending),
                selectinload(Application.award_shares),
            )
            .order_by(Application.number)
        )
    )
