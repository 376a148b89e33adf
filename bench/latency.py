"""Page latency at national scale: p50 and p95 of the pages people wait for on busy days.

    .venv/bin/python bench/latency.py --manifest /tmp/national.json [--requests 200]

Reads the data set made by ``bench/generate.py`` (its manifest names the database, the
large competitions and who may log in), starts gunicorn with one worker on it and asks each
page ``--requests`` times, one request at a time, after a few warm-up requests. One worker
and no concurrency: this is the time one person waits, the load test (``bench/load.py``)
measures many at once.

Goals (issue 10): p95 under 50 ms for public pages; under 150 ms for the ranking of 1,000
applications.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crash  # the gunicorn harness is shared

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Session:
    """A browser's cookie jar over urllib: logs in through the real form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def login(self, login: str, password: str) -> None:
        _status, page = self.get("/login")
        token = TOKEN.search(page.decode()).group(1)
        data = urllib.parse.urlencode(
            {"login": login, "password": password, "csrf_token": token}
        ).encode()
        with self.opener.open(self.base + "/login", data, timeout=60) as response:
            if "/login" in response.url:
                raise crash.Harness(f"could not log in as {login}")


def pages(manifest: dict) -> list[dict]:
    """The public pages, the ranking of the large competition, a member's scoring list."""
    sample, large = manifest["sample"], manifest["large"]
    results, scoring = large["results"], large["scoring"]
    member = scoring["logins"]["member_part_way"]
    return [
        {
            "what": "public competition page (30 applications, closed)",
            "who": None,
            "url": f"/announcements/{sample['competition_id']}",
            "goal": 50,
        },
        {
            "what": "public competition page (1,000 applications, results)",
            "who": None,
            "url": f"/announcements/{results['competition_id']}",
            "goal": 50,
        },
        {"what": "portal home (every municipality)", "who": None, "url": "/", "goal": 50},
        {
            "what": "a municipality's public page",
            "who": None,
            "url": f"/m/{sample['slug']}",
            "goal": 50,
        },
        {"what": "oversight dashboard, national", "who": None, "url": "/oversight", "goal": 50},
        {
            "what": "staff dashboard of an oversight reader (national)",
            "who": manifest.get("national_logins", {}).get("oversight"),
            "url": "/dashboard",
            "goal": 150,
        },
        {
            "what": "ranking of 1,000 applications × 9 members",
            "who": results["logins"]["specialist"],
            "url": f"/competitions/{results['competition_id']}/results",
            "goal": 150,
        },
        {
            "what": "ranking of 1,000 × 9 in scoring (the chair's, with forms)",
            "who": scoring["logins"]["chair"],
            "url": f"/competitions/{scoring['competition_id']}/results",
            "goal": 150,
        },
        {
            "what": "the secretary's progress of scoring (1,000 × 9)",
            "who": scoring["logins"]["specialist"],
            "url": f"/competitions/{scoring['competition_id']}/scoring/progress",
            "goal": 150,
        },
        {
            "what": "a member's scoring list (1,000 applications)",
            "who": member,
            "url": f"/competitions/{scoring['competition_id']}/scoring",
            "goal": 150,
        },
    ]


def measure(session: Session, url: str, n: int) -> list[float]:
    for _ in range(5):  # warm: templates compiled, caches filled
        status, _body = session.get(url)
        if status != 200:
            raise crash.Harness(f"GET {url}: {status}")
    times = []
    for _ in range(n):
        started = time.perf_counter()
        session.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json")
    args = parser.parse_args()
    manifest = json.loads(Path(args.manifest).read_text())
    instance = Path(tempfile.mkdtemp(prefix="latency-"))
    db = crash.Database(manifest["database"], "postgresql")
    env = crash.app_environment(instance, db)
    env["RATELIMIT_ENABLED"] = "false"
    env["UPLOADS_DIR"] = manifest.get("uploads_dir", str(instance / "uploads"))
    env["DOCUMENTS_DIR"] = manifest.get("documents_dir", str(instance / "documents"))
    port = crash.free_port()
    server = crash.Server(env, port, 1, instance / "gunicorn.log")
    server.start()
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for page in pages(manifest):
            session = Session(base)
            if page["who"]:
                session.login(page["who"], manifest["password"])
            times = measure(session, page["url"], args.requests)
            rows.append(
                {
                    **page,
                    "n": len(times),
                    "p50": round(statistics.median(times), 1),
                    "p95": round(percentile(times, 0.95), 1),
                    "max": round(max(times), 1),
                }
            )
    finally:
        server.stop()
    print(f"\nPage latency, one gunicorn worker, {args.requests} sequential requests per page")
    print(f"{'page':58} {'p50':>7} {'p95':>7} {'goal':>6}")
    for r in rows:
        verdict = "ok" if r["p95"] < r["goal"] else "MISSED"
        print(f"{r['what'][:58]:58} {r['p50']:>7} {r['p95']:>7} {r['goal']:>6}  {verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
