"""Who may read which document, and which copy of it.

Public documents of a published competition are for everyone (transparency). Before the
announcement, and for documents carrying personal data (receipts, agreements, conflict
declarations), only the people working on the competition, oversight, and the applicant
concerned may read them. Oversight reads a copy without citizens' contacts and identity
papers (``redaction``). While a blind competition is scored, its members read no document
that names an applicant beside an initiative.
"""

from __future__ import annotations

from enum import StrEnum

from initiatives.applications.access import competition_blind
from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.enums import DocumentKind
from initiatives.documents.models import Document
from initiatives.documents.redaction import carries_personal_data, names_citizens
from initiatives.lifecycle.permissions import roles_for

OFFICE_ROLES = {"specialist", "head", "admin"}
OVERSIGHT_ROLES = {"oversight"}
COMMISSION_ROLES = {"chair", "secretary", "member"}
# The applicant's personal papers: the office's and the applicant's, not the commission's.
APPLICANT_PAPERS = {DocumentKind.RECEIPT, DocumentKind.GRANT_AGREEMENT}
# A member's own papers: until scoring is closed a member reads only their own.
MEMBERS_OWN = {DocumentKind.SCORE_SHEET, DocumentKind.CONFLICT_DECLARATION}
# What a member of a blind competition may read while scoring: papers that name no
# applicant (their own sheets and declaration are checked as their own).
BLIND_SAFE = {
    DocumentKind.BUDGET_ALLOCATION,
    DocumentKind.COMMISSION_ORDER,
    DocumentKind.ANNOUNCEMENT,
    DocumentKind.APPLICATION_FORM,
}
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


class Copy(StrEnum):
    ORIGINAL = "original"  # the registered PDF, hashed in the register
    REDACTED = "redacted"  # rendered from the same snapshot without personal data
    PUBLIC = "public"  # the same, and without the citizens' names: for everyone else


def is_published(document: Document) -> bool:
    states = PUBLISHED_FROM.get(document.kind.value, PUBLIC_STATES)
    return document.public and document.competition.state in states


def copy_for(user, document: Document) -> Copy | None:
    """The copy of ``document`` this user may read, or None: the one place that decides.
    A published document that names the initiator is public as a copy without the names;
    the people working on it read the signed original."""
    published = is_published(document)
    if published and not names_citizens(document.snapshot):
        return Copy.ORIGINAL
    public = Copy.PUBLIC if published else None
    if user is None or not user.is_authenticated:
        return public
    held = roles_for(user, document.competition)
    if held & OFFICE_ROLES:
        return Copy.ORIGINAL
    application = document.application
    if application is not None and application.owner_id == user.id:
        return Copy.ORIGINAL
    if held & OVERSIGHT_ROLES:
        return Copy.REDACTED if carries_personal_data(document.snapshot) else Copy.ORIGINAL
    if held & COMMISSION_ROLES and commission_may_read(user, document):
        return Copy.ORIGINAL
    return public


def can_read(user, document: Document) -> bool:
    return copy_for(user, document) is not None


def commission_may_read(user, document: Document) -> bool:
    if document.kind in APPLICANT_PAPERS:
        return False
    c = document.competition
    if document.kind in MEMBERS_OWN:
        seat = c.seat_of(user.id)
        own = seat is not None and document.snapshot.get("member", {}).get("seat_id") == seat.id
        return own or c.state not in SCORING_OR_BEFORE
    if competition_blind(c):
        return document.kind in BLIND_SAFE
    return True
