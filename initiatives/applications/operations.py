"""The only code that changes applications: drafts, budget lines, activities, attachments,
and the office's record of a withdrawal asked for on paper.

Submission, screening and awards are steps of the workflow (``lifecycle.fire``), not
edits; only a draft can be edited.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app

from initiatives.applications.models import (
    BUDGET_NUMBERS,
    Activity,
    Application,
    Attachment,
    BudgetLine,
)
from initiatives.audit import operations as audit
from initiatives.core.db import utcnow
from initiatives.core.enums import Channel
from initiatives.core.errors import Refused
from initiatives.extensions import db
from workflows.i18n import N_

FIELDS = {
    "applicant_kind",
    "applicant_name",
    "organisation_name",
    "group_members",
    "id_document_number",
    "contact_phone",
    "contact_email",
    "address",
    "village",
    "title",
    "initiative_kind",
    "priority_topic",
    "problem",
    "goal",
    "target_groups",
    "sustainability",
    "expected_participants",
    "received_at",
}
# The applicant's signed request to withdraw, scanned by the office: personal data (a
# signature, often an ID number), for the applicant and the office only.
WITHDRAWAL_REQUEST = "withdrawal_request"


def _draft(a: Application) -> None:
    if a.state != "draft":
        raise Refused(N_("only a draft can be edited; this application is already submitted"))


def _audit(a: Application, actor, action: str, at: datetime | None = None, **data) -> None:
    audit.record_edit(a.competition.municipality_id, a, actor, action, at, **data)


def start_draft(
    competition,
    actor,
    *,
    owner=None,
    channel: Channel = Channel.ONLINE,
    at: datetime | None = None,
    **fields,
) -> Application:
    """A draft application; on paper the specialist types it in (``entered_by``) and the
    applicant may have no account at all."""
    a = Application(
        competition=competition,
        owner=owner,
        channel=channel,
        state="draft",
        entered_by=actor if channel == Channel.PAPER else None,
    )
    db.session.add(a)
    update_draft(a, actor, at=at, _audit_action=None, **fields)
    db.session.flush()
    _audit(a, actor, "start_draft", at, channel=str(channel))
    return a


def update_draft(
    a: Application,
    actor,
    *,
    at: datetime | None = None,
    _audit_action: str | None = "update_draft",
    **fields,
) -> None:
    """Set the given fields. A save that changes nothing writes nothing: a draft is saved
    in the background while it is typed, and the audit trail records edits, not saves."""
    _draft(a)
    unknown = set(fields) - FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(a, name) != value)
    for name in changed:
        setattr(a, name, fields[name])
    if _audit_action and changed:
        db.session.flush()
        _audit(a, actor, _audit_action, at, fields=changed)


def set_budget_lines(a: Application, actor, lines: list[dict], at: datetime | None = None) -> None:
    """Replace the budget table. Totals are never taken from the client: they follow from
    quantity × unit price and from the per-source split. The same table saved again
    changes nothing."""
    _draft(a)
    rows = []
    for line in lines:
        values = {k: Decimal(str(v)) for k, v in line.items() if k in BUDGET_NUMBERS}
        if any(v < 0 for v in values.values()):
            raise Refused(N_("amounts in the budget cannot be negative"))
        rows.append({"item": line["item"], "unit": line.get("unit", ""), **values})
    if _same(a.budget_lines, rows):
        return
    a.budget_lines.clear()
    for position, row in enumerate(rows, start=1):
        a.budget_lines.append(BudgetLine(position=position, **row))
    db.session.flush()
    _audit(a, actor, "set_budget_lines", at, lines=len(lines), requested=str(a.requested_amount))


def set_activities(
    a: Application, actor, activities: list[dict], at: datetime | None = None
) -> None:
    """Replace the plan; the same plan saved again changes nothing."""
    _draft(a)
    rows = [
        {
            "description": item["description"],
            "starts_on": item.get("starts_on"),
            "ends_on": item.get("ends_on"),
            "responsible": item.get("responsible", ""),
        }
        for item in activities
    ]
    if _same(a.activities, rows):
        return
    a.activities.clear()
    for position, row in enumerate(rows, start=1):
        a.activities.append(Activity(position=position, **row))
    db.session.flush()
    _audit(a, actor, "set_activities", at, count=len(activities))


def _same(stored: list, rows: list[dict]) -> bool:
    """Whether the stored rows already hold exactly these values, in this order."""
    if len(stored) != len(rows):
        return False
    for record, row in zip(stored, rows, strict=True):
        for name, value in row.items():
            have = getattr(record, name)
            if isinstance(have, Decimal) and value is not None:
                if have != Decimal(str(value)):
                    return False
            elif have != value:
                return False
    return True


def stored_path(stored_as: str) -> Path:
    return Path(current_app.config["UPLOADS_DIR"]) / stored_as[:2] / stored_as


def store_file(content: bytes) -> tuple[str, str]:
    """Store bytes under a fresh random name; return (name, SHA-256).

    The name is never one the user chose (no path traversal, no overwrite) and never derived
    from the content (nobody can test whether a given file was uploaded by guessing its
    hash). The file is written before the row that points to it is committed; a rolled-back
    request leaves an orphan file, never a row without its file.
    """
    stored_as = secrets.token_hex(32)
    path = stored_path(stored_as)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return stored_as, hashlib.sha256(content).hexdigest()


def stored_attachment(
    actor,
    doc_type: str,
    filename: str,
    content: bytes,
    content_type: str,
    public: bool = False,
    at: datetime | None = None,
) -> Attachment:
    """The bytes stored and the row describing them, not yet attached to anything."""
    stored_as, digest = store_file(content)
    return Attachment(
        doc_type=doc_type,
        filename=Path(filename or "file").name[:255],
        content_type=content_type,
        size_bytes=len(content),
        sha256=digest,
        stored_as=stored_as,
        public=public,
        uploaded_by_id=actor.id if actor is not None else None,
        uploaded_at=at or utcnow(),
    )


def attach(
    a: Application,
    actor,
    *,
    doc_type: str,
    filename: str,
    content: bytes,
    content_type: str,
    public: bool = False,
    at: datetime | None = None,
) -> Attachment:
    _draft(a)
    if not content:
        raise Refused(N_("the file is empty"))
    attachment = stored_attachment(actor, doc_type, filename, content, content_type, public, at)
    a.attachments.append(attachment)
    db.session.flush()
    _audit(a, actor, "attach", at, doc_type=doc_type, sha256=attachment.sha256)
    return attachment


def detach(a: Application, actor, attachment: Attachment, at: datetime | None = None) -> None:
    """Remove a file from a draft. The stored bytes stay on disk: the audit trail names
    their hash, and a submitted application never loses a file this way (drafts only)."""
    _draft(a)
    if attachment.application_id != a.id:
        raise Refused(N_("this file does not belong to this application"), status=404)
    a.attachments.remove(attachment)
    db.session.flush()
    _audit(a, actor, "detach", at, doc_type=attachment.doc_type, sha256=attachment.sha256)


def record_withdrawal(
    a: Application,
    actor,
    *,
    reason: str,
    written_request: dict,
    at: datetime | None = None,
):
    """The office records a withdrawal the applicant asked for in writing.

    Only the applicant withdraws online; the office acts only on her signed request, so its
    scan (already stored: ``store_file``, described by ``written_request``: stored_as,
    sha256, filename, content_type, size_bytes) is kept with the application like its other
    files, and the step names the staff member, the reason and the scan's hash in the audit
    trail. Nobody can make a citizen's application disappear without a paper and a name
    behind it. Returns the workflow's ``Fired``; the caller commits.
    """
    from initiatives.lifecycle.operations import fire

    scan = Attachment(
        doc_type=WITHDRAWAL_REQUEST,
        filename=Path(written_request["filename"] or "file").name[:255],
        content_type=written_request["content_type"],
        size_bytes=written_request["size_bytes"],
        sha256=written_request["sha256"],
        stored_as=written_request["stored_as"],
        public=False,
        uploaded_by_id=actor.id if actor is not None else None,
        uploaded_at=at or utcnow(),
    )
    a.attachments.append(scan)
    db.session.flush()
    return fire(
        a, "record_withdrawal", actor, now=at, reason=reason.strip(), written_request=scan.sha256
    )
