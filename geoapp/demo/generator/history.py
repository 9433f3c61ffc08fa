"""A deterministic history of renovation stages per community."""

from __future__ import annotations

import numpy as np
import pandas as pd

_STAGES = (
    "not_started",
    "applied",
    "planned",
    "in_reserve",
    "in_annual_plan",
    "under_construction",
    "accepted",
    "handed_over",
    "post_evaluated",
)


HISTORY_START = pd.Timestamp("2021-03-01", tz="Asia/Shanghai")
HISTORY_END = pd.Timestamp("2026-10-31", tz="Asia/Shanghai")


def stage_history(communities: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """How each community reached its current stage: one row per recorded state.

    Every community gets a first record (``not_started``) some time after
    ``HISTORY_START``, then one record per stage up to its current one, 1–8
    months apart, all before ``HISTORY_END``; the last record is the current
    state. Old walk-ups (built before 2000) that are renovated now (竣工验收 or
    later) and have lifts got them in the works (加装电梯, 二(二)): their lifts
    are 0 until the ``accepted`` record. Drawn from a random stream of its own
    (``[seed, 0x5747]``), so adding this history leaves the rest of the city
    exactly as it was.

    Returns a DataFrame with ``code``, ``date`` (tz-aware), ``stage``,
    ``lifts`` and ``first`` (the creation record), ordered by code and date.
    """
    rng = np.random.default_rng([seed, 0x5747])
    order = {s: i for i, s in enumerate(_STAGES)}
    accepted = order["accepted"]
    codes = communities["code"].to_numpy()
    stages = communities["stage"].map(order).to_numpy(np.int64)
    lifts = communities["lifts"].to_numpy(np.int64)
    old = communities["completion_year"].to_numpy(np.int64) < 2000
    span_days = (HISTORY_END - HISTORY_START).days
    rows: list[tuple] = []
    for i, code in enumerate(codes):
        k = int(stages[i])
        gaps = rng.uniform(30, 240, size=k + 1)  # first record, then one per stage
        gaps[0] = rng.uniform(0, 120)
        days = np.cumsum(gaps)
        if days[-1] > span_days:
            days = days * (span_days / days[-1])
        days = np.floor(days).astype(np.int64)
        installed = bool(old[i] and k >= accepted and lifts[i] > 0)
        for j in range(k + 1):
            at = HISTORY_START + pd.Timedelta(days=int(days[j]), hours=9 + j % 8)
            before = installed and j < accepted
            rows.append((code, at, _STAGES[j], 0 if before else int(lifts[i]), j == 0))
    return pd.DataFrame(rows, columns=["code", "date", "stage", "lifts", "first"])
