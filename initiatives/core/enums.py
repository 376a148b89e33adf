"""The domain's closed vocabularies. ``forms`` may import this module (and only this one).

Each member carries its English title as a gettext message id; ``initiatives.i18n`` and the
templates translate it.
"""

from __future__ import annotations

import enum

from workflows.i18n import N_


class Labeled(str, enum.Enum):
    def __new__(cls, value: str, title: str):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.title = title
        return obj

    def __str__(self) -> str:
        return self.value


class Role(Labeled):
    SPECIALIST = "specialist", N_("AO specialist")
    HEAD = "head", N_("Head of the ayil okmotu")
    APPLICANT = "applicant", N_("Applicant")
    OVERSIGHT = "oversight", N_("Oversight reader")
    ADMIN = "admin", N_("Administrator")


MUNICIPAL_ROLES = {Role.SPECIALIST, Role.HEAD}


class SeatRole(Labeled):
    CHAIR = "chair", N_("Chair")
    SECRETARY = "secretary", N_("Secretary")
    MEMBER = "member", N_("Member")


class SeatCategory(Labeled):
    AO_STAFF = "ao_staff", N_("AO staff")
    DEPUTY = "deputy", N_("Ayil kenesh deputy")
    COMMUNITY = "community", N_("Community representative")
    EXPERT = "expert", N_("Expert")


class SourceKind(Labeled):
    LOCAL_BUDGET = "local_budget", N_("Local budget")
    DONOR = "donor", N_("Donor or partner project")
    DONATION = "donation", N_("Voluntary donations")
    OTHER = "other", N_("Other lawful source")


class Channel(Labeled):
    ONLINE = "online", N_("Online")
    PAPER = "paper", N_("On paper")


class ApplicantKind(Labeled):
    INDIVIDUAL = "individual", N_("Individual")
    GROUP = "group", N_("Initiative group")
    NGO = "ngo", N_("Non-governmental organisation")
    COMPANY = "company", N_("Company")


class InitiativeKind(Labeled):
    CO_FINANCING = "co_financing", N_("Co-financing")
    COMPLETION = "completion", N_("Completion")


class ScreeningOutcome(Labeled):
    ADMITTED = "admitted", N_("Admitted")
    REJECTED = "rejected", N_("Rejected")


class SheetState(Labeled):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Submitted")


class MeetingPurpose(Labeled):
    SCREENING = "screening", N_("Screening")
    RESULTS = "results", N_("Results")
    OTHER = "other", N_("Other")


class VoteChoice(Labeled):
    FOR = "for", N_("For")
    AGAINST = "against", N_("Against")
    ABSTAIN = "abstain", N_("Abstain")


class ReportState(Labeled):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Submitted")
    RETURNED = "returned", N_("Returned")
    ACCEPTED = "accepted", N_("Accepted")


class SpendingSource(Labeled):
    LOCAL = "local", N_("Local budget")
    OWN = "own", N_("Own money")
    IN_KIND = "in_kind", N_("In kind")
    LABOUR = "labour", N_("Labour")
    PARTNERS = "partners", N_("Partners")


class DocumentKind(Labeled):
    BUDGET_ALLOCATION = "budget_allocation", N_("Budget allocation statement")
    COMMISSION_ORDER = "commission_order", N_("Order forming the commission")
    ANNOUNCEMENT = "announcement", N_("Announcement")
    APPLICATION_FORM = "application_form", N_("Blank application form")
    RECEIPT = "receipt", N_("Receipt of an application")
    APPLICATIONS_REGISTER = "applications_register", N_("Register of applications")
    SCREENING_PROTOCOL = "screening_protocol", N_("Screening protocol")
    CONFLICT_DECLARATION = "conflict_declaration", N_("Conflict-of-interest declaration")
    SCORE_SHEET = "score_sheet", N_("Score sheet")
    RESULTS_PROTOCOL = "results_protocol", N_("Protocol of results")
    WINNERS_DECISION = "winners_decision", N_("Decision on winners")
    RESULTS_NOTICE = "results_notice", N_("Public results notice")
    GRANT_AGREEMENT = "grant_agreement", N_("Grant agreement")
    PAYMENT_RECORD = "payment_record", N_("Payment record")
    IMPLEMENTATION_REPORT = "implementation_report", N_("Implementation and spending report")
    ACCEPTANCE_ACT = "acceptance_act", N_("Acceptance act")
    TERMINATION_NOTICE = "termination_notice", N_("Termination notice")
    FINAL_REPORT = "final_report", N_("Final competition report")
    CANCELLATION_NOTICE = "cancellation_notice", N_("Cancellation notice")
    FAILURE_NOTICE = "failure_notice", N_("Notice: competition did not take place")


