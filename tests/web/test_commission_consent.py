"""Nobody sits on a commission without consent, and the commission page tells a specialist
nothing about who is registered in the country (issue 20, item 8b).

A seat offered to a registered person is an invitation: it gives no role until the person
accepts it in their own account, and the commission cannot be formed (nor the competition
announced) while one is unanswered. An invitation typed by e-mail or phone reads the same
whether or not an account has that login, and it reaches whoever logs in with it, also
after registering later.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from initiatives.audit.models import AuditEvent
from initiatives.competitions.models import CommissionSeat, Competition
from tests.web.test_setup import SPECIALIST, create, step

MEMBER = {"seat-category": "deputy", "seat-seat_role": "member"}


def text(response) -> str:
    return response.get_data(as_text=True)


def flash_of(response) -> str:
    return " ".join(re.findall(r'class="flash[^"]*"[^>]*>(.*?)<', text(response), re.S))


def invite(client, cid: int, login: str, **extra):
    return client.post(
        f"/competitions/{cid}/commission",
        data={"seat-login": login, **MEMBER, **extra},
        follow_redirects=True,
    )


def test_a_known_and_an_unknown_login_get_the_same_answer(login, world, db):
    _, cast = world
    client = login(SPECIALIST)
    cid = create(client)
    client.get(f"/competitions/{cid}/budget")  # reads the creation's message
    known = invite(client, cid, cast.members[2].email)
    unknown = invite(client, cid, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert flash_of(known) and flash_of(known) == flash_of(unknown)
    page = text(client.get(f"/competitions/{cid}/commission"))
    assert cast.members[2].full_name not in page  # the page shows what was typed, no name
    assert cast.members[2].email in page and "nobody-here@example.org" in page


def test_an_invitation_gives_no_role_until_it_is_accepted(login, world, db):
    _, cast = world
    person = cast.members[2]
    client = login(SPECIALIST)
    cid = create(client)
    invite(client, cid, person.email.upper())  # any spelling of the address
    seat = db.session.scalar(select(CommissionSeat).where(CommissionSeat.competition_id == cid))
    assert seat.user_id is None and not seat.accepted

    member = login(person.email)
    assert db.session.get(Competition, cid).seat_of(person.id, pending=True) is None
    page = text(member.get("/invitations"))
    assert "Accept" in page or "/accept" in page
    assert member.post(f"/invitations/{seat.id}/accept").status_code == 302
    db.session.expire_all()
    seat = db.session.get(CommissionSeat, seat.id)
    assert seat.user_id == person.id and seat.accepted and seat.invited_login is None
    assert db.session.get(Competition, cid).seat_of(person.id) is not None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == cid)
    ).all()
    assert "accept_seat" in actions


def test_the_commission_is_not_formed_while_an_invitation_is_unanswered(login, world, db):
    _, cast = world
    client = login(SPECIALIST)
    cid = create(client)
    client.post(
        f"/competitions/{cid}/budget",
        data={
            "kind": "local_budget",
            "name": "Жергиликтүү бюджет",
            "amount": "23000",
            "decision_number": "226",
            "decision_date": "2025-12-28",
            "budget_line": "2821",
        },
    )
    assert step(client, cid, "allocate_budget").status_code == 302
    roles = ["chair", "secretary", "member", "member", "member"]
    for person, role in zip(cast.members, roles, strict=True):
        invite(client, cid, person.email, **{"seat-seat_role": role})
    client.post(
        f"/competitions/{cid}/commission/order",
        data={"order-order_number": "14-к", "order-order_date": "2026-01-10"},
    )
    client.post("/language/en")
    refused = step(client, cid, "form_commission")
    assert refused.status_code == 409
    assert "5 invited members have not accepted their seat yet" in text(refused)

    for person in cast.members:
        invited = login(person.email)
        seat_id = re.search(r"/invitations/(\d+)/accept", text(invited.get("/invitations")))
        assert invited.post(f"/invitations/{seat_id.group(1)}/accept").status_code == 302
    client = login(SPECIALIST)
    assert step(client, cid, "form_commission").status_code == 302


def test_nobody_else_can_answer_an_invitation(login, world, db):
    _, cast = world
    client = login(SPECIALIST)
    cid = create(client)
    invite(client, cid, cast.members[2].email)
    seat = db.session.scalar(select(CommissionSeat).where(CommissionSeat.competition_id == cid))
    other = login(cast.members[3].email)
    assert f"/invitations/{seat.id}/" not in text(other.get("/invitations"))
    assert other.post(f"/invitations/{seat.id}/accept").status_code == 404
    assert other.post(f"/invitations/{seat.id}/decline").status_code == 404
    office = login(SPECIALIST)  # the office invites; it does not accept for the person
    assert office.post(f"/invitations/{seat.id}/accept").status_code == 404
    db.session.expire_all()
    assert not db.session.get(CommissionSeat, seat.id).accepted


def test_a_declined_seat_is_removed_and_the_office_sees_who_declined(login, world, db):
    _, cast = world
    person = cast.members[2]
    client = login(SPECIALIST)
    cid = create(client)
    invite(client, cid, person.email)
    seat_id = db.session.scalar(
        select(CommissionSeat.id).where(CommissionSeat.competition_id == cid)
    )
    assert login(person.email).post(f"/invitations/{seat_id}/decline").status_code == 302
    db.session.expire_all()
    assert db.session.get(CommissionSeat, seat_id) is None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.subject_id == cid, AuditEvent.action == "decline_seat")
    )
    assert event is not None and event.actor_id == person.id


def test_an_invitation_reaches_a_person_who_registers_afterwards(client, login, world, db):
    specialist = login(SPECIALIST)
    cid = create(specialist)
    invite(specialist, cid, "0700 11 22 33")
    specialist.post("/logout")
    registered = client.post(
        "/register",
        data={
            "full_name": "Айгерим Садыкова",
            "login": "+996 700 112 233",
            "password": "a long enough password",
            "password_again": "a long enough password",
            "language": "ky",
        },
    )
    assert registered.status_code == 302, text(registered)
    newcomer = login("0700112233", "a long enough password")
    seat_id = re.search(r"/invitations/(\d+)/accept", text(newcomer.get("/invitations")))
    assert seat_id and newcomer.post(f"/invitations/{seat_id.group(1)}/accept").status_code == 302


def test_an_outside_person_is_seated_at_once(login, world, db):
    client = login(SPECIALIST)
    cid = create(client)
    client.post(
        f"/competitions/{cid}/commission",
        data={"seat-outside_name": "Бүбүсара Ногойбаева", **MEMBER},
    )
    seat = db.session.scalar(select(CommissionSeat).where(CommissionSeat.competition_id == cid))
    assert seat.accepted  # consents on paper: the order's signatures


def test_the_invited_person_is_told_and_led_to_the_invitations(login, world, db):
    _, cast = world
    person = cast.members[2]
    client = login(SPECIALIST)
    cid = create(client)
    invite(client, cid, person.email, **{"seat-seat_role": "chair"})
    invite(client, cid, "nobody-here@example.org")  # no account: nobody to tell
    member = login(person.email)
    member.post("/language/en")
    page = text(member.get("/notifications"))
    assert "You are invited to sit on the commission" in page and "as chair" in page
    assert 'href="/invitations"' in page


def test_a_citizen_invited_sees_it_on_the_dashboard(login, world, db):
    _, cast = world
    citizen = cast.applicants[0]  # no role anywhere: the dashboard would send her on
    client = login(SPECIALIST)
    cid = create(client)
    invite(client, cid, citizen.email)
    invited = login(citizen.email)
    invited.post("/language/en")
    page = invited.get("/dashboard")
    assert page.status_code == 200
    assert "You are invited to sit on 1 commission." in text(page)
