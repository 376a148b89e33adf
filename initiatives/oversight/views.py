"""The dashboard across municipalities. Public: it shows aggregates only, never a person."""

from __future__ import annotations

from flask import Blueprint, request
from markupsafe import Markup

from initiatives.core.enums import PARTICIPANT_GROUPS, SpendingSource
from initiatives.i18n import _
from initiatives.oversight.figures import Filters, choices, figures
from initiatives.public import cache
from initiatives.routes import arg_int
from reports.charts import WEB, bar_chart
from workflows import CompetitionState

bp = Blueprint("oversight", __name__)
CHART = WEB


def _filters(options: dict) -> Filters:
    """Only values that exist are taken; anything else is ignored, never an error."""
    region = request.args.get("region") or None
    district = request.args.get("district") or None
    year = arg_int("year")
    return Filters(
        region=region if region in options["regions"] else None,
        district=district if district in options["districts"] else None,
        year=year if year in options["years"] else None,
    )


@bp.get("/oversight")
def dashboard():
    """Served from the public page cache: the figures change only when something is done
    somewhere in the country, and the national stamp says when."""
    stamp = cache.national_stamp()
    options = cache.remember(("oversight choices", stamp), choices)
    f = _filters(options)
    return cache.serve(
        ("oversight", f.region, f.district, f.year),
        stamp,
        "oversight/dashboard.html",
        lambda: _dashboard(f, options),
    )


def _dashboard(f: Filters, options: dict) -> dict:
    data = figures(f)
    # Several working states share one public name ("Under review" covers screening,
    # scoring and the results): the public counts them together, in the order of the first.
    by_public: dict[str, int] = {}
    for s in CompetitionState:
        if data["by_state"].get(s.value):
            by_public[s.public_title] = by_public.get(s.public_title, 0) + data["by_state"][s.value]
    money = data["money"]
    groups = [g for g in PARTICIPANT_GROUPS if g in data["participants"]] + [
        g for g in data["participants"] if g not in PARTICIPANT_GROUPS
    ]
    charts = [
        bar_chart(
            _("Competitions by state"),
            [_(title) for title in by_public],
            [(_("Competitions"), list(by_public.values()))],
            **CHART,
        ),
        bar_chart(
            _("Money, som"),
            [_("Local budget allocated"), _("Partners allocated"), _("Local budget awarded")]
            + [_("Spent: %(source)s", source=_(s.title)) for s in SpendingSource],
            [
                (
                    _("Money, som"),
                    [money["local_allocated"], money["partners_allocated"], money["local_awarded"]]
                    + [money["spent"].get(s.value, 0) for s in SpendingSource],
                )
            ],
            **CHART,
        ),
        bar_chart(
            _("Participants by group"),
            [_(PARTICIPANT_GROUPS[g]) if g in PARTICIPANT_GROUPS else g for g in groups],
            [(_("Participants"), [data["participants"][g] for g in groups])],
            **CHART,
        )
        if groups
        else "",
    ]
    return {
        "f": f,
        "options": options,
        "data": data,
        "groups": groups,
        "charts": [Markup(c) for c in charts],
    }
