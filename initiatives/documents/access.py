"""Who may read which document.

Public documents of a published competition are for everyone (transparency). Before the
announcement, and for documents carrying personal data (receipts, agreements, conflict
declarations), only the people working on the competition, oversight, and the applicant
concerned may read them.
"""

from __future__ import annotations

from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.enums import DocumentKind
from initiatives.documents.models import Document
from initiatives.lifecycle.permissions import roles_for

OFFICE_ROLES = {"specialist", "head", "admin", "oversight"}
COMMISSION_ROLES = {"chair", "secretary", "member"}
# The applicant's personal papers: the office's and the applicant's, not the commission's.
APPLICANT_PAPERS = {DocumentKind.RECEIPT, DocumentKind.GRANT_AGREEMENT}
# Each member scores alone: until scoring is closed a member reads only their own sheets.
SCORING_OR_BEFORE = {
    "draft",
    "funded",
    "commission_formed",
    "announced",
    "applications_closed",
    "screening",
    "scoring",
}


# The commission's results are news once the head has decided on them (DOMAIN.md, step 9):
# until then the protocol is the commission's and the office's, like the scores in it.
PUBLISHED_FROM = {
    "results_protocol": {"winners_announced", "implementation", "closed"},
}


def is_published(document: Document) -> bool:
    states = PUBLISHED_FROM.get(document.kind.value, PUBLIC_STATES)
    return document.public and document.competition.state in states


def can_read(user, document: Document) -> bool:
    if is_published(document):
        return True
    if user is None or not user.is_authenticated:
        return False
    held = roles_for(user, document.competition)
    if held & OFFICE_ROLES:
        return True
    application = document.application
    if application is not None and application.owner_id == user.id:
        return True
    if held & COMMISSION_ROLES:
        return commission_may_read(user, document)
    return False


def commission_may_read(user, document: Document) -> bool:
    if document.kind in APPLICANT_PAPERS:
        return False
    if document.kind == DocumentKind.SCORE_SHEET:
        seat = document.competition.seat_of(user.id)
        own = seat is not None and document.snapshot.get("member", {}).get("seat_id") == seat.id
        return own or document.competition.state not in SCORING_OR_BEFORE
    return True
