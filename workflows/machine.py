"""Run one transition of a workflow on one subject with pytransitions.

A fresh ``Machine`` is bound to a small wrapper for each call, never to the ORM row itself:
``add_model`` would reset a loaded row to the initial state, SQLAlchemy does not call
``__init__`` on loaded rows, a long-lived machine keeps references to every model it saw,
and auto-generated ``to_<state>()`` shortcuts would bypass the rules. pytransitions never
rolls back; the caller's database transaction does.
"""

from __future__ import annotations

from transitions import Machine, MachineError

from workflows.base import Context, Workflow
from workflows.i18n import Reason


class InvalidTrigger(Exception):
    """The trigger does not exist, or cannot fire from the subject's current state."""

    def __init__(self, workflow: str, trigger: str, state: str):
        super().__init__(f"{workflow}: {trigger!r} is not possible from {state!r}")
        self.workflow, self.trigger, self.state = workflow, trigger, state


class GuardsFailed(Exception):
    """The trigger is possible from this state, but its conditions are not met now."""

    def __init__(self, trigger: str, reasons: list[Reason]):
        super().__init__(f"{trigger}: " + "; ".join(r.format() for r in reasons))
        self.trigger, self.reasons = trigger, reasons


class _Binding:
    """What pytransitions sees: a state attribute that reads and writes the subject's."""

    def __init__(self, workflow: Workflow, subject, ctx: Context):
        self._workflow, self._subject, self._ctx = workflow, subject, ctx
        self.reasons: list[Reason] = []

    @property
    def state(self) -> str:
        return str(self._subject.state)

    @state.setter
    def state(self, value: str) -> None:
        self._subject.state = value

    def guards_pass(self, event) -> bool:
        self.reasons = self._workflow.check(self._subject, event.event.name, self._ctx)
        return not self.reasons


def run_transition(workflow: Workflow, subject, trigger: str, ctx: Context) -> str:
    """Move ``subject`` along ``trigger``; return the new state or raise.

    Raises ``InvalidTrigger`` or ``GuardsFailed``; the subject is unchanged in both cases.
    """
    state = str(subject.state)
    if workflow.transition(trigger, state) is None:
        raise InvalidTrigger(workflow.name, trigger, state)
    binding = _Binding(workflow, subject, ctx)
    Machine(
        model=binding,
        states=[s.value for s in workflow.states],
        transitions=[
            {
                "trigger": t.trigger,
                "source": [s.value for s in t.sources],
                "dest": t.dest.value,
                "conditions": "guards_pass",
            }
            for t in workflow.transitions
        ],
        initial=state,
        auto_transitions=False,
        send_event=True,
        model_override=False,
    )
    try:
        moved = binding.trigger(trigger)
    except MachineError as exc:  # defensive: pytransitions disagrees with our table
        raise InvalidTrigger(workflow.name, trigger, state) from exc
    if not moved:
        raise GuardsFailed(trigger, binding.reasons)
    return str(subject.state)
