"""The HTTP gateway backend against a real local server speaking the aggregators' XML
protocol: accepted messages, a 500 retried with backoff, delivery reports, the daily cap,
and a slow gateway that never holds a request."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from initiatives.demo import loader
from initiatives.demo.builder import draft_application
from initiatives.sms import worker
from initiatives.sms.models import SmsMessage, SmsStatus
from initiatives.sms.operations import MAX_ATTEMPTS, deliver_pending_sms, queue_sms, sent_today

TOKEN = "delivery-secret-0123456789"


class Gateway:
    """What the server received, and what it answers next (a list of HTTP statuses or
    gateway status codes; 0 = accepted, once the list is used up)."""

    def __init__(self):
        self.received: list[dict] = []
        self.script: list = []
        self.hold = False  # keep each request waiting until ``release`` is set
        self.release = threading.Event()
        self.answered = 0

    def answer(self):
        return self.script.pop(0) if self.script else ("xml", 0)


def handler_for(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            root = ElementTree.fromstring(body)
            gateway.received.append(
                {
                    "login": root.findtext("login"),
                    "pwd": root.findtext("pwd"),
                    "id": root.findtext("id"),
                    "sender": root.findtext("sender"),
                    "text": root.findtext("text"),
                    "phones": [p.text for p in root.iter("phone")],
                }
            )
            if gateway.hold:
                gateway.release.wait(timeout=30)
            kind, value = gateway.answer()
            gateway.answered += 1
            if kind == "http":
                self.send_response(value)
                self.end_headers()
                return
            reply = (
                f"<?xml version='1.0' encoding='UTF-8'?><response><id>{root.findtext('id')}"
                f"</id><status>{value}</status><phones>1</phones><smscnt>1</smscnt></response>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def gateway(app, db, monkeypatch):
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    worker.wait(app)
    for key, value in {
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{server.server_port}/xml/send",
        "SMS_GATEWAY_LOGIN": "ayil",
        "SMS_GATEWAY_PASSWORD": "secret",
        "SMS_SENDER": "DEMILGE",
        "SMS_DELIVERY_TOKEN": TOKEN,
        "SMS_DAILY_CAP": 2000,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield state
    state.release.set()
    worker.wait(app)
    server.shutdown()
    server.server_close()


def now() -> datetime:
    """A moment just after every message queued so far."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)


def one(db, message_id) -> SmsMessage:
    db.session.expire_all()
    return db.session.get(SmsMessage, message_id)


def test_an_accepted_message_is_sent_in_the_protocol(gateway, db):
    m = queue_sms("+996700123456", "Сиздин кодуңуз: 482913", purpose="phone_proof")
    db.session.commit()
    assert deliver_pending_sms() == 1
    (got,) = gateway.received
    assert got == {
        "login": "ayil",
        "pwd": "secret",
        "id": m.provider_id,
        "sender": "DEMILGE",
        "text": "Сиздин кодуңуз: 482913",
        "phones": ["996700123456"],
    }
    m = one(db, m.id)
    assert m.status == SmsStatus.SENT and m.attempts == 1 and m.error is None
    assert deliver_pending_sms() == 0 and len(gateway.received) == 1


def test_a_server_error_is_retried_after_a_wait_and_then_succeeds(gateway, db):
    gateway.script = [("http", 500)]
    m = queue_sms("+996700123456", "Код: 111222", purpose="password_reset")
    db.session.commit()
    t = now()
    assert deliver_pending_sms(now=t) == 0
    m = one(db, m.id)
    assert m.status == SmsStatus.QUEUED and m.attempts == 1 and "500" in m.error
    assert m.next_attempt_at > t
    assert deliver_pending_sms(now=t + timedelta(seconds=10)) == 0  # still waiting
    assert len(gateway.received) == 1
    assert deliver_pending_sms(now=m.next_attempt_at) == 1
    m = one(db, m.id)
    assert m.status == SmsStatus.SENT and m.attempts == 2
    assert [r["id"] for r in gateway.received] == [m.provider_id] * 2  # the same id again
    assert sent_today(t.date()) == 1  # the failed try gave its place under the cap back


def test_a_gateway_that_keeps_failing_is_given_up_after_five_tries(gateway, db):
    gateway.script = [("http", 503)] * MAX_ATTEMPTS
    m = queue_sms("+996700123456", "Код: 111222", purpose="password_reset")
    db.session.commit()
    t = now()
    for _ in range(MAX_ATTEMPTS):
        deliver_pending_sms(now=t)
        t = one(db, m.id).next_attempt_at
    m = one(db, m.id)
    assert m.status == SmsStatus.FAILED and m.attempts == MAX_ATTEMPTS
    assert deliver_pending_sms(now=t + timedelta(days=1)) == 0


def test_a_refusal_by_the_gateway_is_not_retried(gateway, db):
    gateway.script = [("xml", 7)]  # a phone number the gateway does not take
    m = queue_sms("+996700123456", "Код", purpose="phone_proof")
    db.session.commit()
    assert deliver_pending_sms() == 0
    m = one(db, m.id)
    assert m.status == SmsStatus.FAILED and "status 7" in m.error


