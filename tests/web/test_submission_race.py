"""Fifty citizens press "Submit" at the same moment, through HTTP, on PostgreSQL: each gets
a registration number, the numbers are 1 to 50, each once, and each has its receipt."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from initiatives.applications.models import Application
from initiatives.auth import operations as accounts
from initiatives.demo.builder import draft_application
from initiatives.demo.loader import PROPOSALS
from initiatives.documents.models import Document

pytestmark = pytest.mark.usefixtures("postgres")

N = 50
PASSWORD = "a-good-password"


def test_fifty_concurrent_submissions_get_numbers_one_to_fifty(app, build, db):
    run = build("announced", proposals=0, t0=datetime.now(UTC) - timedelta(days=2))
    drafts = []
    for i in range(N):
        user = accounts.create_user(
            login=f"citizen{i}@example.org", full_name=f"Жаран {i}", password=PASSWORD
        )
        a = draft_application(run.c, user, PROPOSALS[i % len(PROPOSALS)], run.t0)
        drafts.append((f"citizen{i}@example.org", a.id))
    db.session.commit()

    clients = []
    for login, aid in drafts:
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": PASSWORD}).status_code == 302
        clients.append((client, aid))

    barrier = threading.Barrier(N)
    statuses = [None] * N
    locations = [None] * N

    def press(i, client, aid):
        barrier.wait(timeout=30)
        response = client.post(f"/applications/{aid}/submit", data={"confirm": "y"})
        statuses[i] = response.status_code
        locations[i] = response.location

    threads = [
        threading.Thread(target=press, args=(i, c, aid)) for i, (c, aid) in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert statuses == [302] * N, locations
    expected = [f"/applications/{aid}" for _c, aid in clients]
    assert locations == expected  # each to its own application page: submitted
    db.session.expire_all()
    numbers = db.session.scalars(
        select(Application.number).where(Application.competition_id == run.c.id)
    ).all()
    assert sorted(numbers) == list(range(1, N + 1))
    receipts = db.session.scalar(
        select(func.count())
        .select_from(Document)
        .where(Document.competition_id == run.c.id, Document.kind == "receipt")
    )
    assert receipts == N
