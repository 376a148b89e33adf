"""One publication rule for the competition's page, the open-data API and /oversight: who
applied is public once the intake is over, who won once the head has announced it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from initiatives.competitions.queries import PUBLIC_STATES
from initiatives.core.db import utcnow
from initiatives.public.publication import publication


def text(response) -> str:
    return response.get_data(as_text=True)


def open_intake(build):
    """An intake still open: pages close it at its deadline, so it must lie ahead."""
    return build("announced", t0=(utcnow() - timedelta(days=8)).replace(microsecond=0))


def facts(page: str) -> dict[str, str]:
    """The figures of the dashboard's list, by their English names."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page)
    return {k: " ".join(v.replace("\u00a0", " ").split()) for k, v in pairs}


def test_the_api_lists_no_application_of_an_open_intake(build, client, db):
    run = open_intake(build)
    assert len(run.apps) == 3 and run.c.state == "announced"
    cid = run.c.id
    for url in (f"/api/v1/applications?competition={cid}", "/api/v1/applications"):
        listed = client.get(url).get_json()
        assert listed["items"] == [] and listed["total"] == 0, url
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/applications.csv").data.decode())))
    assert len(rows) <= 1  # a header at most
    assert client.get(f"/api/v1/competitions/{cid}").get_json()["applications"] is None
    page = text(client.get(f"/announcements/{cid}"))
    assert client.get(f"/announcements/{cid}").status_code == 200 and 'id="timeline"' in page


def test_the_api_lists_them_once_the_intake_is_over(build, client, db):
    run = build("applications_closed")
    listed = client.get(f"/api/v1/applications?competition={run.c.id}").get_json()
    assert listed["total"] == 3
    assert client.get(f"/api/v1/competitions/{run.c.id}").get_json()["applications"] == 3


def test_oversight_counts_only_what_is_published(build, client, db):
    """An open intake's applications are not counted, nor the commission's winners before
    the head's decision; what the public page shows is."""
    open_intake(build)
    approved = build("results_approved")
    assert {a.state for a, _p in approved.apps} & {"awarded"}  # the commission has chosen
    client.post("/language/en")
    shown = facts(text(client.get("/oversight")))
    assert shown["Competitions"] == "2"
    assert shown["Applications"] == "3"  # those of the closed intake only
    assert shown["Initiatives financed"] == "0"
    assert shown["Local budget awarded"].startswith("0")


@pytest.mark.parametrize("state", PUBLIC_STATES)
def test_the_rule_reads_as_the_lifecycle(state):
    p = publication(state)
    assert p.competition
    assert p.applications == (state not in ("announced", "cancelled"))
    assert p.decisions == (state in ("winners_announced", "implementation", "closed"))
    assert not p.decisions or p.applications


@pytest.mark.parametrize("state", ("draft", "funded", "commission_formed"))
def test_nothing_is_public_before_the_announcement(state):
    p = publication(state)
    assert not (p.competition or p.applications or p.decisions)
