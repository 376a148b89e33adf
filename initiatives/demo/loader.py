"""The demo: a fictional municipality modelled on Orozbekov ayil aimak (DOMAIN.md), with a
competition in every state of the lifecycle and a user for every role.

Each competition reaches its state through the real steps (``demo.builder``), on a
timeline that ends before today, so the documents and the audit trail are real too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from initiatives.auth import operations as accounts
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.demo.builder import (
    CANCEL_REASON,
    Cast,
    Proposal,
    Run,
    advance,
    implementation_under_way,
    new_competition,
    prepare_agreement,
    scoring_under_way,
)
from initiatives.extensions import db
from initiatives.lifecycle.operations import fire
from initiatives.municipalities.models import Municipality
from workflows import COMPETITION

DEMO_PASSWORD = "demo-password"
DOMAIN = "orozbekov.example"

DEMO_LOGINS = [
    (f"specialist@{DOMAIN}", "AO specialist (and commission secretary)"),
    (f"head@{DOMAIN}", "Head of the ayil okmotu"),
    (f"chair@{DOMAIN}", "Commission chair (ayil kenesh deputy)"),
    (f"member1@{DOMAIN}", "Commission member (deputy)"),
    (f"member2@{DOMAIN}", "Commission member (community)"),
    (f"member3@{DOMAIN}", "Commission member (community)"),
    (f"aigul@{DOMAIN}", "Applicant (initiative group leader)"),
    (f"bakyt@{DOMAIN}", "Applicant"),
    ("+996555000111", "Applicant who logs in by phone"),
    ("oversight@demo.example", "Oversight reader (all municipalities)"),
    ("admin@demo.example", "Administrator"),
]

PRIORITIES = ["culture", "youth", "sport", "family_violence"]

PROPOSALS = [
    Proposal(
        "Папа, мама и я",
        "sport",
        "Орозбеков",
        Decimal("12000"),
        Decimal("25000"),
        Decimal("3000"),
        {"men": 28, "women": 54, "boys": 8, "girls": 4},
        scores=9,
    ),
    Proposal(
        "Путешествие в сказку",
        "youth",
        "Кара-Дөбө",
        Decimal("11000"),
        Decimal("25000"),
        Decimal("3000"),
        {"girls": 114, "boys": 176, "disabled": 19},
        scores=8,
    ),
    Proposal(
        "Комуз үйрөнүү ийрими",
        "culture",
        "Үч-Коргон",
        Decimal("9000"),
        Decimal("0"),
        Decimal("2000"),
        {"girls": 12, "boys": 10},
        scores=6,
    ),
    Proposal(
        "Үй-бүлөлүк зомбулуксуз айыл",
        "family_violence",
        "Орозбеков",
        Decimal("8000"),
        Decimal("0"),
        Decimal("800"),
        {"women": 40, "men": 15},
        scores=5,
    ),
]

TITLES = {
    "ky": "Жергиликтүү демилгелерди колдоо сынагы",
    "ru": "Конкурс поддержки местных инициатив",
    "en": "Local initiatives competition",
}


def orozbekov() -> Municipality:
    m = Municipality(
        slug="orozbekov",
        name_ky="Орозбеков айыл аймагы",
        name_ru="Орозбековский айылный аймак",
        name_en="Orozbekov ayil aimak",
        region="Баткен",
        district="Кадамжай",
        address="Орозбеков айылы, Ош көчөсү, 1",
        address_ru="село Орозбеков, улица Ошская, 1",
        phone="+996365551234",
        regulation_number="226",
        regulation_date="2020-12-28",
        bank_name="ОАО «РСК Банк», Кадамжайский филиал",
        bank_account="1290003110000147",
        bank_bic="129003",
        inn="02812200610035",
        min_commission_size=5,
        default_max_grant=Decimal("15000"),
        min_own_share=Decimal("5.00"),
        priorities=[*PRIORITIES, "water", "lighting", "roads"],
    )
    db.session.add(m)
    db.session.flush()
    return m


def people(m: Municipality) -> Cast:
    def user(login, name, roles=(), locale="ky"):
        made = accounts.create_user(
            login=login, full_name=name, password=DEMO_PASSWORD, locale=locale, roles=list(roles)
        )
        if made.phone:  # the demo's phones count as proved by SMS
            made.phone_confirmed_at = utcnow()
        return made

    specialist = user(f"specialist@{DOMAIN}", "Гүлнара Осмонова", [(Role.SPECIALIST, m.id)])
    head = user(f"head@{DOMAIN}", "Нурбек Ташиев", [(Role.HEAD, m.id)], locale="ru")
    chair = user(f"chair@{DOMAIN}", "Жылдыз Абдыкадырова")
    members = [
        chair,
        specialist,
        user(f"member1@{DOMAIN}", "Эрмек Сатыбалдиев"),
        user(f"member2@{DOMAIN}", "Айжан Мамытова", locale="ru"),
        user(f"member3@{DOMAIN}", "Таалай Жумабаев"),
    ]
    applicants = [
        user(f"aigul@{DOMAIN}", "Айгүл Токтосунова", [(Role.APPLICANT, m.id)]),
        user(f"bakyt@{DOMAIN}", "Бакыт Исаков", [(Role.APPLICANT, m.id)], locale="ru"),
        user("+996555000111", "Чолпон Керимбаева", [(Role.APPLICANT, m.id)]),
        user(f"nurlan@{DOMAIN}", "Нурлан Алиев", [(Role.APPLICANT, m.id)]),
    ]
    user("oversight@demo.example", "Oversight reader", [(Role.OVERSIGHT, None)], locale="en")
    user("admin@demo.example", "Administrator", [(Role.ADMIN, None)], locale="en")
    return Cast(specialist=specialist, head=head, members=members, applicants=applicants)


# Where the announcement (T0) of a competition in each state lies from today, in days:
# far enough back that every step of its timeline is already in the past, and for the
# announced one, close enough that its application window is still open.
T0_DAYS_AGO = {
    "draft": -10,
    "funded": -5,
    "commission_formed": -2,
    "announced": 8,
    "applications_closed": 23,
    "screening": 25,
    "scoring": 31,
    "results_approved": 35,
    "winners_announced": 39,
    "implementation": 60,
    "closed": 400,
}


def load_demo(progress: Callable[[int], None] = lambda n: None) -> dict:
    m = orozbekov()
    cast = people(m)
    progress(10)
    now = utcnow()
    made = {}
    states = [s.value for s in COMPETITION.states]
    step = 85 // len(states)
    for round_no, state in enumerate(states, start=1):
        target = {"cancelled": "announced", "failed": "applications_closed"}.get(state, state)
        t0 = (now - timedelta(days=T0_DAYS_AGO[target])).replace(microsecond=0)
        title = {k: f"{v} {t0.year} — №{round_no}" for k, v in TITLES.items()}
        c = new_competition(
            m,
            cast,
            t0,
            title=title,
            year=t0.year,
            local_budget=Decimal("23000"),
            donor_pool=Decimal("50000"),
            max_grant=Decimal("15000"),
            min_own_share=Decimal("5.00"),
            priorities=PRIORITIES,
            required_documents=["application_letter", "budget"],
        )
        proposals = [] if state == "failed" else list(zip(cast.applicants, PROPOSALS, strict=True))
        if state == "announced":
            proposals = proposals[:2]  # the window is open: more may still come
        run = Run(c, cast, t0, proposals, paper=2, rejected=3)
        if target == "scoring":  # half scored, with a recusal: the commission at work
            scoring_under_way(advance(run, "screening"))
        elif target == "winners_announced":  # one agreement prepared, waiting for signatures
            advance(run, target)
            prepare_agreement(run, run.winners()[0][0], 1)
        elif target == "implementation":  # one report waiting for the office's check
            implementation_under_way(advance(run, target))
        else:
            advance(run, target)
        if state == "cancelled":
            fire(
                c,
                "cancel",
                cast.head,
                now=t0 + timedelta(days=1),
                reason=CANCEL_REASON,
            )
        elif state == "failed":
            fire(c, "declare_failed", cast.specialist, now=t0 + timedelta(days=23))
        made[state] = c
        progress(step)
    return made
