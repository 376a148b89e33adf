"""Documents at national scale: the results protocol of 1,000 applications × 9 members and a
receipt, against WeasyPrint's own time for the same HTML, measured in one run.

Run: .venv/bin/python bench/documents.py [--repeat 1] [--receipts 20] [--layouts] [--json PATH]

A competition is carried to the approval of its results by the real steps (the demo
builder, four applications), which gives a real protocol snapshot and a real receipt; the
protocol's snapshot is then grown to 1,000 ranked applications scored by nine members
(sixty winners, a motion each). Every protocol measurement runs in a fresh process, so its
peak memory (``ru_maxrss``) is its own:

- WeasyPrint alone: the protocol's HTML (the bilingual ky+ru document the demo municipality
  issues) laid out and written in one process, the way every document was rendered before;
- ours: snapshot -> PDF through ``DocumentRenderer.pdf`` (Jinja, the split, the pool, the
  page labels, the join, the hash), first with the pool cold (spawned by this render, as
  for a protocol rendered once after its approval), then warm; the peak of the parent and
  of each pool process;
- a plain table of 1,000 rows × 11 columns in A4 landscape, for scale.

The receipt is rendered alternately (ABBA) by WeasyPrint alone and by us, ``--receipts``
times each in one warm process, and the medians compared. Protocol runs alternate too
(``--repeat``), so a neighbour's load on the machine weighs on both sides alike; and as the
machines are shared, each measurement reports the CPU the other processes took meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOALS = {"protocol_ratio": 0.6, "receipt_ratio": 1.1, "peak_mb": 500}
MEMBERS, APPLICATIONS, WINNERS = 9, 1000, 60


# --- the data -----------------------------------------------------------------------------


def build(workdir: Path) -> None:
    """A real protocol and receipt from the builder; the protocol grown to national size.
    Written as JSON for the measuring processes, with the HTML WeasyPrint is given."""
    sys.path.insert(0, str(HERE))
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from scratch import scratch_world

    from initiatives.demo import loader
    from initiatives.demo.builder import Run, advance, new_competition
    from initiatives.documents.models import Document
    from initiatives.documents.rendering import register_of, renderer
    from initiatives.extensions import db

    with scratch_world() as (m, cast):
        t0 = datetime.now(UTC) - timedelta(days=40)
        c = new_competition(
            m,
            cast,
            t0,
            title=loader.TITLES,
            year=t0.year,
            local_budget=Decimal("23000"),
            donor_pool=Decimal("50000"),
            max_grant=Decimal("15000"),
            min_own_share=Decimal("5"),
            priorities=loader.PRIORITIES,
            required_documents=["application_letter", "budget"],
        )
        pairs = list(zip(cast.applicants, loader.PROPOSALS, strict=True))
        advance(Run(c, cast, t0, pairs), "results_approved")
        db.session.commit()
        docs = {}
        for kind in ("results_protocol", "receipt"):
            doc = db.session.query(Document).filter_by(kind=kind).order_by(Document.id).first()
            snapshot = grow(doc.snapshot) if kind == "results_protocol" else doc.snapshot
            register = register_of(doc)
            html = renderer().html(register, snapshot)
            (workdir / f"{kind}.html").write_text(html, encoding="utf-8")
            docs[kind] = {
                "register": {**register.__dict__, "created_at": register.created_at.isoformat()},
                "snapshot": snapshot,
                "html_bytes": len(html),
            }
        (workdir / "documents.json").write_text(json.dumps(docs, ensure_ascii=False))
    (workdir / "table.html").write_text(plain_table(), encoding="utf-8")


def grow(snapshot: dict) -> dict:
    """The protocol's snapshot with 1,000 ranked applications and nine members."""
    import copy
    import random

    rnd = random.Random(2026)
    s = copy.deepcopy(snapshot)
    r = s["results"]
    names = [
        "Жылдыз Абдыкадырова",
        "Гүлнара Осмонова",
        "Эрмек Сатыбалдиев",
        "Айжан Мамытова",
        "Таалай Жумабаев",
        "Бермет Өмүрбекова",
        "Нурсултан Үсөнов",
        "Чынара Төлөгөнова",
        "Азамат Жээнбеков",
    ]
    roles = ["Chair", "Secretary"] + ["Member"] * (MEMBERS - 2)
    r["seats"] = [{"id": i + 1, "name": n, "role_title": roles[i]} for i, n in enumerate(names)]
    things = [
        "Таза суу түтүгүн оңдоо",
        "Спорт аянтчасы",
        "Китепкана",
        "Көпүрөнү калыбына келтирүү",
        "Балдар бакчасынын оюн аянтчасы",
        "Көчө жарыгы",
        "Мектептин чатыры",
        "Маданият үйүнүн ашканасы",
        "Үй-бүлөлүк борбор",
        "Айылдык парк",
    ]
    villages = ["Орозбеков", "Кара-Дөбө", "Үч-Коргон", "Бужум", "Кулунду"]
    organisations = ["", "", "«Айыл» коомдук бирикмеси", "«Жаштар» демилгелүү тобу"]
    model = r["rows"][0]
    rows, local_left = [], 300_000  # whole soms
    for i in range(APPLICATIONS):
        requested = rnd.randrange(3000, 15000, 500)
        winner = i < WINNERS
        if winner:
            local_left -= requested
        rows.append(
            {
                **copy.deepcopy(model),
                "position": i + 1,
                "number": i + 1,
                "code": f"1-{i + 1:04d}",
                "title": f"{rnd.choice(things)}: {rnd.choice(villages)} айылы",
                "organisation": rnd.choice(organisations),
                "totals": [
                    {
                        "seat_id": k + 1,
                        "total": f"{rnd.randrange(20, 50)}.00",
                        "recused": rnd.random() < 0.01,
                    }
                    for k in range(MEMBERS)
                ],
                "mean": f"{50 - i * 0.03:.3f}",
                "criterion_means": [f"{rnd.uniform(3, 10):.2f}" for _ in s["criteria"]],
                "own_share": f"{rnd.uniform(5, 30):.2f}",
                "requested": f"{requested}.00",
                "awarded": f"{requested}.00" if winner else None,
                "partners": [
                    {**p, "amount": "25000.00" if winner else None} for p in model["partners"]
                ],
                "local_left": f"{local_left}.00",
                "winner": winner,
            }
        )
    r["rows"] = rows
    r["winners"] = WINNERS
    meeting = r["meeting"]
    meeting.update(present=names, present_count=MEMBERS, seats=MEMBERS)
    award, approve = meeting["motions"][0], meeting["motions"][-1]
    meeting["motions"] = [
        {**award, "number": row["number"], "title": row["title"], "amount": row["awarded"]}
        for row in rows[:WINNERS]
    ] + [approve]
    for motion in meeting["motions"]:
        motion["for"] = MEMBERS
    return s


