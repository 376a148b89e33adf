"""Deadline-day load: gunicorn (2 workers) under a mix of citizens and visitors, by Locust.

    .venv/bin/python bench/load.py --database postgresql://postgres@127.0.0.1:5432/national \\
        [--rps 100] [--seconds 60] [--workers 2] [--json out.json]
    .venv/bin/python bench/load.py --database sqlite     # a fresh demo instance on SQLite

The goal (issue 10): 100 requests/s sustained, p95 under 200 ms, zero errors. The mix is the
last day before a deadline, when most people read and a few hundred submit:

- visitors (60 %): the portal's home, a municipality, a competition's public page, the
  oversight dashboard, an API page; they verify a protocol now and then;
- downloads (10 %): public PDFs already registered (the first download renders and stores a
  PDF; later ones send the stored file, which is what a busy day is made of);
- citizens (30 %): logged in, they open and save sections of a draft (each save is a GET of
  the form and a POST), attach nothing, and every few drafts submit one: the receipt is
  registered and rendered after the commit.

Each simulated user keeps a constant pace (``constant_throughput``), so the offered load is
``users × pace`` whatever the server does; the report says whether it was carried.

A given database is used as it is (the national data set from ``bench/generate.py``, or an
empty one that gets the demo); the script adds one competition open for applications and
the citizens' accounts, as ``bench/crash.py`` does, in a municipality of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import crash  # noqa: E402 - the harness (instance, database, gunicorn) is shared

CITIZENS = 400
PASSWORD = crash.PASSWORD
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- setting up -------------------------------------------------------------------------------


def targets_step() -> None:
    """Inside the app: what the visitors read (public competitions and documents, rendered
    once so downloads send stored files), printed as JSON for the load generator."""
    from sqlalchemy import func, select

    from initiatives import create_app
    from initiatives.competitions.models import Competition
    from initiatives.documents.access import is_published
    from initiatives.documents.models import Document
    from initiatives.documents.rendering import ensure_pdf
    from initiatives.extensions import db
    from initiatives.municipalities.models import Municipality

    app = create_app()
    with app.app_context():
        competitions = db.session.scalars(
            select(Competition)
            .where(Competition.state.in_(["closed", "implementation", "winners_announced"]))
            .order_by(Competition.id)
            .limit(40)
        ).all()
        documents = []
        for c in competitions[:10]:
            for d in db.session.scalars(
                select(Document).where(Document.competition_id == c.id).order_by(Document.id)
            ):
                if is_published(d) and len(documents) < 30:
                    ensure_pdf(d)
                    documents.append({"id": d.id, "token": d.token})
        db.session.commit()
        slugs = db.session.scalars(select(Municipality.slug).order_by(Municipality.id).limit(50))
        print(
            json.dumps(
                {
                    "competitions": [c.id for c in competitions],
                    "documents": documents,
                    "slugs": list(slugs),
                    "municipalities": db.session.scalar(select(func.count(Municipality.id))),
                }
            )
        )


def citizens_step(run_id: str) -> None:
    """Inside the app: the demo municipality (loaded into a national data set that lacks
    it), a competition of it open for applications, and this run's citizens."""
    from sqlalchemy import select

    from initiatives import create_app
    from initiatives.auth import operations as accounts
    from initiatives.competitions.models import Competition
    from initiatives.core.db import utcnow
    from initiatives.core.enums import Role
    from initiatives.demo.loader import load_demo
    from initiatives.extensions import db
    from initiatives.municipalities.models import Municipality

    app = create_app()
    with app.app_context():
        find = select(Municipality).where(Municipality.slug == "orozbekov")
        if db.session.scalars(find).first() is None:
            load_demo()
            db.session.commit()
        m = db.session.scalars(find).one()
        now = utcnow()
        c = db.session.scalars(
            select(Competition)
            .where(
                Competition.municipality_id == m.id,
                Competition.state == "announced",
                Competition.submission_deadline > now + timedelta(hours=2),
            )
            .order_by(Competition.id)
        ).first() or crash._announce_one(m, now)
        logins = []
        for i in range(CITIZENS):
            login = f"load{i}-{run_id}@load.example"
            accounts.create_user(
                login=login,
                full_name=f"Load Citizen {i}",
                password=PASSWORD,
                roles=[(Role.APPLICANT, m.id)],
            )
            logins.append(login)
        db.session.commit()
        print(json.dumps({"competition": c.id, "logins": logins}))


def set_up(env: dict, empty: bool) -> dict:
    if empty:
        crash.flask(env, "db", "upgrade")
        crash.flask(env, "demo", "--if-empty")
    citizens = run_step(env, "--internal-citizens", secrets.token_hex(4))
    targets = run_step(env, "--internal-targets")
    return {**citizens, **targets}


