"""The one rule for citizens' personal data in documents read by oversight.

Oversight bodies (the union of municipalities, the state agency) audit how public money was
decided and spent; they need the names of applicants and recipients, never how to reach
them or their identity papers. The application page already hides contacts from them
(``applications.access.sees_personal_data``). Documents follow the same rule here: an
oversight reader of a document that carries personal data gets a copy rendered from the
same frozen snapshot with those fields emptied, marked as such; the registered original
stays the office's and the citizen's.

The rule is by field, over the whole snapshot, so a document kind added later (or a field
added to an old kind) is covered without a list of kinds to keep up to date. The office's
own details (its address and phone on the letterhead, its signatories) are not a citizen's
and stay.
"""

from __future__ import annotations

from typing import Any

# Field names that hold a person's contacts or identity, in any part of a snapshot.
PERSONAL_FIELDS = frozenset(
    {
        "contact_phone",
        "contact_email",
        "phone",
        "email",
        "address",
        "id_document_number",
        "id_number",
        "pin",
        "passport",
        "bank_account",
        "birth_date",
    }
)
# Citizens' names in the public kinds (the register, the decision on winners, the report
# and its acceptance act): the signed original names the initiator, and the office,
# oversight and the applicant read it; everyone else reads the public copy, without them
# (README: the public never reads a person's name).
NAME_FIELDS = frozenset({"initiator"})
# Parts of a snapshot about the office itself, not about a citizen.
OFFICE_PARTS = frozenset({"municipality", "signatories", "office"})
REMOVED = ""


def redact(snapshot: dict, *, names: bool = False) -> dict:
    """A copy of ``snapshot`` with every personal field emptied (kept as a key, so the
    templates read it as they read a field left blank); with ``names``, the citizens'
    names too (the public copy)."""
    fields = PERSONAL_FIELDS | NAME_FIELDS if names else PERSONAL_FIELDS
    return {
        key: value if key in OFFICE_PARTS else _redact(key, value, fields)
        for key, value in snapshot.items()
    }


def _redact(key: str, value: Any, fields: frozenset = PERSONAL_FIELDS) -> Any:
    if key in fields and value not in (None, ""):
        return REMOVED
    if isinstance(value, dict):
        return {k: _redact(k, v, fields) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact("", v, fields) for v in value]
    return value


def carries_personal_data(snapshot: dict) -> bool:
    return redact(snapshot) != snapshot


def names_citizens(snapshot: dict) -> bool:
    """Whether the public may not read the original as it is (a name, a contact)."""
    return redact(snapshot, names=True) != snapshot
