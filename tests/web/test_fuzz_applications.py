"""Random and malformed input to every application form and endpoint.

Whatever arrives, the answer is a page (2xx, 3xx or 4xx), never a 500; and no input can
change a draft that is not the poster's, or leave one's own draft unreadable. The number of
inputs tried is printed so the figure can be quoted.
"""

from __future__ import annotations

import io
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from initiatives.applications.models import Application
from initiatives.applications.operations import FIELDS as DRAFT_FIELDS
from initiatives.applications.views import SECTION_NAMES
from initiatives.lifecycle.operations import fire

# The draft's own fields, the other inputs of the forms, and row fields with odd indexes.
FIELDS = [
    *sorted(DRAFT_FIELDS),
    "group_women",
    "group_men",
    "group_disabled",
    "doc_type",
    "confirm",
    "decision",
    "reason",
    "check_on_time",
    "received_at",
    "next",
    "add",
    "csrf_token",
] + [
    f"{prefix}-{i}-{name}"
    for prefix, names in (
        ("activities", ("description", "starts_on", "ends_on", "responsible", "remove")),
        (
            "lines",
            ("item", "unit", "quantity", "unit_price", "local_amount", "own_amount", "remove"),
        ),
    )
    for i in (0, 1, 99, -1, 100000)
    for name in names
]

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "NaN",
        "-Infinity",
        "1e999",
        "-1",
        "0.001",
        "9" * 40,
        "2027-02-30",
        "0000-01-01",
        "9999-12-31T23:59",
        "youth",
        "casino",
        "group",
        "y",
        "admit",
        "reject",
        "<script>alert(1)</script>",
        "'; DROP TABLE application; --",
        "ы" * 400,
        "x" * 20000,
        "%(foo)s %s %d",
        "../../etc/passwd",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=60), st.text(string.digits + ".,-e", max_size=12))
FORMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=12)
FILES = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, b"\xff\xd8\xff"]),
)

tried = {"inputs": 0, "by_status": {}}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def scene(build, login, db):
    """An open competition with a draft of the poster's and a draft of someone else's, and a
    competition in screening."""
    run = build("announced", proposals=0, t0=now() - timedelta(days=2))
    screening = build("applications_closed", proposals=2, t0=now() - timedelta(days=30))
    fire(screening.c, "start_screening", screening.secretary, now=now())
    db.session.commit()
    client = login("aigul@orozbekov.example")
    mine = int(client.post(f"/competitions/{run.c.id}/apply").location.split("/")[-3])
    other = login("bakyt@orozbekov.example")
    theirs = int(other.post(f"/competitions/{run.c.id}/apply").location.split("/")[-3])
    other.post(f"/applications/{theirs}/edit/initiative", data={"title": "Чужой черновик"})
    client = login("aigul@orozbekov.example")
    return client, run.c.id, mine, theirs, screening.c.applications[0].id


def endpoints(cid: int, mine: int, theirs: int, screened: int) -> list[tuple[str, bool]]:
    """(url, multipart) of every endpoint that takes input about applications."""
    urls = [
        (f"/applications/{aid}/edit/{s}", False) for aid in (mine, theirs) for s in SECTION_NAMES
    ]
    urls += [
        (f"/applications/{mine}/attachments", True),
        (f"/applications/{theirs}/attachments", True),
        (f"/applications/{mine}/attachments/1/delete", False),
        (f"/applications/{mine}/submit", False),
        (f"/applications/{theirs}/submit", False),
        (f"/applications/{theirs}/withdraw", False),
        (f"/competitions/{cid}/apply", False),
        (f"/competitions/{cid}/paper", False),
        (f"/applications/{screened}/screening", False),
        ("/register", False),
        ("/login", False),
    ]
    return urls


def snapshot(db, aid: int) -> dict:
    db.session.expire_all()
    a = db.session.get(Application, aid)
    return {
        "state": a.state,
        "title": a.title,
        "version": a.version,
        "lines": [(x.item, x.total) for x in a.budget_lines],
        "files": [x.sha256 for x in a.attachments],
    }


def test_random_input_never_breaks_a_page_or_a_draft(scene, db, capsys):
    client, cid, mine, theirs, screened = scene
    targets = endpoints(cid, mine, theirs, screened)
    before = snapshot(db, theirs)

    @settings(
        max_examples=1000,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(st.sampled_from(targets), FORMS, FILES, st.text(max_size=30))
    def post(target, data, content, filename):
        url, multipart = target
        if multipart:
            data = {**data, "file": (io.BytesIO(content), filename or "f")}
        response = client.post(
            url, data=data, content_type="multipart/form-data" if multipart else None
        )
        tried["inputs"] += 1
        tried["by_status"][response.status_code] = (
            tried["by_status"].get(response.status_code, 0) + 1
        )
        assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:2000])
        response.close()

    post()

    assert snapshot(db, theirs) == before  # someone else's draft: untouched
    for section in SECTION_NAMES:  # one's own draft, however it was filled: still readable
        assert client.get(f"/applications/{mine}/edit/{section}").status_code in (200, 302)
    assert client.get(f"/applications/{mine}").status_code == 200
    assert db.session.scalars(select(Application).where(Application.id == mine)).one()
    with capsys.disabled():
        print(
            f"\nfuzz: {tried['inputs']} inputs to {len(targets)} endpoints; "
            f"statuses {dict(sorted(tried['by_status'].items()))}; 0 server errors"
        )
