"""The public funding mix: money by source per district and year (三, 六(二)).

Read as the public role from ``programme_public_funding_mix`` (programme/migrations/
0010): a database view that sums the funding sources of the projects whose funding is
public (from the annual plan on) per district, year and source. The role may read the
view, never the project rows behind it (public/migrations/0006), so nothing per
project, no notes and no unpublished project reaches this module.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection

from analysis.funding import PAYERS
from analysis.funding_sources import GROUPS, SOURCES
from public.models import PublishedDistrict
from public.selectors.query import _funding_mix_installed

#: the keys inside ``by_source`` and ``by_group``: source codes and payer groups
FUNDING_MIX_KEYS = (*SOURCES, *PAYERS)

_SQL = (
    "SELECT district_code, year, source, amount_yuan FROM programme_public_funding_mix"
    " ORDER BY district_code, year, source"
)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def funding_mix() -> dict[str, Any]:
    """Per district and year: the amount of every source, the payer groups and the
    total; per year for the city. Amounts are strings of yuan (0.01).

    Only districts of the published map are named; a district not published (yet) is
    left out rather than shown by its code.
    """
    empty: dict[str, Any] = {
        "sources": list(SOURCES),
        "groups": {p: list(GROUPS[p]) for p in PAYERS},
        "rows": [],
        "city": [],
        "definition": "",
    }
    if not _funding_mix_installed():
        return empty
    names = dict(PublishedDistrict.objects.values_list("code", "name"))
    with connection.cursor() as cur:
        cur.execute(_SQL)
        raw = cur.fetchall()
    cells: dict[tuple[str, int], dict[str, Decimal]] = {}
    city: dict[int, dict[str, Decimal]] = {}
    for code, year, source, amount in raw:
        if code not in names or source not in SOURCES:
            continue
        cell = cells.setdefault((code, year), {})
        cell[source] = cell.get(source, Decimal(0)) + amount
        whole = city.setdefault(year, {})
        whole[source] = whole.get(source, Decimal(0)) + amount

    def line(by: dict[str, Decimal]) -> dict[str, Any]:
        total = sum(by.values(), Decimal(0))
        return {
            "total_yuan": _money(total),
            "by_source": {s: _money(by.get(s, Decimal(0))) for s in SOURCES},
            "by_group": {
                p: _money(sum((by.get(s, Decimal(0)) for s in GROUPS[p]), Decimal(0)))
                for p in PAYERS
            },
        }

    empty["rows"] = [
        {"district_code": code, "district_name": names[code], "year": year, **line(by)}
        for (code, year), by in sorted(cells.items())
    ]
    empty["city"] = [{"year": year, **line(by)} for year, by in sorted(city.items())]
    empty["definition"] = (
        "funding sources (三, 六(二)) of the projects in or past the annual plan, "
        "summed per district, year (the year the money is arranged for) and source"
    )
    return empty
