"""Pages for slow phones: the public competition page weighs far less than 100 KB with
everything it loads, nothing comes from another host, and forms work without JavaScript."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts_inline = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "stylesheet":
            self.urls.append(a["href"])
        elif tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "script":
            self.scripts_inline += 1


def weight(client, url: str) -> tuple[int, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    parser = Assets()
    parser.feed(page.get_data(as_text=True))
    total = len(page.data)
    for asset in parser.urls:
        assert not asset.startswith(("http:", "https:", "//")), asset  # no CDN, no other host
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(response.data)
        response.close()
    assert parser.scripts_inline == 0  # the CSP allows no inline script, and none is needed
    return total, parser.urls


def test_the_public_competition_page_is_light(build, client, db):
    run = build("closed", proposals=4)
    for url in (f"/announcements/{run.c.id}", "/", f"/competitions/{run.c.id}/final-report"):
        total, assets = weight(client, url)
        print(f"{url}: {total / 1024:.1f} KB with {len(assets)} assets")
        assert total < 100 * 1024, (url, total)


def test_no_template_loads_from_another_host():
    pattern = re.compile(r"""(src|href)=["'](https?:)?//""")
    offenders = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if "documents" not in p.parts and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
