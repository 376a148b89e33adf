"""One member, two windows, the same score sheet saved at the same moment on PostgreSQL: one
save is stored, the other is refused with a message; never both, never a silent overwrite,
never a server error. Tried for a sheet's first save and for a later one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from initiatives.demo.builder import at, screening_meeting
from initiatives.lifecycle.operations import fire
from initiatives.scoring.models import ScoreSheet

pytestmark = pytest.mark.usefixtures("postgres")

CHAIR = "chair@orozbekov.example"


def race(app, url: str, forms: list[dict]) -> list:
    """Each form posted by its own window (client) of the same member, released at once."""
    windows = []
    for _ in forms:
        window = app.test_client()
        assert (
            window.post("/login", data={"login": CHAIR, "password": "demo-password"}).status_code
            == 302
        )
        windows.append(window)
    barrier = threading.Barrier(len(forms))
    results = [None] * len(forms)

    def save(i):
        barrier.wait(timeout=30)
        response = windows[i].post(url, data=forms[i])
        results[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(forms))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("rounds", [10])
def test_two_windows_saving_one_sheet_never_lose_an_update(app, build, db, rounds):
    run = build("screening", proposals=2)
    fire(
        run.c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(run.c, at(run.t0, 25)),
    )
    db.session.commit()
    c = run.c
    a = run.c.applications[0]
    criteria = [k.id for k in c.criteria]
    cid, aid = c.id, a.id
    window = app.test_client()
    window.post("/login", data={"login": CHAIR, "password": "demo-password"})
    answers = {f"answer_{x.id}": "none" for x in c.applications}
    assert window.post(f"/competitions/{cid}/scoring/conflicts", data=answers).status_code == 302
    url = f"/competitions/{cid}/scoring/applications/{aid}"

    outcomes = {"stored": 0, "refused": 0}
    version = ""  # the first round: both windows opened the sheet before it existed
    for n in range(rounds):
        forms = [
            {"action": "save", "version": str(version), **{f"score_{k}": str(v) for k in criteria}}
            for v in (3 + n % 5, 8 - n % 5)
        ]
        results = race(app, url, forms)
        statuses = sorted(status for status, _page in results)
        assert statuses == [302, 409], (n, statuses, [p[-400:] for s, p in results if s != 302])
        winner = next(i for i, (status, _page) in enumerate(results) if status == 302)
        loser_page = next(page for status, page in results if status == 409)
        assert "башка терезеде" in loser_page or "another window" in loser_page, loser_page[
            loser_page.find("<main") :
        ][:1500]
        db.session.expire_all()
        sheet = db.session.scalars(
            select(ScoreSheet).where(
                ScoreSheet.application_id == aid, ScoreSheet.seat_id == sheet_seat(c)
            )
        ).one()
        assert {s.value for s in sheet.scores} == {int(forms[winner][f"score_{criteria[0]}"])}
        version = sheet.version
        outcomes["stored"] += 1
        outcomes["refused"] += 1
    print(f"\nsheet race: {rounds} rounds of two windows: {outcomes}")


def sheet_seat(c) -> int:
    from initiatives.auth.operations import find_by_login

    chair = find_by_login(CHAIR)
    return next(s.id for s in c.seats if s.user_id == chair.id)
