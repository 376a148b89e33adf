"""Large documents: laid out in pieces in parallel processes, joined into one PDF.

WeasyPrint lays out a document on one core, and its time and memory grow with the number
of boxes: the results protocol of a national competition (1,000 applications, nine members)
is three tables of a thousand rows, tens of seconds and most of a gigabyte in one process.
Such a document is split here between rows of its long tables into chunks, each a whole
HTML document with the same head (styles, page setup), laid out in a pool of processes;
the parent joins their PDFs and stamps "page X of Y" last, once the total is known.

What stays true:

- The split depends on the HTML only, never on the number of processors, so the same
  snapshot gives the same chunks, the same PDF and the same SHA-256 on any machine; and a
  chunk laid out in this process gives the same bytes as one laid out in the pool, which is
  what the fallback after a lost worker relies on.
- Each chunk after the first starts on a new page, with its table's header repeated: the
  one visible difference from a document laid out at once (a page left part empty every
  ten to fifteen pages, every few pages near the end, where the chunks are smaller), in
  exchange for a document that takes half the time on two cores.
- Chunks lay out their pages with the page label hidden (its box keeps its place, so the
  other margin boxes sit where they always do); a separate document of empty pages with
  only the labels, rendered once the page count is known, is drawn over each page.
- Documents below two chunks (every receipt, order, announcement) never come here: they
  are rendered in the caller's process exactly as before, byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

# About 3 s of WeasyPrint on these machines per chunk: small enough that two to eight cores
# share the work evenly, large enough that a page break is forced only every ~15 pages.
# A document is split when it makes at least two chunks: a smaller one would pay for the
# join and the label pass to save a second or less.
CHUNK_BYTES = 120_000
# Laying out a byte of text outside the long tables (the sections side by side in two
# languages, lists, signatures) takes about two and a half times as long as a byte of table
# rows (62 and 25 µs on these machines): the split weighs it so.
OUTSIDE_WEIGHT = 2.5
# Idle pool processes are ended after this long, giving their memory back.
IDLE_SECONDS = 120.0

# Container elements whose end tags our templates always write; the splitter tracks only
# these, so an omitted </p> or </li> cannot mislead it. User text never carries a raw "<".
_TAG = re.compile(r"<(/?)(div|section|header|table|thead|tbody|tfoot|tr|ul|ol)\b[^>]*>")
_CLASS = re.compile(r'\bclass="([^"]*)"')

# Extra styles of a chunk. The page label keeps its box but draws nothing (the label pass
# draws it); a chunk after the first shows the running header on its first page too, as
# print.css does from the document's second page on.
_CHUNK_CSS = "@page { @bottom-right { visibility: hidden; } }"
_CONTINUATION_CSS = (
    "@page :first { @top-left { content: string(org); } @top-right { content: string(docid); } }"
    ".chunk-strings { height: 0; overflow: hidden; visibility: hidden; margin: 0; }"
)
# The label pass: the same pages with the label alone. The label is aligned to the right
# edge of its box, so it lands where it does in a chunk whether or not the box at its left
# is there; leaving the other boxes out halves the time of this pass.
_LABELS_CSS = (
    "@page { @top-left { content: none; } @top-right { content: none; }"
    " @bottom-left { content: none; } }"
    ".page + .page { break-before: page; }"
)


class CannotJoin(Exception):
    """The chunks' pages are not all of the one page setup the labels are laid out with
    (a document with landscape or named pages): such a document is laid out at once."""


@dataclass(frozen=True)
class _Table:
    """A long table at the top level of the body, as offsets into the body text."""

    head: str  # from <table> to the first unit: the header row(s), and <tbody> if only one
    closing: str  # after the last unit: </tbody> if only one, the footer rows, </table>
    cuts: tuple[int, ...]  # offsets between units where the table may be split
    rows: tuple[int, int]  # offsets of the first unit and of the end of the last


@dataclass(frozen=True)
class Plan:
    """A document cut into chunks, and what the label pass needs."""

    chunks: tuple[str, ...]
    work: tuple[float, ...]  # of each chunk, as estimated from its text: the pool's order
    head: str  # <!doctype ...> to <body ...>, shared by every chunk

    def labels(self, pages: int) -> str:
        """A document of ``pages`` empty pages carrying only "page X of Y", laid out with the
        same page rules as the chunks, so each label lands where it would have been."""
        head = self.head.replace("</head>", f"<style>{_LABELS_CSS}</style>\n</head>", 1)
        return head + '<div class="page"></div>' * pages + "</body></html>"


def is_large(html: str) -> bool:
    """Worth splitting, and too long to lay out while someone waits for a page."""
    return len(html) >= 2 * CHUNK_BYTES


def plan(html: str) -> Plan | None:
    """The chunks of a large document, or None for one to render at once."""
    if not is_large(html):
        return None
    body_open = re.search(r"<body\b[^>]*>", html)
    body_close = html.rfind("</body>")
    if body_open is None or body_close < body_open.end():
        return None
    head, tail = html[: body_open.end()], html[body_close:]
    body = html[body_open.end() : body_close]
    tables, header = _scan(body)
    cuts = sorted(((offset, table) for table in tables for offset in table.cuts), key=_offset)
    if not cuts:
        return None
    # Cut between the rows nearest to the bounds of the shares of the work, which the length
    # of the text stands for (weighed more outside the tables' rows).
    spans = [table.rows for table in tables]

    def work(offset: int) -> float:
        rows = sum(max(0, min(offset, end) - start) for start, end in spans)
        return rows + OUTSIDE_WEIGHT * (offset - rows)

    total = work(len(body))
    shares = _shares(total)
    weighed = [(work(offset), offset, table) for offset, table in cuts]
    chosen: list[tuple[int, _Table]] = []
    for k in range(1, len(shares)):
        target = sum(shares[:k]) / sum(shares) * total
        _, offset, table = min(weighed, key=lambda cut: (abs(cut[0] - target), cut[1]))
        if not chosen or offset > chosen[-1][0]:
            chosen.append((offset, table))
    if not chosen:
        return None
    strings = f'<div class="chunk-strings">{header}</div>' if header else ""
    pieces, works, start, reopen = [], [], 0, ""
    for i, (offset, table) in enumerate([*chosen, (len(body), None)]):
        styles = _CHUNK_CSS + (_CONTINUATION_CSS if i else "")
        piece_head = head.replace("</head>", f"<style>{styles}</style>\n</head>", 1)
        opening = strings + reopen if i else ""
        closing = table.closing if table else ""
        pieces.append(piece_head + opening + body[start:offset] + closing + tail)
        works.append(work(offset) - work(start))
        start, reopen = offset, table.head if table else ""
    return Plan(tuple(pieces), tuple(works), head)


def _shares(total: float) -> list[float]:
    """The sizes of the chunks, as parts of the work: chunks of the usual size, then two of
    half and four of a quarter. The pool takes the largest first and the small ones last,
    so whichever process is ahead takes more of them and two, three or four processes end
    within a fraction of a chunk of each other (with equal chunks only, one would often lay
    out the last alone while the others wait)."""
    return [1.0] * (max(2, round(total / CHUNK_BYTES)) - 2) + [0.5] * 2 + [0.25] * 4


def _offset(cut: tuple[int, _Table]) -> int:
    return cut[0]


def _scan(body: str) -> tuple[list[_Table], str]:
    """The splittable tables of a body (tables of class "compact" at its top level) and its
    document header (the elements that set the running header's strings)."""
    tables: list[_Table] = []
    header = ""
    depth = 0
    start = None  # of the compact table being read
    section = ""  # thead, tbody or tfoot of that table, while inside one
    tbodies: list[tuple[int, int]] = []  # where each of its tbodies starts, and its end tag
    rows: list[int] = []  # starts of the rows of its tbodies
    for match in _TAG.finditer(body):
        closing, name = match.group(1) == "/", match.group(2)
        if closing:
            depth -= 1
            if start is not None and depth == 1 and name == section:
                section = ""
                if name == "tbody":
                    tbodies[-1] = (tbodies[-1][0], match.start())
            elif start is not None and depth == 0 and name == "table":
                table = _splittable(body[start : match.end()], start, tbodies, rows)
                if table is not None:
                    tables.append(table)
                start = None
            continue
        if depth == 0 and name == "header" and not header:
            end = body.find("</header>", match.end())
            header = body[match.start() : end + len("</header>")] if end > 0 else ""
        elif depth == 0 and name == "table":
            classes = (_CLASS.search(match.group(0)) or [None, ""])[1].split()
            start = match.start() if "compact" in classes else None
            section, tbodies, rows = "", [], []
        elif start is not None and depth == 1 and name in ("thead", "tbody", "tfoot"):
            section = name
            if name == "tbody":
                tbodies.append((match.start(), -1))
        elif start is not None and depth == 2 and name == "tr" and section == "tbody":
            rows.append(match.start())
        depth += 1
    return tables, header


def _splittable(
    table: str, start: int, tbodies: list[tuple[int, int]], rows: list[int]
) -> _Table | None:
    """A piece of a table is its head, some of its rows and its end: the footer rows too,
    which WeasyPrint repeats at the foot of every page of the table anyway."""
    if len(tbodies) > 1:  # groups of rows kept together (an application and its reason)
        first, (_, last_end) = tbodies[0][0], tbodies[-1]
        end = last_end + len("</tbody>")
        units = [s for s, _ in tbodies]
    elif len(tbodies) == 1 and len(rows) > 1:
        first, end, units = rows[0], tbodies[0][1], rows
    else:
        return None
    head, closing = table[: first - start], table[end - start :]
    return _Table(head, closing, tuple(units[1:]), (first, end))


# --- laying the chunks out ----------------------------------------------------------------


@dataclass(frozen=True)
class _LaidOut:
    """A chunk's PDF and what the join needs from its layout (plain data: it is pickled)."""

    pdf: bytes
    pages: int
    bookmarks: tuple  # per page: (its bookmarks as WeasyPrint lists them, its height)


def _lay_out(html: str) -> _LaidOut:
    """One chunk to PDF, in whichever process runs it: the same bytes everywhere."""
    from weasyprint import HTML

    from reports import pdfa
    from reports.fetcher import BundledOnlyFetcher

    document = HTML(string=html, base_url="asset:/", url_fetcher=BundledOnlyFetcher()).render()
    marks = tuple((tuple(page.bookmarks), page.height) for page in document.pages)
    # PDF/A like a document laid out at once, but untagged: the chunks' structure trees
    # cannot be joined into one, and PDF/A-2b does not ask for one.
    return _LaidOut(pdfa.write(document, tags=False), len(document.pages), marks)


def render(plan_: Plan, identifier: bytes) -> tuple[bytes, int]:
    """The joined, labelled PDF of a planned document and its page count. The labels are
    laid out in the pool too: its processes have WeasyPrint's fonts loaded already."""
    largest_first = sorted(range(len(plan_.chunks)), key=lambda i: (-plan_.work[i], i))
    laid_out = _map(_lay_out, plan_.chunks, largest_first)
    pages = sum(chunk.pages for chunk in laid_out)
    (labels,) = _map(_lay_out, (plan_.labels(pages),))
    if labels.pages != pages:
        raise CannotJoin(f"{labels.pages} pages of labels for a document of {pages}")
    return join(laid_out, labels.pdf, identifier), pages


def join(chunks: list[_LaidOut], labels: bytes, identifier: bytes) -> bytes:
    """The chunks' pages in order, each with its label drawn over it as a form XObject (a
    whole-page merge would parse and rewrite every page's content: seconds, not
    milliseconds). Metadata and language come from the first chunk, the outline from all
    the chunks' headings nested as in a document laid out at once, the file identifier from
    the register, as WeasyPrint writes it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    readers = [PdfReader(io.BytesIO(chunk.pdf)) for chunk in chunks]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader, import_outline=False)
    first = readers[0]
    writer.pdf_header = first.pdf_header
    writer.add_metadata(dict(first.metadata or {}))
    # The language, and what makes the file PDF/A: its XMP identification and its output
    # intent (the sRGB profile), as the first chunk has them.
    for key in ("/Lang", "/Metadata", "/OutputIntents"):
        if key in first.trailer["/Root"]:
            value = first.trailer["/Root"].raw_get(key)
            writer._root_object[NameObject(key)] = (
                value.clone(writer) if hasattr(value, "clone") else value
            )

    def stream(data: bytes, **entries) -> object:
        obj = DecodedStreamObject()
        obj.set_data(data)
        obj.update({NameObject(k): v for k, v in entries.items()})
        return writer._add_object(obj.flate_encode() if len(data) > 64 else obj)

    save, restore, draw = stream(b"q\n"), stream(b"\nQ\n"), stream(b"/PageLabel Do\n")
    overlay = PdfReader(io.BytesIO(labels))
    for page, label in zip(writer.pages, overlay.pages, strict=True):
        if list(page.mediabox) != list(label.mediabox):
            raise CannotJoin(f"a page of {page.mediabox}, its label on {label.mediabox}")
        form = stream(
            label.get_contents().get_data(),
            **{
                "/Type": NameObject("/XObject"),
                "/Subtype": NameObject("/Form"),
                "/BBox": label.mediabox,
                "/Resources": label["/Resources"].clone(writer),
            },
        )
        resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
        xobjects[NameObject("/PageLabel")] = form
        resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = resources
        contents = page.raw_get("/Contents")
        if isinstance(contents.get_object(), list):
            contents = list(contents.get_object())
        else:
            contents = [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *contents, restore, draw])
    _outline(writer, [marks for chunk in chunks for marks in chunk.bookmarks])
    digest = hashlib.md5(b"".join(c.pdf for c in chunks), usedforsecurity=False).hexdigest()
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(digest.encode())])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _outline(writer, pages: list[tuple]) -> None:
    """The bookmarks of the whole document, nested by WeasyPrint's own rule (a chunk alone
    would put the headings of its sections at the top, without the document's title above
    them) and written as WeasyPrint writes them."""
    from types import SimpleNamespace

    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )
    from weasyprint.document import Document

    whole = SimpleNamespace(
        pages=[SimpleNamespace(bookmarks=list(marks), height=height) for marks, height in pages]
    )
    tree = Document.make_bookmark_tree(whole, 0.75, transform_pages=True)  # 72 pt / 96 px

    def add(items, parent) -> tuple[list, int]:
        outlines, count = [], len(items)
        for title, (page, x, y), children, state in items:
            outline = DictionaryObject()
            outline[NameObject("/Title")] = TextStringObject(title)
            outline[NameObject("/Dest")] = ArrayObject(
                [
                    writer.pages[page].indirect_reference,
                    NameObject("/XYZ"),
                    FloatObject(x),
                    FloatObject(y),
                    NumberObject(0),
                ]
            )
            reference = writer._add_object(outline)
            kids, kids_count = add(children, reference)
            outline[NameObject("/Count")] = NumberObject(
                -kids_count if state == "closed" else kids_count
            )
            if state != "closed":
                count += kids_count
            if outlines:
                outline[NameObject("/Prev")] = outlines[-1].indirect_reference
                outlines[-1].get_object()[NameObject("/Next")] = reference
            if kids:
                outline[NameObject("/First")] = kids[0].indirect_reference
                outline[NameObject("/Last")] = kids[-1].indirect_reference
            outline[NameObject("/Parent")] = parent
            outlines.append(outline)
        return outlines, count

    if not tree:
        return
    root = DictionaryObject()
    root_reference = writer._add_object(root)
    items, count = add(tree, root_reference)
    root[NameObject("/Count")] = NumberObject(count)
    root[NameObject("/First")] = items[0].indirect_reference
    root[NameObject("/Last")] = items[-1].indirect_reference
    writer._root_object[NameObject("/Outlines")] = root_reference


# --- the pool -----------------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None
_busy = 0  # renders using the pool now
_generation = 0  # of idle timers: only the latest may end the pool


def workers() -> int:
    """The processors this process may run on (a container's limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _executor() -> ProcessPoolExecutor:
    """The pool of this process, started on first use. A gunicorn worker forked from a
    master that had one starts its own: the master's pool threads did not survive the fork.
    Processes are spawned, not forked, so none inherits a database connection, a lock
    held by another thread or the application's memory."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        context = multiprocessing.get_context("spawn")
        _pool = ProcessPoolExecutor(max_workers=workers(), mp_context=context)
        _pool_pid = os.getpid()
    return _pool


def _map(function, items: tuple[str, ...], order: list[int] | None = None) -> list:
    """``function`` over ``items`` in the pool, started in ``order``, returned in the items'
    order. A pool that cannot start (a daemon process may not have children) or that lost a
    worker (killed for memory, say) is replaced by this process: the bytes are the same,
    only slower."""
    global _busy, _pool
    order = list(range(len(items))) if order is None else order
    pool, futures = None, {}
    with _lock:
        _busy += 1
        try:
            pool = _executor()
            futures = {i: pool.submit(function, items[i]) for i in order}
        except (BrokenProcessPool, RuntimeError, OSError):
            _pool, pool = None, None
    try:
        results = []
        for i, item in enumerate(items):
            try:
                if pool is None:
                    raise BrokenProcessPool
                results.append(futures[i].result())
            except BrokenProcessPool:
                with _lock:
                    if pool is not None and _pool is pool:
                        _pool = None
                pool = None
                results.append(function(item))
        return results
    finally:
        with _lock:
            _busy -= 1
            if _busy == 0:
                _end_when_idle()


def _end_when_idle() -> None:
    global _generation
    _generation += 1
    timer = threading.Timer(IDLE_SECONDS, _end_if_idle, args=(_generation,))
    timer.daemon = True
    timer.start()


def _end_if_idle(generation: int) -> None:
    global _pool
    with _lock:
        if generation != _generation or _busy or _pool is None or _pool_pid != os.getpid():
            return
        pool, _pool = _pool, None
    pool.shutdown(wait=False)


def shutdown() -> None:
    """End the pool now (benchmarks and tests; a server lets the idle timer do it)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None and _pool_pid == os.getpid():
        pool.shutdown(wait=True)
