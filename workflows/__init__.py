"""Pure state-machine definitions of the two lifecycles; imports nothing from initiatives."""

from workflows.application import APPLICATION, ApplicationState
from workflows.base import Context, StateEnum, Transition, Workflow
from workflows.competition import COMPETITION, CompetitionState
from workflows.i18n import N_, Reason
from workflows.machine import GuardsFailed, InvalidTrigger, run_transition

WORKFLOWS = {w.name: w for w in (COMPETITION, APPLICATION)}

__all__ = [
    "APPLICATION",
    "COMPETITION",
    "N_",
    "WORKFLOWS",
    "ApplicationState",
    "CompetitionState",
    "Context",
    "GuardsFailed",
    "InvalidTrigger",
    "Reason",
    "StateEnum",
    "Transition",
    "Workflow",
    "run_transition",
]
