"""A number too large for the database, in any URL or query parameter, is a 404 or a 400,
never a 500: SQLite cannot bind an integer of 2^63 or more (OverflowError) and PostgreSQL's
ids are 32-bit (``integer out of range``). Every route of the application is walked, as a
visitor and as an administrator, with such numbers in every integer place."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from initiatives.core.db import utcnow
from initiatives.routes import MAX_ID

HUGE = (str(2**31), str(2**63), str(10**30), "9" * 5000)  # "9" * 5000: past int()
ADMIN = "admin@demo.example"
INT_PART = re.compile(r"<int(?:\([^)]*\))?:(\w+)>")
OTHER_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def urls(app, real: dict[str, int]) -> list[tuple[str, str]]:
    """(method, URL) of every route with an integer part: each integer once huge with the
    others real (so the lookup of the huge one is reached), and all of them huge."""
    found = []
    for rule in app.url_map.iter_rules():
        names = INT_PART.findall(rule.rule)
        if not names:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        for huge in HUGE:
            choices = [dict.fromkeys(names, huge)]
            choices += [{n: huge if n == name else real.get(n, 1) for n in names} for name in names]
            for values in choices:
                url = INT_PART.sub(lambda m, v=values: str(v[m.group(1)]), rule.rule)
                url = OTHER_PART.sub(
                    lambda m: {"ext": ".csv", "fmt": "csv", "name": "applications"}.get(
                        m.group(2), "submit"
                    ),
                    url,
                )
                found.append((method, url))
    return sorted(set(found))


QUERIES = [
    "/api/v1/{list}?page={n}",
    "/api/v1/{list}?per_page={n}",
    "/api/v1/{list}?competition={n}",
    "/api/v1/{list}?year={n}",
    "/api/v1/{list}.csv?competition={n}",
    "/dashboard?page={n}",
    "/oversight?year={n}",
    "/competitions/{c}/budget?edit={n}",
    "/competitions/{c}/scoring?page={n}",
    "/competitions/{c}/scoring/progress?page={n}",
    "/competitions/{c}/results?page={n}&row={n}",
    "/announcements/{c}?page={n}",
]
LISTS = ("municipalities", "competitions", "applications", "awards", "reports")


@pytest.fixture
def scene(build, db):
    """A competition taking applications, with applications, files and documents whose ids
    stand beside the huge ones."""
    run = build("announced", t0=(utcnow() - timedelta(days=8)).replace(microsecond=0))
    a = run.apps[0][0]
    return {
        "competition_id": run.c.id,
        "application_id": a.id,
        "attachment_id": a.attachments[0].id,
        "municipality_id": run.c.municipality_id,
        "source_id": run.c.funding_sources[0].id,
        "seat_id": run.c.seats[0].id,
        "document_id": 1,
    }


def check(client, method: str, url: str) -> int:
    response = client.open(url, method=method)
    status = response.status_code
    assert status < 500, (method, url, status)
    if url.startswith("/api/"):
        assert status in (400, 404), (url, status)
        assert response.is_json and "error" in response.get_json(), url
    response.close()
    return status


def test_the_bound_is_that_of_the_ids():
    assert MAX_ID == 2**31 - 1  # PostgreSQL's integer, the narrowest id column


def test_no_route_fails_on_a_huge_id(app, scene, client, login):
    every = urls(app, scene)
    assert len(every) > 150
    for who in ("visitor", "admin"):
        if who == "admin":
            login(ADMIN)
        statuses = [check(client, method, url) for method, url in every]
        assert set(statuses) <= {302, 400, 404, 405}, (who, set(statuses))
        assert statuses.count(404) > len(every) * 0.9, who
    print(f"\nhuge numbers: {len(every)} URLs of every integer route, as a visitor and an admin")


def test_no_query_parameter_fails_on_a_huge_number(scene, client, login):
    login(ADMIN)
    cid = scene["competition_id"]
    for n in HUGE:
        for template in QUERIES:
            for name in LISTS if "{list}" in template else ("",):
                if name == "municipalities" and "page" not in template:
                    continue  # the municipalities are not filtered, so take no filter
                check(client, "GET", template.format(list=name, n=n, c=cid))
    for n in (0, MAX_ID):  # the edges that are numbers for the database are not errors
        assert client.get(f"/api/v1/applications?competition={n}").status_code == (
            400 if n == 0 else 200
        )
    assert client.get(f"/competitions/{MAX_ID}").status_code == 404
    assert client.get(f"/api/v1/competitions/{MAX_ID}").status_code == 404
