"""Shared by the account, recovery and phone-proof tests: reading codes out of the SMS
outbox (the test default backend), and logging in as a fresh browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from initiatives.demo import loader
from initiatives.sms.models import SmsMessage

PHONE_USER = "+996555000111"  # the demo's applicant who logs in by phone


def last_sms(app, phone: str) -> SmsMessage | None:
    from initiatives.extensions import db

    with app.app_context():
        row = db.session.scalars(
            select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc())
        ).first()
        if row is not None:
            db.session.expunge(row)
        return row


def code_in(message: SmsMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def browser(app, login: str, password: str = loader.DEMO_PASSWORD, **environ):
    client = app.test_client()
    client.post("/language/en")  # messages read in English
    response = client.post(
        "/login", data={"login": login, "password": password}, environ_base=environ
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def logged_in(client) -> bool:
    return client.get("/dashboard").status_code == 200
