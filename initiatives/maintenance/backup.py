"""One archive holding a whole instance, and its restore into an empty one.

The database goes into the archive as JSON Lines read through the models' column types,
not as ``pg_dump`` output or a copy of the SQLite file, because the same archive must restore
on either database: a municipality may start on SQLite and move to PostgreSQL, and an
archive must never depend on server tools being installed next to the application. Reading
through the types (Money, UTC datetimes, enums, JSON) means a value in the file means the same
thing whichever database wrote it and whichever reads it back.

The files come after the database snapshot on purpose: an upload is written before the row
that points to it is committed, and a PDF before its path is recorded, so any file a dumped
row names already exists when the directories are walked afterwards. The other way round
could archive a row whose file is missing.

Restore trusts nothing it has not checked: every member's SHA-256 and size is compared with
the manifest, and member names are vetted, before the target is touched at all.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from decimal import Decimal
from importlib import metadata as package_metadata
from pathlib import Path, PurePosixPath

from flask import current_app
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    MetaData,
    Table,
    TypeDecorator,
    func,
    insert,
    inspect,
    select,
    text,
)

from initiatives.extensions import db

FORMAT = "initiatives-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_DIR = "db"
# Archive folder -> the setting naming the directory it comes from and goes back to.
FILE_AREAS = {"uploads": "UPLOADS_DIR", "documents": "DOCUMENTS_DIR"}
BATCH = 1000
CHUNK = 1024 * 1024

Echo = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused, with a sentence an operator can act on."""


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.tables} tables, {self.rows} rows, {self.files} files "
            f"({human_size(self.bytes)}), {self.seconds:.1f} s"
        )


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def default_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"initiatives-{stamp}.tar.gz"


def app_version() -> str:
    try:
        return package_metadata.version("local-initiatives")
    except package_metadata.PackageNotFoundError:
        return "unknown"


# --- values <-> JSON ---------------------------------------------------------------------


def _encode(value):
    """Plain JSON for a value as the column type returned it (enums first: they are str)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column) -> Callable | None:
    """How to turn the JSON of one column back into what its type binds.

    Decided by the target's column type rather than by marks in the file, so the file stays
    plain JSON an operator can read and grep.
    """
    kind = column.type
    while isinstance(kind, TypeDecorator):  # Money, UTCDateTime: their own binding does the rest
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return None
    try:
        python_type = kind.python_type
    except NotImplementedError:
        return None
    if python_type is Decimal:
        return Decimal
    if python_type is datetime:
        return datetime.fromisoformat
    if python_type is date:
        return date.fromisoformat
    if python_type is clock_time:
        return clock_time.fromisoformat
    if python_type is bytes:
        return base64.b64decode
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return python_type
    return None


# --- backup ------------------------------------------------------------------------------


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one moment, so rows of different tables agree."""
    conn = engine.connect()
    if engine.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    elif engine.dialect.name == "sqlite":
        # pysqlite opens no transaction for SELECTs: without this each table would be read
        # at its own moment. The shared lock lasts until the connection is closed.
        conn.exec_driver_sql("BEGIN")
    return conn


def _alembic_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    revisions = sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return ",".join(revisions) or None


