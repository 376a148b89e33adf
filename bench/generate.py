"""Fill an empty database with the country: every ayil aimak (453) with a competition of
30 applications and 5 members carried to ``closed``, and the large competition (1,000
applications, 9 members) twice, each in a municipality of its own: once left in scoring
with most sheets in, once with its results approved.

Run:
    .venv/bin/python bench/generate.py --database postgresql://postgres@127.0.0.1/national \\
        [--municipalities 453] [--applications 30] [--members 5] [--large 1000] \\
        [--large-members 9] [--workers 2] [--seed 1] [--manifest /tmp/national.json]

Every competition goes through the project's own steps (``bench/datagen.py`` drives
``initiatives.demo.builder`` and the operations), so the data is what the app itself
writes: guards, register numbers, document snapshots, audit events, notifications. PDFs
are not rendered (the app renders a document when it is first downloaded). Passwords share
one scrypt hash, computed once; every account's password is ``demo-password``.

Speed: one municipality of 30 applications takes about 4.5 s of real steps on PostgreSQL
(some 4,600 statements, mostly ORM work in Python), so the work is spread over worker
processes, one municipality per task, each committed whole. The large competitions are
long tasks (minutes), started first so they run beside the small ones. Measured on this
2-core machine, shared with other jobs (load average about 3.5), 2 workers: the whole
national set in 20.5 min (1,232 s); 4.8 s per municipality in a worker; the large
competitions 1.7 min (scoring) and 3.0 min (results approved).

SQLite takes one writer at a time: there the municipalities are built one after another in
this process (``--workers`` is ignored), about 2 to 4 s each, and a smaller
``--municipalities`` is the practical choice.

Content is deterministic for a given ``--seed`` and ``--today`` (the dates are placed
relative to it); row ids depend on how the workers interleave.

The schema is built by the app's migrations when the database has none; a database that
already holds municipalities is refused.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select
from werkzeug.security import generate_password_hash

from initiatives import create_app
from initiatives.extensions import db

# Set in each worker process by ``_start_worker``.
_worker: dict = {}


def make_app(url: str, instance: Path):
    return create_app(
        {
            "DATABASE_URL": url,
            "UPLOADS_DIR": str(instance / "uploads"),
            "DOCUMENTS_DIR": str(instance / "documents"),
            # Accounts are made by the real operation and then given the shared hash:
            # hashing each one for real would be thrown away.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "RATELIMIT_ENABLED": False,
        }
    )


def _start_worker(url: str, instance: str, settings: dict) -> None:
    app = make_app(url, Path(instance))
    context = app.app_context()
    context.push()
    _worker.update(settings, app=app, context=context)


def _task(task: tuple) -> tuple:
    """Build one municipality (or one large competition); never raise, report instead."""
    kind, arg = task
    started = time.perf_counter()
    s = _worker
    try:
        if kind == "large":
            result = datagen.build_large(
                arg,
                seed=s["seed"],
                today=s["today"],
                applications=s["large"],
                members=s["large_members"],
                password_hash=s["password_hash"],
                log=lambda line: print(line, flush=True),
            )
        else:
            result = datagen.build_municipality(
                arg,
                seed=s["seed"],
                today=s["today"],
                applications=s["applications"],
                members=s["members"],
                password_hash=s["password_hash"],
            )
        return kind, arg, result, None, time.perf_counter() - started
    except Exception as error:  # reported by the parent, which goes on with the others
        db.session.rollback()
        db.session.remove()
        import traceback

        return kind, arg, None, traceback.format_exc(limit=8) + repr(error), 0.0


def run_in_workers(tasks: list, workers: int, initargs: tuple, report) -> None:
    """Run the tasks in worker processes. A worker that dies (a crash, not an exception:
    those come back as reports) breaks the pool; the unfinished tasks then run again in a
    new one, at most three times. A municipality commits once, at its end, so a task cut
    short left nothing behind (a large competition commits per step: its second attempt
    fails on its name and is reported)."""
    remaining = list(tasks)
    for attempt in range(1, 4):
        finished = set()
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=initargs
        ) as pool:
            futures = {pool.submit(_task, task): n for n, task in enumerate(remaining)}
            try:
                for future in as_completed(futures):
                    report(future.result())
                    finished.add(futures[future])
            except BrokenProcessPool:
                left = len(remaining) - len(finished)
                print(f"a worker died (attempt {attempt}); {left} task(s) start again", flush=True)
        remaining = [task for n, task in enumerate(remaining) if n not in finished]
        if not remaining:
            return
    for kind, arg in remaining:
        report((kind, arg, None, "its worker process died three times", 0.0))


def prepare(app) -> None:
    """Migrate an empty database; refuse one that already holds data."""
    with app.app_context():
        tables = inspect(db.engine).get_table_names()
        if "municipality" in tables:
            with db.engine.connect() as conn:
                if conn.scalar(
                    select(func.count()).select_from(db.metadata.tables["municipality"])
                ):
                    raise SystemExit("the database is not empty: give an empty database")
        upgrade()


def row_counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables
        }


def progress(done: int, total: int, started: float, last_line: list) -> None:
    now = time.perf_counter()
    if done != total and now - last_line[0] < 5:
        return
    last_line[0] = now
    elapsed = now - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else float("nan")
    print(
        f"[{done:>4}/{total}] tasks  {rate * 60:6.1f}/min  "
        f"elapsed {elapsed / 60:5.1f} min  ETA {eta / 60:5.1f} min",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--municipalities", type=int, default=453)
    parser.add_argument("--applications", type=int, default=30)
    parser.add_argument("--members", type=int, default=5, help="odd, at least 5")
    parser.add_argument("--large", type=int, default=1000, help="0: no large competitions")
    parser.add_argument("--large-members", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", help="YYYY-MM-DD the timelines end before (default today)")
    parser.add_argument("--instance", help="where uploaded files go (default: a new temp dir)")
    parser.add_argument("--manifest", help="write a JSON summary of what was made here")
    args = parser.parse_args(argv)
    for n in (args.members, args.large_members):
        if n < 5 or n % 2 == 0:
            parser.error("a commission has an odd number of members, at least 5")

    today = (
        datetime.fromisoformat(args.today).replace(tzinfo=UTC)
        if args.today
        else datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    instance = Path(args.instance or tempfile.mkdtemp(prefix="initiatives-national-"))
    instance.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    app = make_app(args.database, instance)
    prepare(app)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    workers = 1 if sqlite else max(1, args.workers)
    password_hash = generate_password_hash(datagen.PASSWORD)  # the production method
    settings = {
        "seed": args.seed,
        "today": today,
        "applications": args.applications,
        "members": args.members,
        "large": args.large,
        "large_members": args.large_members,
        "password_hash": password_hash,
    }
    with app.app_context():
        datagen.national_users(password_hash)
        db.engine.dispose()  # the workers open their own connections
    places = datagen.country(args.municipalities)
    tasks = [("large", w) for w in datagen.LARGE if args.large] + [
        ("municipality", p) for p in places
    ]
    print(
        f"{len(places)} municipalities x {args.applications} applications, "
        f"{len(tasks) - len(places)} large competitions x {args.large}; "
        f"{workers} worker(s); files under {instance}",
        flush=True,
    )

    results, failures = [], []
    build_started, last_line = time.perf_counter(), [0.0]

    def report(outcome) -> None:
        kind, arg, result, error, seconds = outcome
        if error:
            failures.append((kind, getattr(arg, "slug", arg), error))
            print(f"FAILED {kind} {getattr(arg, 'slug', arg)}:\n{error}", file=sys.stderr)
        else:
            results.append((kind, result, seconds))
            if kind == "large":
                print(
                    f"  large competition '{arg}' done in {seconds / 60:.1f} min: "
                    f"{result['state']}, {result['applications']} applications",
                    flush=True,
                )
        progress(len(results) + len(failures), len(tasks), build_started, last_line)

    if workers == 1:
        _start_worker(args.database, str(instance), settings)
        for task in tasks:
            report(_task(task))
    else:
        run_in_workers(tasks, workers, (args.database, str(instance), settings), report)

    seconds = time.perf_counter() - started
    # Fresh tables have no statistics until autovacuum comes by: the planner would take
    # the large competition's 9,000 score sheets for 500 and choose nested loops.
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    counts = row_counts(app)
    print(f"\nGenerated in {seconds / 60:.1f} min ({seconds:.0f} s); rows per table:")
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {name:<22} {count:>10,}")
    small = [r for kind, r, _s in results if kind == "municipality"]
    large = {r["which"]: r for kind, r, _s in results if kind == "large"}
    per_municipality = [s for kind, _r, s in results if kind == "municipality"]
    if per_municipality:
        print(
            f"  one municipality: {sum(per_municipality) / len(per_municipality):.1f} s "
            f"on average in a worker"
        )
    if args.manifest:
        sample = small[0] if small else None
        manifest = {
            "database": args.database,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds),
            "seed": args.seed,
            "today": today.date().isoformat(),
            "uploads_dir": str(instance / "uploads"),
            "documents_dir": str(instance / "documents"),
            "password": datagen.PASSWORD,
            "national_logins": datagen.NATIONAL_LOGINS,
            "municipalities": len(small),
            "applications_per_competition": args.applications,
            "sample": sample and _sample_logins(app, sample),
            "large": large,
            "rows": counts,
            "failures": [f"{kind} {name}" for kind, name, _e in failures],
        }
        Path(args.manifest).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        print(f"manifest: {args.manifest}")
    if failures:
        print(f"{len(failures)} task(s) failed", file=sys.stderr)
        return 1
    return 0


def _sample_logins(app, sample: dict) -> dict:
    """Who to log in as in one ordinary municipality, and what to open there."""
    from initiatives.applications.models import Application

    domain = f"{sample['slug']}.aimak.example"
    with app.app_context():
        application = db.session.scalars(
            select(Application)
            .where(Application.competition_id == sample["competition_id"])
            .where(Application.owner_id.is_not(None))
            .order_by(Application.number)
        ).first()
        applicant = application.owner.login
    return {
        **sample,
        "application_id": application.id,
        "logins": {
            "specialist": f"specialist@{domain}",
            "head": f"head@{domain}",
            "chair": f"chair@{domain}",
            "member": f"member1@{domain}",
            "applicant": applicant,
        },
    }


if __name__ == "__main__":
    sys.exit(main())
