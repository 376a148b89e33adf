"""The open-data API keeps the promises of its OpenAPI document, as Schemathesis checks them:
``schemathesis run --checks all`` against a live server of the test application, over a
database with a competition carried to closing (so real rows are listed, filtered, paged
and written as CSV). Every phase runs (the document's examples, the coverage of its
boundaries and of invalid values, random fuzzing, and stateful links), bounded by
``MAX_EXAMPLES`` per operation and a fixed seed, so a run is reproducible and takes well
under a minute."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

MAX_EXAMPLES = 25
SEED = 20260302


class QuietHandler(WSGIRequestHandler):
    """Thousands of requests: the server's access log would bury the report."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live(app, build, db):
    build("closed", proposals=4)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def schemathesis() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    return str(found) if found.exists() else (shutil.which("schemathesis") or "schemathesis")


def test_the_api_passes_every_schemathesis_check(live, tmp_path):
    report = tmp_path / "report.json"
    started = time.monotonic()
    run = subprocess.run(
        [
            schemathesis(),
            "run",
            f"{live}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        cwd=tmp_path,  # its Hypothesis database and reports stay out of the project
        capture_output=True,
        text=True,
        timeout=300,
        # No proxy variables (a proxy would be asked for 127.0.0.1) and no user config.
        env={"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)},
    )
    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-3000:]
    figures = json.loads(report.read_text())
    operations, cases = figures["operations"], figures["test_cases"]
    assert operations["tested"] == operations["total"] == 13, operations  # none skipped
    assert all(
        p["status"] == "success" for name, p in figures["phases"].items() if name != "examples"
    )
    assert cases["unique_failures"] == 0 and cases["generated"] > 13 * MAX_EXAMPLES
    print(
        f"\nschemathesis --checks all: {operations['tested']} operations, "
        f"{cases['generated']} requests, no failure, in {took:.1f} s"
    )


def test_errors_under_the_api_are_json_and_a_405_says_what_is_allowed(client, db):
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.is_json and unknown.get_json()["error"]
    posted = client.post("/api/v1/competitions")
    assert posted.status_code == 405 and posted.is_json
    assert set(posted.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = client.post("/oversight")  # a page for people: an HTML page, and the same header
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "GET" in page.headers["Allow"]
    for bad in ("year=", "year=null", "state=", "competition=0", "competition=1&competition=2"):
        response = client.get(f"/api/v1/applications.csv?{bad}")
        assert response.status_code == 400 and response.is_json, bad