def _dump_table(conn: Connection, table: Table, path: Path) -> int:
    names = [c.name for c in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    stmt = select(table).order_by(*order).execution_options(yield_per=BATCH)
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in conn.execute(stmt):
            record = {name: _encode(value) for name, value in zip(names, row, strict=True)}
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            rows += 1
    return rows


class _HashingReader:
    """Hashes what tarfile copies into the archive, so each file is read only once."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> int:
    with path.open("rb") as raw:
        stat = os.fstat(raw.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o644
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}
    return reader.size


def _walk(root: Path, skip: list[Path]) -> Iterator[Path]:
    """Regular files under ``root`` in a stable order; links are not followed (a link could
    pull anything on the server into the archive)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            if any(path.is_relative_to(s) for s in skip):
                continue
            yield path


def write_archive(output: Path, echo: Echo = lambda line: None) -> tuple[Summary, dict]:
    """Write the archive to ``output`` (atomically: a reader never sees half an archive)."""
    started = time.perf_counter()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    files: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    engine = db.engine
    fd, partial_name = tempfile.mkstemp(
        dir=output.parent, prefix=f".{output.name}.", suffix=".part"
    )
    partial = Path(partial_name)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            tempfile.TemporaryDirectory(dir=output.parent, prefix=".dump-") as scratch,
        ):
            dumps = Path(scratch)
            echo("Database:")
            with _snapshot(engine) as conn:
                revision = _alembic_revision(conn)
                head = _migration_scripts().get_current_head()
                if revision and revision != head:
                    raise BackupError(
                        f"the database is at schema revision {revision}, this version of the "
                        f"application at {head}: run `flask --app initiatives db upgrade` "
                        "first (or back up with the version that matches the database)"
                    )
                for table in db.metadata.sorted_tables:
                    rows = _dump_table(conn, table, dumps / f"{table.name}.jsonl")
                    tables[table.name] = {
                        "rows": rows,
                        "member": f"{DB_DIR}/{table.name}.jsonl",
                        "columns": [c.name for c in table.columns],
                    }
                    summary.tables += 1
                    summary.rows += rows
                    echo(f"  {table.name:24} {rows:>8} rows")
            with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                for area, setting in FILE_AREAS.items():
                    root = Path(current_app.config[setting]).resolve()
                    count = size = 0
                    for path in _walk(root, skip=[partial, dumps, output]):
                        name = f"{area}/{path.relative_to(root).as_posix()}"
                        size += _add_file(tar, path, name, files)
                        count += 1
                        if count % 500 == 0:
                            echo(f"  {area}/: {count} files so far")
                    summary.files += count
                    summary.bytes += size
                    echo(f"{area + '/':26} {count:>8} files  {human_size(size)}  ({root})")
                for entry in tables.values():
                    name = entry["member"]
                    _add_file(tar, dumps / PurePosixPath(name).name, name, files)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(),
                    "app_version": app_version(),
                    "database": {"dialect": engine.dialect.name, "alembic_revision": revision},
                    "tables": tables,
                    "files": files,
                    "totals": {
                        "tables": summary.tables,
                        "rows": summary.rows,
                        "files": summary.files,
                        "file_bytes": summary.bytes,
                    },
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(time.time())
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary, manifest


# --- reading an archive ------------------------------------------------------------------


def _checked_name(member: tarfile.TarInfo) -> str:
    """The member's name if it may be written back, else a refusal.

    Only plain files under the three known folders (and the manifest) are accepted: a
    ``..``, an absolute path or a link in a crafted archive could otherwise write outside
    the instance.
    """
    name = member.name
    if not member.isreg():
        kind = "a link" if member.issym() or member.islnk() else "not a regular file"
        raise BackupError(f"archive member {name!r} is {kind}; refusing the archive")
    _check_path(name)
    return name


def _check_path(name: str) -> None:
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(f"archive member {name!r} has an unsafe name; refusing the archive")
    if name == MANIFEST:
        return
    top = path.parts[0]
    if len(path.parts) < 2 or top not in (DB_DIR, *FILE_AREAS):
        raise BackupError(f"archive member {name!r} is not part of a backup; refusing it")


def _open(archive: Path, mode: str = "r:gz") -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is not a readable backup archive: {exc}") from exc


def verify(archive: Path, echo: Echo = lambda line: None) -> dict:
    """Read the whole archive once and return its manifest if every member is intact.

    Nothing is written: a refusal here leaves the target exactly as it was.
    """
    seen: dict[str, dict] = {}
    manifest = None
    try:
        with _open(archive, "r|gz") as tar:
            for member in tar:
                name = _checked_name(member)
                if name in seen or (name == MANIFEST and manifest is not None):
                    raise BackupError(f"archive member {name!r} appears twice; refusing it")
                data = tar.extractfile(member)
                if name == MANIFEST:
                    try:
                        manifest = json.loads(data.read())
                    except ValueError as exc:
                        raise BackupError(f"the manifest of {archive} is not JSON") from exc
                    continue
                sha256, size = hashlib.sha256(), 0
                while chunk := data.read(CHUNK):
                    sha256.update(chunk)
                    size += len(chunk)
                seen[name] = {"sha256": sha256.hexdigest(), "size": size}
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} is damaged or truncated: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has no {MANIFEST} of an initiatives backup")
    if not all(isinstance(manifest.get(key), dict) for key in ("database", "tables", "files")):
        raise BackupError(f"the {MANIFEST} of {archive} is incomplete")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{archive} is in backup format {manifest.get('format_version')}; this version "
            f"of the application reads format {FORMAT_VERSION} and older"
        )
    listed = manifest.get("files", {})
    for name in listed:
        _check_path(name)
    missing = sorted(set(listed) - set(seen))
    if missing:
        raise BackupError(f"archive members missing: {', '.join(missing[:5])}")
    extra = sorted(set(seen) - set(listed))
    if extra:
        raise BackupError(f"archive members not in the manifest: {', '.join(extra[:5])}")
    for name, expected in listed.items():
        if seen[name] != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
            raise BackupError(f"checksum mismatch for {name}: the archive was changed or damaged")
    for table, entry in manifest["tables"].items():
        if entry.get("member") not in listed or not isinstance(entry.get("columns"), list):
            raise BackupError(f"the rows of table {table} are not in the archive")
    echo(f"Archive verified: {len(seen)} members, every checksum matches.")
    return manifest


