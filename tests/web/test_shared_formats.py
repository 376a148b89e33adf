"""The shared formats of every page (initiatives/web.py): one for money, one for a per
cent share and one for a file's size in each language, so that no page writes "47 KB"
beside "10,0 МБ" or an amount of som where a share is meant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

WRITTEN = {
    # language: (money, per cent, a small file, a large file, a few bytes)
    "ky": ("19\u00a0000,00 сом", "12,5%", "47 КБ", "1,5 МБ", "500 Б"),
    "ru": ("19\u00a0000,00 сом", "12,5\u00a0%", "47 КБ", "1,5 МБ", "500 Б"),
    "en": ("19,000.00 som", "12.5%", "47 KB", "1.5 MB", "500 B"),
}
PAGE = (
    "{{ money(amount) }}|{{ percent(share) }}|{{ file_size(47 * 1024) }}"
    "|{{ file_size(3 * 512 * 1024) }}|{{ file_size(500) }}"
)


@pytest.mark.parametrize("language", sorted(WRITTEN))
def test_every_page_has_one_money_one_percent_and_one_file_size_format(app, language):
    with app.test_request_context("/"), force_locale(language):
        written = render_template_string(PAGE, amount=Decimal("19000"), share=Decimal("12.50"))
    assert written.split("|") == list(WRITTEN[language])
