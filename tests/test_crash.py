"""A short run of the crash script (bench/crash.py): gunicorn killed with SIGKILL twice while
two citizens submit. Kept in the suite because the property it guards (an acknowledged
submission is never lost, nothing is stored that no one submitted) is the one a refactoring
of the commit or the rendering path could break without any other test noticing.

On PostgreSQL (TEST_DATABASE_URL) the script works in a scratch database named after that
one plus a suffix, and drops only the scratch database.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASES = [
    "sqlite",
    pytest.param(
        os.environ.get("TEST_DATABASE_URL", ""),
        id="postgresql",
        marks=pytest.mark.skipif(
            not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
            reason="needs PostgreSQL: set TEST_DATABASE_URL",
        ),
    ),
]


@pytest.mark.parametrize("database", DATABASES)
def test_no_acknowledged_submission_is_lost_when_the_server_is_killed(database, tmp_path):
    summary_path = tmp_path / "crash.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "crash.py"),
            "--database",
            database,
            "--workers-procs",
            "2",
            "--kills",
            "2",
            "--seconds",
            "8",
            "--aim-at-submits",
            "1",
            "--give-up",
            "60",
            "--seed",
            "7",
            "--json",
            str(summary_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    s = json.loads(summary_path.read_text())
    assert (s["server_runs"], s["kills"]) == (3, 2)
    assert s["acknowledged"] > 0
    assert s["acknowledged"] == s["found_and_acknowledged"]
    # Whatever else is stored had its answer lost with the killed server, and its client
    # found out by re-sending the submit.
    assert s["found_in_database"] == s["acknowledged"] + s["found_response_lost_at_kill"]
    assert s["found_response_lost_at_kill"] == s["response_lost_then_recovered_by_resend"]
    assert all(check["ok"] for check in s["invariants"].values()), s["invariants"]


def load_script():
    spec = importlib.util.spec_from_file_location("crash", ROOT / "bench" / "crash.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("crash", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def attempt(application, number, outcome="ack", lost=0, submitting=True):
    return {
        "application": application,
        "submitting": submitting,
        "lost": lost,
        "outcome": outcome,
        "number": number,
    }


def found(*rows, numbers=None):
    ids = [row[0] for row in rows]
    return {
        "numbers": numbers if numbers is not None else sorted(r[2] for r in rows),
        "last_application_number": len(rows),
        "submitted": [
            {"id": i, "marker": m, "state": "submitted", "number": n} for i, m, n in rows
        ],
        "unmarked": [],
        "drafts_with_marker": 0,
        "drafts_without_marker": 0,
        "receipts": dict.fromkeys(ids, 1),
        "audit_submit_events": dict.fromkeys(ids, 1),
        "receipts_unrendered": 0,
        "late_render_failures": [],
        "bad_pdfs": [],
        "register_gaps": [],
    }


STATS = [{"event": "stats", "in_flight": {}, "server_errors": 0, "refused": 0, "requests": 9}]
A, B = "CRASH-0000abcd-c0-a0001", "CRASH-0000abcd-c0-a0002"


def test_the_check_tells_a_lost_answer_from_a_lost_submission():
    """The judging itself, on made-up ledgers: a stored submission whose answer died with
    the server is fine; a missing acknowledged one, or a stored one nobody saw fail, is not."""
    crash = load_script()

    def broken(attempts, database):
        verdict = crash.judge(attempts, STATS, database, kills=1, wanted_kills=1, clients=1)
        return sorted(name for name, check in verdict["invariants"].items() if not check["ok"])

    fine = {A: attempt(10, 1), B: attempt(11, 2, outcome="recovered", lost=1)}
    assert broken(fine, found((10, A, 1), (11, B, 2))) == []
    assert broken(fine, found((10, A, 1))) == ["recovered_after_resend_but_missing"]
    assert broken({B: fine[B]}, found((10, A, 1), (11, B, 2), numbers=[1, 2])) == [
        "stored_without_any_attempt"
    ]
    assert broken({A: fine[A]}, found()) == ["acknowledged_but_missing"]
    silent = {A: fine[A], B: attempt(11, None, outcome="unresolved")}
    assert broken(silent, found((10, A, 1), (11, B, 2))) == [
        "every_submit_resolved_by_its_client",
        "stored_unacknowledged_not_explained_by_a_kill",
    ]
    assert broken(fine, found((10, A, 1), (11, B, 3))) == [
        "client_number_differs_from_database",
        "numbers_unique_and_gapless",
    ]
