"""Dated rule data: the version in force on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any


def select_in_force(data: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
    """Return the version of a programme data file that is in force on ``on``.

    Parameters
    ----------
    data : Mapping
        Either a mapping with a ``"versions"`` list, each version carrying
        ``effective_from`` (ISO date) and ``effective_to`` (ISO date or null,
        inclusive), or a single version with those two keys.
    on : datetime.date
        The day for which the rule is wanted.

    Returns
    -------
    Mapping
        The unique version whose period contains ``on``.

    Raises
    ------
    ValueError
        If no version, or more than one, is in force on ``on``.
    """
    if not isinstance(on, dt.date):
        raise TypeError(f"'on' must be a datetime.date, got {type(on).__name__}")
    versions: Sequence[Mapping[str, Any]]
    versions = data.get("versions", [data])
    hits = []
    for version in versions:
        try:
            start = dt.date.fromisoformat(str(version["effective_from"]))
        except (KeyError, ValueError) as exc:
            raise ValueError(
                f"rule version {version.get('id', '?')!r} needs an ISO "
                "'effective_from' date"
            ) from exc
        end_raw = version.get("effective_to")
        end = dt.date.fromisoformat(str(end_raw)) if end_raw else dt.date.max
        if end < start:
            raise ValueError(
                f"rule version {version.get('id', '?')!r} ends ({end}) before it "
                f"starts ({start})"
            )
        if start <= on <= end:
            hits.append(version)
    if not hits:
        raise ValueError(f"no rule version is in force on {on.isoformat()}")
    if len(hits) > 1:
        ids = ", ".join(str(v.get("id", "?")) for v in hits)
        raise ValueError(f"several rule versions are in force on {on}: {ids}")
    return hits[0]
