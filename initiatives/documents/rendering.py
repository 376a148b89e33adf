"""Turning a registered document into its PDF, once, and keeping the file.

The renderer (``reports``) gets plain data: the register facts and the frozen snapshot. The
PDF is stored under ``DOCUMENTS_DIR`` and its SHA-256 kept on the row; later downloads serve
the stored file. Two requests racing to render the same document both render, but only the
first one's file is recorded (a conditional UPDATE), so the register never changes its hash.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

from babel.support import Translations
from flask import current_app
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
    hashes at once. A failure here must not undo the step: the document stays registered
    and is rendered on its first download instead."""
    for document in documents:
        try:
            ensure_pdf(document, release=True)
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("rendering %s failed", document.register_number)