def plain_table() -> str:
    """The issue's yardstick: a plain 1,000-row × 11-column table in A4 landscape."""
    head = "".join(f"<th>Column {c + 1}</th>" for c in range(11))
    rows = "".join(
        "<tr>" + "".join(f"<td>r{r + 1} c{c + 1}</td>" for c in range(11)) + "</tr>"
        for r in range(1000)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "@page { size: A4 landscape; margin: 15mm; } body { font: 9pt sans-serif; }"
        "table { width: 100%; border-collapse: collapse; }"
        "td, th { border: 0.5pt solid #444; padding: 1mm; }"
        f"</style></head><body><table><thead><tr>{head}</tr></thead><tbody>{rows}"
        "</tbody></table></body></html>"
    )


# --- the measuring processes --------------------------------------------------------------


def _peak_mb(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024


# Cheaper layouts tried on the protocol (``--layouts``): styles added after the document's.
LAYOUTS = {
    "table-layout: fixed": "table.compact { table-layout: fixed; }",
    "rows may break across pages": "tr { break-inside: auto; }",
}


def measure_weasyprint(workdir: Path, name: str, layout: str | None = None) -> dict:
    """WeasyPrint alone on a file of HTML, as every document was rendered before."""
    import hashlib
    import resource

    from weasyprint import HTML

    from reports.fetcher import BundledOnlyFetcher

    html = (workdir / f"{name}.html").read_text(encoding="utf-8")
    if layout:
        html = html.replace("</head>", f"<style>{LAYOUTS[layout]}</style></head>", 1)
    started = time.perf_counter()
    document = HTML(string=html, base_url="asset:/", url_fetcher=BundledOnlyFetcher()).render()
    laid_out = time.perf_counter()
    pdf = document.write_pdf(pdf_identifier=hashlib.md5(b"bench").digest())
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "layout_s": laid_out - started,
        "write_s": done - laid_out,
        "pages": len(document.pages),
        "pdf_bytes": len(pdf),
        "peak_mb": _peak_mb(resource.RUSAGE_SELF),
    }


