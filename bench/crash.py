"""Crash test: citizens keep submitting applications while the server is killed with SIGKILL
and restarted; afterwards every acknowledged submission must be in the database and every
stored one must trace back to a submit that was acknowledged or whose answer was lost with
the killed server.

Run: .venv/bin/python bench/crash.py --database sqlite|postgresql://user@host/name
         [--workers-procs 4] [--kills 5] [--seconds 60] [--json PATH] [--keep]

What it does, and why each part is there:

1. A fresh instance directory and database (SQLite: a file in it; PostgreSQL: a scratch
   database ``<name>_crash_<run>`` created next to the one named, and dropped afterwards;
   the named one is never touched). Migrations and the demo are loaded by the project's own
   commands, so the server runs on exactly what an installation has. The demo's announced
   competition takes the applications; one applicant account is made per client process
   (the rules allow several applications per applicant and competition).
2. gunicorn in a process group of its own, so SIGKILL takes the master and its workers at
   once, as a power cut or the OOM killer would: no shutdown code runs.
3. Client processes drive the real pages over HTTP (stdlib only): log in through the form,
   start a draft, fill every section, attach the two required documents, submit. Each
   attempt carries a unique marker in its title; every step of it is appended to the
   client's JSONL log with fsync before the next request, so the ledger survives anything.
   A step the server did not answer is repeated whole; a submit whose answer was lost is
   re-sent for the same draft, and the app's answer to that (a 303 "already registered" when
   the lost one was committed) tells the client what happened.
4. The killer: every 2-8 s (random) after the server is ready, SIGKILL its process group,
   wait for the port to close, start it again; ``--kills`` times. Half of the kills
   (``--aim-at-submits``) first wait for a submit to be sent and strike a random moment of
   it: at random times alone they mostly hit a form being filled in.
5. The check reads the database directly: every submitted application of the run is
   matched to its attempt by marker; numbers are gapless and unique; each submission has
   one receipt in the register, one audit event, and a PDF whose hash matches if rendered.

Exit status: 0 when every invariant holds, 1 when one is broken, 2 when the harness itself
failed (set-up, server not starting).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import http.cookiejar
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Tuz-Kol-sary-4815"  # passes the password rules: no piece of the login or name
APPLICANT_DOMAIN = "crash.example"
MARKER = re.compile(r"\[(CRASH-[0-9a-f]{8}-c\d+-a\d{4})\]")
NUMBER_IN_HEADING = re.compile(r"<h1>№ (\d+)")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REQUEST_TIMEOUT = 90  # a submit renders its receipt before answering; a busy box is slow
RETRY_PAUSE = 0.25


class Harness(RuntimeError):
    """The test rig failed (not the application): exit status 2."""


# --- the database and the instance ------------------------------------------------------------


@dataclass
class Database:
    """Where the run's data lives; ``admin`` and ``name`` only for a PostgreSQL scratch
    database this script created and must drop."""

    url: str
    label: str
    admin: str | None = None
    name: str | None = None


def create_database(spec: str, instance: Path, run_id: str) -> Database:
    if spec == "sqlite":
        return Database(f"sqlite:///{instance / 'initiatives.sqlite3'}", "sqlite")
    if not spec.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        raise SystemExit("--database must be 'sqlite' or a postgresql:// URL")
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(spec.replace("postgres://", "postgresql://", 1))
    if not base.database:
        raise SystemExit("the PostgreSQL URL must name a database: its name prefixes ours")
    name = f"{base.database}_crash_{run_id}"
    plain = base.set(drivername="postgresql")
    admin = plain.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return Database(
        plain.set(database=name).render_as_string(hide_password=False),
        f"postgresql ({name})",
        admin,
        name,
    )


def drop_database(db: Database) -> None:
    if db.admin is None:
        return
    import psycopg

    with psycopg.connect(db.admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


def app_environment(instance: Path, db: Database) -> dict[str, str]:
    """What the app reads from the environment. The secret is fixed for the whole run so
    that the clients' session cookies stay valid across restarts, as in production."""
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": db.url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "INITIATIVES_ENV": "development",  # production would mark cookies Secure (no TLS here)
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "MAIL_SERVER": "",
    }
    env.pop("FLASK_APP", None)
    return env


