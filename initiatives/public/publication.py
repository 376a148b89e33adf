"""What of a competition the public may read, by the competition's state: one rule for its
page, the open-data API and the dashboard across municipalities.

A competition is public from its announcement. Who applied is public once the intake is
over: while it is open, a growing list would show applicants each other's proposals before the
deadline; a cancelled competition's applications were never examined and stay private. Who
won (and how each application was decided) is public once the head has announced the
winners (DOMAIN.md, step 9): until then the commission's proposal is not news, and the
applicant too reads "under review".
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows import CompetitionState as S


@dataclass(frozen=True)
class Publication:
    competition: bool  # its page, announcement and open data
    applications: bool  # how many applied, and the list of them
    decisions: bool  # winners, awards and each application's decision


_BEFORE_ANNOUNCEMENT = {S.DRAFT, S.FUNDED, S.COMMISSION_FORMED}
_NOT_EXAMINED = {S.ANNOUNCED, S.CANCELLED}
_ANNOUNCED_WINNERS = {S.WINNERS_ANNOUNCED, S.IMPLEMENTATION, S.CLOSED}


def publication(state: str) -> Publication:
    s = S(state)
    if s in _BEFORE_ANNOUNCEMENT:
        return Publication(competition=False, applications=False, decisions=False)
    return Publication(
        competition=True,
        applications=s not in _NOT_EXAMINED,
        decisions=s in _ANNOUNCED_WINNERS,
    )


# The same rule as sets of state values, for queries that filter in SQL.
APPLICATIONS_PUBLIC = tuple(s.value for s in S if publication(s.value).applications)
DECISIONS_PUBLIC = tuple(s.value for s in S if publication(s.value).decisions)


def applications_public(state: str) -> bool:
    return publication(state).applications


def decisions_public(state: str) -> bool:
    return publication(state).decisions
