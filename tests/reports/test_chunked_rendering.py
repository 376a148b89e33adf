"""Large documents laid out in chunks in parallel processes and joined: the joined PDF says
what a single layout says, numbers its pages "X of Y" across the joins, and is the same
bytes every time, whether the chunks ran in the pool or in this process."""

from __future__ import annotations

import copy
import html as html_module
import io
import logging
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from initiatives.documents.models import Document
from initiatives.documents.rendering import register_of, renderer
from reports import chunks

ROWS = 150


def grown(snapshot: dict, rows: int) -> dict:
    """The protocol's snapshot with ``rows`` ranked applications, each with its own title."""
    s = copy.deepcopy(snapshot)
    model = s["results"]["rows"][0]
    s["results"]["rows"] = [
        {
            **copy.deepcopy(model),
            "position": i + 1,
            "number": i + 1,
            "title": f"Демилге {i + 1:04d}: айылдык көпүрөнү оңдоо" + " жана жол" * (i % 3),
            "winner": i < 3,
        }
        for i in range(rows)
    ]
    return s


@pytest.fixture
def protocol(build, db):
    build("results_approved", proposals=4)
    doc = db.session.scalars(select(Document).filter_by(kind="results_protocol")).one()
    doc.languages = "ru"
    register = register_of(doc)
    return register, renderer().html(register, grown(doc.snapshot, ROWS))


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few pages, so a 150-row protocol is split in several."""
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 40_000)
    yield
    chunks.shutdown()


def no_pool():
    raise RuntimeError("no pool here")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def outline(pdf: bytes, items=None, depth: int = 0) -> list[tuple[int, str]]:
    items = PdfReader(io.BytesIO(pdf)).outline if items is None else items
    found = []
    for item in items:
        if isinstance(item, list):
            found += outline(pdf, item, depth + 1)
        else:
            found.append((depth, item.title))
    return found


def content(pages: list[str], html: str, register) -> str:
    """The text of the document without what repeats on every page (the page label, the
    running header, the verification link, the tables' header and footer rows), and without
    whitespace: line breaks inside cells depend on the column widths, not on what is said."""
    pages = [re.sub(r"Страница\s+\d+\s+из\s+\d+", "", page) for page in pages]
    text = re.sub(r"\s+", "", "".join(pages))
    repeated = [register.verify_url]
    repeated += [part for _, part in re.findall(r"<(thead|tfoot)>(.*?)</\1>", html, re.S)]
    repeated += re.findall(r'<p class="(?:org|docid)-line">(.*?)</p>', html)
    for part in repeated:
        plain = html_module.unescape(re.sub(r"<[^>]+>", "", part))
        text = text.replace(re.sub(r"\s+", "", plain), "")
    return text


def test_small_documents_are_not_split(protocol):
    _, html = protocol
    assert chunks.plan(html) is None  # 150 rows are far below two chunks of the real size
    assert not renderer().is_large(html)


def test_a_chunked_protocol_says_what_a_single_layout_says(protocol, small_chunks, caplog):
    register, html = protocol
    plan = chunks.plan(html)
    assert plan is not None and 4 <= len(plan.chunks) <= 10
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        alone = chunks._lay_out(html).pdf  # the whole document in one layout
    joined = renderer().pdf_of_html(html, register.token)

    pages = pages_text(joined.pdf)
    assert len(pages) == joined.pages > len(plan.chunks)
    for number, text in enumerate(pages, start=1):  # each page numbered across the joins
        labels = re.findall(r"Страница\s+(\d+)\s+из\s+(\d+)", text)
        assert labels == [(str(number), str(joined.pages))], (number, labels)
        if number > 1:  # the running header, on the first page of every chunk too
            assert f"№ {register.number}" in text, number
    said, said_alone = content(pages, html, register), content(pages_text(alone), html, register)
    # The same characters, as many times each: nothing lost or doubled at a join. (Not the
    # same string: a text extractor may read a list's numbers before or after the paragraph
    # that follows it, depending on where the page ends.)
    assert sorted(said) == sorted(said_alone)
    assert said[:2000] == said_alone[:2000]  # the heading, the members, the criteria
    # Every application in each of the three tables (scores, ranking, awards), in order;
    # then the winners again, with the money they asked and got from each source.
    titles = re.findall(r"Демилге(\d{4}):", said)
    assert titles[: 3 * ROWS] == [f"{i:04d}" for i in range(1, ROWS + 1)] * 3
    winners = titles[3 * ROWS :]
    assert winners and winners == sorted(winners)
    assert outline(joined.pdf) == outline(alone)  # sections under the title, as at once
    assert len(outline(alone)) > 5
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_chunked_rendering_is_deterministic_wherever_the_chunks_run(
    protocol, small_chunks, monkeypatch, caplog
):
    register, html = protocol
    first = renderer().pdf_of_html(html, register.token)
    second = renderer().pdf_of_html(html, register.token)  # the pool is warm now
    assert first.pdf == second.pdf and first.sha256 == second.sha256
    monkeypatch.setattr(chunks, "_executor", no_pool)  # the chunks are laid out here
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        here = renderer().pdf_of_html(html, register.token)  # a pool's warnings stay there
    assert here.pdf == first.pdf
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    reader = PdfReader(io.BytesIO(first.pdf))
    assert register.number in reader.metadata.title  # with the kind and the competition
    assert reader.trailer["/Root"]["/Lang"] == "ru"


def test_tables_are_split_between_rows_or_groups_of_rows(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 5_000)
    rows = "".join(f'<tr><td class="num">R{i:03d}</td><td>x</td></tr>\n' for i in range(200))
    groups = "".join(
        f'<tbody class="application"><tr><td>G{i:03d}</td></tr><tr class="reason"><td>'
        f"reason of G{i:03d}</td></tr></tbody>\n"
        for i in range(100)
    )
    html = (
        '<!doctype html><html><head><style>p{}</style></head><body class="x">'
        '<header class="doc-head"><p class="org-line">Org</p></header>'
        '<div class="pair"><table class="compact"><tbody><tr><td>inner</td></tr></tbody>'
        "</table></div>"
        '<table class="compact register"><thead><tr><th>№</th></tr></thead>\n<tbody>\n'
        f"{rows}</tbody>\n<tfoot><tr><td>Total</td></tr></tfoot></table>"
        '<p>between</p><table class="compact screening"><thead><tr><th>№</th></tr></thead>\n'
        f"{groups}</table><p>end</p></body></html>"
    )
    plan = chunks.plan(html)
    assert plan is not None and len(plan.chunks) > 2
    seen_rows, seen_groups = [], []
    for i, chunk in enumerate(plan.chunks):
        body = chunk[chunk.index("<body") :]
        for tag in ("table", "tbody", "tr", "div", "header"):
            opened = len(re.findall(rf"<{tag}\b", body))
            assert opened == body.count(f"</{tag}>"), (i, tag)
        assert chunk.count("<style>") == 2  # the document's and the chunk's
        assert (i > 0) == ('<div class="chunk-strings"><header' in body)
        pieces = re.findall(r"R(\d{3})</td>", body)
        assert body.count("<tfoot>") == (1 if pieces else 0)  # repeated on its pages anyway
        seen_rows += pieces
        seen_groups += re.findall(r"<td>G(\d{3})</td>", body)
        assert re.findall(r"reason of G(\d{3})", body) == re.findall(r"<td>G(\d{3})</td>", body)
    assert seen_rows == [f"{i:03d}" for i in range(200)]
    assert seen_groups == [f"{i:03d}" for i in range(100)]
    assert plan.chunks[-1].rstrip().endswith("<p>end</p></body></html>")
    assert chunks.plan(html) == plan  # a function of the HTML alone


def test_a_document_with_pages_of_another_size_is_laid_out_at_once(db, monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 3_000)
    monkeypatch.setattr(chunks, "_executor", no_pool)
    rows = "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(150))
    html = (
        "<!doctype html><html><head><style>@page wide { size: A4 landscape; }"
        ".wide { page: wide; }</style></head><body>"
        f'<table class="compact"><tbody>{rows}</tbody></table>'
        f'<table class="compact wide"><tbody>{rows}</tbody></table></body></html>'
    )
    plan = chunks.plan(html)
    assert plan is not None and len(plan.chunks) > 2
    with pytest.raises(chunks.CannotJoin):
        chunks.render(plan, b"identifier")
    result = renderer().pdf_of_html(html, "token")  # the whole document, in one layout
    sizes = {tuple(page.mediabox) for page in PdfReader(io.BytesIO(result.pdf)).pages}
    assert len(sizes) == 2
