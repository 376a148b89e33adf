"""Every table, imported in one place so relationships resolve and Alembic sees them all."""

from initiatives.admin.models import StaffInvitation
from initiatives.applications.models import (
    Activity,
    Application,
    Attachment,
    BudgetLine,
    ScreeningDecision,
)
from initiatives.audit.models import AuditEvent
from initiatives.auth.models import OneTimeCode, RoleGrant, User, UserSession
from initiatives.competitions.models import (
    CommissionSeat,
    Competition,
    Criterion,
    FundingSource,
)
from initiatives.documents.models import Document, DocumentCounter
from initiatives.grants.models import (
    Agreement,
    ImplementationReport,
    Payment,
    Refund,
    Reminder,
    ReportActivity,
    ReportSpending,
)
from initiatives.municipalities.models import Municipality
from initiatives.notifications.models import Notification
from initiatives.scoring.models import (
    Attendance,
    AwardShare,
    ConflictDeclaration,
    Meeting,
    Motion,
    Score,
    ScoreSheet,
    Vote,
)
from initiatives.sms.models import SmsDay, SmsMessage

__all__ = [
    "Activity",
    "Agreement",
    "Application",
    "Attachment",
    "Attendance",
    "AuditEvent",
    "AwardShare",
    "BudgetLine",
    "CommissionSeat",
    "Competition",
    "ConflictDeclaration",
    "Criterion",
    "Document",
    "DocumentCounter",
    "FundingSource",
    "ImplementationReport",
    "Meeting",
    "Motion",
    "Municipality",
    "Notification",
    "OneTimeCode",
    "Payment",
    "Refund",
    "Reminder",
    "ReportActivity",
    "ReportSpending",
    "RoleGrant",
    "Score",
    "ScoreSheet",
    "ScreeningDecision",
    "SmsDay",
    "SmsMessage",
    "StaffInvitation",
    "User",
    "UserSession",
    "Vote",
]
