"""SMS as a channel: parts counted as the network counts them, the embedded outbox and its
operator's page, and the SMS copies of notifications for the people e-mail does not reach
(a phone-only citizen, in Kyrgyz)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from initiatives.demo import loader
from initiatives.demo.builder import draft_application, fill_report
from initiatives.grants import reminders
from initiatives.lifecycle.operations import fire
from initiatives.notifications.models import Notification
from initiatives.notifications.sms_copies import copy_by_sms
from initiatives.sms import segments, worker
from initiatives.sms.models import SmsMessage, SmsStatus
from initiatives.sms.operations import deliver_pending_sms, queue_sms
from initiatives.sms.segments import TWO_UCS2_PARTS, fit

PHONE_ONLY = "+996555000111"  # the demo's applicant who logs in by phone (Kyrgyz)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def texts_to(db, phone: str) -> list[SmsMessage]:
    db.session.expire_all()
    return db.session.scalars(
        select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id)
    ).all()


@pytest.fixture(autouse=True)
def no_sender_left(app, db):
    """A background sender of one test must not send the next test's messages."""
    worker.wait(app)
    yield
    worker.wait(app)


# --- parts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("[]" * 40, 1),  # the extension table takes two places a character
        ("[]" * 41, 2),
        ("Ваша заявка №1", 1),
        ("ң" * 70, 1),
        ("ө" * 71, 2),
        ("ү" * 134, 2),
        ("ңөү" * 45, 3),  # 135 UCS-2 characters
        ("a" * 159 + "ө", 3),  # one Kyrgyz letter turns 160 characters into UCS-2
    ],
)
def test_parts_as_the_network_counts_them(text, parts):
    assert segments(text) == parts


def test_a_text_too_long_is_cut_to_two_parts():
    cut = fit("Билдирмеңиз катталды. " * 10)
    assert segments(cut) == 2 and len(cut) <= TWO_UCS2_PARTS and cut.endswith("…")


# --- the embedded outbox --------------------------------------------------------------------


def test_the_outbox_keeps_messages_and_marks_them_sent(app, db):
    m = queue_sms("+996700123456", "Сиздин кодуңуз: 123456", purpose="phone_proof")
    db.session.commit()
    assert m.status == SmsStatus.QUEUED and m.segments == 1 and len(m.provider_id) == 24
    assert deliver_pending_sms() == 1
    db.session.refresh(m)
    assert m.status == SmsStatus.SENT and m.sent_at is not None and m.attempts == 1
    assert deliver_pending_sms() == 0  # nothing is sent twice


def test_a_rolled_back_message_is_never_sent(app, db):
    queue_sms("+996700123456", "Жок болот", purpose="phone_proof")
    db.session.rollback()
    assert deliver_pending_sms() == 0
    assert db.session.scalars(select(SmsMessage)).all() == []


# --- the operator's page --------------------------------------------------------------------


def test_the_operator_sees_every_message_with_the_full_number(world, db, login):
    for i in range(55):
        queue_sms(f"+99670012{i:04d}", f"Код {i}", purpose="phone_proof")
    queue_sms("+996555000999", "Билдирмеңиз катталды", purpose="notification")
    db.session.commit()
    deliver_pending_sms(limit=1)  # the oldest goes; the rest wait
    client = login("admin@demo.example")
    page = client.get("/admin/sms")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "+996555000999" in html and "Билдирмеңиз катталды" in html  # newest first
    assert "+996700120000" not in html  # on the second page
    assert 'rel="next"' in html and 'data-label="' in html and 'class="stack"' in html
    second = client.get("/admin/sms?page=2").get_data(as_text=True)
    assert "+996700120000" in second and "+996555000999" not in second
    sent = client.get("/admin/sms?status=sent").get_data(as_text=True)
    assert "+996700120000" in sent and "+996700120001" not in sent
    bad = client.get("/admin/sms?status=nonsense")
    assert bad.status_code == 422 and "+996" not in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    "who", [f"specialist@{loader.DOMAIN}", f"head@{loader.DOMAIN}", "oversight@demo.example"]
)
def test_the_outbox_page_does_not_exist_for_anyone_else(world, db, login, who):
    queue_sms("+996555000999", "Билдирмеңиз катталды", purpose="notification")
    db.session.commit()
    response = login(who).get("/admin/sms")
    assert response.status_code == 404
    assert "+996555000999" not in response.get_data(as_text=True)


# --- SMS copies of notifications ------------------------------------------------------------


