"""How long the results protocol takes to render, and how many pages it has, as the number
of applications grows (5 members, the Orozbekov money).

Run: .venv/bin/python bench/results_protocol.py [--sizes 4,30,100] [--repeat 3]
Each size gets a throw-away SQLite database with one competition carried through scoring,
the proposal of winners, the results meeting and the approval by the real steps (the demo
builder); then the protocol is rendered in ky, ru and ky+ru. Prints the page count, the
median and worst time, and how long the approval step (snapshot included) took.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from scratch import scratch_world, timed

from initiatives.demo import loader
from initiatives.demo.builder import Proposal, Run, advance, new_competition
from initiatives.documents.models import Document
from initiatives.documents.rendering import render
from initiatives.extensions import db


def proposals(n: int) -> list[Proposal]:
    rnd = random.Random(n)
    if n <= len(loader.PROPOSALS):
        return loader.PROPOSALS[:n]
    result = []
    for i in range(n):
        local = Decimal(rnd.randrange(3000, 15000, 500))
        donor = Decimal(rnd.choice([0, 10000, 25000]))
        result.append(
            Proposal(
                f"Initiative {i + 1}: {rnd.choice(['Таза суу', 'Спорт аянтчасы', 'Китепкана'])}",
                rnd.choice(loader.PRIORITIES),
                rnd.choice(["Орозбеков", "Кара-Дөбө", "Үч-Коргон"]),
                local,
                donor,
                ((local + donor) / 8).quantize(Decimal(10)),  # own labour: above the 5 % minimum
                {"women": rnd.randrange(5, 60), "men": rnd.randrange(5, 60)},
                scores=rnd.randrange(3, 11),
            )
        )
    return result


def run_size(n: int, repeat: int) -> None:
    with scratch_world() as (m, cast):
        t0 = datetime.now(UTC) - timedelta(days=40)
        c = new_competition(
            m,
            cast,
            t0,
            title=loader.TITLES,
            year=t0.year,
            local_budget=Decimal("23000") if n <= 4 else Decimal(5000 * n),
            donor_pool=Decimal("50000") if n <= 4 else Decimal(12000 * n),
            max_grant=Decimal("15000"),
            min_own_share=Decimal("5"),
            priorities=loader.PRIORITIES,
            required_documents=["application_letter", "budget"],
        )
        owners = [cast.applicants[i % len(cast.applicants)] for i in range(n)]
        run = Run(c, cast, t0, list(zip(owners, proposals(n), strict=True)))
        advance(run, "scoring")
        started = time.perf_counter()
        advance(run, "results_approved")
        approval = time.perf_counter() - started
        db.session.commit()
        doc = db.session.query(Document).filter_by(kind="results_protocol").one()
        render(doc)  # warm-up: fonts, templates
        for lang in ("ky", "ru", "ky+ru"):
            doc.languages = lang
            median, worst, result = timed(lambda d=doc: render(d), repeat)
            print(
                f"{n:>12} {lang:<6} {result.pages:>5} "
                f"{median:>9.2f} {worst:>8.2f} {approval:>11.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="4,30,100")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    head = ("applications", "lang", "pages", "median s", "worst s", "approval s")
    print("{:>12} {:<6} {:>5} {:>9} {:>8} {:>11}".format(*head))
    for n in (int(x) for x in args.sizes.split(",")):
        run_size(n, args.repeat)


if __name__ == "__main__":
    main()
