"""The only writer of audit events."""

from __future__ import annotations

from datetime import datetime

from initiatives.audit.models import AuditEvent
from initiatives.core.db import utcnow
from initiatives.extensions import db


def record(
    *,
    actor,
    roles,
    municipality_id,
    subject,
    action,
    at: datetime,
    from_state=None,
    to_state=None,
    data=None,
) -> AuditEvent:
    event = AuditEvent(
        at=at,
        actor_id=actor.id if actor is not None else None,
        actor_roles=sorted(roles),
        municipality_id=municipality_id,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
    )
    db.session.add(event)
    return event


def record_edit(
    municipality_id: int, subject, actor, action: str, at: datetime | None = None, **data
) -> AuditEvent:
    """An edit of official data (not a change of state): no roles are computed, because
    each feature's operations already checked who may edit."""
    return record(
        actor=actor,
        roles=set(),
        municipality_id=municipality_id,
        subject=subject,
        action=action,
        at=at or utcnow(),
        data=data,
    )


def record_refused(attempt: dict, at: datetime | None = None) -> AuditEvent:
    """A refused attempt to change locked data, written after the request was rolled back:
    ``attempt`` holds plain ids (the ORM objects of the request are gone)."""
    event = AuditEvent(
        at=at or utcnow(),
        actor_id=attempt.get("actor_id"),
        actor_roles=[],
        municipality_id=attempt.get("municipality_id"),
        subject_type=attempt["subject_type"],
        subject_id=attempt["subject_id"],
        action=f"refused:{attempt['action']}",
        data={"reason": "locked"},
    )
    db.session.add(event)
    return event
