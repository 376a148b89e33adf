"""``flask municipalities import FILE``: the web import's parser, for operators at a shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from initiatives.admin import importing, operations
from initiatives.extensions import db

municipalities_cli = AppGroup("municipalities", help="Bring municipalities on board.")
PROGRESS_EVERY = 20


def _text(message: str, params: dict) -> str:
    try:
        return message % params if params else message
    except (KeyError, ValueError, TypeError):
        return message


@municipalities_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_file(path: Path, dry_run: bool):
    """Import municipalities from a CSV or XLSX file (the header of the web template).

    Rows with errors are reported and skipped; an existing slug is an error, never an
    overwrite, so running the same file twice imports nothing the second time.
    """
    try:
        rows = importing.parse(path.name, path.read_bytes())
    except importing.ImportError_ as refused:
        raise click.ClickException(_text(refused.message, refused.params)) from None
    for row in rows:
        for message, params in row.errors:
            click.echo(f"line {row.line}: {_text(message, params)}", err=True)
    valid = [r.values for r in rows if r.valid]
    click.echo(f"{len(rows)} row(s) read, {len(valid)} valid, {len(rows) - len(valid)} with errors")
    if dry_run or not valid:
        return
    made = []
    for start in range(0, len(valid), PROGRESS_EVERY):
        chunk = valid[start : start + PROGRESS_EVERY]
        made += operations.import_municipalities(None, chunk, filename=path.name)
        click.echo(f"  {min(start + PROGRESS_EVERY, len(valid))} of {len(valid)} rows done")
    db.session.commit()
    click.echo(f"{len(made)} municipalities imported.")
