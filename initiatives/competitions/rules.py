"""The regulation's rules applied to terms being edited, before the announcement.

The same guards that block the announcement check a form as it is saved, so the specialist
reads the same sentence on the form ("the application window is 10 days; the regulation
asks for at least 14") as on the dashboard, and learns it while typing rather than at the
end.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from workflows import Context, Reason
from workflows.competition import max_grant_fits, window_long_enough
from workflows.i18n import N_

CHAIN = ("opens_at", "submission_deadline", "implementation_deadline", "report_deadline")


def terms_problems(c: Competition, values: dict) -> dict[str, Reason]:
    """Problems of ``values`` (new terms) for ``c``, by form field name."""
    subject = SimpleNamespace(
        regulation=c.regulation,
        local_budget_amount=c.local_budget_amount,
        **{name: values.get(name, getattr(c, name)) for name in (*CHAIN, "max_grant")},
    )
    ctx = Context(data={}, now=utcnow())
    problems: dict[str, Reason] = {}
    present = [(name, getattr(subject, name)) for name in CHAIN if getattr(subject, name)]
    for (_, earlier), (name, later) in itertools.pairwise(present):
        if not earlier < later:
            problems[name] = Reason(
                N_(
                    "the deadlines must follow each other: opening, submission, "
                    "implementation, report"
                )
            )
    if "submission_deadline" not in problems and (reason := window_long_enough(subject, ctx)):
        problems["submission_deadline"] = reason
    money_known = subject.max_grant is not None and c.funding_sources
    if money_known and (reason := max_grant_fits(subject, ctx)):
        problems["max_grant"] = reason
    return problems
