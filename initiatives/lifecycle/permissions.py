"""Which roles an actor holds towards one subject.

Roles come from two places: grants per municipality (specialist, head, applicant, oversight,
admin) and the subject itself (a seat on the competition's commission makes a chair,
secretary or member; the applicant who owns an application is its ``owner``). The workflow
tables name these roles; this is the only place that computes them.
"""

from __future__ import annotations

from initiatives.applications.models import Application
from initiatives.auth.models import User
from initiatives.competitions.models import Competition

SYSTEM = "system"


def competition_of(subject) -> Competition:
    return subject.competition if isinstance(subject, Application) else subject


def roles_for(actor: User | None, subject) -> set[str]:
    """``actor`` None is the system itself (the CLI, a scheduled job)."""
    if actor is None:
        return {SYSTEM}
    competition = competition_of(subject)
    held = actor.roles_in(competition.municipality_id)
    seat = competition.seat_of(actor.id)
    if seat is not None:
        held |= {"member", seat.seat_role.value}
    if isinstance(subject, Application) and subject.owner_id == actor.id:
        held.add("owner")
    return held
