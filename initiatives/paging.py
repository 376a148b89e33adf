"""Long lists shown a page at a time, numbered from 1.

A national competition has a thousand applications: its ranking and each member's list
would be hundreds of kilobytes of HTML, too much for a phone on a village connection and
seconds to lay out. A page number out of range, or not a number, shows the nearest page:
a stale link never fails.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    number: int
    pages: int
    total: int
    size: int
    items: list

    @property
    def ranges(self) -> list[tuple[int, int, int]]:
        """(page, first place, last place) of every page, for a pager by places."""
        return [
            (n, (n - 1) * self.size + 1, min(n * self.size, self.total))
            for n in range(1, self.pages + 1)
        ]

    def page_of(self, index: int) -> int:
        return index // self.size + 1


def paginate(items: list, wanted: int | None, size: int, *, showing: int | None = None) -> Page:
    """The page asked for, or the page holding the item at index ``showing``."""
    pages = max(1, -(-len(items) // size))
    if showing is not None:
        wanted = showing // size + 1
    number = min(max(wanted or 1, 1), pages)
    return Page(number, pages, len(items), size, items[(number - 1) * size : number * size])
