"""Blind scoring, attacked as a member would: every page, document, link and field a member
can reach while a blind competition is scored is crawled, and none pairs an applicant's
name with the code, title or id of their initiative.

A member needs the names to declare conflicts (a relative is recognised by name), so the
names are shown on the declaration page and in the member's own declaration; there, and
anywhere else, nothing may tie a name to what the member scores.
"""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.core.enums import DocumentKind
from initiatives.demo.builder import at, screening_meeting
from initiatives.documents.models import Document
from initiatives.lifecycle.operations import fire

MEMBER, OTHER = "member1@orozbekov.example", "member2@orozbekov.example"
CHAIR = "chair@orozbekov.example"
LIMIT = 400  # pages a crawl may visit; the member's world is far smaller
SKIP = ("/logout", "/language/", "/static/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        for key in ("name", "id", "for", "value"):
            if attrs.get(key):
                self.names.append(attrs[key])


def squeeze(text: str) -> str:
    """Text without any whitespace: a PDF's extracted text breaks lines inside table cells."""
    return re.sub(r"\s+", "", text).casefold()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def declaration_fields(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return sorted({n[len("answer_") :] for n in parser.names if n.startswith("answer_")})


def declare(client, c, *, conflict_on: str | None = None):
    """Fill in the declaration page as a member does: by the fields it shows."""
    page = client.get(f"/competitions/{c.id}/scoring/conflicts").get_data(as_text=True)
    keys = declaration_fields(page)
    assert keys, "the declaration page has no answers"
    data = {f"answer_{k}": "none" for k in keys}
    if conflict_on is not None:
        # The fieldset of the applicant's name: its legend, then its answer fields.
        at_name = page.index(conflict_on)
        key = min(
            (k for k in keys if page.find(f'name="answer_{k}"', at_name) > -1),
            key=lambda k: page.find(f'name="answer_{k}"', at_name),
        )
        data[f"answer_{key}"] = "conflict"
        data[f"nature_{key}"] = "My cousin."
    response = client.post(f"/competitions/{c.id}/scoring/conflicts", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return keys


def crawl(client, starts: list[str]) -> dict[str, tuple[str, str, list[str]]]:
    """Every page reachable by GET from ``starts``: url -> (kind, text, field names)."""
    seen: dict[str, tuple[str, str, list[str]]] = {}
    queue = deque(starts)
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen or any(url.startswith(s) for s in SKIP):
            continue
        response = client.get(url)
        body = response.get_data()
        response.close()
        if response.status_code in (301, 302, 303):
            location = urlsplit(response.headers["Location"])
            queue.append(location.path + (f"?{location.query}" if location.query else ""))
            seen[url] = ("redirect", "", [])
            continue
        if response.status_code != 200:
            seen[url] = (str(response.status_code), "", [])
            continue
        if response.mimetype == "application/pdf":
            seen[url] = ("pdf", pdf_text(body), [])
            continue
        text = body.decode("utf-8", "replace")
        parser = Links()
        if response.mimetype == "text/html":
            parser.feed(text)
        seen[url] = (response.mimetype, text, parser.names)
        for href in parser.hrefs:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc and parts.netloc != "localhost":
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.fixture
def blind_run(build, db):
    run = build("screening", proposals=4)
    c = run.c
    c.settings = {**c.settings, "blind_scoring": True}
    fire(
        c,
        "finish_screening",
        run.secretary,
        now=at(run.t0, 25),
        meeting=screening_meeting(c, at(run.t0, 25)),
    )
    db.session.commit()
    return run


def identities(run):
    """Per application: the names a member may read on the declaration page, and what must
    never stand beside them (its code, title, and the id its links and fields carry)."""
    out = []
    for a, _proposal in run.apps:
        names = [a.applicant_name, *(g.get("name", "") for g in a.group_members or [])]
        if a.organisation_name:
            names.append(a.organisation_name)
        out.append(
            (
                [n for n in names if n and len(n) > 3],
                [a.public_code, a.title],
                re.compile(rf"(?:/applications/|answer_|nature_|row-){a.id}(?!\d)"),
            )
        )
    return out


def test_no_page_a_member_reaches_pairs_a_name_with_an_initiative(blind_run, login, db):
    run = blind_run
    c = run.c
    first = run.apps[0][0]
    other = login(OTHER)
    declare(other, c, conflict_on=first.applicant_name)
    member = login(MEMBER)
    declare(member, c)
    # A sheet begun, so the member's workspace, sheets and drafts are all there to crawl.
    k = c.criteria[0].id
    sheet = f"/competitions/{c.id}/scoring/applications/{first.id}"
    assert member.post(sheet, data={"action": "save", f"score_{k}": "7"}).status_code == 302

    starts = [
        "/dashboard",
        f"/competitions/{c.id}",
        f"/competitions/{c.id}/scoring",
        f"/competitions/{c.id}/scoring/conflicts",
        "/notifications",
        f"/announcements/{c.id}",
        f"/api/v1/applications?competition={c.id}",
        f"/api/v1/applications.csv?competition={c.id}",
        "/",
    ]
    pages = crawl(member, starts)
    served = {u: v for u, v in pages.items() if v[0] not in ("redirect",) and v[0][0] != "4"}
    pdfs = [u for u, v in served.items() if v[0] == "pdf"]
    assert len(served) > 15 and pdfs, sorted(pages)

    leaks = []
    for url, (_kind, text, fields) in served.items():
        flat = squeeze(text)
        for names, marks, ids in identities(run):
            named = [n for n in names if squeeze(n) in flat]
            if not named:
                continue
            beside = [m for m in marks if m and squeeze(m) in flat]
            beside += sorted({m.group(0) for m in ids.finditer(text)})
            beside += [f for f in fields if ids.search(f)]
            if beside:
                leaks.append((url, named, beside))
    assert leaks == []

    # The names are there to be recognised: on the declaration page and the member's own
    # declaration, in alphabetical order (not the order of registration, nor of the codes).
    conflicts_page = served[f"/competitions/{c.id}/scoring/conflicts"][1]
    names = [a.applicant_name for a, _p in run.apps]
    assert all(n in conflicts_page for n in names)
    shown = sorted(names, key=lambda n: conflicts_page.index(n))
    assert shown == sorted(names, key=str.casefold)

    # The other member's declaration (with a conflict) exists and stays theirs.
    theirs = db.session.scalars(
        select(Document).where(
            Document.competition_id == c.id, Document.kind == DocumentKind.CONFLICT_DECLARATION
        )
    ).all()
    assert len(theirs) == 2
    own_seat = c.seat_of(next(u.id for u in run.cast.members if u.login == MEMBER)).id
    for d in theirs:
        response = member.get(f"/documents/{d.id}.pdf")
        response.close()
        mine = d.snapshot["member"]["seat_id"] == own_seat
        assert response.status_code == (200 if mine else 404), d.snapshot["member"]["name"]
        assert f"/documents/{d.id}.pdf" in pages if mine else f"/documents/{d.id}.pdf" not in pages


def test_a_declaration_made_blind_names_applicants_only(blind_run, login, db):
    """The registered declaration prints what the member declared on: names, alphabetical,
    no numbers or titles; once the results are approved it stays so (frozen)."""
    run = blind_run
    c = run.c
    chair = login(CHAIR)
    declare(chair, c, conflict_on=run.apps[2][0].applicant_name)
    d = db.session.scalars(
        select(Document).where(
            Document.competition_id == c.id, Document.kind == DocumentKind.CONFLICT_DECLARATION
        )
    ).one()
    text = pdf_text(chair.get(f"/documents/{d.id}.pdf").data)
    flat = squeeze(text)
    for a, _p in run.apps:
        assert squeeze(a.applicant_name) in flat
        assert squeeze(a.title) not in flat and squeeze(a.public_code) not in flat
    rows = d.snapshot["declarations"]
    assert [r["applicant_name"] for r in rows] == sorted(
        (r["applicant_name"] for r in rows), key=str.casefold
    )
    assert all("number" not in r and "title" not in r for r in rows)
    assert [r["has_conflict"] for r in rows].count(True) == 1


def test_a_blind_refusal_names_the_applicant_not_the_number(blind_run, login, db):
    """A declared conflict cannot be withdrawn; the refusal on a blind page says whose
    application it is by name, never by the number the codes are made of."""
    run = blind_run
    c = run.c
    a = run.apps[1][0]
    member = login(MEMBER)
    keys = declare(member, c, conflict_on=a.applicant_name)
    # Now try to withdraw it, by posting "none" everywhere (the page disables that option).
    response = member.post(
        f"/competitions/{c.id}/scoring/conflicts", data={f"answer_{k}": "none" for k in keys}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert a.applicant_name in page
    assert f"No. {a.number}" not in page and f"№ {a.number}" not in page
    assert a.public_code not in page
