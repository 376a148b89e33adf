"""The books of a grant: what the ayil okmotu paid, what the initiative spent and what came
back, which must add up (paid = spent + returned) before the competition closes.

The ayil okmotu's books hold the local budget's money only: payments and refunds are of
the award from the local budget, while a donor pays its share through its own books. So the
one source balanced here is the local budget; "spent" is the local money of the report.

A terminated initiative keeps what the head let it keep (the refund says how much came
back), so its books add up unless more came back than was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workflows.i18n import N_, Reason

ZERO = Decimal("0.00")
FINISHED = ("completed", "terminated")


@dataclass(frozen=True)
class Books:
    number: int | None
    paid: Decimal
    spent: Decimal
    returned: Decimal

    @property
    def gap(self) -> Decimal:
        """Paid and neither spent nor returned; below zero, more was spent and returned than
        was paid."""
        return self.paid - self.spent - self.returned

    def reason(self) -> Reason | None:
        if self.gap == 0:
            return None
        figures = {
            "number": self.number,
            "paid": self.paid,
            "spent": self.spent,
            "returned": self.returned,
            "gap": abs(self.gap),
        }
        if self.gap > 0:
            return Reason(
                N_(
                    "the books of initiative No. %(number)s do not add up: paid %(paid)s, "
                    "spent %(spent)s, returned %(returned)s; %(gap)s is neither spent nor "
                    "returned"
                ),
                figures,
            )
        return Reason(
            N_(
                "the books of initiative No. %(number)s do not add up: paid %(paid)s, "
                "spent %(spent)s, returned %(returned)s; spending and refunds exceed the "
                "payments by %(gap)s"
            ),
            figures,
        )


def books_of(a) -> Books:
    """The books as they stand: spending as the latest round of the report says (the
    accepted one, once the initiative is completed)."""
    g = a.agreement
    paid = g.paid if g is not None else ZERO
    returned = g.refunded if g is not None else ZERO
    if a.state == "terminated":
        return Books(a.number, paid, max(paid - returned, ZERO), returned)
    report = a.current_report
    spent = report.actual("local") if report is not None else ZERO
    return Books(a.number, paid, spent, returned)


def refundable(a) -> Decimal:
    """What may still come back: the money paid and neither spent nor returned; for a
    terminated initiative, all that was paid and not returned (the head decides)."""
    books = books_of(a)
    if a.state == "terminated":
        return max(books.paid - books.returned, ZERO)
    return max(books.gap, ZERO)


def unbalanced(c) -> list[Reason]:
    """Why a competition cannot close on its books: one reason per finished initiative
    whose books do not add up, naming it and the difference. (Initiatives still at work
    are the workflow's own guard's concern.)"""
    reasons = []
    for a in sorted(c.applications, key=lambda a: a.number or 0):
        g = a.agreement
        if a.state not in FINISHED or g is None:
            continue
        reason = books_of(a).reason()
        if reason is None and _refund_reversed_away(a):
            reason = Reason(
                N_("unspent money of initiatives No. %(numbers)s is not returned yet"),
                {"numbers": str(a.number)},
            )
        if reason is not None:
            reasons.append(reason)
    return reasons


def _refund_reversed_away(a) -> bool:
    """A terminated initiative that was paid owes its refund; one whose every refund was
    reversed has not made it (the workflow's guard sees only that a refund was booked)."""
    g = a.agreement
    return a.state == "terminated" and g.paid > 0 and bool(g.refunds) and not g.live_refunds
