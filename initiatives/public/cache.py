"""The public pages' content, rendered once per change and served from memory.

Public pages change only when something is done to the competition (a step, an edit, a
payment), and every such change writes an audit event in the same transaction (the audit
trail is the project's invariant: no change without its event). So a page is keyed by a
*stamp* read from the database in one cheap query: the municipality's audit events (their
count and last id) and the competition's own row. Counting, not only the last id,
matters: two transactions may commit their events out of id order, and the later commit
of a lower id does not change the maximum, but it does change the count.

The pages across municipalities count only the country's latest ``RECENT_EVENTS`` ids,
so their stamp costs the same with years of history; an event committed after that many
later ones would go unnoticed there, which is why entries also expire
(``PageCache.max_age``).

Only the page's content is kept, never the whole page: the frame around it (base.html)
carries the visitor's CSRF token, login state and flashed messages, so it is rendered for
each request. And the content is cached only for anonymous visitors: a logged-in person
always gets a page rendered for them.

For anonymous visitors the response also carries an ``ETag`` over the same stamp, the
language and the visitor's CSRF token, so a browser revalidating a page it has gets a
304 without anything being rendered (also when the body it has came compressed, its tag
then marked with the encoding). ``Last-Modified`` is not sent: a date cannot say
that the language or the session changed, and the ETag does.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from initiatives.audit.models import AuditEvent
from initiatives.competitions.models import Competition
from initiatives.extensions import db
from initiatives.municipalities.models import Municipality

# The blocks of a public template that make its content; the rest is base.html's frame.
CONTENT_BLOCKS = ("title", "description", "content")
# How far back the stamps count events (see above).
RECENT_EVENTS = 10_000


class PageCache:
    """A small LRU of rendered content with an age limit, shared by a process's threads.

    The age limit is a safety net for writes that bypass the application (a fix made by
    hand in SQL): whatever the stamp misses is corrected within ``max_age`` seconds.
    """

    def __init__(self, size: int = 512, max_age: float = 600.0):
        self.size, self.max_age = size, max_age
        self._items: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if time.monotonic() - item[0] > self.max_age:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def install(app) -> None:
    app.config.setdefault("PUBLIC_PAGE_CACHE", True)
    app.config.setdefault("PUBLIC_NATIONAL_STAMP_SECONDS", 10.0)
    app.extensions["public_national_stamp"] = {"at": float("-inf"), "value": None}
    app.extensions["public_pages"] = PageCache(
        size=app.config.get("PUBLIC_PAGE_CACHE_SIZE", 512),
        max_age=app.config.get("PUBLIC_PAGE_CACHE_MAX_AGE", 600.0),
    )


def pages() -> PageCache:
    return current_app.extensions["public_pages"]


def remember(key: Hashable, compute: Callable[[], object]):
    """A value that depends only on the key (which holds a stamp), computed once."""
    if not current_app.config["PUBLIC_PAGE_CACHE"]:
        return compute()
    value = pages().get(key)
    if value is None:
        value = compute()
        pages().put(key, value)
    return value


def _recent():
    """The events of the last ``RECENT_EVENTS`` ids: found along the primary key, at the
    same cost whatever the size of the country or of its history."""
    last = select(func.max(AuditEvent.id)).scalar_subquery()
    return AuditEvent.id > func.coalesce(last, 0) - RECENT_EVENTS


def _of_municipality(aggregate):
    return (
        select(aggregate)
        .where(AuditEvent.municipality_id == Competition.municipality_id)
        .correlate(Competition)
        .scalar_subquery()
    )


def competition_stamp(competition_id: int, states) -> tuple | None:
    """What the public page of one competition depends on, in one query; None when the
    competition is not public. The deadline is returned too: a page read after it closes
    the intake (``close_if_due``), which needs the whole competition."""
    row = db.session.execute(
        select(
            Competition.state,
            Competition.version,
            Competition.updated_at,
            Competition.submission_deadline,
            Municipality.updated_at,
            _of_municipality(func.count(AuditEvent.id)),
            # "+ 0": PostgreSQL would otherwise read the max(id) backwards along the
            # primary key, through the whole country's events, to find this
            # municipality's last one; this way it reads the municipality's index.
            _of_municipality(func.max(AuditEvent.id + 0)),
        )
        .join(Municipality, Municipality.id == Competition.municipality_id)
        .where(Competition.id == competition_id, Competition.state.in_(states))
    ).one_or_none()
    return None if row is None else tuple(row)


def national_stamp() -> tuple:
    """The stamp of the pages across municipalities, read at most every
    ``PUBLIC_NATIONAL_STAMP_SECONDS`` per process.

    Every event of the country changes it, and on a deadline day citizens save drafts
    several times a second: read at each request, it let the home page and /oversight
    (170 ms to render) be rendered again for nearly every visitor. These pages show
    national figures, so they may lag a step by those seconds; a competition's own page
    never does (``competition_stamp`` is read at each request)."""
    memo = current_app.extensions["public_national_stamp"]
    now = time.monotonic()
    if (
        memo["value"] is None
        or now - memo["at"] >= current_app.config["PUBLIC_NATIONAL_STAMP_SECONDS"]
    ):
        memo["value"], memo["at"] = _read_national_stamp(), now
    return memo["value"]


def _read_national_stamp() -> tuple:
    """What the pages across municipalities depend on, in one query: the latest events
    (their count and last id), and the competitions' and municipalities' rows."""
    last = select(func.max(AuditEvent.id)).scalar_subquery()
    recent = select(func.count(AuditEvent.id)).where(_recent()).scalar_subquery()
    row = db.session.execute(
        select(
            last,
            recent,
            *(
                select(aggregate).scalar_subquery()
                for aggregate in (
                    func.count(Competition.id),
                    func.max(Competition.updated_at),
                    func.count(Municipality.id),
                    func.max(Municipality.updated_at),
                )
            ),
        )
    ).one()
    return tuple(row)


def render_content(template: str, **context) -> dict[str, Markup]:
    """The content blocks of a public template, without base.html's frame: what may be
    shared between visitors."""
    app = current_app._get_current_object()
    page = app.jinja_env.get_or_select_template(template)
    app.update_template_context(context)
    ctx = page.new_context(context)
    return {
        name: Markup("".join(page.blocks[name](ctx)))
        for name in CONTENT_BLOCKS
        if name in page.blocks
    }


def _etag(key: tuple) -> str | None:
    """The page's stamp and language, and the visitor's CSRF token: the body a browser
    keeps carries that token in its language form, so another session's body is not it."""
    token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not token:
        return None
    return hashlib.sha256(repr((key, token)).encode()).hexdigest()[:40]