def test_an_unreachable_gateway_is_retried(gateway, db, app, monkeypatch):
    from tests.web.conftest import free_port

    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{free_port()}/")
    m = queue_sms("+996700123456", "Код", purpose="phone_proof")
    db.session.commit()
    assert deliver_pending_sms() == 0
    m = one(db, m.id)
    assert m.status == SmsStatus.QUEUED and "unreachable" in m.error


def test_a_delivery_report_marks_the_message_delivered_once(gateway, db, client):
    m = queue_sms("+996700123456", "Код", purpose="phone_proof")
    db.session.commit()
    deliver_pending_sms()
    report = f"<report><id>{m.provider_id}</id><status>delivered</status></report>"
    for _ in range(2):  # a gateway repeats reports: the second changes nothing
        response = client.post(
            "/sms/delivery",
            data=report,
            headers={"X-SMS-Token": TOKEN, "Content-Type": "application/xml"},
        )
        assert response.status_code == 200
        m = one(db, m.id)
        assert m.status == SmsStatus.DELIVERED and m.delivered_at is not None
    first = m.delivered_at
    late_failure = client.post(
        f"/sms/delivery?token={TOKEN}", data={"id": m.provider_id, "status": "failed"}
    )
    assert late_failure.status_code == 200
    m = one(db, m.id)
    assert m.status == SmsStatus.DELIVERED and m.delivered_at == first


def test_an_undelivered_report_marks_it_failed(gateway, db, client):
    m = queue_sms("+996700123456", "Код", purpose="phone_proof")
    db.session.commit()
    deliver_pending_sms()
    response = client.post(
        f"/sms/delivery?token={TOKEN}", data={"id": m.provider_id, "status": "undelivered"}
    )
    assert response.status_code == 200
    assert one(db, m.id).status == SmsStatus.FAILED


@pytest.mark.parametrize("headers", [{}, {"X-SMS-Token": "wrong"}, {"X-SMS-Token": TOKEN[:-1]}])
def test_a_delivery_report_without_the_token_finds_nothing(gateway, db, client, headers):
    m = queue_sms("+996700123456", "Код", purpose="phone_proof")
    db.session.commit()
    deliver_pending_sms()
    response = client.post(
        "/sms/delivery", data={"id": m.provider_id, "status": "delivered"}, headers=headers
    )
    assert response.status_code == 404
    assert one(db, m.id).status == SmsStatus.SENT


def test_no_token_configured_means_no_delivery_endpoint(gateway, db, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_DELIVERY_TOKEN", "")
    response = client.post("/sms/delivery", data={"id": "x", "status": "delivered"})
    assert response.status_code == 404


def test_the_daily_cap_holds_the_rest_for_the_next_day(gateway, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_DAILY_CAP", 2)
    made = [queue_sms(f"+99670012345{i}", f"Код {i}", purpose="phone_proof") for i in range(3)]
    db.session.commit()
    ids = [m.id for m in made]
    day = now().date() + timedelta(days=1)
    t = datetime.combine(day, time(10), tzinfo=UTC)
    assert deliver_pending_sms(now=t) == 2
    assert len(gateway.received) == 2
    third = one(db, ids[2])
    assert third.status == SmsStatus.CAPPED and third.attempts == 0
    assert third.next_attempt_at == datetime.combine(day + timedelta(days=1), time(), UTC)
    assert sent_today(t.date()) == 2
    assert deliver_pending_sms(now=t + timedelta(hours=13)) == 0  # 23:00: still that day
    assert len(gateway.received) == 2
    assert deliver_pending_sms(now=third.next_attempt_at + timedelta(minutes=1)) == 1
    assert one(db, ids[2]).status == SmsStatus.SENT
    assert sent_today(day + timedelta(days=1)) == 1


def test_a_slow_gateway_never_holds_the_request(gateway, build, db, login, app):
    """The citizen's submission returns while the gateway still holds her SMS; it goes in
    the background once the request's commit is done."""
    gateway.hold = True
    run = build("announced", proposals=0, t0=now() - timedelta(days=2))
    worker.wait(app)
    db.session.query(SmsMessage).delete()
    db.session.commit()
    owner = run.cast.applicants[2]  # phone only
    a = draft_application(run.c, owner, loader.PROPOSALS[2], run.t0)
    db.session.commit()
    client = login(owner.phone)
    response = client.post(
        f"/applications/{a.id}/steps/submit", data={"confirm": "1", "version": a.version}
    )
    assert response.status_code == 302
    assert gateway.answered == 0  # the page is back; the gateway has not answered yet
    gateway.release.set()
    assert worker.wait(app, timeout=30)
    db.session.expire_all()
    (m,) = db.session.scalars(select(SmsMessage)).all()
    assert m.phone == owner.phone and m.status == SmsStatus.SENT
    assert [r["phones"] for r in gateway.received] == [["996555000111"]]
