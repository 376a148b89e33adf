"""Turning a registered document into its PDF, once, and keeping the file.

The renderer (``reports``) gets plain data: the register facts and the frozen snapshot. The
PDF is stored under ``DOCUMENTS_DIR`` and its SHA-256 kept on the row; later downloads serve
the stored file. Two requests racing to render the same document both render, but only the
first one's file is recorded (a conditional UPDATE), so the register never changes its hash.

A large document (the protocol of a national competition: a thousand rows, seconds of
layout even on every core) is never rendered while a request waits. The step that makes it
and the first download each hand it to a thread of this process, which renders it through
the process pool of ``reports.chunks`` and records it as above; meanwhile the download
answers "being prepared" (202, Retry-After). A marker file names the document being
rendered, so the other gunicorn workers asked for it meanwhile do not render it again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from dataclasses import replace
from functools import cache
from pathlib import Path

from babel.support import Translations
from flask import Flask, current_app, has_request_context
from sqlalchemy import update

from initiatives.documents.models import Document
from initiatives.extensions import db
from reports.render import DocumentRenderer, Register, Rendered

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def _translations(code: str) -> Translations:
    return Translations.load(str(TRANSLATIONS), [code], domain="messages")


def renderer() -> DocumentRenderer:
    app = current_app._get_current_object()
    if "document_renderer" not in app.extensions:
        templates = Path(app.root_path).parent / "templates" / "documents"
        if app.template_folder:
            templates = Path(app.template_folder) / "documents"
        app.extensions["document_renderer"] = DocumentRenderer(templates, _translations)
    return app.extensions["document_renderer"]


def verify_url(document: Document) -> str:
    """Built from the configured public address, not from the request, so a document
    rendered from the command line carries the same link as one rendered on a page."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/verify/{document.token}"


def register_of(document: Document) -> Register:
    return Register(
        kind=document.kind.value,
        kind_title=document.kind.title,
        number=document.register_number,
        created_at=document.created_at,
        languages=document.languages,
        token=document.token,
        verify_url=verify_url(document),
    )


def translation_of(document: Document, lang: str) -> Register:
    """The register facts of a copy in another language, rendered for reading: marked as a
    translation of the registered original, never registered or hashed itself."""
    register = register_of(document)
    return replace(register, languages=lang, translation_of=register.languages.upper())


REDACTED = "redacted"
PUBLIC = "public"  # personal data and the citizens' names removed


def variant_of(lang: str | None, redacted: bool, public: bool = False) -> str | None:
    """The name of a reading copy: ``"ru"`` (a translation), ``"redacted"`` (personal data
    removed), ``"ru-redacted"`` (both), ``"public"``/``"ru-public"`` (names removed too),
    None for the registered original."""
    mark = PUBLIC if public else REDACTED if redacted else None
    parts = [p for p in (lang, mark) if p]
    return "-".join(parts) or None


def copy_of(document: Document, variant: str) -> tuple[Register, dict]:
    """The register facts and the snapshot a reading copy is rendered from."""
    from initiatives.documents.redaction import redact

    lang, _, rest = variant.partition("-")
    if lang in (REDACTED, PUBLIC):
        lang, rest = "", lang
    register = translation_of(document, lang) if lang else register_of(document)
    if rest == REDACTED:
        return replace(register, redacted=True), redact(document.snapshot)
    if rest == PUBLIC:
        return replace(register, public_copy=True), redact(document.snapshot, names=True)
    return register, document.snapshot


def render(document: Document) -> Rendered:
    return renderer().pdf(register_of(document), document.snapshot)


def storage_dir() -> Path:
    return Path(current_app.config["DOCUMENTS_DIR"])


def stored_file(document: Document) -> Path | None:
    if not document.pdf_path:
        return None
    path = storage_dir() / document.pdf_path
    return path if path.is_file() else None


