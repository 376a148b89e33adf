"""Five members score at the same moment, through HTTP, on PostgreSQL: every sheet of every
member is stored once, none overwrites another, and each member's documents are registered
once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from initiatives.demo.builder import at, screening_meeting
from initiatives.documents.models import Document
from initiatives.lifecycle.operations import fire
from initiatives.scoring.models import Score, ScoreSheet
from tests.web.test_scoring import MEMBERS, POINTS

pytestmark = pytest.mark.usefixtures("postgres")


def test_five_members_score_in_parallel(app, build, db):
    run = build("screening", proposals=4)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    db.session.commit()
    c, apps = run.c, [a for a, _p in run.apps]
    criteria = [k.id for k in c.criteria]
    cid, app_ids = c.id, [a.id for a in apps]  # threads read plain ids, not ORM rows
    clients = []
    for login in MEMBERS:
        client = app.test_client()
        response = client.post("/login", data={"login": login, "password": "demo-password"})
        assert response.status_code == 302
        clients.append(client)

    barrier = threading.Barrier(len(MEMBERS))
    failures = []

    def member(m, client):
        barrier.wait(timeout=30)
        answers = {f"answer_{aid}": "none" for aid in app_ids}
        statuses = [client.post(f"/competitions/{cid}/scoring/conflicts", data=answers)]
        for i, aid in enumerate(app_ids):
            scores = {f"score_{k}": str(POINTS[m][i] or 5) for k in criteria}
            url = f"/competitions/{cid}/scoring/applications/{aid}"
            statuses.append(client.post(url, data={"action": "save", **scores}))
            statuses.append(client.post(url, data={"action": "submit", "confirm": "y", **scores}))
        failures.extend((m, r.status_code) for r in statuses if r.status_code != 302)

    threads = [threading.Thread(target=member, args=(m, cl)) for m, cl in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert failures == []
    db.session.expire_all()
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.state == "submitted")).all()
    assert len(sheets) == len(MEMBERS) * len(apps)
    assert db.session.scalar(select(func.count()).select_from(Score)) == (
        len(MEMBERS) * len(apps) * len(criteria)
    )
    for sheet in sheets:
        m = [s.id for s in c.seats].index(sheet.seat_id)
        i = app_ids.index(sheet.application_id)
        assert {s.value for s in sheet.scores} == {POINTS[m][i] or 5}
    kinds = db.session.execute(
        select(Document.kind, func.count())
        .where(
            Document.competition_id == c.id,
            Document.kind.in_(["score_sheet", "conflict_declaration"]),
        )
        .group_by(Document.kind)
    ).all()
    assert {k.value: n for k, n in kinds} == {"score_sheet": 5, "conflict_declaration": 5}
