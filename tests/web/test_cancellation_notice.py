"""When a competition is cancelled, an application still in the running stops saying
"Received": its applicant reads, in their language, that the competition is cancelled, why,
and what they may do; a notification says it too (issue 26, item 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from initiatives.lifecycle.operations import fire

REASON = "Бюджет кыскартылды."
SAYS = {
    "ky": ("Сынак жокко чыгарылды", "Айыл өкмөтү бул сынакты жокко чыгарды"),
    "ru": ("Конкурс отменён", "Айыл окмоту отменил этот конкурс"),
    "en": ("Competition cancelled", "The ayil okmotu has cancelled this competition"),
}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["ky", "ru", "en"])
def test_the_applicant_reads_that_the_competition_is_cancelled(build, login, db, locale):
    run = build("applications_closed", proposals=2, t0=datetime.now(UTC) - timedelta(days=30))
    a = run.apps[0][0]
    owner = next(u for u in run.cast.applicants if u.id == a.owner_id)
    client = login(owner.email or owner.phone)
    client.post(f"/language/{locale}")
    before = text(client.get(f"/applications/{a.id}"))
    badge, notice = SAYS[locale]
    assert badge not in before

    fire(run.c, "cancel", run.cast.head, now=datetime.now(UTC), reason=REASON)
    db.session.commit()

    page = text(client.get(f"/applications/{a.id}"))
    assert badge in page and notice in page and REASON in page
    mine = text(client.get("/my/applications"))
    assert badge in mine
    told = text(client.get("/notifications"))
    assert REASON in told and run.c.title(locale) in told