def serve(page: Hashable, stamp: tuple, template: str, context: Callable[[], dict]):
    """The response for a public page: 304 when the visitor's copy is current, else the
    frame around the cached content (rendered on the first request after a change).
    ``context`` builds the template's variables; it runs only when rendering."""
    if current_user.is_authenticated or not current_app.config["PUBLIC_PAGE_CACHE"]:
        return make_response(render_template(template, **context()))
    key = (page, str(get_locale()), stamp)
    # A flashed message is in the frame once: that body is neither reused nor tagged.
    conditional = "_flashes" not in session
    if conditional:
        tag = _etag(key)
        current = _sent_back(tag) if tag is not None else None
        if current is not None:
            response = current_app.response_class(status=304)
            return _tagged(response, current)
    blocks = pages().get(key)
    if blocks is None:
        blocks = render_content(template, **context())
        pages().put(key, blocks)
    response = make_response(render_template("public/frame.html", blocks=blocks))
    if conditional and (tag := _etag(key)) is not None:
        _tagged(response, tag)
    return response


def _sent_back(tag: str) -> str | None:
    """The tag the browser sent back if it names this body: as sent, or as Flask-Compress
    marks the compressed one (``"<tag>:gzip"``). Without the second, every browser that
    accepts gzip would have the page rendered again instead of a 304."""
    algorithms = current_app.config.get("COMPRESS_ALGORITHM", ())
    for sent in (tag, *(f"{tag}:{algorithm}" for algorithm in algorithms)):
        if request.if_none_match.contains(sent):
            return sent
    return None


def _tagged(response, tag: str):
    response.set_etag(tag)
    # The browser may keep the page but asks each time; no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response
