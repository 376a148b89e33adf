"""Fixtures of the web tests: a real SMTP server on localhost (aiosmtpd) that keeps what it
receives, and one that is down."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from initiatives import create_app
from initiatives.extensions import db as _db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]

    @property
    def recipients(self) -> set[str]:
        return {r for rcpt, _m in self.messages for r in rcpt}


@pytest.fixture
def smtp(app, monkeypatch):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://initiatives.example.kg/")
    yield handler
    controller.stop()


@pytest.fixture
def smtp_down(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there


def disposed(made):
    """Close an extra application's connections: left to the garbage collector, psycopg
    warns about them in whichever test runs then."""
    with made.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def real_app(app, tmp_path):
    """The application as deployed: CSRF and login limits on, same database as the tests."""
    made = create_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "x" * 40,
            "UPLOADS_DIR": str(tmp_path / "uploads"),
            "DOCUMENTS_DIR": str(tmp_path / "documents"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "LOGIN_LIMITS": "5 per minute",
            "LOGIN_LIMITS_PER_ADDRESS": "8 per minute",
            "REGISTER_LIMITS": "2 per hour",
        }
    )
    yield made
    disposed(made)
