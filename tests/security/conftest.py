"""One town for the security tests: the demo municipality with a competition in each of a few
states, every kind of person who may come near them, and a second municipality whose people
must never see any of it.

Walking every endpoint as every role is only affordable if the town is built once per
module, while the suite's ``db`` fixture empties the database after every test. So the
``town`` fixture keeps its own application context and empties the database itself, before
and after; the tests talk to the app only through logged-in test clients, as users do.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from initiatives.applications import operations as applications
from initiatives.applications.models import Application
from initiatives.auth import operations as accounts
from initiatives.competitions import operations as competitions
from initiatives.competitions.models import Competition
from initiatives.core.db import utcnow
from initiatives.core.enums import DocumentKind, Role, SeatCategory, SeatRole, SourceKind
from initiatives.core.errors import Refused
from initiatives.demo import loader
from initiatives.demo.builder import (
    Cast,
    Run,
    advance,
    at,
    draft_application,
    fill_report,
    new_competition,
    one_page_pdf,
    prepare_agreement,
    score_sheets,
    screening_meeting,
)
from initiatives.documents.models import Document
from initiatives.extensions import db
from initiatives.grants import operations as grants
from initiatives.lifecycle.operations import fire
from initiatives.municipalities.models import Municipality
from initiatives.scoring import operations as scoring
from tests.conftest import T0

# A few states that differ for access: before the announcement (setup editable, documents
# unpublished), intake open, scoring (a recusal; results held back), results approved but not
# announced (the protocol still private), winners announced (an agreement being prepared),
# implementation (payments, a report being written) and closed (everything public).
STATES = (
    "commission_formed",
    "announced",
    "scoring",
    "results_approved",
    "winners_announced",
    "implementation",
    "closed",
)

D = loader.DOMAIN
OTHER = "ak-tal.example"
# Who plays each role. "owner" owns the application under test; "applicant" has an
# application of their own in the same competition; "recused" declared a conflict on the
# application under test (from scoring on); the last three belong to another municipality.
LOGINS = {
    "anon": None,
    "owner": f"aigul@{D}",
    "applicant": f"bakyt@{D}",
    "member": f"member1@{D}",
    "recused": f"member2@{D}",
    "chair": f"chair@{D}",
    "secretary": f"secretary@{D}",
    "specialist": f"specialist@{D}",
    "head": f"head@{D}",
    "oversight": "oversight@demo.example",
    "admin": "admin@demo.example",
    "other_specialist": f"specialist@{OTHER}",
    "other_head": f"head@{OTHER}",
    "other_member": f"member@{OTHER}",
}
ROLES = tuple(LOGINS)
STRANGERS = ("other_specialist", "other_head", "other_member")


@dataclass
class Scene:
    """One competition in one state: the ids its URLs need, by name, and the words a
    stranger must never read (titles, applicants' names)."""

    state: str
    targets: dict = field(default_factory=dict)
    secrets: tuple = ()
    names: tuple = ()  # the applicants'


@dataclass
class Town:
    scenes: dict  # state -> Scene
    places: dict  # the scene-free ids: municipality, slug


# --- building ---------------------------------------------------------------------------------


def wipe() -> None:
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(delete(table))


def cast_of(m) -> Cast:
    """The demo's people, except that the secretary's seat goes to a person who is not the
    specialist, so that holding the seat and holding the office are told apart."""
    cast = loader.people(m)
    secretary = accounts.create_user(
        login=LOGINS["secretary"], full_name="Мээрим Сыдыкова", password=loader.DEMO_PASSWORD
    )
    chair, _specialist, *members = cast.members
    return Cast(
        specialist=cast.specialist,
        head=cast.head,
        members=[chair, secretary, *members],
        applicants=cast.applicants,
    )


def neighbours() -> int:
    """A second municipality with its own specialist, head and a commission member (seated
    on a competition of theirs)."""
    m = Municipality(
        slug="ak-tal",
        name_ky="Ак-Тал айыл аймагы",
        name_ru="Ак-Талский айыльный аймак",
        name_en="Ak-Tal ayil aimak",
        region="Нарын",
        district="Ак-Талаа",
    )
    db.session.add(m)
    db.session.flush()

    def user(role, name, grants=()):
        return accounts.create_user(
            login=LOGINS[role], full_name=name, password=loader.DEMO_PASSWORD, roles=list(grants)
        )

    specialist = user("other_specialist", "Бурул Асанова", [(Role.SPECIALIST, m.id)])
    user("other_head", "Дастан Орозов", [(Role.HEAD, m.id)])
    member = user("other_member", "Канат Бейшеев")
    c = competitions.create_competition(
        m, T0.year, specialist, title_ky="Ак-Тал сынагы", title_ru="Конкурс Ак-Тал"
    )
    seat = competitions.add_seat(
        c, specialist, user=member, seat_role=SeatRole.CHAIR, category=SeatCategory.DEPUTY
    )
    competitions.accept_seat(seat, member)
    return m.id


def announce(r: Run, *, draft_too: bool) -> None:
    """The builder's announcement step, with a passport copy in the first application (a
    file only its owner and the office may download) and, if asked, an unsent draft."""
    fire(r.c, "announce", r.cast.specialist, now=r.t0)
    for i, (applicant, p) in enumerate(r.proposals):
        a = draft_application(r.c, applicant, p, r.t0)
        if i == 0:
            applications.attach(
                a,
                applicant,
                doc_type="passport_copy",
                filename="passport.pdf",
                content_type="application/pdf",
                content=one_page_pdf("Passport ID 1234567"),
                at=at(r.t0, 3),
            )
        fire(a, "submit", applicant, now=at(r.t0, 5 + i))
        r.apps.append((a, p))
    if draft_too:
        owner = r.proposals[0][0]
        r.draft = draft_application(r.c, owner, loader.PROPOSALS[3], r.t0)


def seats(r: Run) -> list:
    """The seats of the chair, the secretary, the member, the recused member and member3."""
    return [r.c.seat_of(u.id) for u in r.cast.members]


def recuse(r: Run, seat, a) -> None:
    scoring.declare_conflicts(
        seat, seat.user, {a.id: (True, "The applicant is my cousin.")}, at=at(r.t0, 27)
    )


def scoring_half_done(r: Run) -> None:
    """Scoring under way: the chair and the secretary have scored everything; the member has
    declared no conflict and not scored yet (so a sheet they save is a real write); the
    recused member declared a conflict on the first application; member3 has not started."""
    fire(
        r.c,
        "finish_screening",
        r.secretary,
        now=at(r.t0, 25),
        meeting=screening_meeting(r.c, at(r.t0, 25)),
    )
    chair, secretary, member, recused, _member3 = seats(r)
    first = r.admitted()[0][0]
    for a, p in r.admitted():
        score_sheets(r, a, p, seats=[chair, secretary])
        scoring.declare_conflicts(member, member.user, {a.id: (False, None)}, at=at(r.t0, 27))
        if a is first:
            recuse(r, recused, a)
        else:
            scoring.declare_conflicts(recused, recused.user, {a.id: (False, None)})


def finish_screening_with_recusal(r: Run) -> None:
    """The builder's step, except that the recused member declares a conflict on the first
    application, and so neither scores nor votes on it."""
    fire(
        r.c,
        "finish_screening",
        r.secretary,
        now=at(r.t0, 25),
        meeting=screening_meeting(r.c, at(r.t0, 25)),
    )
    recused = seats(r)[3]
    first = r.admitted()[0][0]
    for a, p in r.admitted():
        if a is first:
            recuse(r, recused, a)
        score_sheets(r, a, p, seats=[s for s in r.c.seats if not (a is first and s is recused)])
        fire(a, "mark_scored", r.secretary, now=at(r.t0, 30))


def report_in_progress(r: Run) -> None:
    """The first winner writes its report (saved, not sent) with a receipt attached."""
    a, p = r.apps[0]
    fill_report(r, a, p, day=58)
    grants.attach_report_file(
        a,
        a.owner,
        doc_type="receipt",
        filename="receipt.pdf",
        content=one_page_pdf("Receipt No. 77"),
        content_type="application/pdf",
        at=at(r.t0, 58),
    )


def carry(m, cast: Cast, state: str) -> Run:
    # The intake must still be open for "announced": every page that reads a competition
    # closes it at its deadline, which would move the scene under the test's feet.
    t0 = (utcnow() - timedelta(days=8)).replace(microsecond=0) if state == "announced" else T0
    title = {k: f"{v} ({state})" for k, v in loader.TITLES.items()}
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
        priorities=loader.PRIORITIES,
        required_documents=["application_letter", "budget"],
    )
    r = Run(c, cast, t0, list(zip(cast.applicants, loader.PROPOSALS, strict=True))[:3])
    r.draft = None  # an unsent application of the owner's, in the "announced" scene only
    advance(r, "commission_formed")
    if state == "commission_formed":
        return r
    announce(r, draft_too=state == "announced")
    if state == "announced":
        return r
    advance(r, "screening")
    if state == "scoring":
        scoring_half_done(r)
        return r
    finish_screening_with_recusal(r)
    advance(r, min(state, "implementation", key=STATES.index))
    if state == "winners_announced":
        prepare_agreement(r, r.apps[0][0], 1)
    if state in ("implementation", "closed"):
        report_in_progress(r)
    if state == "closed":
        advance(r, "closed")
    return r


