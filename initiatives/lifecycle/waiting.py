"""What a competition waits for, and who takes that step.

A page where the user had no step said "no step is open to you", and a step held back by
the competition's stage said "the competition is not in implementation": both true, and
no help to a newcomer, who needs to know whom to call. Here the pages learn the step the
competition needs next, who takes it, and what still holds that step back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_app_context

from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.lifecycle.permissions import competition_of, roles_for
from workflows import COMPETITION, Context, Reason, Transition
from workflows.i18n import N_

# Who takes a step, as the pages name them (message ids), in the order they are named.
# The administrator and the system may take many steps; naming them would send a
# newcomer to the wrong door.
WHO = {
    "head": Role.HEAD.title,
    "specialist": Role.SPECIALIST.title,
    "chair": N_("Chair of the commission"),
    "secretary": N_("Secretary of the commission"),
    "owner": Role.APPLICANT.title,
}
# Where a competition stops short of its purpose: never what it is waiting for.
DEAD_ENDS = {"cancelled", "failed"}


@dataclass(frozen=True)
class Awaited:
    """A step the competition waits for: who takes it and what still holds it back."""

    transition: Transition
    who: tuple[str, ...]
    reasons: list[Reason]


def who_takes(roles) -> tuple[str, ...]:
    return tuple(title for role, title in WHO.items() if role in roles)


def forward_steps(state) -> list[Transition]:
    return [t for t in COMPETITION.from_state(state) if t.dest.value not in DEAD_ENDS]


def blockers(c, t: Transition, now: datetime | None = None) -> list[Reason]:
    """What holds the step back, leaving out the input its own form asks for. Read once
    per request for each competition, state and step: the competition's page asks it for
    every application held back by the competition's stage."""
    key = (c.id, str(c.state), c.version, t.trigger)
    cache = g.setdefault("_lifecycle_blockers", {}) if has_app_context() else {}
    if key not in cache:
        ctx = Context(data={}, now=now or utcnow())
        cache[key] = [
            r
            for guard in t.guards
            if not getattr(guard, "checks_input", False) and (r := guard(c, ctx)) is not None
        ]
    return cache[key]


def awaited(c, actor, *, reasons: bool = True, now: datetime | None = None) -> list[Awaited]:
    """The competition's next steps that ``actor`` does not take themself; without what
    holds them back unless ``reasons`` (a list of many competitions loads no guard data)."""
    held = roles_for(actor, c)
    return [
        Awaited(t, who_takes(t.roles), blockers(c, t, now) if reasons else [])
        for t in forward_steps(c.state)
        if not held & t.roles and who_takes(t.roles)
    ]


def next_step_towards(state, wanted: set[str]) -> Transition | None:
    """The competition's next step on its way from ``state`` to one of ``wanted``; None
    when it is there or past them."""
    first: dict[str, Transition | None] = {str(state): None}
    todo = [str(state)]
    while todo:
        here = todo.pop(0)
        for t in forward_steps(here):
            there = t.dest.value
            if there in first:
                continue
            first[there] = first[here] or t
            if there in wanted:
                return first[there]
            todo.append(there)
    return None


def stage_reasons(subject, guard, reason: Reason, now: datetime | None = None) -> list[Reason]:
    """A step held back by the competition's stage, said as what the competition needs
    first and who takes it, with what still holds that step back."""
    wanted = getattr(guard, "competition_states", None)
    if not wanted:
        return [reason]
    c = competition_of(subject)
    t = next_step_towards(c.state, set(wanted))
    if t is None:
        return [reason]
    needed = Reason(
        N_("first the competition's step “%(step)s” is needed; it is taken by: %(who)s"),
        {"step": (t.title,), "who": who_takes(t.roles)},
    )
    return [needed, *blockers(c, t, now)]


def plain_reasons(subject, t: Transition, ctx: Context, reasons: list[Reason]) -> list[Reason]:
    """The reasons a step was refused, each stage gate said as what is needed."""
    gates = [guard for guard in t.guards if getattr(guard, "competition_states", None)]
    said = []
    for r in reasons:
        gate = next((guard for guard in gates if guard(subject, ctx) == r), None)
        said.extend(stage_reasons(subject, gate, r, ctx.now) if gate else [r])
    return said


def refused_role(needed) -> Reason:
    names = who_takes(needed)
    if not names:
        return Reason(N_("your role does not allow this step"))
    return Reason(N_("this step is taken by: %(who)s"), {"who": names})
