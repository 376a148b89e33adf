"""The checked rows of an uploaded spreadsheet, kept on the server between the preview and
the operator's confirmation.

A file of 453 municipalities is some 200 KB of rows: too much to send back and forth in a
hidden field over a village connection, and the confirmation must import exactly the rows
that were shown. So they are written to a file under the uploads folder, named by a random
key that only the operator's session holds; the confirmation reads it once and removes it.
Previews older than a day are swept away with the next upload.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from flask import current_app, session

SESSION_KEY = "municipality_import"
MAX_AGE = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.config["UPLOADS_DIR"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    limit = time.time() - MAX_AGE
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass


def keep(user_id: int, filename: str, rows: list[dict]) -> str:
    folder = _folder()
    _sweep(folder)
    key = secrets.token_urlsafe(16)
    payload = {"user": user_id, "filename": filename, "rows": rows}
    (folder / f"{key}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    session[SESSION_KEY] = key
    return key


def take(user_id: int, key: str) -> dict | None:
    """The kept preview if this session made it for this user, removed from the disk."""
    if (
        not key
        or session.get(SESSION_KEY) != key
        or not key.replace("-", "").replace("_", "").isalnum()
    ):
        return None
    path = _folder() / f"{key}.json"
    try:
        payload = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user") != user_id:
        return None
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    return payload
