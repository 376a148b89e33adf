"""Who may read which document.

Public documents of a published competition are for everyone (transparency). Before the
announcement, and for documents carrying personal data (receipts, agreements, conflict
declarations), only the people working on the competition, oversight, and the applicant
concerned may read them.
"""

from __future__ import annotations

from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.documents.models import Document
from initiatives.lifecycle.permissions import roles_for

WORKING_ROLES = {"specialist", "head", "admin", "oversight", "chair", "secretary", "member"}


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
    if held & WORKING_ROLES:
        return True
    application = document.application
    return application is not None and application.owner_id == user.id
