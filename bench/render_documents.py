"""How long each document of the announcement stage takes to render, per language setting.

Run: .venv/bin/python bench/render_documents.py [--repeat 5]
Builds a throw-away SQLite database with one announced competition (the demo builder),
then renders its four documents in ky, ru and ky+ru, several times each, and prints the
median and worst time and the page count. Figures go to the issue note and the README.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from decimal import Decimal

from scratch import scratch_world, timed

from initiatives.demo import loader
from initiatives.demo.builder import Run, advance, new_competition
from initiatives.documents.models import Document
from initiatives.documents.rendering import render
from initiatives.extensions import db

KINDS = ["budget_allocation", "commission_order", "announcement", "application_form"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with scratch_world() as (m, cast):
        t0 = datetime.now(UTC)
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
            required_documents=["application_letter", "proposal", "budget"],
        )
        advance(Run(c, cast, t0, []), "announced")
        db.session.commit()
        render(db.session.query(Document).first())  # warm-up: fonts, templates
        print(f"{'document':<20} {'lang':<6} {'pages':>5} {'median s':>9} {'worst s':>8}")
        for kind in KINDS:
            doc = db.session.query(Document).filter_by(competition_id=c.id, kind=kind).one()
            for lang in ("ky", "ru", "ky+ru"):
                doc.languages = lang
                median, worst, result = timed(lambda d=doc: render(d), args.repeat)
                print(f"{kind:<20} {lang:<6} {result.pages:>5} {median:>9.2f} {worst:>8.2f}")


if __name__ == "__main__":
    main()
