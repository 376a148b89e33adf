"""What a page costs a slow phone beyond its HTML: compressed text, a stylesheet kept for a
year under a URL that changes with its content, an icon instead of a 404 on every page, and
a description for search results and link previews."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import brotli
import pytest
from flask import template_rendered, url_for
from sqlalchemy import select

from initiatives.documents.models import Document

TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
YEAR = "max-age=31536000"


def text(response) -> str:
    return response.get_data(as_text=True)


class Head(HTMLParser):
    """The links and meta elements of a page's head."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link":
            self.links.append(a)
        elif tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content") or ""


def head(response) -> Head:
    parser = Head()
    parser.feed(text(response))
    return parser


@pytest.fixture
def closed(build):
    """A closed competition: the longest public page (results, money, criteria)."""
    return build("closed", proposals=4)


# --- compression -------------------------------------------------------------------------


def test_pages_are_compressed_for_browsers_that_accept_it(closed, client):
    page = f"/announcements/{closed.c.id}"
    plain = client.get(page)
    assert "Content-Encoding" not in plain.headers  # a client that does not ask
    zipped = client.get(page, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    html = gzip.decompress(zipped.data)
    print(f"{page}: {len(plain.data)} bytes, {len(zipped.data)} gzip")
    assert len(zipped.data) < len(plain.data) / 3
    # The same page, its CSRF token aside (signed with the time, it changes by the second).
    assert TOKEN.sub("", html.decode()) == TOKEN.sub("", text(plain))
    squeezed = client.get(page, headers={"Accept-Encoding": "gzip, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert TOKEN.sub("", brotli.decompress(squeezed.data).decode()) == TOKEN.sub("", text(plain))


def test_a_compressed_public_page_is_still_confirmed_with_304_without_rendering(
    app, closed, client
):
    page = f"/announcements/{closed.c.id}"
    first = client.get(page, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    tag = first.headers["ETag"]
    rendered = []

    def record(_app, template, context, **_extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        again = client.get(page, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    finally:
        template_rendered.disconnect(record, app)
    assert again.status_code == 304 and again.data == b""
    assert rendered == []  # confirmed from the stamp, nothing rendered
    other = client.get(page, headers={"Accept-Encoding": "gzip", "If-None-Match": '"other"'})
    assert other.status_code == 200


def test_pdfs_are_sent_as_they_are(closed, client, db):
    doc = db.session.scalars(select(Document).order_by(Document.id)).first()
    url = f"/documents/{doc.id}.pdf"
    first = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert "Content-Encoding" not in first.headers  # PDFs are compressed inside already
    tag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304


def test_the_open_data_json_and_csv_are_compressed(closed, client):
    for url in ("/api/v1/competitions", "/api/v1/competitions.csv"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        if len(gzip.decompress(response.data)) > 500:  # smaller ones are not worth it
            assert response.headers["Content-Encoding"] == "gzip", url


# --- the stylesheet and the icon ---------------------------------------------------------


def test_the_stylesheet_is_cached_for_a_year_under_its_content_hash(world, client):
    links = head(client.get("/")).links
    css = next(x["href"] for x in links if x.get("rel") == "stylesheet")
    assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", css), css
    kept = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert kept.status_code == 200
    assert YEAR in kept.headers["Cache-Control"] and "immutable" in kept.headers["Cache-Control"]
    assert kept.headers["Content-Encoding"] == "gzip"
    kept.close()
    # Without the hash, or with an old one, the browser asks again each time.
    for stale in ("/static/site.css", "/static/site.css?v=000000000000"):
        response = client.get(stale)
        assert YEAR not in response.headers.get("Cache-Control", ""), stale
        response.close()


def test_the_stylesheet_url_changes_with_its_content(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    sheet = tmp_path / "site.css"
    sheet.write_text("body { color: black }")
    with app.test_request_context():
        before = url_for("static", filename="site.css")
        assert url_for("static", filename="site.css") == before
        sheet.write_text("body { color: navy }")
        after = url_for("static", filename="site.css")
    assert before != after and after.startswith("/static/site.css?v=")


def test_every_page_has_an_icon_and_the_browsers_default_request_finds_one(world, client):
    for page in ("/", "/login", "/open-data"):
        icons = [x for x in head(client.get(page)).links if x.get("rel") == "icon"]
        assert icons, page
    svg = client.get(icons[0]["href"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    svg.close()
    ico = client.get("/favicon.ico")  # asked for by browsers whatever the page links
    assert ico.status_code == 200 and ico.mimetype in ("image/x-icon", "image/vnd.microsoft.icon")
    assert ico.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age" in ico.headers["Cache-Control"]
    ico.close()


# --- the description ---------------------------------------------------------------------


def test_public_pages_describe_themselves_in_the_visitors_language(closed, client):
    c = closed.c
    pages = ("/", f"/announcements/{c.id}", f"/m/{c.municipality.slug}", "/open-data")
    seen = {}
    for locale in ("ky", "ru"):
        client.post(f"/language/{locale}")
        for page in pages:
            description = head(client.get(page)).meta.get("description", "")
            assert 50 <= len(description) <= 300, (locale, page, description)
            seen[locale, page] = description
    assert seen["ky", "/"] != seen["ru", "/"]  # translated
    assert c.title("ru") in seen["ru", f"/announcements/{c.id}"]
    assert c.municipality.name("ky") in seen["ky", f"/m/{c.municipality.slug}"]
    assert len(set(seen.values())) == len(seen)  # each page its own