def ensure_pdf(document: Document, *, release: bool = False) -> Path:
    """The stored PDF of a document, rendering and recording it the first time.

    Flushes but does not commit: the caller's request commits once. With ``release`` (a
    caller with nothing pending, right after its commit) the database connection goes back
    to the pool while WeasyPrint works: on deadline day fifty requests rendering receipts
    must not hold fifty connections for the seconds that takes."""
    path = stored_file(document)
    if path is not None:
        return path
    register, snapshot = register_of(document), document.snapshot
    if release:
        db.session.commit()
    started = time.perf_counter()
    rendered = renderer().pdf(register, snapshot)
    relative = (
        Path(str(document.municipality_id))
        / str(document.year)
        / f"{document.number:04d}-{document.kind.value}-{rendered.sha256[:12]}.pdf"
    )
    target = storage_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(rendered.pdf)
    partial.replace(target)
    if document.sha256 is None:
        db.session.execute(
            update(Document)
            .where(Document.id == document.id, Document.sha256.is_(None))
            .values(pdf_path=str(relative), sha256=rendered.sha256)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(document)
    elif document.pdf_path != str(relative):  # recorded earlier; its file went missing
        document.pdf_path = str(relative)
    current_app.logger.info(
        "rendered document %s (%s) in %.2f s, %d pages",
        document.register_number,
        document.kind.value,
        time.perf_counter() - started,
        rendered.pages,
    )
    db.session.flush()
    return storage_dir() / document.pdf_path


def render_now(documents: list[Document]) -> None:
    """Render a step's documents right after it is committed, so the register has their
    hashes at once; a large one in the background, so the step's page does not wait for it.
    A failure here must not undo the step: the document stays registered and is rendered
    on its first download instead."""
    for document in documents:
        try:
            # A command (the clock's steps) may exit right after: it renders before it does.
            if has_request_context() and stored_file(document) is None and is_large(document):
                render_later(document)
                continue
            ensure_pdf(document, release=True)
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("rendering %s failed", document.register_number)


# --- large documents: rendered in the background -------------------------------------------

STALE_SECONDS = 600  # a marker this old was left by a render that hung or a host that died
_large: dict[tuple, bool] = {}
_jobs: dict[tuple[int, str | None], threading.Thread] = {}
_jobs_lock = threading.Lock()


def is_large(document: Document, variant: str | None = None) -> bool:
    """Too long to render while someone waits (remembered: a snapshot never changes)."""
    key = (document.id, document.token, document.languages, variant)
    if key not in _large:
        register, snapshot = (
            (register_of(document), document.snapshot)
            if variant is None
            else copy_of(document, variant)
        )
        if len(_large) > 10_000:
            _large.clear()
        _large[key] = renderer().is_large(renderer().html(register, snapshot))
    return _large[key]


def pdf_or_pending(document: Document) -> Path | None:
    """The stored PDF, rendered now if it is small; None while a large one is rendered in
    the background (started here if nobody is at it)."""
    path = stored_file(document)
    if path is not None:
        return path
    if not is_large(document):
        return ensure_pdf(document)
    render_later(document)
    return None


def translation_or_pending(document: Document, lang: str) -> bytes | None:
    return copy_or_pending(document, lang, redacted=False)


def copy_or_pending(
    document: Document, lang: str | None, *, redacted: bool, public: bool = False
) -> bytes | None:
    """A reading copy (in another language, without personal data, or both), kept under the
    documents' directory once rendered, like the original: anonymous visitors asking for a
    translation must not cost a render each. A large one is rendered in the background;
    None until then."""
    variant = variant_of(lang, redacted, public)
    path = translation_file(document, variant)
    if path.is_file():
        return path.read_bytes()
    if is_large(document, variant):
        render_later(document, variant)
        return None
    return _store_copy(document, variant)


def _store_copy(document: Document, variant: str) -> bytes:
    rendered = renderer().pdf(*copy_of(document, variant))
    target = translation_file(document, variant)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(rendered.pdf)
    partial.replace(target)
    return rendered.pdf


def translation_file(document: Document, variant: str) -> Path:
    return storage_dir() / "translations" / f"{document.id}-{document.token[:12]}-{variant}.pdf"


def render_later(document: Document, variant: str | None = None) -> None:
    """Render (the registered PDF, or a reading copy) in a thread of this process, unless a
    thread here or another process is already at it."""
    key = (document.id, variant)
    app = current_app._get_current_object()
    with _jobs_lock:
        running = _jobs.get(key)
        if running is not None and running.is_alive():
            return
        marker = _claim(key)
        if marker is None:
            return
        thread = threading.Thread(
            target=_render_in_background,
            args=(app, key, marker),
            name=f"render-document-{document.id}",
            daemon=True,  # a render cut short by a shutdown is redone on the next download
        )
        _jobs[key] = thread
        thread.start()


def wait_for_background(timeout: float | None = None) -> None:
    """Until the background renders of this process are done (tests, commands)."""
    with _jobs_lock:
        threads = list(_jobs.values())
    for thread in threads:
        thread.join(timeout)


def _render_in_background(app: Flask, key: tuple[int, str | None], marker: Path) -> None:
    document_id, variant = key
    try:
        with app.app_context():
            try:
                document = db.session.get(Document, document_id)
                if document is None:
                    return
                if variant is None:
                    ensure_pdf(document, release=True)
                    db.session.commit()
                else:
                    db.session.rollback()  # nothing to write: the connection goes back now
                    _store_copy(document, variant)
            except Exception:
                db.session.rollback()
                app.logger.exception("rendering document %s in the background failed", key)
    finally:
        marker.unlink(missing_ok=True)
        with _jobs_lock:
            if _jobs.get(key) is threading.current_thread():
                del _jobs[key]


def _claim(key: tuple[int, str | None]) -> Path | None:
    """A marker file saying this process renders the document; None if another process
    does. Markers live in the temporary directory (shared by the workers of one host, never
    in backups), named after the documents' directory, so two instances never mix."""
    place = hashlib.sha256(str(storage_dir().resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"initiatives-rendering-{place}" / f"{key[0]}-{key[1]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            try:
                age = time.time() - path.stat().st_mtime
                owner = path.read_text().strip()
            except FileNotFoundError:
                continue  # just finished: look again
            alive = _alive(int(owner)) if owner.isdigit() else age < 5  # or being written
            if age < STALE_SECONDS and alive:
                return None
            path.unlink(missing_ok=True)
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return path
    return None


def _alive(pid: int) -> bool:
    """Whether the process that left a marker still runs (a killed worker's marker must not
    keep its document "being prepared" until the marker is stale)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
