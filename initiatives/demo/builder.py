"""Carry a competition to any state by firing the real steps, on a timeline.

The demo and the tests share this: a competition "in scoring" here got there through the
same guards, documents and audit events a real one does. ``T0`` is the moment of the
announcement; every step happens at a fixed offset from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from initiatives.applications import operations as applications
from initiatives.competitions import operations as competitions
from initiatives.core.enums import (
    SCREENING_CHECKS,
    Channel,
    SeatCategory,
    SeatRole,
    SourceKind,
)
from initiatives.grants import operations as grants
from initiatives.lifecycle.operations import fire
from initiatives.scoring import operations as scoring
from workflows import COMPETITION

ORDER = [s.value for s in COMPETITION.states if s.value not in ("cancelled", "failed")]
DAY = timedelta(days=1)


@dataclass
class Cast:
    """Who does what: the office, the commission's users, the applicants."""

    specialist: object
    head: object
    members: list  # users for the five seats: chair, secretary, then members
    applicants: list


@dataclass
class Proposal:
    title: str
    topic: str
    village: str
    local: Decimal
    donor: Decimal
    labour: Decimal
    participants: dict
    scores: int  # the points every member gives on every criterion
    applicant_kind: str = "group"
    lines: list = field(default_factory=list)


ZERO = Decimal("0")
# Free text the demo's people type, in the languages a Kyrgyz office types them: printed in
# the ky and ru documents alike, so never in English.
CONFLICT_NATURE = (
    "Демилгечи менин жакын тууганым: өз агам. / Заявитель — мой близкий родственник, родной брат."
)
CANCEL_REASON = (
    "Айылдык кеңеш каражатты суу ташкынынан кийинки калыбына келтирүү иштерине которду. / "
    "Айылный кенеш направил средства на ремонт после паводка."
)


def at(t0: datetime, days: float) -> datetime:
    return t0 + timedelta(days=days)


def new_competition(
    municipality,
    cast: Cast,
    t0: datetime,
    *,
    title: dict,
    year: int,
    local_budget: Decimal,
    donor_pool: Decimal | None = None,
    max_grant: Decimal,
    min_own_share: Decimal,
    priorities: list[str],
    required_documents: list[str],
):
    c = competitions.create_competition(
        municipality,
        year,
        cast.specialist,
        at=at(t0, -20),
        title_ky=title["ky"],
        title_ru=title["ru"],
        title_en=title["en"],
        text_ky=title.get("text_ky", ""),
        text_ru=title.get("text_ru", ""),
        text_en=title.get("text_en", ""),
        priorities=priorities,
        required_documents=required_documents,
        max_grant=max_grant,
        min_own_share=min_own_share,
        opens_at=t0,
        submission_deadline=at(t0, 21),
        implementation_deadline=at(t0, 90),
        report_deadline=at(t0, 120),
    )
    competitions.add_funding_source(
        c,
        cast.specialist,
        kind=SourceKind.LOCAL_BUDGET,
        name="Жергиликтүү бюджет",
        name_ru="Местный бюджет",
        amount=local_budget,
        decision_number="226",
        decision_date=date(t0.year - 1, 12, 28),
        budget_line="2821",  # the sentence names the purpose ("... to local initiatives")
        at=at(t0, -16),
    )
    if donor_pool:
        competitions.add_funding_source(
            c,
            cast.specialist,
            kind=SourceKind.DONOR,
            name="Донордук долбоор",
            name_ru="Донорский проект",
            amount=donor_pool,
            conditions_ky="жеңүүчүгө 25 000 сомго чейин: спорттук шаймандар жана костюмдар",
            conditions_ru="до 25 000 сом на победителя: спортивный инвентарь и костюмы",
            per_winner_cap=Decimal("25000"),
            at=at(t0, -16),
        )
    return c


