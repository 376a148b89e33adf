"""The only writer of audit events."""

from __future__ import annotations

from datetime import datetime

from initiatives.audit.models import AuditEvent
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
