"""Errors every feature's operations may raise; each becomes a 4xx page, never a 500."""

from __future__ import annotations

from workflows.i18n import Reason


class Refused(Exception):
    """An operation refused for a reason the user must read (a 409 page or a form error).

    Carries an untranslated ``Reason`` so the message reaches the user in their language.
    """

    status = 409

    def __init__(self, message: str, *, status: int = 409, **params):
        self.status = status
        self.reason = Reason(message, params)
        super().__init__(self.reason.format())


class Locked(Refused):
    """A change to what an approved step has fixed (scores, declarations, votes after the
    results are approved). Refused with 409 like any refusal, and the attempt itself is kept
    in the audit trail: the request's own transaction is rolled back, so the error page
    records ``attempt`` in a transaction of its own."""

    def __init__(self, message: str, *, attempt: dict, **params):
        super().__init__(message, **params)
        self.attempt = attempt

    @classmethod
    def attempted(cls, message: str, competition, actor, subject, action: str) -> Locked:
        """The refusal of ``action`` on ``subject`` of a competition that is past changing."""
        return cls(
            message,
            attempt={
                "municipality_id": competition.municipality_id,
                "subject_type": type(subject).__tablename__,
                "subject_id": subject.id,
                "action": action,
                "actor_id": actor.id if actor is not None else None,
            },
        )
