"""Deadlines that act by themselves: at the submission deadline the intake closes.

Two triggers call this: ``flask --app initiatives competitions tick`` from cron, and every
page that reads a competition (``close_if_due``), so the state is right even where nobody
set cron up. The step is the workflow's own ``close_applications``, fired by the system, so
it leaves the same audit event and register of applications as when a specialist closes it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.extensions import db
from workflows import GuardsFailed, InvalidTrigger

log = logging.getLogger(__name__)


def is_due(c: Competition, now: datetime) -> bool:
    return (
        c.state == "announced"
        and c.submission_deadline is not None
        and now >= c.submission_deadline
    )


def close_if_due(c: Competition, now: datetime | None = None) -> bool:
    """Close the intake if its deadline has passed; True if this call closed it.

    Commits on its own: it runs at the start of a request, before anything else is
    changed. Losing a race to another request that closed it first is fine.
    """
    from initiatives.lifecycle.after import after_commit
    from initiatives.lifecycle.operations import fire

    now = now or utcnow()
    if not is_due(c, now):
        return False
    try:
        done = fire(c, "close_applications", None, now=now)
        db.session.commit()
    except (InvalidTrigger, GuardsFailed, StaleDataError):
        db.session.rollback()
        return False
    log.info("closed the intake of competition %s at its deadline", c.id)
    after_commit(done.documents)
    return True


def close_all_due(now: datetime | None = None, progress=lambda c, closed: None) -> list[int]:
    """Every announced competition whose deadline has passed: the cron job."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(Competition.id).where(
            Competition.state == "announced", Competition.submission_deadline <= now
        )
    ).all()
    closed = []
    for cid in ids:
        c = db.session.get(Competition, cid)
        done = close_if_due(c, now)
        if done:
            closed.append(cid)
        progress(c, done)
    return closed
