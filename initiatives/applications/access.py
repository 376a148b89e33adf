"""Who may see, edit and download what of an application.

Personal data (contacts, ID number, address, passport copies, scans of paper originals) is
for the owner and the municipality's staff only; the commission reads the initiative
itself. A person with no business with an application gets a 404, so its existence is not
disclosed.
"""

from __future__ import annotations

from initiatives.applications.models import Application, Attachment
from initiatives.core.enums import Channel
from initiatives.lifecycle.permissions import roles_for
from initiatives.public.publication import decisions_public
from workflows import ApplicationState
from workflows.i18n import N_

STAFF = {"specialist", "head", "admin"}
CLERKS = {"specialist", "admin"}
READERS = {"chair", "secretary", "member", "oversight"}
SCREENERS = {"secretary", "chair", "specialist", "admin"}
# Documents that carry personal data by their nature (a written request to withdraw bears
# the applicant's signature).
PERSONAL_DOCUMENTS = {"passport_copy", "scan", "withdrawal_request"}


def is_owner(user, a: Application) -> bool:
    return user.is_authenticated and a.owner_id is not None and a.owner_id == user.id


def can_view(user, a: Application) -> bool:
    if not user.is_authenticated:
        return False
    if is_owner(user, a):
        return True
    held = roles_for(user, a)
    if held & STAFF:
        return True
    if blind(a):  # members score by codes: the page with the names is not theirs now
        return False
    return a.state != "draft" and bool(held & READERS)


def blind(a: Application) -> bool:
    return competition_blind(a.competition)


def competition_blind(c) -> bool:
    """Members score by codes, not names, from the opening of scoring until the results
    are approved: the one rule every page, document and form of the commission follows."""
    return bool((c.settings or {}).get("blind_scoring")) and c.state == "scoring"


def can_edit(user, a: Application) -> bool:
    """An online draft is its owner's; a paper draft is typed in by the office."""
    if a.state != "draft" or not user.is_authenticated:
        return False
    if a.channel == Channel.PAPER:
        return bool(roles_for(user, a) & CLERKS)
    return is_owner(user, a)


def was_editor(user, a: Application) -> bool:
    """Whoever could edit the draft this application was: its owner, or the office."""
    if not user.is_authenticated:
        return False
    if a.channel == Channel.PAPER:
        return bool(roles_for(user, a) & CLERKS)
    return is_owner(user, a)


def sees_personal_data(user, a: Application) -> bool:
    return is_owner(user, a) or bool(user.is_authenticated and roles_for(user, a) & STAFF)


def can_download(user, a: Application, attachment: Attachment) -> bool:
    if not can_view(user, a):
        return False
    return attachment.doc_type not in PERSONAL_DOCUMENTS or sees_personal_data(user, a)


def can_screen(user, a: Application) -> bool:
    return bool(user.is_authenticated and roles_for(user, a) & SCREENERS)


# The commission's decisions are news only once the head announces the winners
# (``initiatives.public.publication``): until then the applicant (and anyone not working on
# the competition) reads "under review".
HELD_DECISIONS = {"award", "not_award", "reconsider"}


def public_state(a: Application) -> str:
    if a.state in ("awarded", "not_awarded") and not decisions_public(a.competition.state):
        return "scored"
    return a.state


# An application still in the running when its competition ended without winners says so:
# "Received" or "Under review" would promise a decision that will never come.
STILL_RUNNING = {"draft", "submitted", "admitted", "scored"}
ENDED = {
    "cancelled": N_("Competition cancelled"),
    "failed": N_("Competition did not take place"),
}


def standing(a: Application) -> tuple[str, str]:
    """(key, title message id) of the state its applicant reads, on every page of theirs."""
    ended = str(a.competition.state)
    if ended in ENDED and a.state in STILL_RUNNING:
        return ended, ENDED[ended]
    state = public_state(a)
    return state, ApplicationState(state).public_title


def public_events(a: Application, events: list) -> list:
    """The timeline an applicant reads: decisions held back until they are announced."""
    if decisions_public(a.competition.state):
        return events
    return [e for e in events if e.action not in HELD_DECISIONS]
