"""The only writer of a municipality's regulation parameters.

Competitions read these live until their announcement; changing them does not touch the
documents already registered, which keep the values of their step.
"""

from __future__ import annotations

from datetime import datetime

from initiatives.audit import operations as audit
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality

REGULATION = {
    "regulation_number",
    "regulation_date",
    "min_commission_size",
    "odd_commission",
    "min_application_days",
    "default_max_grant",
    "min_own_share",
    "document_languages",
    "reminder_days",
    "bank_name",
    "bank_account",
    "bank_bic",
    "inn",
    "participant_groups",
    # Printed in the letterhead of every document.
    "address",
    "address_ru",
    "phone",
}


def update_regulation(m: Municipality, actor, *, at: datetime | None = None, **values) -> None:
    unknown = set(values) - REGULATION
    if unknown:
        raise TypeError(f"unknown regulation parameters: {sorted(unknown)}")
    for name, value in values.items():
        setattr(m, name, value)
    db.session.flush()
    audit.record_edit(m.id, m, actor, "update_regulation", at, fields=sorted(values))