def scene_of(r: Run, state: str, municipality) -> Scene:
    c = r.c
    assert c.state == state, (c.state, state)
    t: dict = {"competition": c.id, "municipality": municipality.id, "slug": municipality.slug}
    t["source"] = c.funding_sources[0].id
    t["seat"] = r.c.seat_of(r.cast.members[4].id).id  # member3's seat: nobody's role here
    docs = db.session.scalars(
        select(Document).where(Document.competition_id == c.id).order_by(Document.id)
    ).all()
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.kind, d)
    # The document under test is private to the people working on the competition (and the
    # applicant concerned): before the announcement any document is; afterwards the first
    # application's receipt.
    private = by_kind.get(DocumentKind.RECEIPT) or by_kind[DocumentKind.COMMISSION_ORDER]
    t["document"], t["token"] = private.id, private.token
    if DocumentKind.ANNOUNCEMENT in by_kind:
        t["public_document"] = by_kind[DocumentKind.ANNOUNCEMENT].id
    chair = c.seat_of(r.cast.members[0].id)
    sheets = [d for d in docs if d.kind == DocumentKind.SCORE_SHEET]
    for d in sheets:
        if d.snapshot["member"]["seat_id"] == chair.id:
            t["score_sheet"] = d.id  # the chair's: another member's scores, for the others
            break
    if DocumentKind.RESULTS_PROTOCOL in by_kind:
        t["results_protocol"] = by_kind[DocumentKind.RESULTS_PROTOCOL].id
    secrets = {c.title_ky, c.title_ru, c.title_en}
    names = {a.applicant_name for a, _p in r.apps}
    if r.apps:
        a = r.apps[0][0]
        assert a.owner.login == LOGINS["owner"]
        t["application"] = a.id
        files = {x.doc_type: x.id for x in a.attachments}
        t["attachment"], t["passport"] = files["application_letter"], files["passport_copy"]
        if state not in ("announced", "commission_formed"):
            recused = c.seat_of(r.cast.members[3].id)
            assert any(d.has_conflict and d.seat_id == recused.id for d in a.conflicts)
        for x, _p in r.apps:
            secrets |= {x.title, x.applicant_name}
    if r.draft is not None:
        t["draft"] = r.draft.id
        t["draft_attachment"] = r.draft.attachments[0].id
        secrets |= {r.draft.title}
    a = r.apps[0][0] if r.apps else None
    if a is not None and a.agreement is not None:
        scans = [x for x in a.agreement.files if x.doc_type == grants.SCAN]
        if scans:
            t["agreement_scan"] = scans[0].id
    if a is not None and a.reports:
        files = [x for report in a.reports for x in report.files]
        if files:
            t["report_file"] = files[0].id
    return Scene(state, t, tuple(sorted(s for s in secrets if s)), tuple(sorted(names)))


