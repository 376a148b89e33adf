"""``backup`` and ``restore``: one archive restores into an empty instance with the same rows
and byte-identical files, on SQLite and on PostgreSQL (and from one to the other); a damaged
or crafted archive, or a target that is not empty, is refused before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, make_url, select, text

from initiatives import create_app
from initiatives.documents.models import Document
from initiatives.documents.rendering import ensure_pdf
from initiatives.extensions import db as _db


def rows_of(app) -> dict[str, list[tuple]]:
    """Every table's rows in primary-key order, read through the column types."""
    with app.app_context(), _db.engine.connect() as conn:
        return {
            t.name: conn.execute(select(t).order_by(*t.primary_key.columns)).all()
            for t in _db.metadata.sorted_tables
        }


def files_of(app) -> dict[str, str]:
    found = {}
    for area in ("UPLOADS_DIR", "DOCUMENTS_DIR"):
        root = Path(app.config[area])
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[f"{area}/{path.relative_to(root).as_posix()}"] = digest
    return found


def table_names(app) -> list[str]:
    with app.app_context():
        return inspect(_db.engine).get_table_names()


class Instances:
    """Second (third, ...) instances, each with an empty database and empty directories:
    a new SQLite file, or a new PostgreSQL database on the server of TEST_DATABASE_URL,
    named after that database so parallel runs on other databases never meet."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.apps: list = []
        self.databases: list[str] = []
        self.url = os.environ.get("TEST_DATABASE_URL")

    def admin(self):
        url = make_url(self.url).set(drivername="postgresql+psycopg", database="postgres")
        return create_engine(url, isolation_level="AUTOCOMMIT")

    def make(self, dialect: str | None = None, *, create_all: bool = False):
        dialect = dialect or ("postgresql" if self.url else "sqlite")
        home = self.tmp_path / f"instance{len(self.apps) + 1}"
        home.mkdir()
        if dialect == "sqlite":
            url = f"sqlite:///{home / 'restored.sqlite3'}"
        else:
            base = make_url(self.url)
            name = f"{base.database}_restore_{secrets.token_hex(4)}"
            admin = self.admin()
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.databases.append(name)
            url = base.set(database=name).render_as_string(hide_password=False)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "UPLOADS_DIR": str(home / "uploads"),
                "DOCUMENTS_DIR": str(home / "documents"),
                "SECRET_KEY": "test-secret",
            }
        )
        self.apps.append(app)
        if create_all:
            with app.app_context():
                _db.create_all()
        return app

    def close(self) -> None:
        for app in self.apps:
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()
        if self.databases:
            admin = self.admin()
            with admin.connect() as conn:
                for name in self.databases:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture
def instances(tmp_path):
    made = Instances(tmp_path)
    yield made
    made.close()


def backup(app, path: Path):
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return result


def restore(app, path: Path):
    """The target's own app context: the CLI would otherwise use the test's current app."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["restore", str(path)])


def assert_same_instance(source_rows, source_files, target) -> None:
    restored = rows_of(target)
    assert {t: len(r) for t, r in restored.items()} == {t: len(r) for t, r in source_rows.items()}
    for table, rows in source_rows.items():
        assert restored[table] == rows, table
    assert files_of(target) == source_files