def run_step(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise crash.Harness(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the load -----------------------------------------------------------------------------------


def user_classes(plan: dict, pace: float):
    """Locust is imported here only: it patches the standard library with gevent."""
    import random
    from itertools import count

    from locust import FastHttpUser, HttpUser, constant_throughput, task

    accounts = iter(plan["logins"])
    numbers = count()
    cid = plan["competition"]

    # Readers use Locust's gevent HTTP client, several times cheaper per request than
    # requests': the load generator shares the server's two cores. Citizens upload
    # files, which only the requests-based client sends as multipart.
    class Visitor(FastHttpUser):
        weight = 60
        wait_time = constant_throughput(pace)

        @task(4)
        def competition(self):
            c = random.choice(plan["competitions"])
            self.client.get(f"/announcements/{c}", name="/announcements/[id]")

        @task(2)
        def home(self):
            self.client.get("/", name="/")

        @task(2)
        def municipality(self):
            slug = random.choice(plan["slugs"])
            self.client.get(f"/m/{slug}", name="/m/[slug]")

        @task(1)
        def oversight(self):
            self.client.get("/oversight", name="/oversight")

        @task(1)
        def api(self):
            self.client.get("/api/v1/competitions?per_page=50", name="/api/v1/competitions")

        @task(1)
        def verify(self):
            d = random.choice(plan["documents"])
            self.client.get(f"/verify/{d['token']}", name="/verify/[token]")

    class Downloader(FastHttpUser):
        weight = 10
        wait_time = constant_throughput(pace)

        @task
        def download(self):
            d = random.choice(plan["documents"])
            self.client.get(f"/documents/{d['id']}.pdf", name="/documents/[id].pdf")

    class Citizen(HttpUser):
        weight = 30
        wait_time = constant_throughput(pace)

        def on_start(self):
            self.login = next(accounts)
            token = self.token("/login", "/login")
            self.client.post(
                "/login",
                data={"login": self.login, "password": PASSWORD, "csrf_token": token},
                name="/login",
                allow_redirects=False,
            )
            self.draft = None
            self.saves = 0

        def token(self, url: str, name: str) -> str:
            page = self.client.get(url, name=name)
            found = TOKEN.search(page.text)
            return found.group(1) if found else ""

        @task
        def work(self):
            if self.draft is None:
                token = self.token(f"/competitions/{cid}/apply", "/competitions/[id]/apply")
                response = self.client.post(
                    f"/competitions/{cid}/apply",
                    data={"csrf_token": token},
                    name="/competitions/[id]/apply (start)",
                    allow_redirects=False,
                )
                found = re.search(r"/applications/(\d+)/", response.headers.get("Location", ""))
                self.draft = int(found.group(1)) if found else None
                return
            if self.saves < len(SECTIONS):
                name, data = SECTIONS[self.saves]
                self.save(name, data(next(numbers)))
                self.saves += 1
                return
            if self.saves == len(SECTIONS):
                self.attach()
                self.saves += 1
                return
            token = self.token(
                f"/applications/{self.draft}/edit/review", "/applications/[id]/edit/review"
            )
            self.client.post(
                f"/applications/{self.draft}/submit",
                data={"csrf_token": token, "confirm": "y"},
                name="/applications/[id]/submit",
                allow_redirects=False,
            )
            self.draft, self.saves = None, 0

        def save(self, section: str, data: dict):
            url = f"/applications/{self.draft}/edit/{section}"
            token = self.token(url, "/applications/[id]/edit/[section]")
            self.client.post(
                url,
                data={**data, "csrf_token": token},
                name="/applications/[id]/edit/[section] (save)",
                allow_redirects=False,
            )

        def attach(self):
            url = f"/applications/{self.draft}/edit/documents"
            for doc_type in ("application_letter", "budget"):
                token = self.token(url, "/applications/[id]/edit/[section]")
                self.client.post(
                    f"/applications/{self.draft}/attachments",
                    data={"doc_type": doc_type, "csrf_token": token},
                    files={"file": (f"{doc_type}.pdf", crash.PDF, "application/pdf")},
                    name="/applications/[id]/attachments",
                    allow_redirects=False,
                )

    return [Visitor, Downloader, Citizen]


SECTIONS = [
    (
        "applicant",
        lambda n: {
            "applicant_kind": "individual",
            "applicant_name": f"Load Citizen {n}",
            "contact_phone": f"+99677{n:07d}",
            "village": "Кара-Бак",
            "address": "Ленин к., 12",
        },
    ),
    (
        "initiative",
        lambda n: {
            "title": f"Айылга таза суу {n}",
            "initiative_kind": "co_financing",
            "priority_topic": "youth",
            "problem": "Суу түтүгү эскирген.",
            "goal": "200 үй таза суу алат.",
            "target_groups": "Кара-Бак айылынын тургундары",
            "sustainability": "Суу колдонуучулар ассоциациясы тейлейт.",
        },
    ),
    (
        "plan",
        lambda n: {
            "activities-0-description": "Түтүк сатып алуу",
            "activities-0-starts_on": "2027-01-10",
            "activities-0-ends_on": "2027-01-20",
            "activities-0-responsible": f"Load Citizen {n}",
        },
    ),
    ("people", lambda n: {"group_women": "12", "group_men": "10"}),
    (
        "budget",
        lambda n: {
            "lines-0-item": "Түтүктөр",
            "lines-0-unit": "м",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "10000",
            "lines-0-local_amount": "9000",
            "lines-0-own_amount": "1000",
        },
    ),
]


def drive(base: str, plan: dict, rps: float, seconds: float, users: int) -> dict:
    import gevent
    from locust.env import Environment

    pace = rps / users
    env = Environment(user_classes=user_classes(plan, pace), host=base)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users / 5)
    gevent.sleep(5)  # everyone started and logged in: measure the steady state only
    env.stats.reset_all()
    started = time.monotonic()
    machine_before, own_before = _cpu_busy(), _own_cpu()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    machine_busy, own = _cpu_busy() - machine_before, _own_cpu() - own_before
    stats = env.stats
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: -e.num_requests):
        rows.append(summary(entry, elapsed))
    total = summary(stats.total, elapsed)
    runner.quit()
    cores = os.cpu_count() or 1
    return {
        "rows": rows,
        "total": total,
        "seconds": round(elapsed, 1),
        "users": users,
        # Share of the machine's CPU time over the measured window: the load generator
        # runs beside the server on the same cores, and takes its part.
        "cpu_busy": round(100 * machine_busy / (elapsed * cores)),
        "cpu_load_generator": round(100 * own / (elapsed * cores)),
    }


def _cpu_busy() -> float:
    """Seconds of CPU every process of the machine has used (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summary(entry, elapsed: float) -> dict:
    return {
        "name": f"{entry.method or ''} {entry.name}".strip(),
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.num_requests / elapsed, 1),
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": round(entry.max_response_time or 0),
    }


def report(result: dict, args, machine: str) -> None:
    t = result["total"]
    print(f"\nLoad on {args.database_label}: {args.workers} gunicorn workers, {machine}")
    print(
        f"offered {args.rps} actions/s (a citizen's save is two requests: the form, then "
        f"the POST) by {result['users']} users for {result['seconds']} s: "
        f"carried {t['rps']} req/s, p50 {t['p50']} ms, p95 {t['p95']} ms, p99 {t['p99']} ms, "
        f"{t['failures']} errors of {t['requests']}"
    )
    print(
        f"CPU of the machine busy {result['cpu_busy']} %, of which the load generator "
        f"{result['cpu_load_generator']} %"
    )
    print(f"{'request':58} {'n':>6} {'rps':>6} {'p50':>5} {'p95':>5} {'p99':>5} {'err':>4}")
    for r in result["rows"]:
        print(
            f"{r['name'][:58]:58} {r['requests']:>6} {r['rps']:>6} {r['p50']:>5} "
            f"{r['p95']:>5} {r['p99']:>5} {r['failures']:>4}"
        )
    goal = t["rps"] >= 0.95 * args.rps and t["p95"] < 200 and t["failures"] == 0
    print(f"goal (≥ {args.rps} req/s, p95 < 200 ms, 0 errors): {'MET' if goal else 'MISSED'}")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} × {cpu}, {mem} GiB"


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--internal-citizens":
        citizens_step(sys.argv[2])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--internal-targets":
        targets_step()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' or a postgresql:// URL")
    parser.add_argument("--rps", type=float, default=100)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="load-"))
    if args.database == "sqlite":
        db = crash.create_database("sqlite", instance, "load")
        empty = True
    else:  # used as it is: the national data set, or an empty database for the demo
        db = crash.Database(args.database, "postgresql")
        empty = False
    args.database_label = "SQLite" if args.database == "sqlite" else "PostgreSQL"
    env = crash.app_environment(instance, db)
    env["RATELIMIT_ENABLED"] = "false"  # hundreds of logins from one address, on purpose
    plan = set_up(env, empty)
    port = crash.free_port()
    server = crash.Server(env, port, args.workers, instance / "gunicorn.log")
    server.start()
    try:
        result = drive(f"http://127.0.0.1:{port}", plan, args.rps, args.seconds, args.users)
    finally:
        server.stop()
    result.update(database=args.database_label, workers=args.workers, machine=machine())
    report(result, args, machine())
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