# --- restore -----------------------------------------------------------------------------


def _migration_scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _target_state(engine: Engine, manifest: dict) -> bool:
    """Whether the schema must still be created; refuses a target that is not empty."""
    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    ours = {t.name for t in db.metadata.sorted_tables}
    unknown = sorted(set(manifest["tables"]) - ours)
    if unknown:
        raise BackupError(
            f"the archive has tables this version of the application does not know: "
            f"{', '.join(unknown)}; restore with the version that made it"
        )
    for table, entry in manifest["tables"].items():
        known = {c.name for c in db.metadata.tables[table].columns}
        unknown_columns = sorted(set(entry.get("columns", [])) - known)
        if unknown_columns:
            raise BackupError(
                f"table {table} of the archive has columns this version of the application "
                f"does not know ({', '.join(unknown_columns)}); restore with the version "
                "that made it"
            )
    revision = manifest["database"].get("alembic_revision")
    if revision:
        try:
            _migration_scripts().get_revision(revision)
        except Exception as exc:
            raise BackupError(
                f"the archive's schema revision {revision} is not among this application's "
                "migrations; restore with the version that made it"
            ) from exc
    present = existing & ours
    if not present:
        if "alembic_version" in existing:
            raise BackupError(
                "the target database has an alembic_version table but no tables of the "
                "application; give restore an empty database"
            )
        return True
    missing = sorted(set(manifest["tables"]) - existing)
    if missing:
        raise BackupError(
            f"the target database lacks tables {', '.join(missing)}; give restore an empty "
            "database (no tables at all) and it creates the schema itself"
        )
    with engine.connect() as conn:
        filled = [
            t.name
            for t in db.metadata.sorted_tables
            if t.name in present and conn.execute(select(1).select_from(t).limit(1)).first()
        ]
        target_revision = _alembic_revision(conn)
    if filled:
        raise BackupError(
            f"the target database is not empty (rows in {', '.join(filled[:5])}"
            f"{', ...' if len(filled) > 5 else ''}); restore only into an empty database"
        )
    if revision and target_revision and target_revision != revision:
        raise BackupError(
            f"the target database's schema is at revision {target_revision}, the archive's at "
            f"{revision}; restore into an empty database (no tables) instead"
        )
    return False


def _destination(name: str) -> Path:
    area, _, relative = name.partition("/")
    root = Path(current_app.config[FILE_AREAS[area]]).resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise BackupError(f"archive member {name!r} would be written outside {root}")
    return target


def _file_sha256(path: Path) -> str:
    sha256 = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def _plan_files(manifest: dict) -> dict[str, Path]:
    """Where each file goes; files already there with the same bytes are skipped, so a
    restore stopped half way can run again. A different file in the way is a refusal."""
    plan = {}
    for name, entry in manifest["files"].items():
        if name.startswith(f"{DB_DIR}/"):
            continue
        target = _destination(name)
        if target.exists() or target.is_symlink():
            if (
                not target.is_file()
                or target.is_symlink()
                or _file_sha256(target) != entry["sha256"]
            ):
                raise BackupError(
                    f"{target} already exists with other content; restore only into an "
                    "instance without files"
                )
            continue
        plan[name] = target
    return plan