def _register(data: dict):
    from datetime import datetime

    from reports.render import Register

    fields = dict(data["register"])
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    return Register(**fields)


def _renderer():
    from initiatives.documents.rendering import _translations
    from reports.render import DocumentRenderer

    return DocumentRenderer(ROOT / "templates" / "documents", _translations)


def _pool_peaks() -> list[float]:
    """VmHWM (peak resident memory) of each pool process, read before the pool ends."""
    from reports import chunks

    peaks = []
    pool = chunks._pool
    for pid in sorted(pool._processes if pool is not None else []):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def measure_ours(workdir: Path) -> dict:
    """Snapshot -> PDF the way the application does it, with the pool cold, then warm."""
    import resource

    from reports import chunks

    data = json.loads((workdir / "documents.json").read_text())["results_protocol"]
    register, snapshot = _register(data), data["snapshot"]
    renderer = _renderer()
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        html = renderer.html(register, snapshot)
        templated = time.perf_counter()
        assert html == (workdir / "results_protocol.html").read_text(encoding="utf-8")
        rendered = renderer.pdf_of_html(html, register.token)
        runs.append(
            {
                "seconds": time.perf_counter() - started,
                "jinja_s": templated - started,
                "pages": rendered.pages,
                "sha256": rendered.sha256,
                "pdf_bytes": len(rendered.pdf),
            }
        )
    plan = chunks.plan(html)
    children = _pool_peaks()
    chunks.shutdown()
    return {
        "cold": runs[0],
        "warm": runs[1],
        "chunks": len(plan.chunks) if plan else 1,
        "pool_processes": chunks.workers(),
        "identical": runs[0]["sha256"] == runs[1]["sha256"],
        "parent_peak_mb": _peak_mb(resource.RUSAGE_SELF),
        "children_peak_mb": children,
        "children_max_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }


def measure_receipt(workdir: Path, times: int) -> dict:
    """WeasyPrint alone and our whole render (Jinja, QR, WeasyPrint, hash), alternately."""
    import hashlib

    from weasyprint import HTML

    from reports.fetcher import BundledOnlyFetcher

    data = json.loads((workdir / "documents.json").read_text())["receipt"]
    register, snapshot = _register(data), data["snapshot"]
    html = (workdir / "receipt.html").read_text(encoding="utf-8")
    renderer = _renderer()
    fetcher = BundledOnlyFetcher()
    identifier = hashlib.md5(register.token.encode(), usedforsecurity=False).digest()

    def weasyprint_alone():
        document = HTML(string=html, base_url="asset:/", url_fetcher=fetcher).render()
        return document.write_pdf(pdf_identifier=identifier)

    def ours_whole():
        return renderer.pdf(register, snapshot).pdf

    ours = renderer.pdf(register, snapshot)  # warm-up: fonts, templates
    assert ours.pdf == weasyprint_alone(), "the receipt is not rendered by the plain path"
    alone, whole = [], []
    for i in range(times):  # ABBA: a drift or a burst of load weighs on both alike
        pair = [(alone, weasyprint_alone), (whole, ours_whole)]
        for into, call in pair if i % 2 == 0 else pair[::-1]:
            started = time.perf_counter()
            call()
            into.append(time.perf_counter() - started)
    return {
        "weasyprint_s": statistics.median(alone),
        "ours_s": statistics.median(whole),
        "pair_ratio": statistics.median(w / a for w, a in zip(whole, alone, strict=True)),
        "pages": ours.pages,
        "runs": times,
    }


def child(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    if args.child == "weasyprint":
        result = measure_weasyprint(workdir, args.name, args.layout)
    elif args.child == "ours":
        result = measure_ours(workdir)
    else:
        result = measure_receipt(workdir, args.receipts)
    print(json.dumps(result))


def _busy_seconds() -> float:
    """CPU seconds spent by everything on the machine so far (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_child(workdir: Path, kind: str, *extra: str) -> dict:
    """A measurement in a fresh process, with the load others put on the machine meanwhile
    (in cores: 1.0 is a core taken from it all along), since the machine is shared."""
    import resource

    command = [sys.executable, str(Path(__file__)), "--child", kind, "--workdir", str(workdir)]
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, started = _busy_seconds(), time.perf_counter()
    out = subprocess.run([*command, *extra], check=True, capture_output=True, text=True)
    wall, busy = time.perf_counter() - started, _busy_seconds() - busy
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["others_cores"] = max(0.0, busy - ours) / wall
    return result


# --- the report ---------------------------------------------------------------------------


def machine() -> dict:
    from reports.chunks import workers

    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "usable": workers()}
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    import weasyprint

    info["weasyprint"] = weasyprint.__version__
    info["load_before"] = os.getloadavg()
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="protocol runs of each kind")
    parser.add_argument("--receipts", type=int, default=20, help="receipt renders of each kind")
    parser.add_argument("--json", metavar="PATH", help="write the figures here too")
    parser.add_argument(
        "--child", choices=["weasyprint", "ours", "receipt"], help=argparse.SUPPRESS
    )
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="results_protocol", help=argparse.SUPPRESS)
    parser.add_argument("--layout", choices=list(LAYOUTS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--layouts", action="store_true", help="also time cheaper CSS for the protocol's tables"
    )
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    info = machine()
    print(
        f"machine: {info.get('cpu', '?')}, {info['usable']} usable cores, "
        f"{info.get('ram_gb', '?')} GB RAM; Python {info['python']}, WeasyPrint "
        f"{info['weasyprint']}; load average {' '.join(f'{x:.2f}' for x in info['load_before'])}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        build(workdir)
        sizes = {
            k: v["html_bytes"]
            for k, v in json.loads((workdir / "documents.json").read_text()).items()
        }
        print(f"built the snapshots in {time.perf_counter() - started:.1f} s; HTML: {sizes}")
        alone, ours = [], []
        for _ in range(args.repeat):
            alone.append(run_child(workdir, "weasyprint"))
            ours.append(run_child(workdir, "ours"))
        table = run_child(workdir, "weasyprint", "--name", "table")
        layouts = {
            name: run_child(workdir, "weasyprint", "--layout", name)
            for name in (LAYOUTS if args.layouts else ())
        }
        receipt = run_child(workdir, "receipt", "--receipts", str(args.receipts))
    info["load_after"] = os.getloadavg()
    report(info, alone, ours, table, receipt, layouts, args.json)


def report(info, alone, ours, table, receipt, layouts, json_path) -> None:
    median = statistics.median
    base_s = median(r["seconds"] for r in alone)
    cold_s = median(r["cold"]["seconds"] for r in ours)
    warm_s = median(r["warm"]["seconds"] for r in ours)
    base_mb = max(r["peak_mb"] for r in alone)
    parent_mb = max(r["parent_peak_mb"] for r in ours)
    child_mb = max(max(r["children_peak_mb"] or [r["children_max_mb"]]) for r in ours)
    receipt_ratio = receipt["ours_s"] / receipt["weasyprint_s"]
    last = ours[-1]
    ours_mb = f"{parent_mb:.0f} / {child_mb:.0f}"  # the parent / the largest pool process
    table_mb = f"{table['peak_mb']:.0f}"
    goal = f"≤ {GOALS['protocol_ratio']}"
    rows = [
        ("protocol 1,000 × 9, WeasyPrint alone", base_s, alone[-1]["pages"], f"{base_mb:.0f}"),
        ("protocol, ours (pool cold)", cold_s, last["cold"]["pages"], ours_mb),
        ("protocol, ours (pool warm)", warm_s, last["warm"]["pages"], ours_mb),
        ("receipt, WeasyPrint alone (median)", receipt["weasyprint_s"], receipt["pages"], ""),
        ("receipt, ours (median)", receipt["ours_s"], receipt["pages"], ""),
        ("plain table 1,000 × 11, A4 landscape", table["seconds"], table["pages"], table_mb),
    ]
    ratios = {
        1: (f"{cold_s / base_s:.2f}", goal),
        2: (f"{warm_s / base_s:.2f}", goal),
        4: (f"{receipt_ratio:.2f}", f"≤ {GOALS['receipt_ratio']}"),
    }
    print()
    print(f"{'':<38} {'seconds':>8} {'pages':>6} {'peak MB':>9} {'ratio':>6} {'goal':>7}")
    for i, (name, seconds, pages, mb) in enumerate(rows):
        ratio, target = ratios.get(i, ("", ""))
        print(f"{name:<38} {seconds:>8.2f} {pages:>6} {mb:>9} {ratio:>6} {target:>7}")
    print()
    print(
        f"ours: {last['chunks']} chunks on {last['pool_processes']} processes; Jinja "
        f"{last['cold']['jinja_s']:.2f} s; peak memory: parent {parent_mb:.0f} MB, pool "
        f"processes {', '.join(f'{x:.0f}' for x in last['children_peak_mb'])} MB "
        f"(goal < {GOALS['peak_mb']} MB each; WeasyPrint alone {base_mb:.0f} MB); cold and "
        f"warm renders byte-identical: {last['identical']}"
    )
    for name, figures in layouts.items():
        print(
            f"WeasyPrint alone with {name}: {figures['seconds']:.2f} s "
            f"({figures['seconds'] / base_s:.2f} of the protocol's time), {figures['pages']} "
            f"pages instead of {alone[-1]['pages']}, {figures['peak_mb']:.0f} MB"
        )
    print("protocol runs, with the load of other processes meanwhile (cores):")
    for i, (a, o) in enumerate(zip(alone, ours, strict=True), start=1):
        print(
            f"  {i}: WeasyPrint alone {a['seconds']:.2f} s ({a['others_cores']:.2f}); ours "
            f"{o['cold']['seconds']:.2f} s cold, {o['warm']['seconds']:.2f} s warm "
            f"({o['others_cores']:.2f}): {o['cold']['seconds'] / a['seconds']:.2f}, "
            f"{o['warm']['seconds'] / a['seconds']:.2f}"
        )
    print(
        f"  receipts ({receipt['others_cores']:.2f}; median of the {receipt['runs']} pairs' "
        f"ratios {receipt['pair_ratio']:.2f}), plain table ({table['others_cores']:.2f}); "
        f"load average after: {' '.join(f'{x:.2f}' for x in info['load_after'])}"
    )
    if json_path:
        figures = {
            "machine": info,
            "goals": GOALS,
            "protocol": {
                "weasyprint_alone": alone,
                "ours": ours,
                "ratio_cold": cold_s / base_s,
                "ratio_warm": warm_s / base_s,
                "peak_mb_parent": parent_mb,
                "peak_mb_pool_process": child_mb,
            },
            "receipt": {**receipt, "ratio": receipt_ratio},
            "plain_table": table,
            "cheaper_layouts": layouts,
        }
        Path(json_path).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print(f"figures written to {json_path}")


if __name__ == "__main__":
    main()
