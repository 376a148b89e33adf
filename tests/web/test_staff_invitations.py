"""Staff invitations (a link by e-mail, a code by SMS), their answer, and departures."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from initiatives.admin import operations as staffing
from initiatives.admin.models import StaffInvitation
from initiatives.audit.models import AuditEvent
from initiatives.auth import operations as accounts
from initiatives.auth.models import RoleGrant, User
from initiatives.core.db import utcnow
from initiatives.core.enums import Role
from initiatives.demo.loader import DEMO_PASSWORD, DOMAIN
from initiatives.municipalities.models import Municipality
from initiatives.scoring.models import Score, ScoreSheet
from initiatives.sms.models import SmsMessage

ADMIN = "admin@demo.example"
BASE = "https://initiatives.example.kg"


def link_in(message) -> str:
    body = message.get_content()
    return re.search(re.escape(BASE) + r"(/join/[A-Za-z0-9_-]+)", body).group(1)


def person(db, login: str, name: str = "Асель Жумабекова") -> User:
    user = accounts.create_user(login=login, full_name=name, password=DEMO_PASSWORD)
    db.session.commit()
    return user


def roles_of(db, login: str, m) -> set[str]:
    db.session.expire_all()
    return accounts.find_by_login(login).roles_in(m.id) - {"admin", "oversight"}


def other_municipality(db) -> Municipality:
    m = Municipality(
        slug="ak-tal",
        name_ky="Ак-Тал айыл аймагы",
        name_ru="Ак-Талский айылный аймак",
        name_en="Ak-Tal ayil aimak",
        region="Нарын",
        district="Ак-Талаа",
    )
    db.session.add(m)
    db.session.commit()
    return m


def test_an_emailed_link_grants_the_role_once(world, login, db, smtp, client):
    m, _cast = world
    admin = login(ADMIN)
    response = admin.post(
        f"/admin/municipalities/{m.id}/staff",
        data={"login": "New.Head@Example.KG", "role": "head", "locale": "ru"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [message] = smtp.to("new.head@example.kg")
    assert message["Content-Language"] == "ru"
    assert "Глава" in message.get_content() or "глава" in message.get_content().lower()
    path = link_in(message)
    page = admin.get(f"/admin/municipalities/{m.id}/staff").get_data(as_text=True)
    assert "new.head@example.kg" in page  # pending, shown to the operator

    # A visitor is asked to log in or register with that address, and comes back here.
    client.post("/logout")
    visitor = client.get(path)
    assert visitor.status_code == 200
    text = visitor.get_data(as_text=True)
    assert "/register?next=" in text and path.rsplit("/", 1)[1] in text

    head = person(db, "new.head@example.kg")
    login("new.head@example.kg")
    client.post("/language/en")  # the page's words are read in English
    assert "Accept the role" in client.get(path).get_data(as_text=True)
    assert "Invitations to a role" in client.get("/invitations").get_data(as_text=True)
    response = client.post(path, data={"answer": "accept"})
    assert response.status_code == 302
    assert roles_of(db, "new.head@example.kg", m) == {"head"}
    assert client.get(path).status_code == 410  # single use
    assert client.post(path, data={"answer": "accept"}).status_code == 410
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "accept_staff_invitation")
    )
    assert event.actor_id == head.id and event.municipality_id == m.id
    invited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invite_staff"))
    assert invited.actor.login == ADMIN and invited.data["channel"] == "email"


def test_the_link_page_says_the_same_whether_an_account_exists(world, login, db, smtp, client):
    m, _cast = world
    pages = []
    for address in ("nobody.yet@example.kg", f"member3@{DOMAIN}"):
        login(ADMIN).post(
            f"/admin/municipalities/{m.id}/staff",
            data={"login": address, "role": "specialist", "locale": "en"},
        )
        path = link_in(smtp.to(address)[0])
        client.post("/logout")
        page = client.get(path).get_data(as_text=True)
        page = re.sub(r'name="csrf_token" value="[^"]*"', "", page)
        pages.append(page.replace(path.replace("/", "%2F"), "X").replace(path, "X"))
    assert pages[0] == pages[1]


def test_expired_revoked_and_unknown_links_are_refused(world, login, db, smtp, client):
    m, _cast = world
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    _old, old_token = staffing.invite(
        admin,
        login="late@example.kg",
        role=Role.SPECIALIST,
        municipality_id=m.id,
        at=utcnow() - timedelta(days=8),
    )
    db.session.commit()
    person(db, "late@example.kg")
    login("late@example.kg")
    assert client.get(f"/join/{old_token}").status_code == 410
    assert client.post(f"/join/{old_token}", data={"answer": "accept"}).status_code == 410
    assert client.get("/join/not-a-real-token").status_code == 404

    fresh, token = staffing.invite(
        admin, login="late@example.kg", role=Role.SPECIALIST, municipality_id=m.id
    )
    db.session.commit()
    operator = login(ADMIN)
    confirm = operator.get(f"/staff-invitations/{fresh.id}/revoke")
    assert confirm.status_code == 200 and "late@example.kg" in confirm.get_data(as_text=True)
    assert operator.post(f"/staff-invitations/{fresh.id}/revoke").status_code == 422
    assert (
        operator.post(f"/staff-invitations/{fresh.id}/revoke", data={"confirm": "y"}).status_code
        == 302
    )
    login("late@example.kg")
    assert client.get(f"/join/{token}").status_code == 410
    assert roles_of(db, "late@example.kg", m) == set()
    revoked = db.session.get(StaffInvitation, fresh.id)
    assert revoked.revoked_by_id == admin.id and revoked.revoked_at is not None


def test_a_link_opened_by_another_account_gives_nothing(world, login, db, smtp, client):
    m, _cast = world
    login(ADMIN).post(
        f"/admin/municipalities/{m.id}/staff",
        data={"login": "right@example.kg", "role": "specialist", "locale": "ky"},
    )
    path = link_in(smtp.to("right@example.kg")[0])
    login(f"member1@{DOMAIN}")
    client.post("/language/en")
    page = client.get(path).get_data(as_text=True)
    assert "Accept the role" not in page
    assert client.post(path, data={"answer": "accept"}).status_code == 403
    assert roles_of(db, f"member1@{DOMAIN}", m) == set()


def test_declining_leaves_no_role(world, login, db, smtp, client):
    m, _cast = world
    login(ADMIN).post(
        f"/admin/municipalities/{m.id}/staff",
        data={"login": "no.thanks@example.kg", "role": "head", "locale": "ky"},
    )
    path = link_in(smtp.to("no.thanks@example.kg")[0])
    person(db, "no.thanks@example.kg")
    login("no.thanks@example.kg")
    assert client.post(path, data={"answer": "decline"}).status_code == 302
    assert roles_of(db, "no.thanks@example.kg", m) == set()
    assert client.get(path).status_code == 410
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "decline_staff_invitation")
    )


def test_a_specialist_invites_by_sms_within_their_own_municipality(world, login, db, client):
    m, _cast = world
    elsewhere = other_municipality(db)
    specialist = login(f"specialist@{DOMAIN}")
    assert specialist.get(f"/municipalities/{elsewhere.id}/staff").status_code == 404
    assert (
        specialist.post(
            f"/municipalities/{elsewhere.id}/staff",
            data={"login": "0700 123 456", "role": "specialist", "locale": "ky"},
        ).status_code
        == 404
    )
    # an office may not make a head: the choice is not offered, and refused if sent
    refused = specialist.post(
        f"/municipalities/{m.id}/staff",
        data={"login": "0700 123 456", "role": "head", "locale": "ky"},
    )
    assert refused.status_code == 422
    assert 'value="+996700123456"' in refused.get_data(as_text=True)  # input kept
    response = specialist.post(
        f"/municipalities/{m.id}/staff",
        data={"login": "0700 123 456", "role": "specialist", "locale": "ky"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    sms = db.session.scalar(select(SmsMessage).where(SmsMessage.purpose == "invitation"))
    assert sms.phone == "+996700123456"
    assert "адиси" in sms.text.lower() or "адис" in sms.text.lower()  # in Kyrgyz
    code = re.search(r"\b(\d{6})\b", sms.text).group(1)
    assert db.session.scalar(select(StaffInvitation.token_hash)) != code  # only a hash kept

    person(db, "+996700123456")
    login("+996700123456")
    client.post("/language/en")
    assert "Enter the code from the SMS" in client.get("/invitations").get_data(as_text=True)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/join", data={"code": wrong})
    assert response.status_code == 422
    assert db.session.scalar(select(StaffInvitation.code_attempts)) == 1
    assert client.post("/join", data={"code": code}).status_code == 302
    assert roles_of(db, "+996700123456", m) == {"specialist"}
    assert client.post("/join", data={"code": code}).status_code == 422  # used


def test_five_wrong_codes_lock_the_invitation(world, login, db, client):
    m, _cast = world
    specialist = db.session.scalar(select(User).where(User.email == f"specialist@{DOMAIN}"))
    _invitation, code = staffing.invite(
        specialist, login="+996700999888", role=Role.SPECIALIST, municipality_id=m.id
    )
    db.session.commit()
    person(db, "+996700999888")
    login("+996700999888")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post("/join", data={"code": wrong}).status_code == 422
    assert client.post("/join", data={"code": code}).status_code == 422
    assert roles_of(db, "+996700999888", m) == set()


def test_ending_a_role_and_closing_an_account_keep_scores(build, login, db, app):
    r = build("results_approved")
    m = r.c.municipality
    chair = r.cast.members[0]
    chair_login = chair.login
    seat = r.c.seat_of(chair.id)
    scores = db.session.scalar(
        select(func.count(Score.id)).join(ScoreSheet).where(ScoreSheet.seat_id == seat.id)
    )
    assert scores > 0
    accounts.grant(chair, Role.SPECIALIST, m.id)
    db.session.commit()
    grant_id = next(g.id for g in chair.grants if g.role == Role.SPECIALIST)

    member = app.test_client()
    member.post("/login", data={"login": chair_login, "password": DEMO_PASSWORD})
    assert member.get("/invitations").status_code == 200

    operator = login(ADMIN)
    page = operator.get(f"/admin/municipalities/{m.id}/staff").get_data(as_text=True)
    assert f"/admin/grants/{grant_id}/end" in page
    assert operator.get(f"/admin/grants/{grant_id}/end").status_code == 200
    assert operator.post(f"/admin/grants/{grant_id}/end").status_code == 422  # no confirmation
    assert operator.post(f"/admin/grants/{grant_id}/end", data={"confirm": "y"}).status_code == 302
    assert db.session.scalar(select(RoleGrant.id).where(RoleGrant.id == grant_id)) is None
    ended = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "end_role"))
    assert ended.actor.login == ADMIN and ended.data == {"role": "specialist", "user": chair.id}

    confirm = operator.get(f"/admin/users/{chair.id}/deactivate")
    assert confirm.status_code == 200
    assert operator.post(f"/admin/users/{chair.id}/deactivate").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, chair.id).active
    response = operator.post(f"/admin/users/{chair.id}/deactivate", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, chair.id).active
    # the session the member had open is over, and their scores and seat stay
    assert member.get("/invitations").status_code == 302
    assert (
        db.session.scalar(
            select(func.count(Score.id)).join(ScoreSheet).where(ScoreSheet.seat_id == seat.id)
        )
        == scores
    )
    assert db.session.scalar(
        select(AuditEvent.actor_id).where(AuditEvent.action == "deactivate_account")
    )
    # the operator cannot close their own account
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    assert (
        operator.post(f"/admin/users/{admin.id}/deactivate", data={"confirm": "y"}).status_code
        == 409
    )


def test_nobody_but_the_office_or_the_operator_sees_a_staff_page(world, login, db):
    m, _cast = world
    for who in (f"member1@{DOMAIN}", f"aigul@{DOMAIN}", "oversight@demo.example"):
        assert login(who).get(f"/municipalities/{m.id}/staff").status_code == 404, who
    assert login(f"head@{DOMAIN}").get(f"/municipalities/{m.id}/staff").status_code == 200