def _write_files(tar: tarfile.TarFile, manifest: dict, plan: dict, echo: Echo) -> None:
    by_area: dict[str, list[int]] = {area: [0, 0] for area in FILE_AREAS}
    for member in tar.getmembers():
        name = member.name
        if name not in plan:
            continue
        target, expected = plan[name], manifest["files"][name]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        sha256 = hashlib.sha256()
        source = tar.extractfile(member)
        try:
            with partial.open("wb") as out:
                while chunk := source.read(CHUNK):
                    sha256.update(chunk)
                    out.write(chunk)
            if sha256.hexdigest() != expected["sha256"]:
                raise BackupError(f"{name} changed while it was being restored")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        os.utime(target, (member.mtime, member.mtime))
        counts = by_area[name.partition("/")[0]]
        counts[0] += 1
        counts[1] += expected["size"]
    for area, (count, size) in by_area.items():
        listed = sum(1 for name in manifest["files"] if name.startswith(f"{area}/"))
        there = f", {listed - count} already there" if listed > count else ""
        echo(f"{area + '/':26} {count:>8} files  {human_size(size)}  written{there}")


def _insert_rows(conn: Connection, tar: tarfile.TarFile, manifest: dict, echo: Echo) -> int:
    total = 0
    for table in db.metadata.sorted_tables:
        entry = manifest["tables"].get(table.name)
        if entry is None:
            continue
        keys = {c.name: (c.key, _decoder(c)) for c in table.columns}
        # Exactly the archived columns, without the models' Python defaults: an archive from
        # an older schema revision is inserted before the migrations add the newer columns.
        archived = set(entry["columns"])
        into = Table(
            table.name,
            MetaData(),
            *(Column(c.name, c.type, key=c.key) for c in table.columns if c.name in archived),
        )
        member = entry["member"]
        source = tar.extractfile(tar.getmember(member))
        sha256, rows, batch = hashlib.sha256(), 0, []
        for line in source:
            sha256.update(line)
            record = {}
            for name, value in json.loads(line).items():
                key, decode = keys[name]
                record[key] = value if value is None or decode is None else decode(value)
            batch.append(record)
            rows += 1
            if len(batch) >= BATCH:
                conn.execute(insert(into), batch)
                batch = []
        if batch:
            conn.execute(insert(into), batch)
        if sha256.hexdigest() != manifest["files"][member]["sha256"] or rows != entry["rows"]:
            raise BackupError(f"{member} changed while it was being restored")
        total += rows
        echo(f"  {table.name:24} {rows:>8} rows")
    return total


def _reset_sequences(conn: Connection, tables: dict) -> None:
    """Rows keep their ids, so PostgreSQL's sequences must move past them or the next
    insert would collide with a restored row."""
    quote = conn.dialect.identifier_preparer
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None or table.name not in tables:  # newer tables come from migrations
            continue
        highest = conn.execute(select(func.max(column))).scalar()
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :called)"),
            {
                "table": quote.format_table(table),
                "column": column.name,
                "value": highest or 1,
                "called": highest is not None,
            },
        )


def restore(archive: Path, echo: Echo = lambda line: None) -> Summary:
    """Restore an archive into this instance's (empty) database and file directories."""
    from flask_migrate import upgrade

    started = time.perf_counter()
    engine = db.engine
    try:
        manifest = verify(archive, echo)
        create_schema = _target_state(engine, manifest)
        plan = _plan_files(manifest)
    except BackupError as exc:
        raise BackupError(f"{exc}. Nothing was changed.") from exc
    revision = manifest["database"].get("alembic_revision")
    head = _migration_scripts().get_current_head()
    if create_schema:
        echo(f"Creating the schema (migrations up to {revision or head}).")
        upgrade(revision=revision or "head")
    summary = Summary(tables=len(manifest["tables"]))
    with _open(archive) as tar:
        _write_files(tar, manifest, plan, echo)
        echo("Database:")
        try:
            with engine.begin() as conn:
                summary.rows = _insert_rows(conn, tar, manifest, echo)
                if engine.dialect.name == "postgresql":
                    _reset_sequences(conn, manifest["tables"])
        except BackupError as exc:
            raise BackupError(
                f"{exc}. No rows were kept; the files written stay (a new restore skips them)."
            ) from exc
    with engine.connect() as conn:
        migrated_to = _alembic_revision(conn)
    if migrated_to and migrated_to != head:  # an archive from an older version
        echo(f"Upgrading the restored schema from {migrated_to} to {head}.")
        upgrade()
    summary.files = sum(1 for n in manifest["files"] if not n.startswith(f"{DB_DIR}/"))
    summary.bytes = sum(
        e["size"] for n, e in manifest["files"].items() if not n.startswith(f"{DB_DIR}/")
    )
    summary.seconds = time.perf_counter() - started
    return summary
