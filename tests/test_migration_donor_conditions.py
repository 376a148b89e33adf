"""Migration a7b8c9d0e1f2 moves each source's one conditions text to the language it is
written in (issue 26, item 14): Kyrgyz letters (ө, ү, ң) make it Kyrgyz, anything else
stays Russian, the language donors' documents and the earlier pages used by default."""

from __future__ import annotations

import os

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, make_url, text

from initiatives import create_app
from initiatives.extensions import db

KYRGYZ = "Жеңүүчүгө 25 000 сомго чейин: спорттук шаймандар"
RUSSIAN = "До 25 000 сом на победителя: спортивный инвентарь"
ENGLISH = "Sports and culture equipment only"


def scratch_database(tmp_path) -> str:
    """A database of this test's own (on PostgreSQL, named after the suite's)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'conditions.sqlite3'}"
    base = make_url(url)
    name = f"{base.database}_donor_conditions"
    admin = create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def test_conditions_move_to_the_language_they_are_written_in(tmp_path):
    app = create_app({"DATABASE_URL": scratch_database(tmp_path), "TESTING": True})
    with app.app_context():
        upgrade(revision="f1a2b3c4d5e6")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO municipality (id, slug, name_ky, name_ru, name_en, region, "
                    "district, priorities, min_commission_size, odd_commission, "
                    "min_application_days, min_own_share, document_languages, "
                    "participant_groups, reminder_days, quorum_share, created_at, updated_at) "
                    "VALUES (1, 'm', 'М', 'М', 'M', 'Чүй', 'Аламүдүн', '[]', 5, true, 14, 5, "
                    "'ky+ru', '[]', 7, 0.5, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO competition (id, municipality_id, year, state, version, "
                    "title_ky, title_ru, title_en, text_ky, text_ru, text_en, "
                    "paper_intake_ky, paper_intake_ru, paper_intake_en, priorities, "
                    "required_documents, min_own_share, settings, last_application_number, "
                    "created_at, updated_at) VALUES (1, 1, 2026, 'draft', 1, 'К', 'К', '', "
                    "'', '', '', '', '', '', '[]', '[]', 5, '{}', 0, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            for i, conditions in enumerate((KYRGYZ, RUSSIAN, ENGLISH, ""), start=1):
                conn.execute(
                    text(
                        "INSERT INTO funding_source (id, competition_id, kind, name, amount, "
                        "conditions) VALUES (:id, 1, 'donor', 'Donor', 1000, :conditions)"
                    ),
                    {"id": i, "conditions": conditions},
                )
        upgrade(revision="a7b8c9d0e1f2")
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT conditions_ky, conditions_ru, conditions_en FROM funding_source "
                    "ORDER BY id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (KYRGYZ, "", ""),
            ("", RUSSIAN, ""),
            ("", ENGLISH, ""),
            ("", "", ""),
        ]
        downgrade(revision="f1a2b3c4d5e6")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT conditions FROM funding_source ORDER BY id")).all()
        assert [r[0] for r in back] == [KYRGYZ, RUSSIAN, ENGLISH, ""]
        db.engine.dispose()
