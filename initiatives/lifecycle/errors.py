"""Errors of the lifecycle that are not the workflow's own (those live in workflows/)."""


class NotPermitted(Exception):
    """The actor holds none of the roles the transition names (a 403, not a 409)."""

    def __init__(self, trigger: str, held: set[str], needed: frozenset[str]):
        super().__init__(f"{trigger}: needs one of {sorted(needed)}, actor has {sorted(held)}")
        self.trigger, self.held, self.needed = trigger, held, needed
