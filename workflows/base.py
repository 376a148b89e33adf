"""A workflow is data: states, and transitions with roles, guards and documents.

Nothing here touches a database. Guards read attributes of whatever subject they are given
(duck typing), so the rules can be tested with plain objects and the application can pass
its ORM rows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from workflows.i18n import Reason


@dataclass(frozen=True)
class Context:
    """What a guard may know besides the subject: the data of the request and the time."""

    data: dict
    now: datetime


Guard = Callable[[object, Context], Reason | None]


class StateEnum(str, enum.Enum):
    """A state: its value is stored; ``title`` is the staff word, ``public_title`` the
    simpler word an applicant or visitor sees."""

    def __new__(cls, value: str, title: str, public_title: str | None = None):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.title = title
        obj.public_title = public_title or title
        return obj

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[StateEnum, ...]
    dest: StateEnum
    roles: frozenset[str]
    title: str
    guards: tuple[Guard, ...] = ()
    documents: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # names of data fields the step needs (e.g. "reason")
    final: bool = False  # irreversible and consequential: ask for confirmation


@dataclass
class Workflow:
    name: str
    states: type[StateEnum]
    initial: StateEnum
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen = set()
        for t in self.transitions:
            for source in t.sources:
                key = (t.trigger, source)
                if key in seen:
                    raise ValueError(f"{self.name}: {t.trigger} declared twice from {source}")
                seen.add(key)

    @property
    def triggers(self) -> list[str]:
        return list(dict.fromkeys(t.trigger for t in self.transitions))

    def transition(self, trigger: str, source: StateEnum | str) -> Transition | None:
        source = self.states(source)
        for t in self.transitions:
            if t.trigger == trigger and source in t.sources:
                return t
        return None

    def any_transition(self, trigger: str) -> Transition | None:
        return next((t for t in self.transitions if t.trigger == trigger), None)

    def from_state(self, source: StateEnum | str) -> list[Transition]:
        source = self.states(source)
        return [t for t in self.transitions if source in t.sources]

    def final_states(self) -> list[StateEnum]:
        return [s for s in self.states if not self.from_state(s)]

    def reachable(self) -> set[StateEnum]:
        seen, todo = {self.initial}, [self.initial]
        while todo:
            for t in self.from_state(todo.pop()):
                if t.dest not in seen:
                    seen.add(t.dest)
                    todo.append(t.dest)
        return seen

    def documents(self) -> set[str]:
        return {d for t in self.transitions for d in t.documents}

    def check(self, subject, trigger: str, ctx: Context) -> list[Reason]:
        """Every reason why ``trigger`` cannot fire on ``subject`` now (empty: it can)."""
        t = self.transition(trigger, subject.state)
        if t is None:
            raise KeyError(trigger)
        return [r for g in t.guards if (r := g(subject, ctx)) is not None]

    def to_mermaid(self, translate: Callable[[str], str] = lambda s: s) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.value}"]
        for state in self.states:
            lines.append(f"    {state.value} : {translate(state.title)}")
        for t in self.transitions:
            for source in t.sources:
                lines.append(f"    {source.value} --> {t.dest.value} : {t.trigger}")
        for state in self.final_states():
            lines.append(f"    {state.value} --> [*]")
        return "\n".join(lines)


def checks_input(guard: Guard) -> Guard:
    """Mark a guard that checks only the step's own input (a reason, an amount): pages ask
    for that input in the step's form instead of listing the guard as a blocker."""
    guard.checks_input = True
    return guard


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def sources(*states: StateEnum) -> tuple[StateEnum, ...]:
    return tuple(states)


def all_reasons(guards: Iterable[Guard], subject, ctx: Context) -> list[Reason]:
    return [r for g in guards if (r := g(subject, ctx)) is not None]