def seat_commission(c, cast: Cast, t0: datetime) -> None:
    roles = [SeatRole.CHAIR, SeatRole.SECRETARY, SeatRole.MEMBER, SeatRole.MEMBER, SeatRole.MEMBER]
    categories = [
        SeatCategory.DEPUTY,
        SeatCategory.AO_STAFF,
        SeatCategory.DEPUTY,
        SeatCategory.COMMUNITY,
        SeatCategory.COMMUNITY,
    ]
    positions = [
        ("Айылдык кеңештин депутаты", "Депутат айылного кенеша"),
        ("Айыл өкмөтүнүн адиси", "Специалист айыл окмоту"),
        ("Айылдык кеңештин депутаты", "Депутат айылного кенеша"),
        ("Мектептин мугалими", "Учитель школы"),
        ("Жаштар уюмунун төрагасы", "Председатель молодёжной организации"),
    ]
    for user, role, category, (position, position_ru) in zip(
        cast.members, roles, categories, positions, strict=True
    ):
        seat = competitions.add_seat(
            c,
            cast.specialist,
            user=user,
            position=position,
            position_ru=position_ru,
            seat_role=role,
            category=category,
            at=at(t0, -12),
        )
        competitions.accept_seat(seat, user, at=at(t0, -12))  # each member said yes
    competitions.record_commission_order(
        c, cast.head, number=f"{c.year}-17", on=at(t0, -11).date(), at=at(t0, -11)
    )


def draft_application(c, applicant, p: Proposal, t0: datetime, *, paper_by=None):
    a = applications.start_draft(
        c,
        paper_by or applicant,
        owner=None if paper_by else applicant,
        channel=Channel.PAPER if paper_by else Channel.ONLINE,
        at=at(t0, 3),
        applicant_kind=p.applicant_kind,
        applicant_name=applicant.full_name,
        contact_phone=applicant.phone or "",
        contact_email=applicant.email or "",
        village=p.village,
        title=p.title,
        priority_topic=p.topic,
        problem="Балдар жана жаштар үчүн иш-чаралар жетишсиз.",
        goal="Коомчулукту бириктирүү жана балдардын бош убактысын уюштуруу.",
        sustainability="Инвентарь остаётся в школе и молодёжном центре.",
        expected_participants=p.participants,
        received_at=at(t0, 4) if paper_by else None,
    )
    lines = p.lines or [
        {
            "item": "Призы, грамоты, медали",
            "unit": "комплект",
            "quantity": 1,
            "unit_price": p.local,
            "local_amount": p.local,
        },
        {
            "item": "Инвентарь и костюмы",
            "unit": "комплект",
            "quantity": 1,
            "unit_price": p.donor,
            "partner_amount": p.donor,
        },
        {
            "item": "Организационная работа инициативной группы",
            "unit": "дней",
            "quantity": 10,
            "unit_price": p.labour / 10,
            "labour_amount": p.labour,
        },
    ]
    applications.set_budget_lines(a, paper_by or applicant, lines, at=at(t0, 3))
    applications.set_activities(
        a,
        paper_by or applicant,
        [
            {
                "description": "Подготовка и приглашения",
                "responsible": applicant.full_name,
                "starts_on": at(t0, 40).date(),
                "ends_on": at(t0, 50).date(),
            },
            {
                "description": "Мероприятия в сёлах",
                "responsible": applicant.full_name,
                "starts_on": at(t0, 50).date(),
                "ends_on": at(t0, 85).date(),
            },
        ],
        at=at(t0, 3),
    )
    for doc_type in c.required_documents:
        applications.attach(
            a,
            paper_by or applicant,
            doc_type=doc_type,
            filename=f"{doc_type}.pdf",
            content_type="application/pdf",
            content=f"%PDF-1.4 demo {doc_type} {p.title}".encode(),
            at=at(t0, 3),
        )
    return a


@dataclass
class Run:
    """One competition being carried along its timeline, with its applications."""

    c: object
    cast: Cast
    t0: datetime
    proposals: list  # (applicant user, Proposal)
    paper: int | None = None  # index of the proposal brought on paper
    rejected: int | None = None  # index of the proposal rejected at screening
    apps: list = field(default_factory=list)  # (Application, Proposal)

    @property
    def secretary(self):
        return self.cast.members[1]

    @property
    def chair(self):
        return self.cast.members[0]

    def admitted(self):
        return [(a, p) for a, p in self.apps if a.state not in ("rejected", "withdrawn")]

    def winners(self):
        return [(a, p) for a, p in self.apps if a.awarded_amount is not None]


def step_allocate_budget(r: Run) -> None:
    fire(r.c, "allocate_budget", r.cast.specialist, now=at(r.t0, -15))


def step_form_commission(r: Run) -> None:
    if not r.c.seats:
        seat_commission(r.c, r.cast, r.t0)
    fire(r.c, "form_commission", r.cast.head, now=at(r.t0, -10))


def step_announce(r: Run) -> None:
    fire(r.c, "announce", r.cast.specialist, now=r.t0)
    for i, (applicant, p) in enumerate(r.proposals):
        clerk = r.cast.specialist if i == r.paper else None
        a = draft_application(r.c, applicant, p, r.t0, paper_by=clerk)
        # A day apart, squeezed into the 21-day window when there are many.
        fire(a, "submit", clerk or applicant, now=at(r.t0, 5 + 15 * i / max(len(r.proposals), 15)))
        r.apps.append((a, p))


def step_close_applications(r: Run) -> None:
    fire(r.c, "close_applications", r.cast.specialist, now=at(r.t0, 22))


def step_start_screening(r: Run) -> None:
    fire(r.c, "start_screening", r.secretary, now=at(r.t0, 23))
    every_check_met = dict.fromkeys(SCREENING_CHECKS, True)
    for i, (a, _p) in enumerate(r.apps):
        if i == r.rejected:
            fire(
                a,
                "reject",
                r.secretary,
                now=at(r.t0, 24),
                checklist={**every_check_met, "eligible_applicant": False},
                reason="Инициативная группа зарегистрирована за пределами айыл аймака.",
            )
        else:
            fire(a, "admit", r.secretary, now=at(r.t0, 24), checklist=every_check_met)


def screening_meeting(c, held_at: datetime, *, choice: str = "for") -> dict:
    """The meeting that approves the screening, as ``finish_screening`` takes it: every
    member present, each voting ``choice``."""
    present = [s.id for s in c.seats]
    return {
        "held_at": held_at,
        "place": "Айыл өкмөтү, жыйналыштар залы",
        "present": present,
        "votes": dict.fromkeys(present, choice),
    }


def step_finish_screening(r: Run) -> None:
    fire(
        r.c,
        "finish_screening",
        r.secretary,
        now=at(r.t0, 25),
        meeting=screening_meeting(r.c, at(r.t0, 25)),
    )
    for a, p in r.admitted():
        score_sheets(r, a, p)
        fire(a, "mark_scored", r.secretary, now=at(r.t0, 30))


def score_sheets(r: Run, a, p: Proposal, seats=None) -> None:
    """Each member (of ``seats``, default all) declares no conflict and submits a sheet
    of ``p.scores`` points."""
    for seat in seats if seats is not None else r.c.seats:
        scoring.declare_conflicts(seat, seat.user, {a.id: (False, None)}, at=at(r.t0, 27))
        values = {k.id: (p.scores, "") for k in r.c.criteria}
        sheet = scoring.save_sheet(seat, a, seat.user, values, at=at(r.t0, 28))
        scoring.submit_sheet(sheet, seat.user, at=at(r.t0, 29))


def scoring_under_way(r: Run) -> None:
    """Scoring half done, as a newcomer should see it: three members have scored every
    application, one declared a conflict on the first one, one has not started."""
    fire(
        r.c,
        "finish_screening",
        r.secretary,
        now=at(r.t0, 25),
        meeting=screening_meeting(r.c, at(r.t0, 25)),
    )
    seats = list(r.c.seats)
    for a, p in r.admitted():
        score_sheets(r, a, p, seats=seats[:3])
    first = r.admitted()[0][0] if r.admitted() else None
    if first is not None and len(seats) > 3:
        scoring.declare_conflicts(
            seats[3],
            seats[3].user,
            {first.id: (True, CONFLICT_NATURE)},
            at=at(r.t0, 27),
        )


def vote_everything(r: Run, *, choice: str = "for", day: float = 33) -> None:
    """The results meeting: everybody present, every member votes ``choice`` on every
    motion they may vote on."""
    c = r.c
    present = {s.id for s in c.seats}
    votes = {
        m["key"]: dict.fromkeys(scoring.eligible_voters(c, present, m["application_id"]), choice)
        for m in scoring.results_motions(c)
    }
    scoring.hold_results_meeting(
        c,
        r.secretary,
        held_at=at(r.t0, day),
        place="Айыл өкмөтү, жыйналыштар залы",
        present=present,
        votes=votes,
        at=at(r.t0, day),
    )


def step_approve_results(r: Run) -> None:
    """Award down the ranking while the money lasts, vote at the meeting, approve."""
    scoring.apply_proposal(r.c, r.chair, now=at(r.t0, 32))
    vote_everything(r)
    fire(r.c, "approve_results", r.chair, now=at(r.t0, 34))


def step_announce_winners(r: Run) -> None:
    c = r.c
    fire(
        c,
        "announce_winners",
        r.cast.head,
        now=at(r.t0, 36),
        decision_number=f"{c.year}-42",
        decision_date=at(r.t0, 36).date(),
    )


