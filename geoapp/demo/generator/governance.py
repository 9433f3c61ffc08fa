"""Property management and owners' committees of the demo communities (五(一), 五(二)).

Drawn from a random stream of its own (``[seed, 0x6776]``), so adding these columns
leaves the rest of the city exactly as it was. What it aims at, as the old communities
of central Ningbo look:

* old walk-ups (built by 2000): about a third without any management, a third
  self-managed (自治), work-unit housing often still looked after by its former work
  unit (单位托管); the communities built after 2000 almost all professionally managed;
* renovated communities (竣工验收 or later) brought in professional management in a
  bit under half of the cases that had none (以改促管), since a date after 2020;
* professional management has a company, a start date, a service level (一级–三级 for
  the newer estates, 三级–五级 for the old) and a fee inside its level's range in
  ``fixtures/programme/property_fees.json``, but for about one in ten (mostly below);
* owners' committees: most newer estates, fewer old ones, more after a renovation.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from geoapp.demo.generator.history import _STAGES
from geoapp.demo.generator.sampling import _choice

FEES = (
    Path(__file__).resolve().parents[3]
    / "fixtures"
    / "programme"
    / "property_fees.json"
)
#: fictional company names in the style of Ningbo's property firms
_FIRMS = (
    "甬城",
    "三江",
    "天一",
    "月湖",
    "鼓楼",
    "江厦",
    "明州",
    "四明",
    "东门",
    "湾头",
    "白云",
    "孔浦",
)
_RENOVATED = set(_STAGES[_STAGES.index("accepted") :])


def _fee_ranges() -> dict[str, tuple[float, float]]:
    doc = json.loads(FEES.read_text(encoding="utf-8"))
    latest = max(doc["versions"], key=lambda v: v["effective_from"])
    return {k: (float(v["min"]), float(v["max"])) for k, v in latest["levels"].items()}


def _day(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> list:
    """One date per row, uniformly between the years ``start`` and ``end``."""
    first = np.array([dt.date(int(y), 1, 1).toordinal() for y in start])
    last = np.array([dt.date(int(y), 12, 31).toordinal() for y in end])
    days = first + np.floor(rng.random(len(first)) * (last - first + 1)).astype(int)
    return [dt.date.fromordinal(int(d)) for d in days]


def governance(communities: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """The governance columns of ``communities`` (same index): ``property_management``
    (redrawn for work units and renovations), ``property_since``, ``property_company``,
    ``service_level``, ``property_fee``, ``owners_committee`` and
    ``owners_committee_formed_on`` (dates as ISO text, ``""`` and a NaN fee where not set: the frame is written
    as GeoJSON too)."""
    rng = np.random.default_rng([seed, 0x6776])
    n = len(communities)
    year = communities["completion_year"].to_numpy(np.int64)
    late = year > 2000
    htype = communities["housing_type"].to_numpy(object)
    stage = communities["stage"].to_numpy(object)
    renovated = np.array([s in _RENOVATED for s in stage], dtype=bool)
    pm = communities["property_management"].to_numpy(object).copy()

    # work-unit housing still run by its former work unit
    unit = (htype == "work_unit") & (pm != "professional") & (rng.random(n) < 0.55)
    pm[unit] = "work_unit"
    # 以改促管: a bit under half of the renovated without professional management
    brought = renovated & (pm != "professional") & (rng.random(n) < 0.45)
    pm[brought] = "professional"
    pro = pm == "professional"

    since = np.full(n, None, dtype=object)
    start = np.where(late, year + 1, np.maximum(year, 1998))
    drawn = _day(rng, start, np.maximum(start, 2019))
    since[pro] = np.array(drawn, dtype=object)[pro]
    since[brought] = np.array(_day(rng, np.full(n, 2021), np.full(n, 2025)), object)[
        brought
    ]
    managed = ~pro & (pm != "none") & (rng.random(n) < 0.5)  # self / work unit
    since[managed] = np.array(drawn, dtype=object)[managed]

    firm = np.array(_FIRMS, dtype=object)[rng.integers(0, len(_FIRMS), n)]
    company = np.where(pro, "宁波" + firm + "物业服务有限公司", "").astype(object)

    level = np.where(
        late,
        _choice(rng, ("1", "2", "3"), np.tile([0.2, 0.5, 0.3], (n, 1))),
        _choice(rng, ("3", "4", "5"), np.tile([0.3, 0.45, 0.25], (n, 1))),
    ).astype(object)
    level[~pro] = ""
    ranges = _fee_ranges()
    low = np.array([ranges[v][0] if v else 0.0 for v in level])
    high = np.array([ranges[v][1] if v else 0.0 for v in level])
    fee = low + rng.random(n) * (high - low)
    off = rng.random(n)
    fee = np.where(off < 0.08, low * rng.uniform(0.55, 0.9, n), fee)  # below
    fee = np.where((off >= 0.08) & (off < 0.11), high * rng.uniform(1.1, 1.3, n), fee)
    fee_col = np.where(pro, np.round(fee, 2), np.nan)

    p_committee = np.select(
        [pro & late, pro, pm == "self", pm == "work_unit"], [0.7, 0.45, 0.3, 0.15], 0.1
    )
    p_committee = np.minimum(p_committee + np.where(renovated, 0.2, 0.0), 0.95)
    committee = rng.random(n) < p_committee
    formed = np.full(n, None, dtype=object)
    first = np.maximum(np.where(late, year + 2, 2005), 2005)
    formed[committee] = np.array(
        _day(rng, first, np.maximum(first, 2024)), dtype=object
    )[committee]

    def iso(days: np.ndarray) -> np.ndarray:
        return np.array([d.isoformat() if d else "" for d in days], dtype=object)

    return pd.DataFrame(
        {
            "property_management": pm,
            "property_since": iso(since),
            "property_company": company,
            "service_level": level,
            "property_fee": fee_col,
            "owners_committee": committee,
            "owners_committee_formed_on": iso(formed),
        },
        index=communities.index,
    )
