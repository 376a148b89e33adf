"""How long the documents after the awards take to render: the final competition report
(with its three SVG charts) as the number of financed initiatives grows, and one grant
agreement, implementation report and acceptance act.

Run: .venv/bin/python bench/final_report.py [--sizes 4,30,100] [--repeat 3] [--out DIR]
With --out, each final report is written there too (final-report-<size>-<lang>.pdf), to
look at: pdftoppm -png -r 70 DIR/final-report-4-ky+ru.pdf page.
Each size gets a throw-away SQLite database with one competition carried to closing by the
real steps (the demo builder: every winner signs, is paid, reports and is accepted). The
size is the number of applications; the money is set so that about half of them win.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from results_protocol import proposals
from scratch import scratch_world, timed

from initiatives.demo import loader
from initiatives.demo.builder import Run, advance, new_competition
from initiatives.documents.models import Document
from initiatives.documents.rendering import render
from initiatives.extensions import db


def run_size(n: int, repeat: int, out: Path | None = None) -> None:
    with scratch_world() as (m, cast):
        t0 = datetime.now(UTC) - timedelta(days=400)
        c = new_competition(
            m,
            cast,
            t0,
            title=loader.TITLES,
            year=t0.year,
            local_budget=Decimal("23000") if n <= 4 else Decimal(4500 * n),
            donor_pool=Decimal("50000") if n <= 4 else Decimal(12000 * n),
            max_grant=Decimal("15000"),
            min_own_share=Decimal("5"),
            priorities=loader.PRIORITIES,
            required_documents=["application_letter", "budget"],
        )
        owners = [cast.applicants[i % len(cast.applicants)] for i in range(n)]
        run = Run(c, cast, t0, list(zip(owners, proposals(n), strict=True)))
        started = time.perf_counter()
        advance(run, "closed")
        db.session.commit()
        built = time.perf_counter() - started
        final = db.session.query(Document).filter_by(kind="final_report").one()
        render(final)  # warm-up: fonts, templates
        winners = len(run.winners())
        for lang in ("ky", "ru", "ky+ru"):
            final.languages = lang
            median, worst, result = timed(lambda d=final: render(d), repeat)
            print(
                f"final report          {n:>5} {winners:>7} {lang:<6} {result.pages:>5} "
                f"{median:>8.2f} s {worst:>8.2f} s"
            )
            if out:
                (out / f"final-report-{n}-{lang}.pdf").write_bytes(result.pdf)
        if n <= 4:
            for kind in ("grant_agreement", "implementation_report", "acceptance_act"):
                doc = db.session.query(Document).filter_by(kind=kind).first()
                median, worst, result = timed(lambda d=doc: render(d), repeat)
                print(
                    f"{kind:<21} {1:>5} {1:>7} {doc.languages:<6} {result.pages:>5} "
                    f"{median:>8.2f} s {worst:>8.2f} s"
                )
        print(f"  (carrying {n} applications to closing took {built:.1f} s)")
        db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="4,30,100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the final reports' PDFs here")
    args = parser.parse_args()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    print(
        f"{'document':<21} {'apps':>5} {'winners':>7} {'lang':<6} {'pages':>5} "
        f"{'median':>10} {'worst':>10}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        run_size(n, args.repeat, args.out)


if __name__ == "__main__":
    main()
