"""Errors of the lifecycle that are not the workflow's own (those live in workflows/)."""

from workflows import WORKFLOWS, InvalidTrigger, Reason
from workflows.i18n import N_


class NotPermitted(Exception):
    """The actor holds none of the roles the transition names (a 403, not a 409)."""

    def __init__(self, trigger: str, held: set[str], needed: frozenset[str]):
        super().__init__(f"{trigger}: needs one of {sorted(needed)}, actor has {sorted(held)}")
        self.trigger, self.held, self.needed = trigger, held, needed


STAGE = {
    "competition": N_("the competition is now at the stage: %(state)s"),
    "application": N_("the application is now at the stage: %(state)s"),
}


def stage_of(exc: InvalidTrigger) -> list[str]:
    """Where the subject stands, for a step refused by its state: "not possible in the
    current state" alone does not say which state that is."""
    from initiatives.i18n import explain

    workflow = WORKFLOWS.get(exc.workflow)
    try:
        state = workflow.states(exc.state)
    except (AttributeError, ValueError):
        return []
    return [explain(Reason(STAGE[workflow.name], {"state": (state.title,)}))]
