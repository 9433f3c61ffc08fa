"""The parking figures of renovation blocks: their members' spaces, demand and gap summed
(:func:`analysis.parking.block_parking`; the members' figures from
:func:`lifecircle.services.community_parking_figures`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from analysis import parking
from blocks.models import RenovationBlock
from lifecircle import services as lc


def blocks_parking(blocks: Iterable[RenovationBlock]) -> dict[str, dict[str, Any]]:
    """``{block code: {communities, surveyed, demand, spaces, gap, shortage}}`` of the
    blocks (whole spaces; the sums of the surveyed members only for spaces, gap and
    shortage), and under ``"_source"`` the ratios' version; ``{}`` without ratios."""
    block_of = {str(code): b.code for b in blocks for code in (b.member_codes or [])}
    if not block_of:
        return {}
    figures, source = lc.community_parking_figures(codes=list(block_of))
    if source is None:
        return {}
    table = parking.block_parking(
        [block_of.get(c) for c in figures["code"]],
        figures.drop(columns=["code", "name", "district_code", "housing_type"]),
    )
    out: dict[str, dict[str, Any]] = {
        str(code): {
            str(key): (None if not np.isfinite(v) else int(v)) for key, v in row.items()
        }
        for code, row in table.iterrows()
    }
    out["_source"] = source
    return out