def test_a_phone_only_citizen_gets_her_receipt_by_sms_in_kyrgyz(build, db, login, app):
    run = build("announced", proposals=0, t0=now() - timedelta(days=2))
    owner = run.cast.applicants[2]
    assert (owner.phone, owner.email, owner.locale) == (PHONE_ONLY, None, "ky")
    a = draft_application(run.c, owner, loader.PROPOSALS[2], run.t0)
    db.session.commit()
    client = login(PHONE_ONLY)
    response = client.post(
        f"/applications/{a.id}/steps/submit", data={"confirm": "1", "version": a.version}
    )
    assert response.status_code == 302
    assert worker.wait(app)  # sent in the background, after the request's commit
    (sms,) = texts_to(db, PHONE_ONLY)
    assert sms.status == SmsStatus.SENT and sms.purpose == "notification"
    assert sms.user_id == owner.id
    assert "№1 " in sms.text and "катталды" in sms.text  # the number, in Kyrgyz
    assert sms.text.endswith(f"/applications/{a.id}")
    assert sms.segments <= 2 and segments(sms.text) == sms.segments
    n = db.session.scalars(select(Notification).where(Notification.user_id == owner.id)).one()
    assert n.sms_id == sms.id
    assert copy_by_sms(n, owner) is None  # one SMS per notification


def test_screening_outcomes_go_by_sms(build, db):
    rejected = build("screening", proposals=3, rejected=2)
    texts = [m.text for m in texts_to(db, PHONE_ONLY)]
    assert len(texts) == 2  # registered, then not admitted
    assert "катталды" in texts[0]
    assert "кабыл алынган жок" in texts[1]
    assert all(segments(t) <= 2 for t in texts)
    # The others of the same competition have e-mail: nothing by SMS for them.
    assert {m.phone for m in db.session.scalars(select(SmsMessage))} == {PHONE_ONLY}
    assert rejected.c.applications[2].state == "rejected"


def test_admission_goes_by_sms(build, db):
    build("screening", proposals=3)
    texts = [m.text for m in texts_to(db, PHONE_ONLY)]
    assert len(texts) == 2 and "баалоого кабыл алынды" in texts[1]


def test_a_winner_learns_the_amount_and_a_returned_report_by_sms(world, build, db):
    aigul = world[1].applicants[0]  # a winner, with e-mail; she asks for SMS too
    aigul.phone, aigul.prefers_sms = "+996700111222", True
    db.session.commit()
    run = build("implementation", proposals=3)
    a, proposal = run.apps[0]
    assert a.owner_id == aigul.id and a.awarded_amount is not None
    texts = [m.text for m in texts_to(db, aigul.phone)]
    winner = [t for t in texts if "жеңүүчүлөрдүн" in t]
    assert len(winner) == 1 and "сом" in winner[0] and f"№{a.number} " in winner[0]
    fill_report(run, a, proposal)
    fire(a, "submit_report", a.owner, now=now())
    fire(a, "return_report", run.cast.specialist, now=now(), reason="Чектер жок.")
    db.session.commit()
    assert "оңдоого кайтарылды" in texts_to(db, aigul.phone)[-1].text


def test_the_report_due_reminder_goes_by_sms(world, build, db):
    aigul = world[1].applicants[0]
    aigul.phone, aigul.prefers_sms = "+996700111222", True
    db.session.commit()
    run = build("implementation", proposals=3)
    before = len(texts_to(db, aigul.phone))
    reminders.send(today=date(2027, 6, 1))
    db.session.commit()
    new = texts_to(db, aigul.phone)[before:]
    assert new, "no reminder by SMS"
    a = run.c.applications[0]
    assert all(f"№{a.number} " in m.text and segments(m.text) <= 2 for m in new)
    assert any("отчет" in m.text for m in new)


def test_e_mail_readers_get_sms_only_when_they_prefer_it(build, db):
    run = build("announced", proposals=0, t0=now() - timedelta(days=2))
    aigul, bakyt = run.cast.applicants[0], run.cast.applicants[1]
    aigul.phone, aigul.prefers_sms = "+996700111222", True
    bakyt.phone = "+996700333444"  # has e-mail and did not ask for SMS
    for who, i in ((aigul, 0), (bakyt, 1)):
        a = draft_application(run.c, who, loader.PROPOSALS[i], run.t0)
        fire(a, "submit", who, now=now())
    db.session.commit()
    assert [m.phone for m in db.session.scalars(select(SmsMessage))] == ["+996700111222"]
    with force_locale("ky"):
        assert "катталды" in texts_to(db, "+996700111222")[0].text
