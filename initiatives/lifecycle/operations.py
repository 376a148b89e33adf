"""``fire``: the one way to change the state of a competition or an application."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from initiatives.applications.models import Application
from initiatives.audit import operations as audit
from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.documents.models import Document
from initiatives.documents.operations import record_document
from initiatives.extensions import db
from initiatives.grants import books
from initiatives.lifecycle import waiting
from initiatives.lifecycle.effects import EFFECTS
from initiatives.lifecycle.errors import NotPermitted
from initiatives.lifecycle.permissions import competition_of, roles_for
from initiatives.notifications import operations as notifications
from workflows import (
    APPLICATION,
    COMPETITION,
    Context,
    GuardsFailed,
    InvalidTrigger,
    Reason,
    Transition,
    Workflow,
    run_transition,
)


@dataclass
class Fired:
    """What a successful step did, for the view to report."""

    transition: Transition
    from_state: str
    to_state: str
    documents: list[Document] = field(default_factory=list)


# Checks the application adds to a workflow's steps: they need figures the workflow's own
# guards cannot compute (every grant's books). Each returns a list of reasons.
CHECKS = {("competition", "close"): books.unbalanced}


def _checked(workflow: Workflow, trigger: str, subject) -> list[Reason]:
    check = CHECKS.get((workflow.name, trigger))
    return check(subject) if check is not None else []


def workflow_of(subject) -> Workflow:
    if isinstance(subject, Competition):
        return COMPETITION
    if isinstance(subject, Application):
        return APPLICATION
    raise TypeError(f"no workflow for {type(subject).__name__}")


def lock(subject) -> None:
    """Lock the competition row (and with it everything under it) and reload the subject.

    On PostgreSQL ``SELECT ... FOR UPDATE`` makes a concurrent step wait and then see the
    state the first one left, so it is refused by the workflow rather than applied twice.
    SQLite ignores FOR UPDATE but allows one writer at a time, and the version columns turn
    any remaining race into a StaleDataError (a 409) instead of a lost update.
    """
    db.session.flush()  # pending edits of this request are kept, not discarded by refresh
    competition = competition_of(subject)
    db.session.refresh(competition, with_for_update=True)
    if subject is not competition:
        db.session.refresh(subject, with_for_update=True)


def available(subject, actor, *, now: datetime | None = None) -> list[tuple[Transition, list]]:
    """The steps the actor's roles allow from the current state, each with the reasons
    why it cannot be taken now (empty: it can). Pages show the reasons instead of hiding
    the button."""
    workflow = workflow_of(subject)
    held = roles_for(actor, subject)
    ctx = Context(data={}, now=now or utcnow())
    result = []
    for t in workflow.from_state(subject.state):
        if held & t.roles:
            reasons = []
            for g in t.guards:
                if not getattr(g, "checks_input", False) and (r := g(subject, ctx)) is not None:
                    reasons.extend(waiting.stage_reasons(subject, g, r, ctx.now))
            result.append((t, reasons + _checked(workflow, t.trigger, subject)))
    return result


def fire(subject, trigger: str, actor, *, now: datetime | None = None, **data) -> Fired:
    """Take one step: lock, check role and guards, change state, apply the step's effect,
    write the audit event and record the step's documents with their snapshots; flush.

    The caller commits (a view: once per request). Raises ``InvalidTrigger`` (wrong step for
    the state), ``NotPermitted`` (wrong role) or ``GuardsFailed`` (conditions not met); the
    database transaction is then rolled back by the caller and nothing is half-done.
    """
    now = now or utcnow()
    workflow = workflow_of(subject)
    lock(subject)
    source = str(subject.state)
    transition = workflow.transition(trigger, source)
    if transition is None:
        raise InvalidTrigger(workflow.name, trigger, source)
    held = roles_for(actor, subject)
    if not held & transition.roles:
        raise NotPermitted(trigger, held, transition.roles)

    ctx = Context(data=data, now=now)
    try:
        if checked := _checked(workflow, trigger, subject):
            raise GuardsFailed(trigger, workflow.check(subject, trigger, ctx) + checked)
        dest = run_transition(workflow, subject, trigger, ctx)
    except GuardsFailed as exc:  # a stage gate is said as the step the competition needs
        raise GuardsFailed(
            trigger, waiting.plain_reasons(subject, transition, ctx, exc.reasons)
        ) from None
    effect = EFFECTS.get((workflow.name, trigger))
    if effect is not None:
        with db.session.no_autoflush:  # the new state and its data are written together
            effect(subject, ctx, actor)
    db.session.flush()

    competition = competition_of(subject)
    audit.record(
        actor=actor,
        roles=held,
        municipality_id=competition.municipality_id,
        subject=subject,
        action=trigger,
        at=now,
        from_state=source,
        to_state=dest,
        data={k: _plain(v) for k, v in data.items()},
    )
    notifications.on_step(subject, trigger, source, dest, actor, now, data)
    documents = [
        record_document(subject, kind, trigger=trigger, actor=actor, at=now, data=data)
        for kind in transition.documents
    ]
    db.session.flush()
    return Fired(transition, source, dest, documents)


def _plain(value):
    """Audit data is JSON: dates, decimals and the like are kept as text."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


__all__ = ["Fired", "Reason", "available", "fire", "lock", "workflow_of"]