# Issues of local significance (DOMAIN.md): the default priority list of a municipality.
PRIORITIES: dict[str, str] = {
    "water": N_("Water supply and sanitation"),
    "waste": N_("Waste collection and removal"),
    "lighting": N_("Street lighting"),
    "roads": N_("Local roads and bridges"),
    "landscaping": N_("Landscaping, greening and public spaces"),
    "culture": N_("Culture, libraries and folk art"),
    "youth": N_("Work with children and youth"),
    "sport": N_("Physical culture and mass sport"),
    "preschool": N_("Pre-school care and education support"),
    "social": N_("Social support of vulnerable groups"),
    "family_violence": N_("Protection from family violence"),
    "public_order": N_("Public order and safety"),
    "cemeteries": N_("Cemeteries"),
    "economy": N_("Markets and local economy"),
    "environment": N_("Environment and disaster prevention"),
}

# Participant groups counted in plans and reports; a municipality may add its own.
PARTICIPANT_GROUPS: dict[str, str] = {
    "women": N_("Women"),
    "men": N_("Men"),
    "girls": N_("Girls"),
    "boys": N_("Boys"),
    "disabled": N_("Persons with disabilities"),
}

# Documents an announcement may require (codes stored on the competition).
REQUIRED_DOCUMENTS: dict[str, str] = {
    "application_letter": N_("Application letter"),
    "proposal": N_("Proposal"),
    "implementation_plan": N_("Implementation plan"),
    "budget": N_("Budget"),
    "passport_copy": N_("Passport copy (individuals)"),
    "registration_certificate": N_("Registration certificate and charter (legal entities)"),
    "commitment_letters": N_("Letters of commitment"),
    "own_resources_proof": N_("Documents proving own resources"),
}

# The five criteria of the Ak-Tal announcement (DOMAIN.md), the default criteria set.
DEFAULT_CRITERIA: list[dict[str, str]] = [
    {
        "en": "Significance for improving the living standard of the community",
        "ru": "Значимость для повышения уровня жизни местного сообщества",
        "ky": "Жергиликтүү жамааттын жашоо деңгээлин жакшыртуу үчүн маанилүүлүгү",
    },
    {
        "en": "Level of citizens' participation in carrying it out",
        "ru": "Уровень участия граждан в реализации",
        "ky": "Ишке ашырууга жарандардын катышуу деңгээли",
    },
    {
        "en": "Sustainability",
        "ru": "Устойчивость",
        "ky": "Туруктуулугу",
    },
    {
        "en": "Justification and admissibility of the budget expenses",
        "ru": "Обоснованность и допустимость расходов бюджета",
        "ky": "Бюджеттин чыгымдарынын негиздүүлүгү жана жол берилгендиги",
    },
    {
        "en": "Volume of own contribution and of additionally attracted funds",
        "ru": "Объём собственного вклада и дополнительно привлечённых средств",
        "ky": "Өздүк салымдын көлөмү жана кошумча тартылуучу каражат",
    },
]

# The screening checklist (DOMAIN.md): what the secretary verifies before scoring.
SCREENING_CHECKS: dict[str, str] = {
    "on_time": N_("Submitted on time"),
    "complete": N_("Complete: required fields and documents present"),
    "eligible_applicant": N_("The applicant may apply"),
    "topic": N_("The topic is among the priorities"),
    "within_max": N_("The request is within the maximum grant"),
    "own_contribution": N_("The own contribution is at least the minimum"),
}

# What an application may carry besides the announcement's required documents.
EXTRA_ATTACHMENTS: dict[str, str] = {
    "photo": N_("Photo"),
    "scan": N_("Scan of the paper original"),
    "other": N_("Other document"),
}

# Files an applicant may attach, by the type their content shows (not their name).
ATTACHMENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
