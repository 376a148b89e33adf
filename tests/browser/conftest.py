"""A live server over the test database and headless Chromium driven by Playwright.

The browser tests need Debian's ``chromium`` (``.ci/run`` installs it); without it they are
skipped with a message saying so. The demo data gives a competition in every state, so
every page has something real to show.
"""

from __future__ import annotations

import shutil
import socket
import threading

import pytest
from sqlalchemy import delete
from werkzeug.serving import make_server

from initiatives.demo.loader import load_demo
from initiatives.extensions import db as _db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _buffered(app):
    """The app with each response body read and its file closed before it is sent.

    Chromium drops connections it no longer needs (a favicon it already has), and
    werkzeug's development server then skips closing the response's file, which
    surfaces as a ResourceWarning at a random later test. The app's responses here
    are small and none streams, so reading each one whole costs nothing.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="module")
def site(app):
    """(base URL, the demo's competitions by state) over a server in a thread."""
    if CHROMIUM is None:
        pytest.skip(
            "chromium is not installed: the browser tests are skipped (apt-get install chromium)"
        )
    with app.app_context():
        made = load_demo()
        _db.session.commit()
        ids = {state: c.id for state, c in made.items()}
    server = make_server("127.0.0.1", free_port(), _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(delete(table))


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