@pytest.fixture
def filled(build, db, app):
    """A closed competition (attachments, scans, photos on disk) and a few rendered PDFs."""
    run = build("closed", proposals=4)
    documents = db.session.scalars(
        select(Document).where(Document.competition_id == run.c.id).order_by(Document.id)
    ).all()
    for document in documents[:: max(1, len(documents) // 3)][:3]:
        ensure_pdf(document)
    db.session.commit()
    files = files_of(app)
    assert any(n.startswith("UPLOADS_DIR/") for n in files)
    assert sum(n.startswith("DOCUMENTS_DIR/") for n in files) >= 3
    return run


def test_restore_into_an_empty_instance_gives_the_same_rows_and_files(
    app, db, filled, instances, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    result = backup(app, archive)
    assert "Backup written" in result.output and "audit_event" in result.output
    source_rows, source_files = rows_of(app), files_of(app)

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"
    assert set(names[:-1]) == set(manifest["files"])
    assert manifest["database"]["dialect"] == db.engine.dialect.name
    assert {t: e["rows"] for t, e in manifest["tables"].items()} == {
        t: len(r) for t, r in source_rows.items()
    }
    assert all(len(e["sha256"]) == 64 for e in manifest["files"].values())

    # A database without tables gets the schema from the migrations; one whose tables were
    # made by create_all (as the tests make them) is used as it is.
    for create_all in (False, True):
        target = instances.make(create_all=create_all)
        result = restore(target, archive)
        assert result.exit_code == 0, result.output
        assert "every checksum matches" in result.output
        assert ("Creating the schema" in result.output) is not create_all
        assert_same_instance(source_rows, source_files, target)

        if db.engine.dialect.name == "postgresql":  # sequences moved past the restored ids
            with target.app_context(), _db.engine.connect() as conn:
                for table in _db.metadata.sorted_tables:
                    column = table.autoincrement_column
                    highest = conn.execute(select(func.max(column))).scalar()
                    if column is None or highest is None:
                        continue
                    sequence = conn.execute(
                        text("SELECT pg_get_serial_sequence(:t, :c)"),
                        {"t": table.name, "c": column.name},
                    ).scalar()
                    assert conn.execute(text(f"SELECT nextval('{sequence}')")).scalar() > highest


def test_restore_across_databases(postgres, app, db, filled, instances, tmp_path):
    """PostgreSQL -> SQLite -> PostgreSQL keeps every row and every byte."""
    source_rows, source_files = rows_of(app), files_of(app)
    backup(app, tmp_path / "from-postgres.tar.gz")
    on_sqlite = instances.make("sqlite")
    result = restore(on_sqlite, tmp_path / "from-postgres.tar.gz")
    assert result.exit_code == 0, result.output
    assert_same_instance(source_rows, source_files, on_sqlite)

    with on_sqlite.app_context():
        backup(on_sqlite, tmp_path / "from-sqlite.tar.gz")
    on_postgres = instances.make("postgresql")
    result = restore(on_postgres, tmp_path / "from-sqlite.tar.gz")
    assert result.exit_code == 0, result.output
    assert_same_instance(source_rows, source_files, on_postgres)


def test_an_archive_of_the_previous_schema_revision_is_migrated_after_restore(
    app, db, filled, instances, tmp_path
):
    """What the previous migration's schema did not have is cut out of a fresh archive, as
    an older version of the application would have written it; restore builds that schema,
    inserts the rows, then runs the newest migration."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    scripts = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    head = scripts.get_revision(scripts.get_current_head())
    if not head.down_revision:
        pytest.skip("only one migration")
    scratch = instances.make("sqlite")
    with scratch.app_context():
        upgrade(revision=head.down_revision)
        inspector = inspect(_db.engine)
        older = {
            t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()
        }

    backup(app, tmp_path / "head.tar.gz")
    source_rows = rows_of(app)

    def downgrade(members):
        manifest = manifest_of(members)
        manifest["database"]["alembic_revision"] = head.down_revision
        for table in list(manifest["tables"]):
            if table not in older:
                manifest["files"].pop(manifest["tables"].pop(table)["member"])
        kept = []
        for info, data in members[:-1]:
            table = info.name.removeprefix("db/").removesuffix(".jsonl")
            if info.name.startswith("db/") and table not in manifest["tables"]:
                continue
            if info.name.startswith("db/"):
                columns = older[table]
                manifest["tables"][table]["columns"] = [
                    c for c in manifest["tables"][table]["columns"] if c in columns
                ]
                lines = [json.loads(line) for line in data.splitlines()]
                data = b"".join(
                    json.dumps({k: v for k, v in row.items() if k in columns}).encode() + b"\n"
                    for row in lines
                )
                manifest["files"][info.name] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
            kept.append([info, data])
        members[:-1] = kept
        set_manifest(members, manifest)

    target = instances.make()
    result = restore(target, rewrite(tmp_path / "head.tar.gz", downgrade))
    assert result.exit_code == 0, result.output
    assert f"migrations up to {head.down_revision}" in result.output
    assert f"Upgrading the restored schema from {head.down_revision} to {head.revision}" in (
        result.output
    )
    restored = rows_of(target)
    for table in _db.metadata.sorted_tables:
        if table.name not in older:
            assert restored[table.name] == [], table.name
            continue
        kept = [i for i, c in enumerate(table.columns) if c.name in older[table.name]]
        assert [[row[i] for i in kept] for row in restored[table.name]] == [
            [row[i] for i in kept] for row in source_rows[table.name]
        ], table.name


# --- refusals ----------------------------------------------------------------------------


@pytest.fixture
def small_archive(app, world, tmp_path) -> Path:
    """The demo municipality and its people, and one uploaded file."""
    upload = Path(app.config["UPLOADS_DIR"]) / "ab" / f"ab{secrets.token_hex(31)}"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4 scan of a signed agreement\n")
    archive = tmp_path / "small.tar.gz"
    backup(app, archive)
    return archive


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with ``change(members)`` applied to its list of
    ``[TarInfo, bytes]`` pairs (the manifest included, as the last pair)."""
    with tarfile.open(archive) as tar:
        members = [[m, tar.extractfile(m).read()] for m in tar.getmembers()]
    change(members)
    crafted = archive.with_name("crafted.tar.gz")
    with tarfile.open(crafted, "w:gz") as tar:
        for info, data in members:
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return crafted


def manifest_of(members) -> dict:
    return json.loads(members[-1][1])


def set_manifest(members, manifest: dict) -> None:
    members[-1][1] = json.dumps(manifest).encode()


def first(members, prefix: str) -> list:
    return next(m for m in members if m[0].name.startswith(prefix))


def change_a_file(members):
    first(members, "uploads/")[1] += b"x"


def change_a_row(members):
    pair = first(members, "db/municipality")
    pair[1] = pair[1].replace(b"orozbekov", b"orozbekoff")


def drop_a_member(members):
    members.remove(first(members, "db/user_account"))


def add_a_member(members):
    info = tarfile.TarInfo("uploads/zz/extra")
    members.insert(0, [info, b"not in the manifest"])


def truncate(members):
    members.pop()  # no manifest


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(change, message, id=change.__name__)
        for change, message in [
            (change_a_file, "checksum mismatch for uploads/"),
            (change_a_row, "checksum mismatch for db/municipality.jsonl"),
            (drop_a_member, "members missing: db/user_account.jsonl"),
            (add_a_member, "not in the manifest: uploads/zz/extra"),
            (truncate, "has no manifest.json"),
        ]
    ],
)
def test_a_changed_archive_is_refused_before_anything_is_written(
    small_archive, instances, change, message
):
    target = instances.make()
    result = restore(target, rewrite(small_archive, change))
    assert result.exit_code != 0
    assert message in result.output and "Nothing was changed" in result.output
    assert table_names(target) == []
    assert files_of(target) == {}


def test_a_damaged_archive_is_refused(small_archive, instances):
    damaged = small_archive.read_bytes()
    small_archive.write_bytes(damaged[: len(damaged) // 2])
    target = instances.make()
    result = restore(target, small_archive)
    assert result.exit_code != 0 and "damaged or truncated" in result.output
    assert table_names(target) == []


def unsafe(name: str, kind: bytes = tarfile.REGTYPE):
    """A member with an unsafe name, listed in the manifest with its true checksum (so only
    the name gives it away)."""

    def change(members):
        info = tarfile.TarInfo(name)
        info.type = kind
        if kind != tarfile.REGTYPE:
            info.linkname = "/etc/passwd"
        data = b"evil" if kind == tarfile.REGTYPE else b""
        members.insert(0, [info, data])
        manifest = manifest_of(members)
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        set_manifest(members, manifest)

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(unsafe("../evil"), "'../evil' has an unsafe name", id="parent"),
        pytest.param(unsafe("uploads/../../evil"), "has an unsafe name", id="inner-parent"),
        pytest.param(unsafe("/tmp/evil"), "has an unsafe name", id="absolute"),
        pytest.param(unsafe("evil"), "is not part of a backup", id="outside-the-folders"),
        pytest.param(
            unsafe("uploads/evil", tarfile.SYMTYPE), "'uploads/evil' is a link", id="symlink"
        ),
        pytest.param(
            unsafe("uploads/evil", tarfile.LNKTYPE), "'uploads/evil' is a link", id="hardlink"
        ),
    ],
)
def test_unsafe_member_names_are_refused(small_archive, instances, tmp_path, change, message):
    target = instances.make()
    result = restore(target, rewrite(small_archive, change))
    assert result.exit_code != 0
    assert message in result.output and "Nothing was changed" in result.output
    assert table_names(target) == []
    assert files_of(target) == {}
    assert not list(tmp_path.rglob("evil"))
    assert not Path("/tmp/evil").exists()


def test_restore_refuses_a_database_with_rows(app, db, small_archive):
    before = rows_of(app)
    result = restore(app, small_archive)
    assert result.exit_code != 0
    assert "target database is not empty (rows in municipality" in result.output
    assert rows_of(app) == before


def test_restore_refuses_to_overwrite_a_different_file(small_archive, instances):
    target = instances.make()
    with tarfile.open(small_archive) as tar:
        upload = next(n for n in tar.getnames() if n.startswith("uploads/"))
    in_the_way = Path(target.config["UPLOADS_DIR"]) / upload.removeprefix("uploads/")
    in_the_way.parent.mkdir(parents=True)
    in_the_way.write_bytes(b"another file")
    result = restore(target, small_archive)
    assert result.exit_code != 0 and "already exists with other content" in result.output
    assert table_names(target) == []
    assert in_the_way.read_bytes() == b"another file"