def prepare_agreement(r: Run, a, n: int) -> None:
    grants.record_agreement(
        a,
        r.cast.specialist,
        number=f"{r.c.year}/{n}",
        signed_on=None,
        at=at(r.t0, 37),
        obligations="Демилгелүү топтун уюштуруу иши / Организационная работа инициативной группы",
        # The initiator's account the money goes to (invented numbers of the right shape).
        payee={
            "bank_name": "ОАО «Айыл Банк», Кадамжайский филиал",
            "account": f"12400031{n:08d}",
            "bic": "124003",
            "pin": f"2150519{n:02d}00{n:03d}",
        },
        # One tranche, due when the money is paid (day 41): after the signing on day 38.
        tranches=[{"due": at(r.t0, 41).date(), "amount": a.awarded_amount}],
    )


def sign_agreement(r: Run, a, n: int) -> None:
    if a.agreement is None:
        prepare_agreement(r, a, n)
    grants.attach_scan(
        a,
        r.cast.specialist,
        filename=f"agreement-{r.c.year}-{n}.pdf",
        content=scan_pdf(f"Agreement {r.c.year}/{n}"),
        content_type="application/pdf",
        at=at(r.t0, 38),
    )
    grants.record_signing(a, r.cast.specialist, signed_on=at(r.t0, 38).date(), at=at(r.t0, 38))
    fire(a, "sign_agreement", r.cast.specialist, now=at(r.t0, 38))


def step_start_implementation(r: Run) -> None:
    """Every winner signs (day 38); implementation starts and the money is paid (40-41)."""
    for n, (a, _p) in enumerate(r.winners(), start=1):
        sign_agreement(r, a, n)
    fire(r.c, "start_implementation", r.cast.specialist, now=at(r.t0, 40))
    for n, (a, _p) in enumerate(r.winners(), start=1):
        fire(a, "begin_implementation", r.cast.specialist, now=at(r.t0, 40))
        grants.record_payment(
            a.agreement,
            r.cast.specialist,
            paid_on=at(r.t0, 41).date(),
            amount=a.awarded_amount,
            order_number=f"PO-{r.c.year}-{n}",
            at=at(r.t0, 41),
        )


def scan_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a scanned paper (the demo has no scanner)."""
    return one_page_pdf(f"{title} - signed copy")


def one_page_pdf(line: str) -> bytes:
    """A valid one-page PDF carrying one line of ASCII text, written without a library."""
    text = f"BT /F1 18 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def fill_report(r: Run, a, p: Proposal, *, day: float = 95) -> None:
    """Everything done as planned: the plan's money spent line by line, the participants
    the initiative expected (for the Orozbekov pair, the numbers of their real reports)."""
    grants.fill_report(
        a,
        a.owner or r.cast.specialist,
        # What initiators write, in their own words (Kyrgyz, as a village group writes).
        results_text="Пландалган иш-чаралардын баары өттү, катышуучулар күтүлгөндөй келди.",
        participants=p.participants,
        activities_done={act.id: True for act in a.activities},
        spending=[{**row, "actual": row["planned"]} for row in grants.planned_spending(a)],
        contribution_note="Демилгелүү топ ар бир иш-чараны өз эмгеги менен уюштурду.",
        at=at(r.t0, day),
    )


def implementation_under_way(r: Run) -> Run:
    """The first winner has submitted its report for checking; the others are at work."""
    (a, p), *_rest = r.winners()
    fill_report(r, a, p, day=58)
    fire(a, "submit_report", a.owner or r.cast.specialist, now=at(r.t0, 58))
    return r


def step_close(r: Run) -> None:
    for a, p in r.winners():
        if a.state == "terminated":
            continue
        fill_report(r, a, p)
        fire(a, "submit_report", a.owner or r.cast.specialist, now=at(r.t0, 96))
        fire(a, "accept_report", r.cast.specialist, now=at(r.t0, 100))
    fire(r.c, "close", r.cast.specialist, now=at(r.t0, 125))


# The step that leaves each state of the main path, in order.
STEPS = {
    "draft": step_allocate_budget,
    "funded": step_form_commission,
    "commission_formed": step_announce,
    "announced": step_close_applications,
    "applications_closed": step_start_screening,
    "screening": step_finish_screening,
    "scoring": step_approve_results,
    "results_approved": step_announce_winners,
    "winners_announced": step_start_implementation,
    "implementation": step_close,
}


def advance(r: Run, target: str) -> Run:
    """Take the main-path steps from the competition's state up to ``target``."""
    while ORDER.index(r.c.state) < ORDER.index(target):
        STEPS[r.c.state](r)
    return r