def build_town() -> Town:
    m = loader.orozbekov()
    cast = cast_of(m)
    neighbours()
    scenes = {}
    for state in STATES:
        r = carry(m, cast, state)
        db.session.flush()
        scenes[state] = scene_of(r, state, m)
    db.session.commit()
    return Town(scenes, {"municipality": m.id, "slug": m.slug})


@pytest.fixture(scope="module")
def town(app):
    with app.app_context():
        wipe()
        made = build_town()
        db.session.remove()
    yield made
    with app.app_context():
        wipe()


@contextmanager
def blind_scoring(app, competition_id: int):
    """The competition's members score by codes while the block runs."""
    with app.app_context():
        c = db.session.get(Competition, competition_id)
        before = dict(c.settings or {})
        c.settings = {**before, "blind_scoring": True}
        db.session.commit()
        db.session.remove()
    try:
        yield
    finally:
        with app.app_context():
            db.session.get(Competition, competition_id).settings = before
            db.session.commit()
            db.session.remove()


# --- things a permitted POST may consume ---------------------------------------------------------


def fresh(app, scene: Scene, label: str) -> int | None:
    """A new seat, source of money, draft file or report file for a permitted POST to remove,
    so that the next role finds one too; None where the state allows none (the POST then
    targets the standing one and is refused by state). The app context's end rolls back
    whatever a refusal left half-done."""
    pdf = one_page_pdf("Temporary file")
    with app.app_context():
        c = db.session.get(Competition, scene.targets["competition"])
        specialist = accounts.find_by_login(LOGINS["specialist"])
        try:
            if label == "seat":
                made = competitions.add_seat(c, specialist, outside_name="Temporary member")
            elif label == "source":
                made = competitions.add_funding_source(
                    c, specialist, kind=SourceKind.OTHER, name="Temporary", amount=Decimal("1")
                )
            elif label == "draft_attachment":
                a = db.session.get(Application, scene.targets["draft"])
                made = applications.attach(
                    a,
                    a.owner,
                    doc_type="photo",
                    filename="temporary.pdf",
                    content=pdf,
                    content_type="application/pdf",
                )
            else:
                a = db.session.get(Application, scene.targets["application"])
                made = grants.attach_report_file(
                    a,
                    a.owner,
                    doc_type="receipt",
                    filename="temporary.pdf",
                    content=pdf,
                    content_type="application/pdf",
                )
        except Refused:
            return None
        db.session.commit()
        return made.id


