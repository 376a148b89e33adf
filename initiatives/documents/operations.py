"""The only writer of the document register."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import update

from initiatives.applications.models import Application
from initiatives.core.enums import DocumentKind
from initiatives.documents import snapshots
from initiatives.documents.models import Document, DocumentCounter
from initiatives.extensions import db
from initiatives.lifecycle.permissions import competition_of


def next_number(municipality_id: int, year: int) -> int:
    """Take the next register number atomically: an UPDATE ... RETURNING holds the
    counter row until the transaction ends, so concurrent steps wait instead of colliding
    and a rolled-back step gives its number back (no gaps)."""
    bump = (
        update(DocumentCounter)
        .where(DocumentCounter.municipality_id == municipality_id, DocumentCounter.year == year)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)
    )
    number = db.session.execute(bump).scalar()
    if number is None:
        _create_counter(municipality_id, year)
        number = db.session.execute(bump).scalar_one()
    return number


def _create_counter(municipality_id: int, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(DocumentCounter).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(DocumentCounter).on_conflict_do_nothing()
    db.session.execute(stmt.values(municipality_id=municipality_id, year=year, last_number=0))


def record_document(
    subject, kind: str, *, trigger: str, actor, at: datetime, data: dict
) -> Document:
    kind = DocumentKind(kind)
    competition = competition_of(subject)
    municipality = competition.municipality
    year = at.year
    document = Document(
        municipality_id=municipality.id,
        competition_id=competition.id,
        application_id=subject.id if isinstance(subject, Application) else None,
        kind=kind,
        year=year,
        number=next_number(municipality.id, year),
        languages=municipality.document_languages,
        trigger=trigger,
        snapshot=snapshots.build(subject, kind, data, actor),
        token=secrets.token_urlsafe(32),
        public=kind not in snapshots.PRIVATE_KINDS,
        created_at=at,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(document)
    return document
