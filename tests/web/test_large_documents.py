"""A large document is rendered in the background: the step that makes it does not wait for
it, a download meanwhile answers "being prepared" (202, Retry-After) instead of holding a
worker for the seconds it takes, one render runs however many people ask, and the register
gets the file and its hash as for any other document."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from initiatives.documents import rendering
from initiatives.documents.models import Document

SPECIALIST = "specialist@orozbekov.example"


@pytest.fixture
def large(monkeypatch, db):
    """The results protocol counts as large; its background render waits for the gate."""
    monkeypatch.setattr(
        rendering, "is_large", lambda document, lang=None: document.kind.value == "results_protocol"
    )
    gate, started = threading.Event(), []
    ensure_pdf = rendering.ensure_pdf

    def held(document, **kwargs):
        started.append(document.id)
        assert gate.wait(60)
        return ensure_pdf(document, **kwargs)

    monkeypatch.setattr(rendering, "ensure_pdf", held)
    yield gate, started
    gate.set()
    rendering.wait_for_background(120)


def protocol(db) -> Document:
    return db.session.scalars(select(Document).filter_by(kind="results_protocol")).one()


def test_the_step_does_not_wait_and_the_download_says_come_back(app, build, login, db, large):
    gate, started = large
    build("results_approved", proposals=2)
    doc = protocol(db)
    with app.test_request_context():  # what follows the approval's request
        rendering.render_now([doc])  # returns at once, while the render waits at the gate
    for _ in range(200):
        if started:
            break
        time.sleep(0.05)
    db.session.refresh(doc)
    assert started == [doc.id] and doc.sha256 is None and doc.pdf_path is None
    staff = login(SPECIALIST)
    for url in (f"/documents/{doc.id}.pdf", f"/verify/{doc.token}", f"/verify/{doc.token}"):
        page = staff.get(url)
        assert page.status_code == 202, url
        assert page.headers["Retry-After"] == "5" and page.headers["Refresh"] == "5"
        assert page.headers["Cache-Control"] == "no-store"
        assert "Документ даярдалууда" in page.get_data(as_text=True)  # the specialist reads ky
    assert started == [doc.id]  # asked three times, rendered once
    assert rendering._claim((doc.id, None)) is None  # another process would not start one

    gate.set()
    rendering.wait_for_background(120)
    db.session.expire_all()
    doc = protocol(db)
    assert doc.sha256 is not None
    pdf = staff.get(f"/documents/{doc.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == doc.sha256
    assert started == [doc.id]
    marker = rendering._claim((doc.id, None))  # the render let go of its marker
    assert marker is not None
    marker.unlink()


def test_a_command_renders_at_once_and_a_large_translation_is_kept(build, login, db, large):
    gate, started = large
    gate.set()
    build("results_approved", proposals=2)
    doc = protocol(db)
    rendering.render_now([doc])  # outside a request (the clock's command): no thread
    assert started == [doc.id] and doc.sha256 is not None and not rendering._jobs
    staff = login(SPECIALIST)
    first = staff.get(f"/documents/{doc.id}.pdf?lang=en")
    assert first.status_code == 202
    rendering.wait_for_background(120)
    ready = staff.get(f"/documents/{doc.id}.pdf?lang=en")
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert rendering.translation_file(doc, "en").read_bytes() == ready.data
    assert staff.get(f"/documents/{doc.id}.pdf?lang=en").data == ready.data
    db.session.refresh(doc)
    assert hashlib.sha256(ready.data).hexdigest() != doc.sha256  # a copy, not the original


def test_a_marker_left_by_a_dead_or_hung_render_does_not_block_for_ever(build, db):
    run = build("announced", proposals=0)
    doc = db.session.scalars(select(Document).where(Document.competition_id == run.c.id)).first()
    held = rendering._claim((doc.id, "ru"))
    assert held is not None and rendering._claim((doc.id, "ru")) is None
    old = time.time() - rendering.STALE_SECONDS - 1
    os.utime(held, (old, old))  # its process lives, but it has been at it for too long
    assert rendering._claim((doc.id, "ru")) == held
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    held.write_text(gone)  # a fresh marker of a process that was killed
    assert rendering._claim((doc.id, "ru")) == held
    held.unlink()
