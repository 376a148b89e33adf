"""Helpers of the end-to-end lifecycle test: a walker that opens pages as one user, counts
them, saves screenshots, and checks the registered PDFs with pypdf."""

from __future__ import annotations

import io
import re
import struct
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from initiatives.demo.builder import one_page_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "demo-password"
TIMEOUT_MS = 30_000


def tiny_png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (40, 140, 90)) -> bytes:
    """A small solid-colour PNG (a stand-in for a photo of the works)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def pdf_file(name: str, title: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": one_page_pdf(title)}


def png_file(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png()}


def compact(text: str) -> str:
    """Text without any kind of space: amounts print as "8 000,00" with a narrow space."""
    return re.sub(r"\s+", "", text.replace("\u202f", " ").replace("\xa0", " "))


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    documents: int = 0
    screenshots: int = 0
    checked_ids: set[int] = field(default_factory=set)


class Walker:
    """One user in one browser context."""

    def __init__(self, browser, base: str, tally: Tally, who: str | None, **context):
        self.base, self.tally, self.who = base, tally, who or "anonymous"
        self.context = browser.new_context(**context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self._posts = 0
        self._last_post = time.monotonic()
        self.page.on("request", self._on_request)
        self.page.on("requestfinished", self._on_done)
        self.page.on("requestfailed", self._on_done)
        if who:
            self.login(who)

    # --- background requests (the score sheet's autosave) ----------------------------------

    def _on_request(self, request) -> None:
        if request.method == "POST" and request.resource_type in ("fetch", "xhr"):
            self._posts += 1
            self._last_post = time.monotonic()

    def _on_done(self, request) -> None:
        if request.method == "POST" and request.resource_type in ("fetch", "xhr"):
            self._posts -= 1
            self._last_post = time.monotonic()

    def settle(self, quiet: float = 0.9, limit: float = 20) -> None:
        """Wait until no background save has run for ``quiet`` seconds."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            self.page.wait_for_timeout(150)
            if self._posts == 0 and time.monotonic() - self._last_post >= quiet:
                return
        raise AssertionError(f"{self.who}: background saves did not settle")

    # --- pages ---------------------------------------------------------------------------

    def login(self, who: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=login]", who)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit("form.stack button[type=submit]")
        assert "/login" not in self.page.url, f"{who} could not log in"

    def goto(self, path: str, expect: int | None = None):
        response = self.page.goto(path if path.startswith("http") else self.base + path)
        self.tally.pages += 1
        status = response.status if response else 0
        if expect is None:
            assert status < 400, f"{self.who}: GET {path} gave {status}\n{self.main_text()}"
        else:
            assert status == expect, f"{self.who}: GET {path} gave {status}, not {expect}"
        return response

    def submit(self, selector: str, ok: bool = True):
        """Click a submit button and wait for the page the form leads to."""
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        response = navigation.value
        self.tally.pages += 1
        if ok:
            status = response.status if response else 0
            assert status < 400, (
                f"{self.who}: {selector} on {self.page.url} gave {status}\n{self.main_text()}"
            )
            errors = self.page.locator(".error-summary")
            assert errors.count() == 0, f"{self.who}: {selector} shows errors\n{self.main_text()}"
        return response

    def step(self, trigger: str, *, decision: str | None = None, reason: str | None = None):
        """Press a step button (``/steps/<trigger>``); final steps get their confirmation."""
        form = f"form[action$='/steps/{trigger}']"
        details = self.page.locator(f"details:has({form}) > summary")
        if details.count():
            details.first.click()
        if decision is not None:
            self.page.fill(f"{form} input[name=decision_number]", decision)
        if reason is not None:
            self.page.fill(f"{form} textarea[name=reason]", reason)
        confirm = self.page.locator(f"{form} input[name=confirm]")
        if confirm.count():
            confirm.first.check()
        self.submit(f"{form} button[type=submit]")
        flashes = self.page.locator(".flash.warning")
        assert flashes.count() == 0, f"{self.who}: step {trigger}: {flashes.all_inner_texts()}"

    def language(self, code: str) -> None:
        self.submit(f"button[formaction='/language/{code}']")
        assert self.page.locator("html").get_attribute("lang") == code

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.tally.screenshots += 1
        path = ARTIFACTS / f"lifecycle-{self.tally.screenshots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def main_text(self) -> str:
        try:
            return self.page.inner_text("main")[:1500]
        except Exception:  # only for a failure message
            return self.page.content()[:1500]

    def pdf_text(self, path: str) -> tuple[str, bytes]:
        """Download a PDF with this user's cookies; its text (all pages) and bytes."""
        response = self.context.request.get(self.base + path)
        assert response.status == 200, f"{self.who}: GET {path} gave {response.status}"
        body = response.body()
        assert body.startswith(b"%PDF"), f"{path} is not a PDF"
        reader = PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages), body

    def close(self) -> None:
        self.context.close()
