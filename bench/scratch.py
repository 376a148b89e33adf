"""What every benchmark starts from: a throw-away SQLite instance with the demo
municipality and its people, and a way to time a call several times."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from initiatives import create_app
from initiatives.demo import loader
from initiatives.extensions import db


@contextmanager
def scratch_world() -> Iterator[tuple]:
    """(municipality, cast) in an app context over a temporary database, removed after."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "DOCUMENTS_DIR": str(Path(tmp) / "documents"),
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            db.create_all()
            m = loader.orozbekov()
            yield m, loader.people(m)
            db.session.rollback()


def timed(call: Callable, repeat: int) -> tuple[float, float, object]:
    """Median and worst seconds of ``repeat`` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result
