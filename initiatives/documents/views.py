"""Downloads of documents and their public verification page (the QR code's target)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, make_response, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select

from initiatives.documents.access import Copy, copy_for
from initiatives.documents.models import Document
from initiatives.documents.rendering import copy_or_pending, pdf_or_pending
from initiatives.extensions import db

bp = Blueprint("documents", __name__)

RETRY_SECONDS = 5


def _preparing():
    """A large document being rendered in the background: come back in a few seconds (the
    Refresh header does it for a browser, without JavaScript)."""
    response = make_response(render_template("register/preparing.html"), 202)
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    response.headers["Refresh"] = str(RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _pdf_response(document: Document):
    path = pdf_or_pending(document)
    db.session.commit()  # the first download records the file and its hash
    if path is None:
        return _preparing()
    name = f"{document.year}-{document.number:04d}-{document.kind.value}.pdf"
    # Documents are tens of kilobytes: read at once, so no file handle outlives the request.
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/pdf",
        download_name=name,
        max_age=0,
        etag=document.sha256,
    )


LANGUAGES = ("ky", "ru", "en")


def _reading_copy(document: Document, lang: str | None, *, redacted: bool, public: bool = False):
    """The document rendered from its snapshot for reading, in another language or without
    personal data: marked as such, never registered or hashed itself."""
    pdf = copy_or_pending(document, lang, redacted=redacted, public=public)
    if pdf is None:
        return _preparing()
    mark = "public" if public else "redacted" if redacted else None
    suffix = "-".join(p for p in (lang, mark) if p)
    name = f"{document.year}-{document.number:04d}-{document.kind.value}-{suffix}.pdf"
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name=name, max_age=0)


def _serve(document: Document, copy: Copy, lang: str | None = None):
    if lang == document.languages:
        lang = None
    if copy == Copy.ORIGINAL and lang is None:
        return _pdf_response(document)
    return _reading_copy(document, lang, redacted=copy == Copy.REDACTED, public=copy == Copy.PUBLIC)


@bp.get("/documents/<int:document_id>.pdf")
def download(document_id: int):
    """The registered PDF; with ``?lang=ky|ru|en`` a translation rendered for reading; for
    oversight, a copy without the citizens' personal data (``access.copy_for``)."""
    document = db.get_or_404(Document, document_id)
    copy = copy_for(current_user, document)
    if copy is None:
        abort(404)  # an unpublished or private document does not exist for strangers
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGUAGES:
        abort(404)
    return _serve(document, copy, lang)


def _by_token(token: str) -> Document:
    if len(token) > 64:
        abort(404)
    document = db.session.scalars(select(Document).where(Document.token == token)).first()
    if document is None:
        abort(404)
    return document


@bp.get("/verify/<token>")
def verify(token: str):
    """Anyone holding the paper may check it. The facts shown are those printed on the
    paper; the hash needs the stored PDF, so the first check renders it."""
    document = _by_token(token)
    path = pdf_or_pending(document)
    db.session.commit()
    if path is None:
        return _preparing()
    return render_template(
        "register/verify.html",
        d=document,
        copy=copy_for(current_user, document),
    )


@bp.get("/verify/<token>/document.pdf")
def verify_pdf(token: str):
    document = _by_token(token)
    copy = copy_for(current_user, document)
    if copy is None:
        abort(404)
    return _serve(document, copy)