def flask(env: dict, *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "initiatives", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise Harness(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def set_up(env: dict, applicants: int) -> dict:
    """Migrate, load the demo, then the setup step (below) in a process of its own, so this
    one holds no database connection or app state when it forks clients."""
    flask(env, "db", "upgrade")
    flask(env, "demo", "--if-empty")
    done = subprocess.run(
        [sys.executable, __file__, "--internal-setup", str(applicants)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise Harness(f"setup step failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def setup_step(applicants: int) -> None:
    """Inside the app: the competition open for applications, and the applicants."""
    from datetime import timedelta

    from sqlalchemy import select

    from initiatives import create_app
    from initiatives.auth import operations as accounts
    from initiatives.competitions.models import Competition
    from initiatives.core.db import utcnow
    from initiatives.core.enums import Role
    from initiatives.extensions import db
    from initiatives.municipalities.models import Municipality

    app = create_app()
    with app.app_context():
        m = db.session.scalars(select(Municipality).where(Municipality.slug == "orozbekov")).one()
        now = utcnow()
        c = db.session.scalars(
            select(Competition)
            .where(
                Competition.municipality_id == m.id,
                Competition.state == "announced",
                Competition.opens_at <= now,
                Competition.submission_deadline > now + timedelta(hours=2),
            )
            .order_by(Competition.id)
        ).first()
        if c is None:
            c = _announce_one(m, now)
        logins = []
        for i in range(applicants):
            login = f"citizen{i}@{APPLICANT_DOMAIN}"
            accounts.create_user(
                login=login,
                full_name=f"Crash Citizen {i}",
                password=PASSWORD,
                roles=[(Role.APPLICANT, m.id)],
            )
            logins.append(login)
        db.session.commit()
        print(json.dumps({"competition": c.id, "municipality": m.id, "logins": logins}))


def _announce_one(m, now):
    """When the demo has no window open at this moment (it always should), announce a
    competition by the real steps, with the demo's office and commission."""
    from datetime import timedelta
    from decimal import Decimal

    from initiatives.auth.operations import find_by_login
    from initiatives.demo import loader
    from initiatives.demo.builder import Cast, Run, advance, new_competition

    def user(name):
        return find_by_login(f"{name}@{loader.DOMAIN}")

    cast = Cast(
        specialist=user("specialist"),
        head=user("head"),
        members=[user(n) for n in ("chair", "specialist", "member1", "member2", "member3")],
        applicants=[],
    )
    t0 = (now - timedelta(days=1)).replace(microsecond=0)
    c = new_competition(
        m,
        cast,
        t0,
        title=loader.TITLES,
        year=t0.year,
        local_budget=Decimal("23000"),
        max_grant=Decimal("15000"),
        min_own_share=Decimal("5.00"),
        priorities=loader.PRIORITIES,
        required_documents=["application_letter", "budget"],
    )
    advance(Run(c, cast, t0, []), "announced")
    return c


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    def __init__(self, env: dict, port: int, workers: int, log: Path):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> float:
        """Start gunicorn and wait until it serves a page; return how long that took."""
        started = time.monotonic()
        with self.log.open("ab") as out:
            out.write(f"\n=== start {self.starts + 1} at {time.ctime()} ===\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "120",
                    "initiatives:create_app()",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one killpg takes them all
            )
        self.starts += 1
        while time.monotonic() - started < 90:
            if self.proc.poll() is not None:
                raise Harness(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise Harness(f"gunicorn did not answer within 90 s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the master and the workers together, then wait until nothing listens."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 30
        while port_open(self.port):
            if time.monotonic() > deadline:
                raise Harness(f"port {self.port} still open 30 s after SIGKILL")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# --- a citizen's browser -------------------------------------------------------------------------


class Down(Exception):
    """No answer. ``in_flight``: the request may have reached the server (connection reset
    or closed after sending); otherwise it was refused before anything was sent."""

    def __init__(self, in_flight: bool, detail: str):
        super().__init__(detail)
        self.in_flight = in_flight


class Unexpected(Exception):
    """An answer the flow does not expect: the attempt is abandoned and logged."""


@dataclass
class Page:
    status: int
    location: str  # the path a redirect points to, '' otherwise
    body: str


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


class Fields(HTMLParser):
    """The named inputs and select options of a page: enough to post its forms."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = defaultdict(list)
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "textarea") and a.get("name"):
            self.values.setdefault(a["name"], a.get("value") or "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    @property
    def csrf(self) -> str:
        if "csrf_token" not in self.values:
            raise Unexpected("the page has no form with a CSRF token")
        return self.values["csrf_token"]


def text_of(html: str) -> str:
    """The heading and reasons of an error page, as a person reads them."""
    main = re.search(r"<h1[^>]*>(.*?)</h1>(.*?)</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", f"{main[1]}: {main[2]}" if main else html)
    return re.sub(r"\s+", " ", text).strip()[:300]


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects()
        )
        self.counts: Counter = Counter()

    def open(self, method: str, path: str, data: dict | None = None, files=None) -> Page:
        headers = {}
        body = None
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        self.counts["requests"] += 1
        try:
            try:
                response = self.opener.open(request, timeout=REQUEST_TIMEOUT)
            except urllib.error.HTTPError as answer:  # 3xx (kept), 4xx, 5xx
                response = answer
            with response:
                page = Page(
                    response.status,
                    urllib.parse.urlsplit(response.headers.get("Location") or "").path,
                    response.read().decode("utf-8", "replace"),
                )
        except urllib.error.URLError as error:
            refused = isinstance(error.reason, ConnectionRefusedError)
            raise Down(not refused, repr(error.reason)) from None
        except (OSError, http.client.HTTPException) as error:
            raise Down(not isinstance(error, ConnectionRefusedError), repr(error)) from None
        if page.status >= 500:
            self.counts["server_errors"] += 1
        return page

    def fields(self, path: str) -> Fields:
        page = self.open("GET", path)
        if page.status != 200:
            raise Unexpected(f"GET {path}: {page.status} {page.location}")
        return Fields(page.body)

    def post(self, path: str, data: dict, expect: str | None = None, files=None) -> Page:
        page = self.open("POST", path, data, files)
        if page.status >= 500:
            raise Unexpected(f"POST {path}: {page.status} server error")
        if page.status != 302 or (expect is not None and not re.fullmatch(expect, page.location)):
            excerpt = re.sub(r"\s+", " ", page.body)[:300]
            raise Unexpected(f"POST {path}: {page.status} {page.location} {excerpt}")
        return page


# --- a citizen --------------------------------------------------------------------------------


class Citizen:
    """One client process: one account, applications one after another until told to stop."""

    def __init__(self, index: int, plan: dict, submits):
        self.index = index
        self.plan = plan
        self.submits = submits  # shared with the killer: submit POSTs sent so far, by all
        self.browser = Browser(plan["base"])
        self.log_file = open(plan["logs"][index], "a", encoding="utf-8")  # noqa: SIM115
        self.in_flight: Counter = Counter()  # requests without an answer, by step
        self.refused = 0

    def log(self, event: str, **data) -> None:
        """Append one record and force it to disk before the next request."""
        record = {"t": round(time.time(), 3), "client": self.index, "event": event, **data}
        self.log_file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.log_file.flush()
        os.fsync(self.log_file.fileno())

    def step(self, name: str, call):
        """Repeat a whole step until the server answers it (GET of the form, then POST)."""
        started = time.monotonic()
        while True:
            try:
                return call()
            except Down as down:
                self._down(name, down)
                if time.monotonic() - started > self.plan["give_up"]:
                    raise Unexpected(f"{name}: no answer for {self.plan['give_up']} s") from None
                time.sleep(RETRY_PAUSE)

    def _down(self, name: str, down: Down) -> None:
        if down.in_flight:
            self.in_flight[name] += 1
        else:
            self.refused += 1

    # the steps

    def login(self) -> None:
        def once():
            token = self.browser.fields("/login").csrf
            data = {"csrf_token": token, "login": self.plan["logins"][self.index]}
            self.browser.post("/login", {**data, "password": PASSWORD})

        self.step("login", once)

    def start_draft(self) -> int:
        path = f"/competitions/{self.plan['competition']}/apply"

        def once():
            token = self.browser.fields(path).csrf
            page = self.browser.post(path, {"csrf_token": token}, r"/applications/\d+/edit/\w+")
            return int(page.location.split("/")[2])

        return self.step("start", once)

    def save(self, aid: int, section: str, make) -> None:
        path = f"/applications/{aid}/edit/{section}"

        def once():
            form = self.browser.fields(path)
            data = {"csrf_token": form.csrf, **make(form)}
            self.browser.post(path, data, re.escape(path))

        self.step(section, once)

    def upload(self, aid: int, doc_type: str) -> None:
        def once():
            form = self.browser.fields(f"/applications/{aid}/edit/documents")
            data = {"csrf_token": form.csrf, "doc_type": doc_type}
            files = {"file": (f"{doc_type}.pdf", PDF, "application/pdf")}
            self.browser.post(f"/applications/{aid}/attachments", data, files=files)

        self.step("upload", once)

    def number(self, aid: int) -> int | None:
        page = self.browser.open("GET", f"/applications/{aid}")
        if page.status != 200:
            raise Unexpected(f"GET /applications/{aid}: {page.status}")
        found = NUMBER_IN_HEADING.search(page.body)
        return int(found.group(1)) if found else None

    def fill(self, aid: int, marker: str) -> None:
        who = f"Crash Citizen {self.index}"
        self.save(
            aid,
            "applicant",
            lambda f: {
                "applicant_kind": "individual",
                "applicant_name": who,
                "contact_phone": f"+99670000{self.index:04d}",
                "village": "Кара-Бак",
                "address": "Ленин к., 12",
            },
        )
        self.save(
            aid,
            "initiative",
            lambda f: {
                "title": f"[{marker}] Айылга таза суу",
                "initiative_kind": "co_financing",
                "priority_topic": next(o for o in f.options["priority_topic"] if o),
                "problem": "Суу түтүгү эскирген.",
                "goal": "200 үй таза суу алат.",
                "target_groups": "Кара-Бак айылынын тургундары",
                "sustainability": "Суу колдонуучулар ассоциациясы тейлейт.",
            },
        )
        self.save(
            aid,
            "plan",
            lambda f: {
                "activities-0-description": "Түтүк сатып алуу",
                "activities-0-starts_on": "2027-01-10",
                "activities-0-ends_on": "2027-01-20",
                "activities-0-responsible": who,
            },
        )
        self.save(
            aid,
            "people",
            lambda f: {name: "12" for name in sorted(f.values) if name.startswith("group_")},
        )
        self.save(
            aid,
            "budget",
            lambda f: {
                "lines-0-item": "Түтүктөр",
                "lines-0-unit": "м",
                "lines-0-quantity": "1",
                "lines-0-unit_price": "10000",
                "lines-0-local_amount": "9000",
                "lines-0-own_amount": "1000",
            },
        )
        self.upload(aid, "application_letter")
        self.upload(aid, "budget")

    def submit(self, aid: int, marker: str) -> None:
        """Submit, and when the answer is lost, send the same submit again until the app
        answers: a 302 to the application (this one registered it) or a 303 to it with
        "already registered" (the lost one was committed; a 409 from older versions), after
        which the page gives the number."""
        review = f"/applications/{aid}/edit/review"

        def token():
            page = self.browser.open("GET", review)
            if page.status != 200:
                raise Unexpected(f"GET {review}: {page.status} {page.location}")
            if "error-summary" in page.body:
                raise Unexpected(f"review shows problems: {page.body[:200]}")
            return Fields(page.body).csrf

        data = {"csrf_token": self.step("review", token), "confirm": "y"}
        self.log("submitting", marker=marker, application=aid)
        started, lost, errors = time.monotonic(), 0, 0
        while True:
            sent = time.monotonic()
            try:
                with self.submits.get_lock():
                    self.submits.value += 1
                page = self.browser.open("POST", f"/applications/{aid}/submit", data)
            except Down as down:
                self._down("submit", down)
                if down.in_flight:
                    lost += 1
                    self.log("submit_lost", marker=marker, application=aid, detail=str(down))
                if time.monotonic() - started > self.plan["give_up"]:
                    self.log("unresolved", marker=marker, application=aid, lost=lost)
                    return
                time.sleep(RETRY_PAUSE)
                continue
            if page.status == 302 and page.location == f"/applications/{aid}":
                seconds = round(time.monotonic() - sent, 3)
                self.log("ack", marker=marker, application=aid, lost_before=lost, seconds=seconds)
                number = self.step("view", lambda: self.number(aid))
                self.log("number", marker=marker, application=aid, number=number)
                return
            if page.status in (303, 409):  # 303: "already registered under No. N"
                number = self.step("view", lambda: self.number(aid))
                self.log(
                    "recovered" if number is not None else "refused",
                    marker=marker,
                    application=aid,
                    number=number,
                    lost=lost,
                    answer=text_of(page.body) if page.status == 409 else "303: already registered",
                )
                return
            errors += 1
            self.log(
                "submit_error",
                marker=marker,
                application=aid,
                status=page.status,
                location=page.location,
                page=re.sub(r"\s+", " ", page.body)[:300],
            )
            if page.status < 500 or errors >= 3:
                self.log("unresolved", marker=marker, application=aid, lost=lost)
                return
            time.sleep(RETRY_PAUSE)

    def attempt(self, seq: int) -> None:
        marker = f"{self.plan['prefix']}-c{self.index}-a{seq:04d}"
        self.log("begin", marker=marker)
        aid = self.start_draft()
        self.log("draft", marker=marker, application=aid)
        self.fill(aid, marker)
        self.submit(aid, marker)

    def run(self, stop) -> None:
        self.login()
        seq, abandoned_in_a_row = 0, 0
        while not stop.is_set():
            seq += 1
            try:
                self.attempt(seq)
                abandoned_in_a_row = 0
            except Unexpected as why:
                self.log(
                    "abandoned",
                    marker=f"{self.plan['prefix']}-c{self.index}-a{seq:04d}",
                    reason=str(why)[:600],
                )
                abandoned_in_a_row += 1
                if abandoned_in_a_row >= 5:
                    self.log("client_gave_up")
                    break
                time.sleep(1)
        self.log(
            "stats",
            requests=self.browser.counts["requests"],
            server_errors=self.browser.counts["server_errors"],
            refused=self.refused,
            in_flight=dict(self.in_flight),
        )


def client_process(index: int, plan: dict, stop, submits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    citizen = Citizen(index, plan, submits)
    try:
        citizen.run(stop)
    except Exception:
        citizen.log("client_crashed", traceback=traceback.format_exc())
        raise


# --- the ledger and the check --------------------------------------------------------------------


def read_ledger(paths: list[str]) -> tuple[dict, list[dict]]:
    """Per marker: what its client saw. Per client: its closing statistics."""
    attempts: dict[str, dict] = {}
    stats = []
    for path in paths:
        if not Path(path).exists():
            continue
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record["event"] in ("stats", "client_crashed", "client_gave_up"):
                stats.append(record)
                continue
            marker = record.get("marker")
            if marker is None:
                continue
            a = attempts.setdefault(
                marker,
                {"application": None, "submitting": False, "lost": 0, "outcome": None},
            )
            a["application"] = record.get("application", a["application"])
            event = record["event"]
            if event == "submitting":
                a["submitting"] = True
            elif event == "submit_lost":
                a["lost"] += 1
            elif event in ("ack", "recovered", "refused", "unresolved", "abandoned"):
                if a["outcome"] in ("ack", "recovered"):
                    continue  # a later failure (reading the number) does not undo an answer
                a["outcome"] = event
                if event == "ack":
                    a["seconds"] = record.get("seconds")
                if event in ("recovered", "refused"):
                    a["number"] = record.get("number")
                    a["answer"] = record.get("answer")
            elif event == "number":
                a["number"] = record["number"]
    return attempts, stats


def check_database(setup: dict, prefix: str) -> dict:
    """Everything the database says about the run, read through the app's models."""
    from sqlalchemy import func, select

    from initiatives import create_app
    from initiatives.applications.models import Application
    from initiatives.audit.models import AuditEvent
    from initiatives.auth.models import User
    from initiatives.competitions.models import Competition
    from initiatives.documents.models import Document, DocumentCounter
    from initiatives.documents.rendering import ensure_pdf
    from initiatives.extensions import db

    app = create_app()
    with app.app_context():
        c = db.session.get(Competition, setup["competition"])
        rows = db.session.scalars(
            select(Application).where(Application.competition_id == c.id).order_by(Application.id)
        ).all()
        numbers = sorted(a.number for a in rows if a.number is not None)
        ours = [a for a in rows if a.title.startswith(f"[{prefix}-")]
        crash_users = set(
            db.session.scalars(select(User.id).where(User.email.like(f"%@{APPLICANT_DOMAIN}")))
        )
        submitted = [a for a in ours if a.state != "draft"]
        ids = [a.id for a in submitted]
        receipts = db.session.scalars(
            select(Document).where(Document.application_id.in_(ids), Document.kind == "receipt")
        ).all()
        audit = Counter(
            db.session.scalars(
                select(AuditEvent.subject_id).where(
                    AuditEvent.subject_type == "application",
                    AuditEvent.action == "submit",
                    AuditEvent.subject_id.in_(ids),
                )
            )
        )
        documents_dir = Path(app.config["DOCUMENTS_DIR"])
        bad_pdfs, unrendered, late_failures = [], [], []
        for d in receipts:
            if d.sha256 is None:
                unrendered.append(d)
                continue
            path = documents_dir / (d.pdf_path or "")
            if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != d.sha256:
                bad_pdfs.append(d.register_number)
        # A kill between the commit and the rendering leaves a receipt without its PDF; the
        # app promises to render it on the first download, which is what this does.
        for d in unrendered:
            try:
                path = ensure_pdf(d)
                db.session.commit()
            except Exception as error:
                db.session.rollback()
                late_failures.append(f"{d.register_number}: {error!r}")
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() != d.sha256:
                late_failures.append(f"{d.register_number}: hash differs")
        register_gaps = []
        for year, last in db.session.execute(
            select(DocumentCounter.year, DocumentCounter.last_number).where(
                DocumentCounter.municipality_id == c.municipality_id
            )
        ):
            used = sorted(
                db.session.scalars(
                    select(Document.number).where(
                        Document.municipality_id == c.municipality_id, Document.year == year
                    )
                )
            )
            if used != list(range(1, last + 1)):
                register_gaps.append({"year": year, "counter": last, "numbers": len(used)})
        drafts_without_marker = db.session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.competition_id == c.id,
                Application.owner_id.in_(crash_users),
                Application.title == "",
            )
        )
        result = {
            "competition": c.id,
            "last_application_number": c.last_application_number,
            "numbers": numbers,
            "submitted": [
                {
                    "id": a.id,
                    "marker": (MARKER.match(a.title) or [None, None])[1],
                    "state": a.state,
                    "number": a.number,
                }
                for a in submitted
            ],
            "drafts_with_marker": len(ours) - len(submitted),
            # Submitted by the run's accounts but carrying no marker of the run: nothing
            # should match this, however the title got lost.
            "unmarked": [
                a.id
                for a in rows
                if a.owner_id in crash_users and a.state != "draft" and a not in ours
            ],
            "drafts_without_marker": drafts_without_marker,
            "receipts": Counter(d.application_id for d in receipts),
            "receipts_unrendered": len(unrendered),
            "late_render_failures": late_failures,
            "bad_pdfs": bad_pdfs,
            "audit_submit_events": audit,
            "register_gaps": register_gaps,
        }
        db.session.remove()
        db.engine.dispose()
    return result


def judge(
    attempts: dict, stats: list[dict], found: dict, kills: int, wanted_kills: int, clients: int
) -> dict:
    """Match the ledger against the database; every figure and every invariant."""
    stored = {}
    duplicates = []
    for row in found["submitted"]:
        if row["marker"] in stored:
            duplicates.append(row["marker"])
        stored[row["marker"]] = row
    acked = {m for m, a in attempts.items() if a["outcome"] == "ack"}
    recovered = {m for m, a in attempts.items() if a["outcome"] == "recovered"}
    lost_at_kill = {m for m, a in attempts.items() if a["lost"]}
    submitting = {m for m, a in attempts.items() if a["submitting"]}

    acked_missing = sorted(
        m for m in acked if m not in stored or stored[m]["id"] != attempts[m]["application"]
    )
    number_mismatch = sorted(
        m
        for m in acked | recovered
        if m in stored and attempts[m].get("number") != stored[m]["number"]
    )
    without_attempt = sorted(m for m in stored if m not in submitting)
    without_attempt += [f"application {i} (no marker)" for i in found["unmarked"]]
    # Stored but its client never got a 302: only allowed when the answer died with the server.
    response_lost = sorted(m for m in stored if m in submitting and m not in acked)
    unexplained = sorted(m for m in response_lost if m not in lost_at_kill)
    recovered_missing = sorted(m for m in recovered if m not in stored)
    n = len(found["numbers"])
    troubles = [s for s in stats if s["event"] != "stats"]
    stats = [s for s in stats if s["event"] == "stats"]
    in_flight = Counter()
    for s in stats:
        in_flight.update(s["in_flight"])
    server_errors = sum(s["server_errors"] for s in stats)
    answers = Counter(a["answer"] for a in attempts.values() if a.get("answer"))
    latencies = sorted(a["seconds"] for a in attempts.values() if a.get("seconds") is not None)
    receipts_wrong = sorted(
        r["id"] for r in found["submitted"] if found["receipts"].get(r["id"], 0) != 1
    )
    audit_wrong = sorted(
        r["id"] for r in found["submitted"] if found["audit_submit_events"].get(r["id"], 0) != 1
    )
    in_flight_starts = in_flight.get("start", 0)

    def inv(ok, value, detail=None):
        return {"ok": bool(ok), "value": value, "detail": detail}

    invariants = {
        "acknowledged_but_missing": inv(not acked_missing, len(acked_missing), acked_missing[:20]),
        "stored_without_any_attempt": inv(
            not without_attempt, len(without_attempt), without_attempt[:20]
        ),
        "stored_unacknowledged_not_explained_by_a_kill": inv(
            not unexplained, len(unexplained), unexplained[:20]
        ),
        "recovered_after_resend_but_missing": inv(
            not recovered_missing, len(recovered_missing), recovered_missing[:20]
        ),
        "client_number_differs_from_database": inv(
            not number_mismatch, len(number_mismatch), number_mismatch[:20]
        ),
        "one_application_per_marker": inv(not duplicates, len(duplicates), duplicates[:20]),
        "numbers_unique_and_gapless": inv(
            found["numbers"] == list(range(1, n + 1)) and found["last_application_number"] == n,
            f"{n} numbers, counter {found['last_application_number']}",
        ),
        "one_receipt_per_submission": inv(not receipts_wrong, len(receipts_wrong), receipts_wrong),
        "one_submit_audit_event_per_submission": inv(not audit_wrong, len(audit_wrong)),
        "document_register_gapless": inv(
            not found["register_gaps"], len(found["register_gaps"]), found["register_gaps"]
        ),
        "stored_receipt_pdfs_match_their_hash": inv(
            not found["bad_pdfs"], len(found["bad_pdfs"]), found["bad_pdfs"][:20]
        ),
        "receipts_left_unrendered_by_a_kill_render_later": inv(
            not found["late_render_failures"],
            f"{found['receipts_unrendered']} rendered afterwards",
            found["late_render_failures"][:20],
        ),
        "orphan_drafts_only_from_lost_start_requests": inv(
            found["drafts_without_marker"] <= in_flight_starts,
            f"{found['drafts_without_marker']} orphan drafts, {in_flight_starts} starts lost",
        ),
        "no_server_errors": inv(server_errors == 0, server_errors),
        "every_submit_resolved_by_its_client": inv(
            not [m for m in submitting if attempts[m]["outcome"] in (None, "unresolved")],
            sum(1 for m in submitting if attempts[m]["outcome"] in (None, "unresolved")),
        ),
        "no_submit_refused": inv(
            not [m for m, a in attempts.items() if a["outcome"] == "refused"],
            sum(1 for a in attempts.values() if a["outcome"] == "refused"),
        ),
        "all_kills_done": inv(kills == wanted_kills, f"{kills} of {wanted_kills}"),
        "clients_finished_cleanly": inv(
            not troubles and len(stats) == clients,
            f"{len(stats)} of {clients}",
            [t.get("traceback") or t["event"] for t in troubles][:3],
        ),
    }
    outcomes = Counter(a["outcome"] or "in progress" for a in attempts.values())
    return {
        "attempts_started": len(attempts),
        "submits_attempted": len(submitting),
        "acknowledged": len(acked),
        "found_in_database": len(stored),
        "found_and_acknowledged": len(set(stored) & acked),
        "found_response_lost_at_kill": len(response_lost),
        "response_lost_then_recovered_by_resend": len(recovered),
        "submits_in_flight_at_a_kill": len(lost_at_kill),
        "in_flight_submits_committed": len(lost_at_kill & (set(stored) - acked)),
        "in_flight_submits_not_committed": len(lost_at_kill & acked),
        "abandoned_before_submit": outcomes.get("abandoned", 0),
        "drafts_left_with_marker": found["drafts_with_marker"],
        "orphan_drafts_from_lost_starts": found["drafts_without_marker"],
        "answers_to_a_resent_submit": dict(answers),
        "submit_seconds_median_and_max": [
            latencies[len(latencies) // 2] if latencies else None,
            latencies[-1] if latencies else None,
        ],
        "requests_in_flight_at_kills_by_step": dict(in_flight),
        "requests_refused_while_down": sum(s["refused"] for s in stats),
        "requests": sum(s["requests"] for s in stats),
        "server_errors": server_errors,
        "receipts_not_rendered_yet": found["receipts_unrendered"],
        "outcomes": dict(outcomes),
        "invariants": invariants,
        "ok": all(i["ok"] for i in invariants.values()),
    }


# --- the run ------------------------------------------------------------------------------------


def aim(submits, rnd: random.Random, wait: float = 6) -> bool:
    """Wait for the next submit to be sent, then a random part of its course (numbering,
    commit, rendering the receipt): purely random kills mostly land while a form is being
    filled, and the submit is where an acknowledgement can be lost."""
    seen, deadline = submits.value, time.monotonic() + wait
    while submits.value == seen:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    time.sleep(rnd.uniform(0, 0.8))
    return True


def run(args) -> dict:
    rnd = random.Random(args.seed)
    run_id = secrets.token_hex(4)
    prefix = f"CRASH-{run_id}"
    instance = Path(tempfile.mkdtemp(prefix="crash-"))
    db = None
    server = None
    clients = []
    summary = {"database": None, "instance": str(instance), "ok": False}
    began = time.monotonic()
    try:
        db = create_database(args.database, instance, run_id)
        summary["database"] = db.label
        env = app_environment(instance, db)
        print(f"crash test {prefix} on {db.label}; instance {instance}", flush=True)
        setup = set_up(env, args.workers_procs)
        port = free_port()
        server = Server(env, port, args.gunicorn_workers, instance / "gunicorn.log")
        startup = [server.start()]
        plan = {
            "base": f"http://127.0.0.1:{port}",
            "competition": setup["competition"],
            "logins": setup["logins"],
            "prefix": prefix,
            "give_up": args.give_up,
            "logs": [str(instance / f"client-{i}.jsonl") for i in range(args.workers_procs)],
        }
        mp = multiprocessing.get_context("spawn")  # clients inherit nothing of this process
        stop, submits = mp.Event(), mp.Value("i", 0)
        clients = [
            mp.Process(target=client_process, args=(i, plan, stop, submits), daemon=True)
            for i in range(args.workers_procs)
        ]
        for p in clients:
            p.start()
        load_began = time.monotonic()
        kills, downtime, aimed = 0, [], 0
        while kills < args.kills:
            time.sleep(rnd.uniform(2, 8))
            if rnd.random() < args.aim_at_submits:
                aimed += aim(submits, rnd)
            killed_at = time.monotonic()
            server.kill()
            kills += 1
            startup.append(server.start())
            downtime.append(time.monotonic() - killed_at)
            print(
                f"  kill {kills}/{args.kills} at {killed_at - load_began:5.1f} s; "
                f"serving again after {downtime[-1]:.1f} s",
                flush=True,
            )
        while time.monotonic() - load_began < args.seconds:
            time.sleep(0.2)
        stop.set()
        for p in clients:
            p.join(timeout=args.give_up + 2 * REQUEST_TIMEOUT)
        stuck = [i for i, p in enumerate(clients) if p.is_alive()]
        load_seconds = time.monotonic() - load_began
        server.stop()
        if stuck:
            raise Harness(f"client processes {stuck} did not finish")
        attempts, stats = read_ledger(plan["logs"])
        os.environ.update(env)  # the app reads INSTANCE_PATH and DATABASE_URL from there
        found = check_database(setup, prefix)
        summary.update(
            {
                "client_processes": args.workers_procs,
                "gunicorn_workers": args.gunicorn_workers,
                "server_runs": server.starts,
                "kills": kills,
                "kills_aimed_at_a_submit": aimed,
                "load_seconds": round(load_seconds, 1),
                "seconds_to_serve_after_kill": [round(d, 2) for d in downtime],
                "server_start_seconds": [round(s, 2) for s in startup],
                "tracebacks_in_server_log": server.log.read_text(errors="replace").count(
                    "Traceback"
                ),
                **judge(attempts, stats, found, kills, args.kills, args.workers_procs),
            }
        )
    except Harness as failure:
        summary["harness_error"] = str(failure)
    finally:
        if server is not None:
            server.stop()
        for p in clients:
            if p.is_alive():
                p.kill()
        summary["duration_seconds"] = round(time.monotonic() - began, 1)
        if db is not None and args.keep and db.name:
            summary["kept_database"] = db.name
        elif db is not None:
            drop_database(db)
        if summary["ok"] and not args.keep:
            shutil.rmtree(instance, ignore_errors=True)
            summary["instance"] = None
    return summary


def report(s: dict) -> None:
    print()
    print(f"Crash test on {s['database']}")
    if "harness_error" in s:
        print(f"  HARNESS FAILED: {s['harness_error']}")
        return
    lines = [
        (
            "client processes / gunicorn workers",
            f"{s['client_processes']} / {s['gunicorn_workers']}",
        ),
        (
            "server runs / SIGKILLs (aimed at a submit)",
            f"{s['server_runs']} / {s['kills']} ({s['kills_aimed_at_a_submit']})",
        ),
        ("load phase / whole run", f"{s['load_seconds']} s / {s['duration_seconds']} s"),
        ("serving again after a kill (s)", ", ".join(map(str, s["seconds_to_serve_after_kill"]))),
        ("applications started", s["attempts_started"]),
        ("submits attempted", s["submits_attempted"]),
        ("acknowledged (302 to the application)", s["acknowledged"]),
        ("found in the database", s["found_in_database"]),
        ("  found and acknowledged", s["found_and_acknowledged"]),
        ("  found, answer lost with the server", s["found_response_lost_at_kill"]),
        ("    recovered by re-sending (303)", s["response_lost_then_recovered_by_resend"]),
        ("submits in flight at a kill", s["submits_in_flight_at_a_kill"]),
        ("  committed before the kill", s["in_flight_submits_committed"]),
        ("  not committed (re-sent, acknowledged)", s["in_flight_submits_not_committed"]),
        ("submit answered in (median, max s)", s["submit_seconds_median_and_max"]),
        ("answers to a re-sent submit (303)", s["answers_to_a_resent_submit"] or "-"),
        ("requests in flight at kills, by step", s["requests_in_flight_at_kills_by_step"]),
        (
            "requests refused while down / all",
            f"{s['requests_refused_while_down']} / {s['requests']}",
        ),
        ("abandoned before submitting", s["abandoned_before_submit"]),
        ("orphan drafts (lost start answers)", s["orphan_drafts_from_lost_starts"]),
        ("receipts not rendered yet (lazy)", s["receipts_not_rendered_yet"]),
        ("tracebacks in the server log", s["tracebacks_in_server_log"]),
    ]
    for label, value in lines:
        print(f"  {label:<42} {value}")
    print("  invariants:")
    for name, inv in s["invariants"].items():
        mark = "ok  " if inv["ok"] else "FAIL"
        detail = f"  {inv['detail']}" if inv["detail"] and not inv["ok"] else ""
        print(f"    {mark} {name.replace('_', ' ')}: {inv['value']}{detail}")
    print(f"  result: {'PASS' if s['ok'] else 'FAIL'}")
    if s.get("instance"):
        print(f"  logs kept in {s['instance']}")
    if s.get("kept_database"):
        print(f"  database kept: {s['kept_database']} (drop it when done)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database",
        help="'sqlite' or a postgresql:// URL (its name prefixes the scratch database)",
    )
    parser.add_argument("--workers-procs", type=int, default=4, help="client processes")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60, help="length of the load phase")
    parser.add_argument(
        "--give-up",
        type=float,
        default=120,
        help="seconds a client waits for a server that does not come back",
    )
    parser.add_argument(
        "--aim-at-submits",
        type=float,
        default=0.5,
        help="share of kills that wait for a submit under way (0 = purely random times)",
    )
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", help="write the summary there")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the instance directory and the PostgreSQL scratch database",
    )
    parser.add_argument("--internal-setup", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal_setup is not None:
        setup_step(args.internal_setup)
        return 0
    if not args.database:
        parser.error("--database is required")
    summary = run(args)
    report(summary)
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    if "harness_error" in summary:
        return 2
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
