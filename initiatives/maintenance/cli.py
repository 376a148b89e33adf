"""``flask --app initiatives backup`` and ``restore``: the whole instance in one archive."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from initiatives.maintenance import backup as archive


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the archive [default: instance/backups/initiatives-<UTC time>.tar.gz].",
)
@with_appcontext
def backup(output):
    """Write the database, uploaded files and rendered documents into one .tar.gz archive,
    with a manifest of checksums. The application may keep running meanwhile."""
    output = output or archive.default_path()
    try:
        summary, _manifest = archive.write_archive(output, echo=click.echo)
    except archive.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    size = archive.human_size(output.stat().st_size)
    click.echo(f"Backup written: {output} ({size}): {summary.line()}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(path):
    """Restore an archive made by ``backup`` into an empty instance.

    Every checksum is verified before anything is written. The database must be empty (no
    tables, or tables without rows); without tables the schema is created by the migrations.
    """
    try:
        summary = archive.restore(path, echo=click.echo)
    except archive.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path}: {summary.line()}.")