# --- requests ---------------------------------------------------------------------------------

MINIMAL_FORM = {"confirm": "1"}  # final steps need it; the other forms ignore it


def send(client, method: str, url: str):
    """A GET, or a POST of the minimal form; read and closed (a file sent from disk stays
    open until its response is closed)."""
    response = client.open(url, method=method, data=MINIMAL_FORM if method == "POST" else None)
    response.get_data()
    response.close()
    return response


# --- people -----------------------------------------------------------------------------------


def log_in(client, role: str):
    client.post("/language/en")  # the error pages and flashes read the same for everyone
    if LOGINS[role] is not None:
        response = client.post(
            "/login", data={"login": LOGINS[role], "password": loader.DEMO_PASSWORD}
        )
        assert response.status_code == 302, (role, response.status_code)
    return client


@pytest.fixture(scope="module")
def people(app, town):
    """A logged-in test client per role (the anonymous one is just not logged in)."""
    return {role: log_in(app.test_client(), role) for role in ROLES}


# --- the database's fingerprint ---------------------------------------------------------------

# Logins and language choices touch user rows on every visit; nothing else may change.
UNWATCHED = {"user_account"}


def fingerprint(app) -> dict:
    """Row counts of every table, plus what records an update (version numbers, which every
    change of state bumps; update times; read marks): one cheap query. Edits in place of rows
    without such a column still show, because every change leaves an audit event."""
    aggregates = {"version": func.sum, "updated_at": func.max, "read_at": func.count}
    columns = []
    for table in db.metadata.sorted_tables:
        if table.name in UNWATCHED:
            continue
        columns.append(select(func.count()).select_from(table).scalar_subquery().label(table.name))
        for name, agg in aggregates.items():
            if name in table.c:
                value = select(agg(table.c[name])).select_from(table).scalar_subquery()
                columns.append(value.label(f"{table.name}.{name}"))
    with app.app_context():
        row = db.session.execute(select(*columns)).one()
        db.session.remove()
    return {k: str(v) for k, v in row._mapping.items()}
