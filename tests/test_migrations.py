"""The one migration builds exactly the schema the models declare."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from initiatives import create_app
from initiatives.extensions import db


def _migrated_url(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    # A database of its own on PostgreSQL, so the suite's tables do not interfere.
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    # Named after the suite's database, so parallel workers (test_gw0, ...) never share it.
    name = f"{url.rsplit('/', 1)[1]}_migration_check"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app = create_app({"DATABASE_URL": _migrated_url(tmp_path), "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == [], diff


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_is_translated(locale):
    from babel.messages.pofile import read_po

    path = f"initiatives/translations/{locale}/LC_MESSAGES/messages.po"
    with open(path, "rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []
